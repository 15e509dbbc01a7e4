"""The staff pages through HTTP: who may do what, programs and batches through their forms,
the verification queue (plain POST and HTMX), cancellations, refunds and query counts."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from sinergi.core.formatting import format_rupiah
from sinergi.core.models import AuditLog
from sinergi.training import services
from sinergi.training.models import (
    Batch,
    CompetencyUnit,
    InvoiceStatus,
    Payment,
    Program,
    Refund,
    Registration,
)
from sinergi.training.selectors import batch_revenue
from tests.i18n import indonesian

from ..factories import BatchFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "+6281234567890"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(size=(40, 30), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 83, 148)).save(buffer, fmt)
    return buffer.getvalue()


def register(batch, **profile):
    user = UserFactory(roles=["participant"], phone=PHONE, institution_name="SMAN 1", **profile)
    return services.registration_create(batch=batch, user=user, consent=True)


def submit_transfer(registration) -> Payment:
    proof = SimpleUploadedFile("bukti.png", png(), content_type="image/png")
    return services.payment_submit_transfer(
        invoice=registration.invoice, user=registration.user, proof=proof
    )


def confirm_paid(registration):
    payment = submit_transfer(registration)
    services.payment_approve(payment=payment, actor=UserFactory(roles=["finance"]))
    registration.refresh_from_db()
    return registration


def client_for(client, *roles):
    client.force_login(UserFactory(roles=list(roles)))
    return client


@pytest.fixture
def batch():
    return BatchFactory(capacity=3, fee=750_000)


@pytest.fixture
def submitted(batch):
    registration = register(batch)
    return submit_transfer(registration)


def staff_urls(batch, payment, registration):
    """Every staff URL with the method that does its work."""
    return [
        ("get", reverse("training:staff_dashboard")),
        ("get", reverse("training:program_create")),
        ("get", reverse("training:program_edit", args=[batch.program_id])),
        ("get", reverse("training:batch_create")),
        ("get", reverse("training:batch_manage", args=[batch.pk])),
        ("post", reverse("training:batch_manage", args=[batch.pk])),
        ("get", reverse("training:batch_edit", args=[batch.pk])),
        ("get", reverse("training:participants_export", args=[batch.pk, "csv"])),
        ("get", reverse("training:participants_export", args=[batch.pk, "xlsx"])),
        ("get", reverse("training:verification_queue")),
        ("post", reverse("training:payment_approve", args=[payment.pk])),
        ("post", reverse("training:payment_reject", args=[payment.pk])),
        ("get", reverse("training:refund", args=[registration.pk])),
        ("post", reverse("training:refund", args=[registration.pk])),
    ]


# --- Who may do what -------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, batch, submitted):
    registration = submitted.invoice.registrations.get()
    for method, url in staff_urls(batch, submitted, registration):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_participants_get_403_on_every_staff_url(client, batch, submitted):
    client_for(client, "participant")
    registration = submitted.invoice.registrations.get()
    for method, url in staff_urls(batch, submitted, registration):
        assert getattr(client, method)(url).status_code == 403, (method, url)
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_head_reads_but_cannot_approve_export_edit_or_cancel(client, batch, submitted):
    client_for(client, "head")
    registration = submitted.invoice.registrations.get()
    for name, args in [
        ("training:staff_dashboard", []),
        ("training:batch_manage", [batch.pk]),
        ("training:verification_queue", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200, name
    forbidden = [
        ("post", reverse("training:payment_approve", args=[submitted.pk]), {}),
        ("post", reverse("training:payment_reject", args=[submitted.pk]), {"reason": "x"}),
        ("get", reverse("training:participants_export", args=[batch.pk, "xlsx"]), {}),
        ("get", reverse("training:participants_export", args=[batch.pk, "csv"]), {}),
        ("get", reverse("training:program_create"), {}),
        ("get", reverse("training:batch_edit", args=[batch.pk]), {}),
        ("get", reverse("training:refund", args=[registration.pk]), {}),
        (
            "post",
            reverse("training:batch_manage", args=[batch.pk]),
            {"registration": registration.pk, "reason": "x"},
        ),
    ]
    for method, url, data in forbidden:
        assert getattr(client, method)(url, data).status_code == 403, url
    submitted.refresh_from_db()
    registration.refresh_from_db()
    assert (submitted.state, registration.state) == ("submitted", "payment_submitted")


def test_finance_reviews_payments_but_does_not_edit_programs(client, batch):
    client_for(client, "finance")
    assert client.get(reverse("training:batch_manage", args=[batch.pk])).status_code == 200
    assert client.get(reverse("training:program_create")).status_code == 403
    assert client.get(reverse("training:batch_create")).status_code == 403


def test_head_sees_phones_masked_and_program_manager_whole(client, batch):
    registration = register(batch)
    url = reverse("training:batch_manage", args=[batch.pk])
    head_response = client_for(client, "head").get(f"{url}?cancel={registration.pk}")
    assert head_response.context["cancelling"] is None
    head_page = head_response.content.decode()
    assert PHONE not in head_page
    assert "+628*******890" in head_page
    manager_page = client_for(client, "program_manager").get(url).content.decode()
    assert PHONE in manager_page


def test_review_urls_refuse_get(client, submitted):
    client_for(client, "finance")
    assert client.get(reverse("training:payment_approve", args=[submitted.pk])).status_code == 405


# --- Programs ----------------------------------------------------------------------------------


def program_data(**overrides):
    data = {
        "title": "Katalogisasi dengan RDA dan MARC 21",
        "summary": "Mengatalog bahan perpustakaan dengan RDA.",
        "description": "",
        "learning_outcomes": "Membuat cantuman MARC\nMenerapkan RDA",
        "total_jp": "40",
        "level": "intermediate",
        "mode": "blended",
        "organisers": "Perpustakaan UPI; Pusdiklat Perpusnas",
    }
    data.update(overrides)
    return data


def test_program_manager_creates_a_program_with_units_and_cover(client):
    units = [
        CompetencyUnit.objects.create(code=f"R.91PER00.00{n}.2", title=f"U{n}") for n in (1, 2)
    ]
    retired = CompetencyUnit.objects.create(code="R.91PER00.099.2", title="Old", is_active=False)
    client_for(client, "program_manager")
    form_page = client.get(reverse("training:program_create")).content.decode()
    assert 'type="checkbox"' in form_page
    assert retired.code not in form_page
    cover = SimpleUploadedFile("sampul.png", png(), content_type="image/png")
    response = client.post(
        reverse("training:program_create"),
        program_data(competency_units=[unit.pk for unit in units], cover=cover),
    )
    assert response.status_code == 302
    program = Program.objects.get(title="Katalogisasi dengan RDA dan MARC 21")
    assert program.slug == "katalogisasi-dengan-rda-dan-marc-21"
    assert set(program.competency_units.all()) == set(units)
    assert program.cover.name.startswith("programs/")
    assert AuditLog.objects.filter(verb="training.program.created").exists()


def test_same_title_gets_its_own_slug(client):
    ProgramFactory(title="Otomasi SLiMS", slug="otomasi-slims")
    client_for(client, "program_manager")
    client.post(reverse("training:program_create"), program_data(title="Otomasi SLiMS"))
    assert Program.objects.filter(slug="otomasi-slims-2").exists()


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("a.png", b"not an image at all", "invalid_image"),
        ("a.gif", png(fmt="GIF"), "format"),
        ("a.png", png() + b"\0" * (2 * 1024 * 1024), "too_large"),
    ],
    ids=["not-an-image", "gif", "too-large"],
)
def test_cover_must_be_a_small_real_image(client, name, content, code):
    client_for(client, "program_manager")
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = client.post(reverse("training:program_create"), program_data(cover=upload))
    assert response.status_code == 200
    assert not Program.objects.exists()
    assert [error.code for error in response.context["form"].errors.as_data()["cover"]] == [code]


def test_program_manager_edits_a_program(client):
    program = ProgramFactory()
    unit = CompetencyUnit.objects.create(code="R.91PER00.036.2", title="Otomasi")
    client_for(client, "program_manager")
    response = client.post(
        reverse("training:program_edit", args=[program.pk]),
        program_data(title="Judul Baru", competency_units=[unit.pk]),
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.title == "Judul Baru"
    assert list(program.competency_units.all()) == [unit]
    log = AuditLog.objects.get(verb="training.program.updated")
    assert "title" in log.data["fields"] and "competency_units" in log.data["fields"]


# --- Batches -----------------------------------------------------------------------------------


def batch_data(program, **overrides):
    starts = timezone.localdate() + timedelta(days=30)
    data = {
        "program": program.pk,
        "code": "RDA-2026-01",
        "status": "draft",
        "starts_on": starts.isoformat(),
        "ends_on": (starts + timedelta(days=4)).isoformat(),
        "registration_opens": (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "registration_closes": f"{(starts - timedelta(days=2)).isoformat()}T23:59",
        "capacity": "30",
        "fee": "Rp750.000",
        "place": "",
        "agreement_number": "",
    }
    data.update(overrides)
    return data


def test_program_manager_creates_a_batch(client):
    program = ProgramFactory()
    client_for(client, "program_manager")
    page = client.get(reverse("training:batch_create") + f"?program={program.pk}")
    assert page.status_code == 200
    response = client.post(reverse("training:batch_create"), batch_data(program))
    batch = Batch.objects.get(code="RDA-2026-01")
    assert response.status_code == 302
    assert response["Location"] == reverse("training:batch_manage", args=[batch.pk])
    assert (batch.fee, batch.capacity, batch.status) == (750_000, 30, "draft")
    assert timezone.localtime(batch.registration_closes).hour == 23
    assert AuditLog.objects.filter(verb="training.batch.created").exists()


def test_a_new_batch_cannot_be_created_open(client):
    """It has no sessions, tests or certificate yet: the checklist is not done."""
    program = ProgramFactory()
    client_for(client, "program_manager")
    response = client.post(reverse("training:batch_create"), batch_data(program, status="open"))
    assert response.status_code == 200
    assert response.context["form"].errors["status"] == [
        indonesian("Save the batch as a draft first; it opens when its checklist is done.")
    ]
    assert not Batch.objects.exists()


def day(offset: int, at: str = "") -> str:
    """Return the date `offset` days from today, ISO, with a time of day when given."""
    text = (timezone.localdate() + timedelta(days=offset)).isoformat()
    return f"{text}T{at}" if at else text


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"ends_on": day(29)}, "ends_on"),
        ({"registration_closes": day(31, "08:00")}, "registration_closes"),
        (
            {"registration_opens": day(29, "08:00"), "registration_closes": day(28, "08:00")},
            "registration_closes",
        ),
        ({"fee": "750.50"}, "fee"),
        ({"fee": "750000,5"}, "fee"),
        ({"fee": "-5"}, "fee"),
        ({"capacity": "0"}, "capacity"),
    ],
    ids=[
        "ends-before-start",
        "closes-after-start",
        "closes-before-opens",
        "fee-decimal",
        "fee-comma",
        "fee-negative",
        "no-seats",
    ],
)
def test_batch_form_refuses_inconsistent_input(client, overrides, field):
    program = ProgramFactory()
    client_for(client, "program_manager")
    response = client.post(reverse("training:batch_create"), batch_data(program, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Batch.objects.exists()


def test_fee_with_thousand_dots_is_whole_rupiah(client):
    program = ProgramFactory()
    client_for(client, "program_manager")
    client.post(reverse("training:batch_create"), batch_data(program, fee="1.250.000"))
    assert Batch.objects.get().fee == 1_250_000


def edit(client, batch, **overrides):
    data = batch_data(
        batch.program,
        code=batch.code,
        status=batch.status,
        starts_on=batch.starts_on.isoformat(),
        ends_on=batch.ends_on.isoformat(),
        registration_opens=timezone.localtime(batch.registration_opens).strftime("%Y-%m-%dT%H:%M"),
        registration_closes=timezone.localtime(batch.registration_closes).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        capacity=str(batch.capacity),
        fee=str(batch.fee),
    )
    data.update(overrides)
    return client.post(reverse("training:batch_edit", args=[batch.pk]), data)


def test_more_capacity_offers_the_seat_to_the_waiting_list(client):
    batch = BatchFactory(capacity=1)
    register(batch)
    waiting = register(batch)
    assert waiting.state == "waitlisted"
    mail.outbox.clear()
    client_for(client, "program_manager")
    response = edit(client, batch, capacity="2")
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == "offered"
    assert waiting.offer_expires_at > timezone.now()
    assert [message.to for message in mail.outbox] == [[waiting.user.email]]
    log = AuditLog.objects.get(verb="training.batch.updated")
    assert log.data["capacity"] == [1, 2]


def test_capacity_below_the_seats_taken_is_refused(client):
    batch = BatchFactory(capacity=2)
    register(batch)
    register(batch)
    client_for(client, "program_manager")
    response = edit(client, batch, capacity="1")
    assert response.status_code == 200
    assert "capacity" in response.context["form"].errors
    batch.refresh_from_db()
    assert batch.capacity == 2
    assert not AuditLog.objects.filter(verb="training.batch.updated").exists()


def test_opening_a_draft_batch_offers_free_seats_to_the_waiting_list(monkeypatch):
    # The readiness checklist is tested in tests/training/test_readiness.py.
    monkeypatch.setattr(services, "readiness_blockers", lambda batch: [])
    batch = BatchFactory(capacity=1)
    taken = register(batch)
    waiting = register(batch)
    services.batch_update(batch=batch, actor=None, status="draft")
    services.registration_cancel(registration=taken, actor=None)
    waiting.refresh_from_db()
    assert waiting.state == "waitlisted"  # a draft offers nothing
    services.batch_update(batch=batch, actor=None, status="open")
    waiting.refresh_from_db()
    assert waiting.state == "offered"


# --- Batch page: registrations, cancel, refund ---------------------------------------------


def test_batch_page_shows_counts_queue_revenue_and_exports(client, batch, submitted):
    register(batch)
    confirm_paid(register(batch))
    register(batch)  # waitlisted: 3 seats are taken
    client_for(client, "finance")
    response = client.get(reverse("training:batch_manage", args=[batch.pk]))
    page = response.content.decode()
    assert response.context["availability"].taken == 3
    assert response.context["revenue"] == 750_000
    assert "Rp750.000" in page
    assert f'id="payment-{submitted.pk}"' in page
    assert reverse("training:participants_export", args=[batch.pk, "xlsx"]) in page
    assert reverse("training:payment_proof", args=[submitted.pk]) in page
    counts = {value: count for value, _label, count in response.context["states"]}
    assert counts["waitlisted"] == 1 and counts["confirmed"] == 1
    only_waiting = client.get(
        reverse("training:batch_manage", args=[batch.pk]) + "?state=waitlisted"
    )
    assert len(only_waiting.context["page"].object_list) == 1


def test_program_manager_cancels_a_registration_with_a_reason(client, batch):
    registration = register(batch)
    client_for(client, "program_manager")
    url = reverse("training:batch_manage", args=[batch.pk])
    asked = client.get(f"{url}?cancel={registration.pk}")
    assert asked.context["cancelling"] == registration
    assert 'name="reason"' in asked.content.decode()
    refused = client.post(url, {"registration": registration.pk, "reason": ""})
    assert refused["Location"] == f"{url}?cancel={registration.pk}#cancel"
    registration.refresh_from_db()
    assert registration.state == "pending_payment"
    response = client.post(url, {"registration": registration.pk, "reason": "Permintaan instansi"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.state == "cancelled"
    assert registration.invoice.credit_note.reason == "Permintaan instansi"


def test_cancel_cannot_reach_another_batchs_registration(client, batch):
    other = register(BatchFactory())
    client_for(client, "program_manager")
    response = client.post(
        reverse("training:batch_manage", args=[batch.pk]),
        {"registration": other.pk, "reason": "salah"},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.state == "pending_payment"


def test_finance_refunds_a_paid_registration(client, batch):
    registration = confirm_paid(register(batch))
    client_for(client, "finance")
    url = reverse("training:refund", args=[registration.pk])
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert form_page.context["form"].initial["amount"] == 750_000
    too_much = client.post(url, {"amount": "800.000", "reason": "Batal"})
    assert "amount" in too_much.context["form"].errors
    response = client.post(url, {"amount": "500.000", "reason": "Berhalangan hadir"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.state == "refunded"
    assert Refund.objects.get().amount == 500_000
    assert batch_revenue(batch=batch) == 250_000


def test_refund_is_refused_for_an_unpaid_registration(client, batch):
    registration = register(batch)
    client_for(client, "finance")
    url = reverse("training:refund", args=[registration.pk])
    assert client.get(url).context["refundable"] is False
    client.post(url, {"amount": "1000", "reason": "x"})
    assert not Refund.objects.exists()


# --- Verification queue ---------------------------------------------------------------------


def test_queue_lists_transfers_oldest_first_with_expected_amount(client, batch):
    first = submit_transfer(register(batch))
    second = submit_transfer(register(batch))
    client_for(client, "finance")
    response = client.get(reverse("training:verification_queue"))
    assert [payment.pk for payment in response.context["page"]] == [first.pk, second.pk]
    page = response.content.decode()
    assert format_rupiah(first.invoice.transfer_amount) in page
    assert first.invoice.number in page
    assert "HX-Request" in response["Vary"]


def test_approve_confirms_and_tells_the_participant(client, submitted):
    mail.outbox.clear()
    client_for(client, "finance")
    response = client.post(reverse("training:payment_approve", args=[submitted.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("training:verification_queue")
    submitted.refresh_from_db()
    registration = submitted.invoice.registrations.get()
    assert submitted.state == "approved"
    assert registration.state == "confirmed"
    assert submitted.invoice.status == InvoiceStatus.PAID
    assert [message.to for message in mail.outbox] == [[registration.user.email]]


def test_approve_goes_back_to_a_safe_next_page_only(client, batch, submitted):
    client_for(client, "finance")
    manage = reverse("training:batch_manage", args=[batch.pk])
    response = client.post(
        reverse("training:payment_approve", args=[submitted.pk]), {"next": manage}
    )
    assert response["Location"] == manage
    second = submit_transfer(register(batch))
    response = client.post(
        reverse("training:payment_approve", args=[second.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("training:verification_queue")


def test_htmx_approve_returns_the_row(client, submitted):
    client_for(client, "finance")
    response = client.post(
        reverse("training:payment_approve", args=[submitted.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<div class="list-group-item" id="payment-{submitted.pk}">')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]
    submitted.refresh_from_db()
    assert submitted.state == "approved"


def test_approving_twice_says_it_was_already_reviewed(client, submitted):
    client_for(client, "finance")
    url = reverse("training:payment_approve", args=[submitted.pk])
    client.post(url)
    response = client.post(url, headers={"HX-Request": "true"})
    assert 'role="alert"' in response.content.decode()


def test_reject_needs_a_reason(client, submitted):
    client_for(client, "finance")
    url = reverse("training:payment_reject", args=[submitted.pk])
    assert client.post(url, {"reason": "  "}).status_code == 302
    htmx = client.post(url, {"reason": ""}, headers={"HX-Request": "true"})
    assert htmx.status_code == 200
    assert 'role="alert"' in htmx.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_reject_with_a_reason_reopens_payment_and_tells_the_payer(client, submitted):
    mail.outbox.clear()
    client_for(client, "finance")
    response = client.post(
        reverse("training:payment_reject", args=[submitted.pk]),
        {"reason": "Nominal tidak sesuai"},
        headers={"HX-Request": "true"},
    )
    assert "Nominal tidak sesuai" in response.content.decode()
    submitted.refresh_from_db()
    registration = submitted.invoice.registrations.get()
    assert (submitted.state, submitted.reject_reason) == ("rejected", "Nominal tidak sesuai")
    assert registration.state == "pending_payment"
    assert "Nominal tidak sesuai" in mail.outbox[-1].body


# --- Dashboard ---------------------------------------------------------------------------------


def test_dashboard_groups_batches_with_seats_waiting_list_and_revenue(client):
    open_batch = BatchFactory(capacity=1)
    paid = confirm_paid(register(open_batch))
    register(open_batch)  # waits
    finance = UserFactory(roles=["finance"])
    services.refund_create(registration=paid, amount=100_000, reason="x", actor=finance)
    draft = BatchFactory(status="draft")
    client_for(client, "head")
    response = client.get(reverse("training:staff_dashboard"))
    groups = {group["status"]: group["batches"] for group in response.context["groups"]}
    assert [batch.pk for batch in groups["draft"]] == [draft.pk]
    shown = groups["open"][0]
    assert shown.revenue == batch_revenue(batch=open_batch) == 650_000
    assert (shown.seats_taken, shown.waitlisted) == (1, 0)  # the refund offered the seat on
    assert "Rp650.000" in response.content.decode()


# --- Query counts ------------------------------------------------------------------------------


def test_staff_lists_do_not_grow_queries_with_rows(client, django_assert_max_num_queries):
    batch = BatchFactory(capacity=40)
    for _ in range(12):
        submit_transfer(register(batch))
    for _ in range(40):
        register(batch)
    for registration in Registration.objects.filter(state="pending_payment")[:5]:
        confirm_paid(registration)
    client_for(client, "finance")
    # 11 for the page and its rows, 7 for the readiness checklist (fixed, not per row).
    with django_assert_max_num_queries(18):
        response = client.get(reverse("training:batch_manage", args=[batch.pk]))
    assert len(response.context["page"].object_list) == 50
    with django_assert_max_num_queries(5):
        response = client.get(reverse("training:verification_queue"))
    assert len(response.context["page"].object_list) == 12
    with django_assert_max_num_queries(7):
        client.get(reverse("training:staff_dashboard"))


# --- Admin site --------------------------------------------------------------------------------


def test_admin_lists_every_training_model_and_never_deletes_money(client, batch, submitted):
    from django.contrib import admin

    admin_user = UserFactory(roles=["admin"], is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    models = [model for model in admin.site._registry if model._meta.app_label == "training"]
    assert {model.__name__ for model in models} >= {
        "Program",
        "Batch",
        "Registration",
        "Invoice",
        "Payment",
        "CreditNote",
        "Refund",
        "CompetencyUnit",
    }
    for model in models:
        url = reverse(f"admin:training_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    request = type("Request", (), {"user": admin_user})()
    for name in ("invoice", "payment", "creditnote"):
        model_admin = next(a for m, a in admin.site._registry.items() if m.__name__.lower() == name)
        assert not model_admin.has_delete_permission(request)
    for url in [
        reverse("admin:training_invoice_change", args=[submitted.invoice_id]),
        reverse("admin:training_payment_change", args=[submitted.pk]),
        reverse("admin:training_batch_add"),
        reverse("admin:training_program_add"),
    ]:
        assert client.get(url).status_code == 200, url


def test_admin_batch_changes_go_through_the_service(client):
    batch = BatchFactory(capacity=1)
    register(batch)
    waiting = register(batch)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:training_batch_change", args=[batch.pk])
    data = batch_data(
        batch.program, code=batch.code, capacity="2", fee=str(batch.fee), status="open"
    )
    data |= {"starts_on": batch.starts_on.isoformat(), "ends_on": batch.ends_on.isoformat()}
    for name in ("registration_opens", "registration_closes"):  # the admin splits them
        moment = timezone.localtime(getattr(batch, name))
        data |= {f"{name}_0": moment.date().isoformat(), f"{name}_1": moment.strftime("%H:%M")}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    waiting.refresh_from_db()
    assert waiting.state == "offered"
    assert AuditLog.objects.filter(verb="training.batch.updated").exists()
    refused = client.post(url, {**data, "capacity": "0"})
    assert refused.status_code == 200
