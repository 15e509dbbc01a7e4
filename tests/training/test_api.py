"""The training API (/api/v1/programs, /batches, /registrations) through HTTP with bearer tokens."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sinergi.accounts.services import api_token_create
from sinergi.core.models import AuditLog, Province
from sinergi.training import services
from sinergi.training.models import (
    Batch,
    CompetencyUnit,
    InvoiceStatus,
    Program,
    Registration,
)

from ..factories import BatchFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


def bearer(user) -> dict:
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def person(*roles):
    return UserFactory(roles=list(roles) or ["participant"])


def get(client, path, user, **params):
    return client.get(f"{API}{path}", params, **bearer(user))


def post(client, path, user, body=None):
    return client.post(f"{API}{path}", body or {}, content_type="application/json", **bearer(user))


def register(client, batch, user, **body):
    return post(client, f"/batches/{batch.pk}/registrations", user, {"consent": True, **body})


# --- Authentication --------------------------------------------------------------------------


def test_every_endpoint_needs_authentication(client):
    batch = BatchFactory()
    for method, path in [
        ("get", "/programs"),
        ("post", "/programs"),
        ("get", "/batches"),
        ("post", "/batches"),
        ("get", f"/batches/{batch.pk}"),
        ("post", f"/batches/{batch.pk}/registrations"),
        ("get", "/registrations/1"),
        ("post", "/registrations/1/cancel"),
    ]:
        response = getattr(client, method)(f"{API}{path}", HTTP_AUTHORIZATION="Bearer nope")
        assert response.status_code == 401, (method, path)


# --- Programs --------------------------------------------------------------------------------


def program_body(**changes) -> dict:
    body = {
        "title": "Katalogisasi dengan RDA dan MARC 21",
        "slug": "",
        "summary": "Mengatalog koleksi dengan RDA dan MARC 21.",
        "description": "Pelatihan katalogisasi untuk pustakawan perguruan tinggi.",
        "learning_outcomes": ["Membuat cantuman MARC 21", "Menerapkan RDA"],
        "total_jp": 40,
        "level": "intermediate",
        "mode": "online",
        "organisers": ["Perpustakaan UPI", "Pusdiklat Perpusnas"],
        "competency_units": ["PER.01.001.01"],
    }
    return body | changes


@pytest.fixture
def unit():
    return CompetencyUnit.objects.create(
        code="PER.01.001.01", title="Melakukan katalogisasi", source="Kepmenaker 236/2019"
    )


def test_program_list_is_paginated_with_competency_codes(client, unit, django_assert_num_queries):
    program = ProgramFactory(title="A Katalogisasi", learning_outcomes="Satu\nDua\n")
    program.competency_units.add(unit)
    ProgramFactory.create_batch(3)
    user = person()
    headers = bearer(user)

    # token (with its user), its first use noted, count, the page, the page's competency units
    with django_assert_num_queries(5):
        response = client.get(f"{API}/programs", {"page_size": 2}, **headers)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 4
    assert len(data["items"]) == 2
    first = data["items"][0]
    assert first["id"] == program.pk
    assert first["competency_units"] == ["PER.01.001.01"]
    assert first["learning_outcomes"] == ["Satu", "Dua"]
    assert first["organisers"] == ["Perpustakaan UPI", "Pusdiklat Perpusnas"]
    assert first["total_jp"] == 32
    page_two = client.get(f"{API}/programs", {"page_size": 2, "page": 2}, **headers).json()
    assert len(page_two["items"]) == 2
    assert first["id"] not in [item["id"] for item in page_two["items"]]


def test_program_manager_creates_a_program(client, unit):
    manager = person("program_manager")

    response = post(client, "/programs", manager, program_body())

    assert response.status_code == 201, response.content
    data = response.json()
    program = Program.objects.get(pk=data["id"])
    assert program.slug == data["slug"] == "katalogisasi-dengan-rda-dan-marc-21"
    assert program.organisers == "Perpustakaan UPI; Pusdiklat Perpusnas"
    assert program.outcome_list == ["Membuat cantuman MARC 21", "Menerapkan RDA"]
    assert (program.total_jp, program.level, program.mode) == (40, "intermediate", "online")
    assert list(program.competency_units.values_list("code", flat=True)) == ["PER.01.001.01"]
    assert data["competency_units"] == ["PER.01.001.01"]
    assert AuditLog.objects.filter(verb="training.program.created", actor=manager).exists()


@pytest.mark.parametrize("role", ["participant", "finance", "head", "speaker"])
def test_only_program_managers_create_programs(client, unit, role):
    response = post(client, "/programs", person(role), program_body())
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert response.json()["message"]
    assert not Program.objects.exists()


def test_admin_creates_programs(client, unit):
    assert post(client, "/programs", person("admin"), program_body()).status_code == 201


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"competency_units": ["NOPE.1"]}, "competency_units"),
        ({"title": ""}, "title"),
        ({"total_jp": 0}, "total_jp"),
        ({"level": "expert"}, "level"),
        ({"organisers": []}, "organisers"),
        ({"slug": "Not a slug!"}, "slug"),
    ],
)
def test_invalid_programs_are_422_by_field(client, unit, changes, field):
    response = post(client, "/programs", person("program_manager"), program_body(**changes))
    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["details"]]
    assert not Program.objects.exists()


def test_a_taken_slug_is_422(client, unit):
    ProgramFactory(slug="katalogisasi")
    response = post(
        client, "/programs", person("program_manager"), program_body(slug="katalogisasi")
    )
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "slug"


# --- Batches ---------------------------------------------------------------------------------


def test_batch_list_shows_open_batches_with_seats_left(client, django_assert_num_queries):
    full = BatchFactory(capacity=1, code="A-1")
    services.registration_create(batch=full, user=person(), consent=True)
    roomy = BatchFactory(capacity=3, code="A-2")
    BatchFactory(status="draft", code="A-3")
    BatchFactory(status="finished", code="A-4")
    headers = bearer(person())

    # token, its first use noted, count, the page (seats counted in the same query)
    with django_assert_num_queries(4):
        response = client.get(f"{API}/batches", **headers)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert [(b["code"], b["available"]) for b in data["items"]] == [("A-1", 0), ("A-2", 3)]
    item = data["items"][1]
    assert item["id"] == roomy.pk
    assert item["program"] == {
        "id": roomy.program.pk,
        "slug": roomy.program.slug,
        "title": roomy.program.title,
    }
    assert (item["status"], item["mode"], item["fee"], item["capacity"]) == (
        "open",
        "online",
        750_000,
        3,
    )


def test_other_statuses_are_for_training_staff(client):
    BatchFactory(status="finished", code="F-1")
    BatchFactory(code="O-1")

    assert get(client, "/batches", person(), status="finished").status_code == 403
    for role in ("finance", "program_manager", "head", "admin"):
        response = get(client, "/batches", person(role), status="finished")
        assert response.status_code == 200, role
        assert [b["code"] for b in response.json()["items"]] == ["F-1"]
    assert get(client, "/batches", person("finance"), status="bogus").status_code == 422


def batch_body(program, /, **changes) -> dict:
    starts = timezone.localdate() + timedelta(days=30)
    body = {
        "program": program.pk,
        "code": "KAT-2026-01",
        "capacity": 30,
        "fee": 750_000,
        "starts_on": starts.isoformat(),
        "ends_on": (starts + timedelta(days=4)).isoformat(),
        "registration_opens": timezone.now().isoformat(),
        "registration_closes": (timezone.now() + timedelta(days=20)).isoformat(),
        "mode": "online",
    }
    return body | changes


def test_program_manager_creates_a_draft_batch(client):
    """A new batch has no sessions, tests or certificate yet: it is created as a draft and
    opens once its readiness checklist is done."""
    program = ProgramFactory(mode="blended")
    manager = person("program_manager")

    response = post(client, "/batches", manager, batch_body(program))

    assert response.status_code == 201, response.content
    data = response.json()
    batch = Batch.objects.get(pk=data["id"])
    assert (batch.status, batch.capacity, batch.fee, batch.place) == ("draft", 30, 750_000, "")
    assert (data["status"], data["mode"], data["available"]) == ("draft", "online", 30)
    assert not batch.registration_is_open()
    assert AuditLog.objects.filter(verb="training.batch.created", actor=manager).exists()


def test_a_batch_on_site_needs_its_place(client):
    program = ProgramFactory(mode="blended")
    manager = person("program_manager")

    response = post(client, "/batches", manager, batch_body(program, mode=None))
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "place"

    body = batch_body(program, mode="onsite", place="Perpustakaan UPI, Bandung")
    response = post(client, "/batches", manager, body)
    assert response.status_code == 201
    assert response.json()["mode"] == "blended"  # a place, in a blended program
    assert Batch.objects.get().place == "Perpustakaan UPI, Bandung"


def test_only_program_managers_create_batches(client):
    program = ProgramFactory()
    for role in ("participant", "finance"):
        assert post(client, "/batches", person(role), batch_body(program)).status_code == 403
    assert not Batch.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"program": 0}, "program"),
        ({"capacity": 0}, "capacity"),
        ({"fee": -1}, "fee"),
        ({"code": ""}, "code"),
        ({"mode": "hybrid"}, "mode"),
        ({"starts_on": "not a date"}, "starts_on"),
    ],
)
def test_invalid_batches_are_422_by_field(client, changes, field):
    program = ProgramFactory()
    response = post(client, "/batches", person("program_manager"), batch_body(program, **changes))
    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["details"]]
    assert not Batch.objects.exists()


def test_batch_dates_that_do_not_fit_are_422(client):
    program = ProgramFactory()
    manager = person("program_manager")
    starts = timezone.localdate() + timedelta(days=30)
    ends_first = batch_body(program, ends_on=(starts - timedelta(days=1)).isoformat())
    closes_first = batch_body(
        program, registration_closes=(timezone.now() - timedelta(days=1)).isoformat()
    )

    for body, field in [(ends_first, "ends_on"), (closes_first, "registration_closes")]:
        response = post(client, "/batches", manager, body)
        assert response.status_code == 422, response.content
        assert response.json()["details"][0]["field"] == field
    BatchFactory(code="TAKEN")
    response = post(client, "/batches", manager, batch_body(program, code="TAKEN"))
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "code"


def test_batch_detail_counts_the_seats(client):
    batch = BatchFactory(capacity=3)
    confirmed, *_ = (
        services.registration_create(batch=batch, user=person(), consent=True) for _ in range(5)
    )
    Registration.objects.filter(pk=confirmed.pk).update(state="confirmed")

    response = get(client, f"/batches/{batch.pk}", person())

    assert response.status_code == 200
    data = response.json()
    assert data["code"] == batch.code
    assert {key: data[key] for key in ("capacity", "confirmed", "pending", "waitlisted")} == {
        "capacity": 3,
        "confirmed": 1,
        "pending": 2,
        "waitlisted": 2,
    }
    assert (data["offered"], data["available"]) == (0, 0)


def test_drafts_are_hidden_from_everyone_but_training_staff(client):
    draft = BatchFactory(status="draft")

    assert get(client, f"/batches/{draft.pk}", person()).status_code == 404
    assert get(client, f"/batches/{draft.pk}", person("program_manager")).status_code == 200
    assert get(client, "/batches/999999", person("program_manager")).status_code == 404
    assert register(client, draft, person()).status_code == 404


# --- Registrations ---------------------------------------------------------------------------


def test_registering_gives_a_seat_and_an_invoice(client):
    batch = BatchFactory(capacity=1, fee=750_000)
    user = person()

    response = register(client, batch, user)

    assert response.status_code == 201, response.content
    data = response.json()
    registration = Registration.objects.get(pk=data["id"])
    assert registration.user == user
    assert data["state"] == "pending_payment"
    invoice = registration.invoice
    assert data["invoice"]["number"] == invoice.number
    assert data["invoice"]["amount"] == 750_000
    assert data["invoice"]["transfer_amount"] == invoice.transfer_amount > 750_000
    assert data["invoice"]["due_at"]
    assert data["batch"] == {
        "id": batch.pk,
        "code": batch.code,
        "program_title": batch.program.title,
    }
    assert registration.consent_at is not None


def test_free_batch_confirms_without_invoice_and_a_full_one_waitlists(client):
    free = BatchFactory(capacity=1, fee=0)

    first = register(client, free, person()).json()
    second = register(client, free, person()).json()

    assert (first["state"], first["invoice"]) == ("confirmed", None)
    assert (second["state"], second["invoice"]) == ("waitlisted", None)


def test_registering_twice_or_when_closed_is_409_with_the_reason(client):
    batch = BatchFactory()
    user = person()
    assert register(client, batch, user).status_code == 201

    again = register(client, batch, user)
    assert again.status_code == 409
    assert again.json()["code"] == "already_registered"
    assert again.json()["message"]

    closed = BatchFactory(status="closed")
    response = register(client, closed, person())
    assert response.status_code == 409
    assert response.json()["code"] == "closed"


@pytest.mark.parametrize("body", [{}, {"consent": False}, {"consent": "yes"}, {"consent": None}])
def test_consent_must_be_given_explicitly(client, body):
    batch = BatchFactory()
    response = post(client, f"/batches/{batch.pk}/registrations", person(), body)
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "consent"
    assert not Registration.objects.exists()


def test_participant_data_given_with_the_registration(client):
    batch = BatchFactory()
    province = Province.objects.get(code="32")
    user = person()
    user.institution_name = "SMAN 1 Bandung"
    user.save(update_fields=["institution_name"])

    # The API refuses what the web form refuses (core.text.phone_clean, in the service).
    response = register(client, batch, user, position="Pustakawan", province="32", phone="0812")
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "phone"
    response = register(
        client, batch, user, position="Pustakawan", province="32", phone="0812 3456 7890"
    )

    assert response.status_code == 201, response.content
    registration = Registration.objects.get()
    assert (registration.institution_name, registration.position) == (
        "SMAN 1 Bandung",
        "Pustakawan",
    )
    assert (registration.province, registration.phone) == (province, "+6281234567890")
    response = register(client, BatchFactory(), user, province="99")
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "province"


def test_a_registration_is_seen_by_its_owner_and_training_staff_only(client):
    registration = services.registration_create(batch=BatchFactory(), user=person(), consent=True)
    path = f"/registrations/{registration.pk}"

    owner = get(client, path, registration.user)
    assert owner.status_code == 200
    assert owner.json()["id"] == registration.pk
    assert owner.json()["invoice"]["number"] == registration.invoice.number
    assert get(client, path, person()).status_code == 404
    assert get(client, path, person("finance")).status_code == 200
    assert get(client, "/registrations/999999", registration.user).status_code == 404


def test_cancelling_frees_the_seat_for_the_waiting_list(client):
    batch = BatchFactory(capacity=1)
    holder = register(client, batch, person()).json()
    waiting = Registration.objects.get(pk=register(client, batch, person()).json()["id"])
    path = f"/registrations/{holder['id']}/cancel"
    owner = Registration.objects.get(pk=holder["id"]).user

    assert post(client, path, person()).status_code == 404
    response = post(client, path, owner)

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "cancelled"
    assert response.json()["invoice"]["status"] == InvoiceStatus.CREDITED
    waiting.refresh_from_db()
    assert waiting.state == "offered"
    again = post(client, path, owner)
    assert again.status_code == 409
    assert again.json()["code"] == "inactive"
