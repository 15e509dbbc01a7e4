"""The catalogue and the participant's pages, through HTTP."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from sinergi.core.models import Province
from sinergi.training import services
from sinergi.training.models import (
    GroupRegistration,
    Invoice,
    Payment,
    PaymentState,
    Registration,
)

from ..core.test_security import _InlineCode
from ..factories import UserFactory
from .factories import BatchFactory, CompetencyUnitFactory, ProgramFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MB = 1024 * 1024


# --- Helpers and fixtures ------------------------------------------------------------------


@pytest.fixture
def client(client):
    """A visitor reading English, so that assertions do not depend on the translations."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def province():
    return Province.objects.order_by("code").first()


@pytest.fixture
def person(province):
    return UserFactory(
        roles=["participant"],
        language="en",
        institution_name="Perpustakaan SMAN 1 Bandung",
        position="Pustakawan",
        province=province,
        phone="+6281234567890",
    )


@pytest.fixture
def person_client(client, person):
    client.force_login(person)
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def participant(**extra):
    return UserFactory(roles=["participant"], language="en", **extra)


def register(batch, user=None):
    return services.registration_create(batch=batch, user=user or participant(), consent=True)


def page(response) -> str:
    return response.content.decode()


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_no_inline_code(response):
    parser = _InlineCode()
    parser.feed(page(response))
    assert parser.problems == []


def form_data(province, **overrides):
    data = {
        "institution_name": "Perpustakaan Daerah Garut",
        "position": "Pustakawan Ahli Pertama",
        "province": province.pk,
        "phone": "0812 3456 7890",
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (255, 255, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload_proof(client, invoice, data: bytes, name: str, **extra):
    file = io.BytesIO(data)
    file.name = name
    return client.post(
        reverse("training:transfer_upload", args=[invoice.pk]),
        {"proof": file, "note": "dari rekening Siti", **extra},
    )


# --- Catalogue -----------------------------------------------------------------------------


def catalogue(client, **params):
    return client.get(reverse("training:catalogue"), params)


def test_catalogue_shows_open_batches_with_their_facts(client):
    batch = BatchFactory(
        program=ProgramFactory(title="Katalogisasi RDA dan MARC 21", total_jp=40),
        capacity=30,
        fee=750_000,
        place="Gedung Perpustakaan UPI, Bandung",
    )
    register(batch)
    BatchFactory(program=ProgramFactory(title="Program Draf"), status="draft")
    BatchFactory(
        program=ProgramFactory(title="Sudah Ditutup"),
        registration_opens=timezone.now() - timedelta(days=5),
        registration_closes=timezone.now() - timedelta(days=1),
    )
    BatchFactory(program=ProgramFactory(title="SLiMS Gratis"), fee=0, place="")

    response = catalogue(client)
    html = page(response)
    assert response.status_code == 200
    assert "Katalogisasi RDA dan MARC 21" in html
    assert "Rp750.000" in html
    assert "40 JP" in html
    assert "29 seats left" in html
    assert "Gedung Perpustakaan UPI, Bandung" in html
    assert "Register before" in html
    assert "SLiMS Gratis" in html and "Free" in html and "Online" in html
    assert "Program Draf" not in html
    assert "Sudah Ditutup" not in html
    assert reverse("training:batch_detail", args=[batch.pk]) in html
    assert "Vary" in response and "HX-Request" in response["Vary"]
    assert_no_inline_code(response)


def test_catalogue_dates_are_in_indonesian_by_default(client):
    client.cookies.pop(django_settings.LANGUAGE_COOKIE_NAME)
    starts = timezone.localdate() + timedelta(days=40)
    BatchFactory(starts_on=starts, ends_on=starts)
    html = page(catalogue(client))
    assert f"{starts.day} " in html
    assert "WIB" in html


def test_full_batch_is_marked_in_the_catalogue(client):
    batch = BatchFactory(capacity=1)
    register(batch)
    html = page(catalogue(client))
    assert "No seats left" in html
    assert "Full: waiting list" in html


@pytest.fixture
def assorted():
    in_two_months = (timezone.localdate().replace(day=1) + timedelta(days=62)).replace(day=10)
    unit = CompetencyUnitFactory(code="PER.02.001.01", title="Mengatalog bahan perpustakaan")
    cataloguing = ProgramFactory(
        title="Katalogisasi", mode="online", description="Bahan dengan RDA dan MARC 21."
    )
    cataloguing.competency_units.add(unit)
    return {
        "cataloguing": BatchFactory(program=cataloguing, fee=0),
        "slims": BatchFactory(
            program=ProgramFactory(title="Otomasi SLiMS", mode="onsite"),
            starts_on=in_two_months,
            ends_on=in_two_months,
        ),
        "school": BatchFactory(
            program=ProgramFactory(title="Perpustakaan Sekolah", mode="blended")
        ),
        "month": in_two_months.strftime("%Y-%m"),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"mode": "onsite"}, {"Otomasi SLiMS"}),
        ({"mode": "blended"}, {"Perpustakaan Sekolah"}),
        ({"competency": "PER.02.001.01"}, {"Katalogisasi"}),
        ({"price": "free"}, {"Katalogisasi"}),
        ({"price": "paid"}, {"Otomasi SLiMS", "Perpustakaan Sekolah"}),
        ({"q": "marc 21"}, {"Katalogisasi"}),
        ({"q": "slims", "price": "paid"}, {"Otomasi SLiMS"}),
        (
            {"month": "nonsense", "mode": "bogus"},
            {"Katalogisasi", "Otomasi SLiMS", "Perpustakaan Sekolah"},
        ),
    ],
)
def test_catalogue_filters(client, assorted, params, expected):
    html = page(catalogue(client, **params))
    shown = {t for t in ("Katalogisasi", "Otomasi SLiMS", "Perpustakaan Sekolah") if t in html}
    assert shown == expected


def test_catalogue_month_filter_offers_upcoming_months(client, assorted):
    response = catalogue(client)
    assert f'value="{assorted["month"]}"' in page(response)
    html = page(catalogue(client, month=assorted["month"]))
    assert "Otomasi SLiMS" in html
    assert "Perpustakaan Sekolah" not in html


def test_catalogue_empty_states(client):
    assert "No batch is open for registration" in page(catalogue(client))
    BatchFactory(fee=750_000)
    html = page(catalogue(client, price="free"))
    assert "No batch matches these filters." in html
    assert "Show all batches" in html


def test_htmx_request_gets_only_the_results(client, assorted):
    response = client.get(reverse("training:catalogue"), {"mode": "onsite"}, HTTP_HX_REQUEST="true")
    html = page(response)
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="catalogue-results">')
    assert "Otomasi SLiMS" in html and "Katalogisasi" not in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client):
    response = client.get(
        reverse("training:catalogue"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in page(response)


def test_catalogue_query_count_does_not_grow_with_batches(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    CompetencyUnitFactory()
    for _ in range(3):
        register(BatchFactory(capacity=5))
    with django_assert_max_num_queries(3) as few:
        assert catalogue(client).status_code == 200
    for _ in range(9):
        register(BatchFactory(capacity=5))
    with django_assert_num_queries(len(few.captured_queries)):
        html = page(catalogue(client))
    assert html.count("4 seats left") == 12


def test_catalogue_paginates(client):
    for _ in range(13):
        BatchFactory()
    html = page(catalogue(client, price="paid"))
    assert "Page 1 of 2" in html
    assert "price=paid&amp;page=2" in html


# --- Batch detail --------------------------------------------------------------------------


def test_batch_detail_shows_the_program_and_a_register_button(client):
    unit = CompetencyUnitFactory(code="PER.01.003.01", title="Merencanakan program")
    program = ProgramFactory(
        title="Manajemen Perpustakaan Sekolah",
        description="Pelatihan untuk pengelola perpustakaan sekolah.",
        learning_outcomes="Menyusun rencana kerja\nMengelola koleksi",
        organisers="Perpustakaan UPI; Pusdiklat Perpusnas",
    )
    program.competency_units.add(unit)
    batch = BatchFactory(program=program, capacity=3)
    response = client.get(reverse("training:batch_detail", args=[batch.pk]))
    html = page(response)
    assert response.status_code == 200
    for text in (
        "Manajemen Perpustakaan Sekolah",
        "Pelatihan untuk pengelola",
        "<li>Menyusun rencana kerja</li>",
        "PER.01.003.01",
        "Pusdiklat Perpusnas",
        "3 of 3 seats left",
        reverse("training:register", args=[batch.pk]),
        reverse("training:group_register", args=[batch.pk]),
    ):
        assert text in html, text
    assert "Join the waiting list" not in html
    assert_no_inline_code(response)


def test_full_batch_offers_the_waiting_list(client):
    batch = BatchFactory(capacity=1)
    register(batch)
    register(batch)
    html = page(client.get(reverse("training:batch_detail", args=[batch.pk])))
    assert "Join the waiting list" in html
    assert "1 person on the waiting list" in html


def test_batch_detail_shows_my_registration_instead_of_the_button(person_client, person):
    batch = BatchFactory()
    registration = register(batch, person)
    html = page(person_client.get(reverse("training:batch_detail", args=[batch.pk])))
    assert "You are registered for this batch" in html
    assert reverse("training:registration_detail", args=[registration.pk]) in html
    assert reverse("training:register", args=[batch.pk]) not in html


def test_batch_detail_when_registration_is_closed_or_not_yet_open(client):
    closed = BatchFactory(status="closed")
    html = page(client.get(reverse("training:batch_detail", args=[closed.pk])))
    assert "Registration for this batch is closed." in html
    assert reverse("training:register", args=[closed.pk]) not in html
    later = BatchFactory(registration_opens=timezone.now() + timedelta(days=2))
    assert "Registration opens on" in page(
        client.get(reverse("training:batch_detail", args=[later.pk]))
    )


def test_draft_batch_is_hidden_from_visitors_but_not_from_staff(client):
    batch = BatchFactory(status="draft")
    url = reverse("training:batch_detail", args=[batch.pk])
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(roles=["program_manager"], language="en"))
    assert client.get(url).status_code == 200


# --- Registering ---------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_log_in(client):
    batch = BatchFactory()
    for name in ("training:register", "training:group_register"):
        url = reverse(name, args=[batch.pk])
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert "next=" in response["Location"] and str(batch.pk) in response["Location"]


def test_register_form_is_prefilled_from_the_profile(person_client, person):
    batch = BatchFactory()
    response = person_client.get(reverse("training:register", args=[batch.pk]))
    html = page(response)
    assert 'value="Perpustakaan SMAN 1 Bandung"' in html
    assert 'value="Pustakawan"' in html
    assert 'value="+6281234567890"' in html
    assert re.search(rf'<option value="{person.province_id}"\s*selected\s*>', html)
    assert 'name="consent"' in html
    assert_no_inline_code(response)


def test_register_happy_path(person_client, person, province):
    batch = BatchFactory(fee=750_000)
    response = person_client.post(
        reverse("training:register", args=[batch.pk]), form_data(province)
    )
    registration = Registration.objects.get(batch=batch, user=person)
    assert response.status_code == 302
    assert response["Location"] == reverse("training:registration_detail", args=[registration.pk])
    assert registration.state == "pending_payment"
    assert registration.institution_name == "Perpustakaan Daerah Garut"
    assert registration.position == "Pustakawan Ahli Pertama"
    assert registration.phone == "+6281234567890"
    assert registration.province == province
    assert registration.invoice.amount == 750_000
    assert "Please pay before" in flashed(response)[0]


def test_register_for_a_free_batch_confirms(person_client, province):
    batch = BatchFactory(fee=0)
    response = person_client.post(
        reverse("training:register", args=[batch.pk]), form_data(province), follow=True
    )
    assert "your seat is confirmed" in page(response)
    assert Registration.objects.get(batch=batch).state == "confirmed"


def test_register_without_consent_keeps_the_input(person_client, province):
    batch = BatchFactory()
    response = person_client.post(
        reverse("training:register", args=[batch.pk]),
        form_data(province, consent=None, institution_name="Perpustakaan Kota Cimahi"),
    )
    html = page(response)
    assert response.status_code == 200
    assert "Registration needs your consent" in html
    assert 'value="Perpustakaan Kota Cimahi"' in html
    assert not Registration.objects.exists()


def test_register_with_a_bad_phone_number(person_client, province):
    batch = BatchFactory()
    response = person_client.post(
        reverse("training:register", args=[batch.pk]), form_data(province, phone="12ab")
    )
    assert "Enter a phone number" in page(response)
    assert not Registration.objects.exists()


def test_register_when_closed_shows_why_and_keeps_the_input(person_client, province):
    batch = BatchFactory(
        registration_opens=timezone.now() - timedelta(days=5),
        registration_closes=timezone.now() - timedelta(minutes=1),
    )
    response = person_client.post(
        reverse("training:register", args=[batch.pk]),
        form_data(province, institution_name="Perpustakaan Kota Cimahi"),
    )
    html = page(response)
    assert response.status_code == 200
    assert html.count("Registration for this batch is closed.") == 2  # the notice and the error
    assert 'value="Perpustakaan Kota Cimahi"' in html
    assert not Registration.objects.exists()


def test_registering_twice_goes_to_the_existing_registration(person_client, person, province):
    batch = BatchFactory()
    registration = register(batch, person)
    response = person_client.post(
        reverse("training:register", args=[batch.pk]), form_data(province)
    )
    assert response["Location"] == reverse("training:registration_detail", args=[registration.pk])
    assert flashed(response) == ["You are already registered for this batch."]
    assert Registration.objects.filter(batch=batch, user=person).count() == 1


def test_already_registered_error_from_the_service_is_shown(
    person_client, person, province, monkeypatch
):
    """If a registration slips in between the page's check and the service (a double click),
    the service's reason is shown on the form."""
    batch = BatchFactory()
    monkeypatch.setattr("sinergi.training.views.public._active_registration", lambda *a: None)
    register(batch, person)
    response = person_client.post(
        reverse("training:register", args=[batch.pk]), form_data(province)
    )
    assert "You are already registered for this batch." in page(response)


def test_full_batch_puts_me_on_the_waiting_list(person_client, person, province):
    batch = BatchFactory(capacity=1)
    register(batch)
    form_page = page(person_client.get(reverse("training:register", args=[batch.pk])))
    assert "This batch is full" in form_page
    assert "Join the waiting list" in form_page
    response = person_client.post(
        reverse("training:register", args=[batch.pk]), form_data(province), follow=True
    )
    assert "you are on the waiting list" in page(response)
    assert Registration.objects.get(batch=batch, user=person).state == "waitlisted"


# --- Group registration --------------------------------------------------------------------


def group_data(province, members: str, **overrides):
    data = {
        "institution_name": "Perpustakaan Universitas Siliwangi",
        "province": province.pk,
        "members": members,
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_group_registration_registers_everyone_on_one_invoice(person_client, person, province):
    existing = participant(email="budi@unsil.example.id")
    batch = BatchFactory(capacity=2, fee=500_000)
    members = (
        "siti@unsil.example.id; Siti Rahma, S.IP.; Pustakawan; 0812 1111 2222\n"
        "\n"
        "Budi@Unsil.example.id\tBudi Santoso\tKepala Perpustakaan\n"
        "rina@unsil.example.id; Rina Wati\n"
    )
    response = person_client.post(
        reverse("training:group_register", args=[batch.pk]), group_data(province, members)
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("training:my_registrations")
    assert "3 participants registered: 2 with a seat, 1 on the waiting list." in flashed(response)
    group = GroupRegistration.objects.get(batch=batch)
    registrations = list(group.registrations.order_by("id"))
    assert [r.user.email for r in registrations] == [
        "siti@unsil.example.id",
        "budi@unsil.example.id",
        "rina@unsil.example.id",
    ]
    assert registrations[1].user == existing
    assert [r.state for r in registrations] == ["pending_payment", "pending_payment", "waitlisted"]
    assert registrations[0].phone == "+6281211112222"
    invoice = registrations[0].invoice
    assert invoice == registrations[1].invoice
    assert (invoice.buyer, invoice.quantity, invoice.amount) == (person, 2, 1_000_000)

    listing = page(person_client.get(reverse("training:my_registrations")))
    assert "Group registrations you made" in listing
    assert "Siti Rahma, S.IP." in listing
    assert invoice.number in listing
    assert reverse("training:invoice_pdf", args=[invoice.pk]) in listing


def test_group_registration_reports_the_bad_lines(person_client, province):
    batch = BatchFactory()
    members = (
        "siti@unsil.example.id; Siti Rahma\n"
        "bukan-email; Budi Santoso\n"
        "rina@unsil.example.id;\n"
        "SITI@unsil.example.id; Siti Lagi\n"
        "dodi@unsil.example.id; Dodi; Staf; 12ab\n"
        "hanya satu kolom\n"
    )
    response = person_client.post(
        reverse("training:group_register", args=[batch.pk]), group_data(province, members)
    )
    html = page(response)
    assert response.status_code == 200
    assert "Line 2: “bukan-email” is not a valid e-mail address." in html
    assert "Line 3: the full name is missing." in html
    assert "Line 4: this e-mail is already on line 1." in html
    assert "Line 5: Enter a phone number" in html
    assert "Line 6: write e-mail; full name; position; phone" in html
    assert "Line 1" not in html
    assert "bukan-email; Budi Santoso" in html  # the textarea keeps what was typed
    assert not GroupRegistration.objects.exists()
    assert not Registration.objects.exists()


def test_group_registration_needs_consent_and_members(person_client, province):
    batch = BatchFactory()
    response = person_client.post(
        reverse("training:group_register", args=[batch.pk]),
        group_data(province, "  \n", consent=None),
    )
    html = page(response)
    assert "Registration needs your consent" in html
    assert "This field is required." in html or "Add at least one participant." in html
    assert not GroupRegistration.objects.exists()


def test_group_registration_with_someone_already_registered(person_client, province):
    batch = BatchFactory(capacity=5)
    register(batch, participant(email="budi@unsil.example.id"))
    response = person_client.post(
        reverse("training:group_register", args=[batch.pk]),
        group_data(province, "siti@unsil.example.id; Siti\nbudi@unsil.example.id; Budi\n"),
    )
    assert "budi@unsil.example.id is already registered for this batch." in page(response)
    assert not GroupRegistration.objects.exists()
    assert Registration.objects.filter(batch=batch).count() == 1


# --- My registrations ----------------------------------------------------------------------


def test_my_registrations_lists_mine_with_what_to_pay(person_client, person, media):
    pending = register(BatchFactory(program=ProgramFactory(title="Program Menunggu")), person)
    paid = register(BatchFactory(program=ProgramFactory(title="Program Lunas")), person)
    payment = services.payment_submit_transfer(
        invoice=paid.invoice, user=person, proof=_proof_file()
    )
    services.payment_approve(payment=payment, actor=UserFactory(roles=["finance"]))
    register(BatchFactory(program=ProgramFactory(title="Program Orang Lain")))

    response = person_client.get(reverse("training:my_registrations"))
    html = page(response)
    assert "Program Menunggu" in html and "Program Lunas" in html
    assert "Program Orang Lain" not in html
    assert pending.invoice.number in html
    assert "Awaiting payment" in html and "Confirmed" in html
    assert f"Rp{pending.invoice.transfer_amount:,}".replace(",", ".") in html
    assert reverse("training:invoice_pdf", args=[pending.invoice.pk]) in html
    assert reverse("training:receipt_pdf", args=[paid.invoice.pk]) in html
    assert reverse("training:receipt_pdf", args=[pending.invoice.pk]) not in html
    assert_no_inline_code(response)


def test_my_registrations_empty_and_anonymous(client, person_client):
    assert "You have not registered for any training yet." in page(
        person_client.get(reverse("training:my_registrations"))
    )
    person_client.logout()
    response = client.get(reverse("training:my_registrations"))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_my_registrations_query_count_is_flat(
    person_client, person, django_assert_num_queries, django_assert_max_num_queries
):
    register(BatchFactory(capacity=5), person)
    with django_assert_max_num_queries(6) as first:
        person_client.get(reverse("training:my_registrations"))
    for _ in range(5):
        register(BatchFactory(capacity=5), person)
    with django_assert_num_queries(len(first.captured_queries)):
        response = person_client.get(reverse("training:my_registrations"))
    assert page(response).count("Awaiting payment") == 6


# --- Registration detail ---------------------------------------------------------------------


def test_registration_detail_shows_how_to_pay(person_client, person, settings):
    settings.SINERGI_BANK_NAME = "Bank Tabungan Negara"
    settings.SINERGI_BANK_ACCOUNT = "0011223344"
    settings.SINERGI_BANK_ACCOUNT_NAME = "RPL Perpustakaan UPI"
    settings.MIDTRANS_SERVER_KEY = ""
    registration = register(BatchFactory(fee=750_000), person)
    invoice = registration.invoice
    response = person_client.get(reverse("training:registration_detail", args=[registration.pk]))
    html = page(response)
    assert response.status_code == 200
    for text in (
        "Bank Tabungan Negara",
        "0011223344",
        "RPL Perpustakaan UPI",
        invoice.number,
        f"Rp{invoice.transfer_amount:,}".replace(",", "."),
        f"unique code {invoice.unique_code}",
        "Pay before",
        reverse("training:transfer_upload", args=[invoice.pk]),
        'enctype="multipart/form-data"',
        reverse("training:registration_cancel", args=[registration.pk]),
        "data-confirm=",
    ):
        assert text in html, text
    assert reverse("training:gateway_start", args=[invoice.pk]) not in html
    assert_no_inline_code(response)


def test_pay_online_button_appears_when_the_gateway_is_configured(person_client, person, settings):
    settings.MIDTRANS_SERVER_KEY = "SB-Mid-server-test"
    registration = register(BatchFactory(), person)
    html = page(person_client.get(reverse("training:registration_detail", args=[registration.pk])))
    assert reverse("training:gateway_start", args=[registration.invoice.pk]) in html
    assert "Pay online" in html


def test_someone_elses_registration_is_not_found(person_client):
    registration = register(BatchFactory())
    detail = reverse("training:registration_detail", args=[registration.pk])
    assert person_client.get(detail).status_code == 404
    for name in ("training:registration_cancel", "training:offer_accept"):
        assert person_client.post(reverse(name, args=[registration.pk])).status_code == 404
    upload = upload_proof(person_client, registration.invoice, png_bytes(), "bukti.png")
    assert upload.status_code == 404
    registration.refresh_from_db()
    assert registration.state == "pending_payment"


def test_anonymous_is_sent_to_log_in_from_a_registration(client):
    registration = register(BatchFactory())
    response = client.get(reverse("training:registration_detail", args=[registration.pk]))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_and_group_contact_may_see_a_registration(client, province):
    contact = participant()
    client.force_login(contact)
    batch = BatchFactory()
    client.post(
        reverse("training:group_register", args=[batch.pk]),
        group_data(province, "ani@unsil.example.id; Ani\n"),
    )
    registration = Registration.objects.get(batch=batch)
    url = reverse("training:registration_detail", args=[registration.pk])
    html = page(client.get(url))
    assert "Ani" in html
    # The contact pays the group's invoice, so the upload form is theirs.
    assert reverse("training:transfer_upload", args=[registration.invoice.pk]) in html
    # ...but cancelling is for the participant.
    assert reverse("training:registration_cancel", args=[registration.pk]) not in html
    assert (
        client.post(reverse("training:registration_cancel", args=[registration.pk])).status_code
        == 404
    )

    client.force_login(UserFactory(roles=["finance"], language="en"))
    assert client.get(url).status_code == 200

    member = registration.user
    member.language = "en"
    member.save(update_fields=["language"])
    client.force_login(member)
    html = page(client.get(url))
    assert "This invoice is paid by Perpustakaan Universitas Siliwangi" in html
    assert reverse("training:transfer_upload", args=[registration.invoice.pk]) not in html


def test_rejected_payment_shows_its_reason(person_client, person, media):
    registration = register(BatchFactory(), person)
    payment = services.payment_submit_transfer(
        invoice=registration.invoice, user=person, proof=_proof_file()
    )
    services.payment_reject(
        payment=payment, actor=UserFactory(roles=["finance"]), reason="Nominal tidak sesuai"
    )
    html = page(person_client.get(reverse("training:registration_detail", args=[registration.pk])))
    assert "Rejected" in html
    assert "Nominal tidak sesuai" in html
    assert reverse("training:payment_proof", args=[payment.pk]) in html
    # Paying again is possible.
    assert reverse("training:transfer_upload", args=[registration.invoice.pk]) in html


# --- Transfer proof upload -----------------------------------------------------------------


def _proof_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bukti.pdf", (FIXTURES / "minimal-document.pdf").read_bytes())


def test_a_real_pdf_proof_is_accepted(person_client, person, media):
    registration = register(BatchFactory(), person)
    data = (FIXTURES / "minimal-document.pdf").read_bytes()
    response = upload_proof(person_client, registration.invoice, data, "Bukti Transfer.PDF")
    assert response.status_code == 302
    assert response["Location"] == reverse("training:registration_detail", args=[registration.pk])
    registration.refresh_from_db()
    assert registration.state == "payment_submitted"
    payment = Payment.objects.get(invoice=registration.invoice)
    assert payment.state == PaymentState.SUBMITTED
    assert payment.amount == registration.invoice.transfer_amount
    assert payment.payer_note == "dari rekening Siti"
    assert payment.proof.name.endswith(".pdf")
    assert "Bukti" not in payment.proof.name  # stored under a name of our own
    with payment.proof.open("rb") as stored:
        assert stored.read() == data
    assert "we have received your transfer proof" in flashed(response)[0]


def test_a_png_screenshot_named_pdf_is_stored_as_png(person_client, person, media):
    registration = register(BatchFactory(), person)
    upload_proof(person_client, registration.invoice, png_bytes(), "screenshot.pdf")
    assert Payment.objects.get().proof.name.endswith(".png")


def test_text_named_pdf_is_refused(person_client, person, media):
    registration = register(BatchFactory(), person)
    response = upload_proof(
        person_client, registration.invoice, b"sudah transfer ya pak\n", "bukti.pdf"
    )
    assert response.status_code == 200
    assert "The file is damaged or not really a PDF." in page(response)
    assert not Payment.objects.exists()
    registration.refresh_from_db()
    assert registration.state == "pending_payment"


def test_a_six_megabyte_proof_is_refused(person_client, person, media):
    registration = register(BatchFactory(), person)
    data = png_bytes() + b"\0" * (6 * MB)
    response = upload_proof(person_client, registration.invoice, data, "bukti.png")
    assert "The file is larger than 5 MB." in page(response)
    assert not Payment.objects.exists()


def test_an_other_kind_of_file_is_refused(person_client, person, media):
    registration = register(BatchFactory(), person)
    response = upload_proof(person_client, registration.invoice, b"GIF89a\x01\x00", "bukti.gif")
    assert "Only JPEG, PNG or PDF files are accepted." in page(response)


def test_upload_without_a_file_and_by_get(person_client, person):
    registration = register(BatchFactory(), person)
    url = reverse("training:transfer_upload", args=[registration.invoice.pk])
    assert "This field is required." in page(person_client.post(url, {}))
    assert person_client.get(url).status_code == 405


def test_upload_after_the_payment_time_ran_out(person_client, person, media):
    registration = register(BatchFactory(), person)
    Registration.objects.filter(pk=registration.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = upload_proof(person_client, registration.invoice, png_bytes(), "bukti.png")
    assert flashed(response) == ["The time to pay this invoice has run out."]
    assert not Payment.objects.exists()


# --- Cancelling and offers -------------------------------------------------------------------


def test_cancel_frees_the_seat_for_the_waiting_list(person_client, person):
    batch = BatchFactory(capacity=1)
    mine = register(batch, person)
    waiting = register(batch)
    url = reverse("training:registration_cancel", args=[mine.pk])
    assert person_client.get(url).status_code == 405
    response = person_client.post(url)
    assert response["Location"] == reverse("training:registration_detail", args=[mine.pk])
    assert "Your registration has been cancelled." in page(person_client.get(response["Location"]))
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert (mine.state, waiting.state) == ("cancelled", "offered")
    assert Invoice.objects.get(pk=mine.invoice_id).status == "credited"
    again = person_client.post(url)
    assert flashed(again) == ["This registration is no longer active."]


def test_offer_can_be_accepted_before_it_lapses(person_client, person):
    batch = BatchFactory(capacity=1)
    first = register(batch)
    mine = register(batch, person)
    services.registration_cancel(registration=first, actor=first.user)
    mine.refresh_from_db()
    assert mine.state == "offered"

    html = page(person_client.get(reverse("training:registration_detail", args=[mine.pk])))
    assert "Accept the seat" in html
    assert reverse("training:offer_accept", args=[mine.pk]) in html
    assert "A seat has become free for you." in html

    response = person_client.post(reverse("training:offer_accept", args=[mine.pk]))
    assert "Please pay before" in flashed(response)[0]
    mine.refresh_from_db()
    assert mine.state == "pending_payment"
    assert mine.invoice is not None


def test_lapsed_offer_cannot_be_accepted(person_client, person):
    batch = BatchFactory(capacity=1)
    first = register(batch)
    mine = register(batch, person)
    services.registration_cancel(registration=first, actor=first.user)
    Registration.objects.filter(pk=mine.pk).update(
        offer_expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = person_client.post(reverse("training:offer_accept", args=[mine.pk]))
    assert flashed(response) == ["This offer is no longer valid."]
    mine.refresh_from_db()
    assert mine.state == "offered"


def test_group_line_errors_escape_what_was_typed(person_client, province):
    batch = BatchFactory()
    response = person_client.post(
        reverse("training:group_register", args=[batch.pk]),
        group_data(province, "<script>x</script>; Siti\n"),
    )
    html = page(response)
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;" in html
