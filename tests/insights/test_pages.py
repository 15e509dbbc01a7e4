"""The pages through HTTP: who may see and change what, masking, exports, and query counts
that stay the same as the year grows."""

import io

import pytest
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook
from pypdf import PdfReader

from sinergi.insights.models import CostLine
from sinergi.learning.models import Completion
from tests.i18n import indonesian

from ..factories import BatchFactory, UserFactory
from ..pdfcheck import assert_fonts_embedded
from .helpers import paid_registrations, session, speaker

pytestmark = pytest.mark.django_db

NPWP = "987654324012345"
ACCOUNT = "5550001112223"


def _client(client, *roles):
    user = UserFactory(roles=list(roles))
    client.force_login(user)
    return client, user


@pytest.fixture
def batch():
    batch = BatchFactory(fee=750_000, capacity=10)
    paid_registrations(batch, 6)
    session(batch, speaker(npwp=NPWP, bank_account_number=ACCOUNT), jp=2)
    return batch


def _budget_post(batch, **actuals):
    data = {"planned_participants": 8, "partner_share_kind": "none"}
    for category in ("consumption", "platform", "certificates", "administration", "other"):
        data[f"{category}_planned"] = 100_000
        data[f"{category}_actual"] = actuals.get(category, "")
    return data


def test_finance_enters_actual_costs_and_profit_changes(client, batch):
    client, _finance = _client(client, "finance")
    url = reverse("insights:budget", args=[batch.pk])
    response = client.post(url, _budget_post(batch, consumption=400_000))
    assert response.status_code == 302
    page = client.get(url).content.decode()
    # 4.500.000 - 1.800.000 honoraria - 400.000 - 4 x 100.000 planned = 1.900.000
    assert 'data-figure="profit">Rp1.900.000' in page
    assert CostLine.objects.get(batch=batch, category="consumption").actual == 400_000


def test_bad_amounts_are_refused_with_a_message_and_nothing_saved(client, batch):
    client, _finance = _client(client, "finance")
    data = _budget_post(batch)
    data["consumption_actual"] = "-5"
    data["partner_share_kind"] = "percent"
    response = client.post(reverse("insights:budget", args=[batch.pk]), data)
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert not CostLine.objects.filter(batch=batch).exists()


@pytest.mark.parametrize("role", ["head", "program_manager"])
def test_readers_see_the_budget_but_cannot_change_it(client, batch, role):
    client, _user = _client(client, role)
    url = reverse("insights:budget", args=[batch.pk])
    page = client.get(url)
    assert page.status_code == 200 and "budget-form" not in page.content.decode()
    assert client.post(url, _budget_post(batch)).status_code == 404
    assert client.get(reverse("insights:payment_list", args=[batch.pk])).status_code == 403


@pytest.mark.parametrize("role", ["participant", "speaker", "cooperation_officer"])
def test_others_see_no_money(client, batch, role):
    client, _user = _client(client, role)
    assert client.get(reverse("insights:budget", args=[batch.pk])).status_code == 403
    assert client.get(reverse("insights:dashboard")).status_code == 403
    assert client.get(reverse("insights:speakers")).status_code == 403


@pytest.mark.parametrize(
    ("role", "whole"),
    [("finance", True), ("admin", True), ("head", False), ("program_manager", False)],
)
def test_tax_and_bank_numbers_are_masked_for_all_but_finance(client, batch, role, whole):
    client, _user = _client(client, role)
    page = client.get(reverse("insights:speakers")).content.decode()
    assert (NPWP in page) is whole
    assert (ACCOUNT in page) is whole
    if not whole:
        assert "9876********345" in page and "5550******223" in page


def test_a_speaker_sees_their_own_numbers_masked(client):
    own = speaker(npwp=NPWP, bank_account_number=ACCOUNT)
    client.force_login(own)
    page = client.get(reverse("insights:my_profile")).content.decode()
    assert NPWP not in page and ACCOUNT not in page and "9876********345" in page


def test_payment_list_xlsx_holds_whole_numbers_for_finance(client, batch):
    client, _finance = _client(client, "finance")
    response = client.get(reverse("insights:payment_list", args=[batch.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][3] == NPWP and rows[1][5] == ACCOUNT
    assert rows[1][11:15] == (1_800_000, 5, 90_000, 1_710_000)
    assert rows[-1][0] == "Total"


def test_statement_pdf_for_finance_and_for_the_speaker_only(client, batch):
    own = batch.sessions.get().speakers.get()
    client, _finance = _client(client, "finance")
    url = reverse("insights:statement", args=[own.pk]) + f"?year={batch.starts_on.year}"
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert_fonts_embedded(response.content)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Rp1.800.000" in text and "Rp1.710.000" in text and NPWP in text
    client.force_login(own)
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(client.get(url).content)).pages
    )
    assert NPWP not in text and "Rp1.710.000" in text
    other = speaker()
    client.force_login(other)
    assert client.get(url).status_code == 404


def test_dashboard_shows_the_year_and_exports_every_table(client, batch):
    client, _head = _client(client, "head")
    year = batch.starts_on.year
    response = client.get(reverse("insights:dashboard"), {"year": year})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="revenue">Rp4.500.000' in page
    assert "<svg" in page and "<script" not in page.split("<main")[-1].split("</main>")[0]
    export = client.get(reverse("insights:dashboard"), {"year": year, "export": "all"})
    book = load_workbook(io.BytesIO(export.content))
    assert len(book.sheetnames) == 6
    assert list(book.worksheets[0].iter_rows(values_only=True))[1][0] == batch.code
    assert client.get(reverse("insights:dashboard"), {"export": "nope"}).status_code == 404


def _grow(year_batch_count: int, per_batch: int) -> int:
    """Add batches with paid participants; return the year they start in (the pages' year)."""
    for _ in range(year_batch_count):
        batch = BatchFactory(fee=500_000, capacity=per_batch + 5)
        registrations = paid_registrations(batch, per_batch)
        Completion.objects.create(registration=registrations[0], attendance_percent=100)
        session(batch, speaker(), jp=1)
    return batch.starts_on.year


def test_dashboard_query_count_does_not_grow_with_the_data(client, django_assert_num_queries):
    client, _head = _client(client, "head")
    # The factory's batches start a month from now: next year's, in December. The pages are
    # read for the year the data is in, whatever today is.
    url = reverse("insights:dashboard") + f"?year={_grow(2, 2)}"
    client.get(url)  # warm caches (content types, the session)
    with django_assert_num_queries(QUERIES):
        assert client.get(url).status_code == 200
    _grow(6, 5)
    with django_assert_num_queries(QUERIES):
        assert client.get(url).status_code == 200


def test_budget_list_query_count_does_not_grow(client, django_assert_num_queries):
    client, _finance = _client(client, "finance")
    url = reverse("insights:budgets") + f"?year={_grow(2, 2)}"
    client.get(url)
    with django_assert_num_queries(BUDGET_QUERIES):
        client.get(url)
    _grow(5, 3)
    with django_assert_num_queries(BUDGET_QUERIES):
        client.get(url)


# One more when the library app is installed: its e-book loans of the year.
QUERIES = 24 + apps.is_installed("sinergi.library")
BUDGET_QUERIES = 12


def test_invitation_by_email_accept_and_decline(client):
    manager = UserFactory(roles=["program_manager"])
    invited = speaker()
    other = speaker()
    batch = BatchFactory()
    planned = session(batch, jp=2, title="Sesi katalogisasi")
    client.force_login(manager)
    budget_page = client.get(reverse("insights:budget", args=[batch.pk])).content.decode()
    url = reverse("insights:session_invite", args=[planned.pk])
    assert f'href="{url}"' in budget_page
    assert (
        client.post(url, {"speaker": invited.pk, "message": "Mohon kesediaannya."}).status_code
        == 302
    )
    assert len(mail.outbox) == 1 and invited.email in mail.outbox[0].to
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/insights/me/invitations/" in line
    )
    path = link[link.index("/insights/") :]
    # Twice is refused, with a message.
    again = client.post(url, {"speaker": invited.pk})
    assert escape(indonesian("This speaker has already been invited to this session.")) in (
        again.content.decode()
    )

    client.force_login(other)
    assert client.get(path).status_code == 404
    client.force_login(invited)
    assert client.post(path, {"answer": "accept"}).status_code == 302
    assert list(planned.speakers.all()) == [invited]
    assert len(mail.outbox) == 2 and manager.email in mail.outbox[1].to
    # Answered once only.
    client.post(path, {"answer": "decline"})
    assert list(planned.speakers.all()) == [invited]

    client.force_login(manager)
    client.post(url, {"speaker": other.pk})
    declined = other.session_invitations.get()
    client.force_login(other)
    client.post(
        reverse("insights:invitation", args=[declined.pk]),
        {"answer": "decline", "reason": "Bertugas"},
    )
    declined.refresh_from_db()
    assert declined.state == "declined" and declined.decline_reason == "Bertugas"
    assert other not in planned.speakers.all()


def test_speaker_uploads_material_into_the_classroom(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sinergi.learning.models import Item, Module

    own = speaker()
    batch = BatchFactory()
    taught = session(batch, own)
    Module.objects.create(batch=batch, title="Modul 1")
    client.force_login(own)
    url = reverse("insights:material_upload", args=[taught.pk])
    fake = SimpleUploadedFile("materi.pdf", b"not a pdf at all", content_type="application/pdf")
    client.post(url, {"title": "Bahan", "file": fake})
    assert not Item.objects.filter(module__batch=batch).exists()
    pdf = _tiny_pdf()
    response = client.post(url, {"title": "Bahan tayang", "file": pdf}, follow=True)
    assert (
        "The material is in the classroom." in response.content.decode()
        or response.status_code == 200
    )
    item = Item.objects.get(module__batch=batch)
    assert item.kind == "file" and item.title == "Bahan tayang"
    schedule = client.get(reverse("insights:my_schedule")).content.decode()
    assert "Bahan tayang" in schedule
    client.force_login(speaker())
    assert client.post(url, {"title": "x", "file": _tiny_pdf()}).status_code == 404


def _tiny_pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, "Materi sesi")
    pdf.save()
    return SimpleUploadedFile("materi.pdf", buffer.getvalue(), content_type="application/pdf")


def test_profile_form_refuses_a_bad_npwp_and_keeps_numbers_left_blank(client):
    own = speaker(npwp=NPWP, bank_account_number=ACCOUNT)
    client.force_login(own)
    url = reverse("insights:my_profile")
    data = {"name_with_title": "Dr. Baru, M.Hum.", "institution": "Perpusnas", "npwp": "12-34"}
    response = client.post(url, data)
    assert (
        escape(
            indonesian("This is not a valid NPWP: 15 or 16 digits, such as 01.234.567.4-901.000.")
        )
        in response.content.decode()
    )
    own.speaker_profile.refresh_from_db()
    assert own.speaker_profile.name_with_title != "Dr. Baru, M.Hum."
    data["npwp"] = ""
    assert client.post(url, data).status_code == 302
    own.speaker_profile.refresh_from_db()
    assert own.speaker_profile.name_with_title == "Dr. Baru, M.Hum."
    assert (own.speaker_profile.npwp, own.speaker_profile.bank_account_number) == (NPWP, ACCOUNT)
    fake_photo = SimpleUploadedFile("foto.png", b"not an image", content_type="image/png")
    response = client.post(url, {**data, "photo": fake_photo})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()


def test_only_finance_and_program_managers_set_the_honorarium_class(client):
    from sinergi.training.models import HonorariumClass

    own = speaker(class_code="echelon-3")
    client.force_login(own)
    echelon_1 = HonorariumClass.objects.get(code="echelon-1")
    client.post(
        reverse("insights:my_profile"),
        {"name_with_title": "X", "institution": "Y", "honorarium_class": echelon_1.pk},
    )
    own.speaker_profile.refresh_from_db()
    assert own.speaker_profile.honorarium_class.code == "echelon-3"
    finance = UserFactory(roles=["finance"])
    client.force_login(finance)
    url = reverse("insights:speaker_edit", args=[own.pk])
    client.post(url, {"name_with_title": "X", "institution": "Y", "honorarium_class": echelon_1.pk})
    own.speaker_profile.refresh_from_db()
    assert own.speaker_profile.honorarium_class == echelon_1
    client.force_login(UserFactory(roles=["head"]))
    assert client.get(url).status_code == 403
    # A program manager edits the profile but not where the money goes.
    client.force_login(UserFactory(roles=["program_manager"]))
    assert 'name="bank_account_number"' not in client.get(url).content.decode()
    client.post(
        url, {"name_with_title": "X", "institution": "Y", "bank_account_number": "99999999"}
    )
    own.speaker_profile.refresh_from_db()
    assert own.speaker_profile.bank_account_number == "0123456789"


def test_navigation_offers_each_role_its_pages(client):
    client.force_login(UserFactory(roles=["head"]))
    page = client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("insights:dashboard")}"' in page
    assert reverse("insights:budgets") in page
    client.force_login(speaker())
    page = client.get(reverse("core:home")).content.decode()
    assert reverse("insights:my_schedule") in page
    assert f'href="{reverse("insights:dashboard")}"' not in page


def test_budget_page_query_count_does_not_grow(client, batch, django_assert_num_queries):
    client, _finance = _client(client, "finance")
    url = reverse("insights:budget", args=[batch.pk])
    client.get(url)
    with django_assert_num_queries(BUDGET_PAGE_QUERIES):
        client.get(url)
    paid_registrations(batch, 20, start=100)
    for n in range(4):
        session(batch, speaker(), speaker(class_code="internal"), title=f"Sesi {n}")
    with django_assert_num_queries(BUDGET_PAGE_QUERIES):
        client.get(url)


BUDGET_PAGE_QUERIES = 15


def test_a_photo_of_144_megapixels_is_refused_with_a_clear_error(client):
    from tests.zipbombs import huge_png

    own = speaker()
    client.force_login(own)
    data = {"name_with_title": "Dr. Baru, M.Hum.", "institution": "Perpusnas"}
    photo = SimpleUploadedFile("foto.png", huge_png(), content_type="image/png")
    response = client.post(reverse("insights:my_profile"), {**data, "photo": photo})
    assert response.status_code == 200
    expected = indonesian(
        "The image is %(width)s × %(height)s pixels, more than %(megapixels)s megapixels. "
        "Upload a smaller copy."
    ) % {"width": "12.000", "height": "12.000", "megapixels": "40"}
    assert escape(expected) in response.content.decode()
    own.speaker_profile.refresh_from_db()
    assert not own.speaker_profile.photo


def test_the_statement_link_is_offered_only_to_who_may_open_it(client, batch):
    """Finance and the speaker get the statement; a program manager editing the profile, or an
    admin on the speakers' schedule page, would only meet a 403 or a 404: no link for them."""
    the_speaker = batch.sessions.get().speakers.get()
    statement = reverse("insights:statement", args=[the_speaker.pk])
    for role, offered in [("finance", True), ("program_manager", False)]:
        client, _user = _client(client, role)
        page = client.get(reverse("insights:speaker_edit", args=[the_speaker.pk]))
        assert (statement in page.content.decode()) is offered, role
        if not offered:
            assert client.get(statement).status_code == 403
    client.force_login(the_speaker)
    assert statement in client.get(reverse("insights:my_schedule")).content.decode()
    client, admin = _client(client, "admin")
    page = client.get(reverse("insights:my_schedule")).content.decode()
    assert reverse("insights:statement", args=[admin.pk]) not in page
