"""The pages: who may see what, masking, the booking journey, check-in, reports, requests."""

import io
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from sinergi.visits import services
from sinergi.visits.models import DeliveryRequest, MemberDomain, Reservation, VisitSlot

from ..pdfcheck import assert_fonts_embedded
from .factories import ServicePointFactory, UserFactory, VisitSlotFactory
from .test_requests import PDF

pytestmark = pytest.mark.django_db


def as_user(client, *roles, **fields):
    user = UserFactory(roles=list(roles) or ["participant"], **fields)
    client.force_login(user)
    return user


def test_anyone_sees_the_service_points_and_slots(client, django_assert_max_num_queries):
    slot = VisitSlotFactory()
    for hours in range(3):
        VisitSlotFactory(
            service_point=slot.service_point,
            starts_at=slot.starts_at + timedelta(hours=2 * (hours + 1)),
            ends_at=slot.ends_at + timedelta(hours=2 * (hours + 1)),
        )
    assert client.get(reverse("visits:home")).status_code == 200
    day = timezone.localtime(slot.starts_at).date().isoformat()
    with django_assert_max_num_queries(8):
        response = client.get(slot.service_point.get_absolute_url() + f"?date={day}")
    assert response.status_code == 200
    assert response.content.decode().count('class="list-group-item') == 4
    assert (
        "Masuk untuk memesan" in response.content.decode()
        or "Log in to book" in response.content.decode()
    )


def test_booking_needs_a_log_in(client):
    slot = VisitSlotFactory()
    response = client.post(reverse("visits:slot_book", args=[slot.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Reservation.objects.exists()


def test_book_see_download_and_cancel_a_ticket(client, mailoutbox):
    slot = VisitSlotFactory()
    member = as_user(client)
    response = client.post(reverse("visits:slot_book", args=[slot.pk]))
    reservation = Reservation.objects.get(user=member)
    assert response["Location"] == reverse("visits:ticket_detail", args=[reservation.pk])
    page = client.get(response["Location"]).content.decode()
    assert reservation.code in page
    assert reverse("visits:ticket_qr", args=[reservation.pk]) in page
    qr = client.get(reverse("visits:ticket_qr", args=[reservation.pk]))
    assert qr["Content-Type"] == "image/png" and qr.content.startswith(b"\x89PNG")
    assert "private" in qr["Cache-Control"]
    pdf = client.get(reverse("visits:ticket_pdf", args=[reservation.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert_fonts_embedded(pdf.content)
    mailoutbox.clear()
    client.post(reverse("visits:ticket_email", args=[reservation.pk]))
    assert len(mailoutbox) == 1 and len(mailoutbox[0].attachments) == 2
    client.post(reverse("visits:ticket_cancel", args=[reservation.pk]))
    reservation.refresh_from_db()
    assert reservation.state == "cancelled"


def test_a_full_slot_says_so_and_keeps_nothing(client):
    slot = VisitSlotFactory(capacity=1, walk_in_seats=0)
    services.reservation_create(slot=slot, user=UserFactory())
    as_user(client)
    response = client.post(reverse("visits:slot_book", args=[slot.pk]), follow=True)
    assert Reservation.objects.count() == 1
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()


def test_someone_elses_ticket_is_404(client):
    reservation = services.reservation_create(slot=VisitSlotFactory(), user=UserFactory())
    as_user(client)
    for name in ("ticket_detail", "ticket_qr", "ticket_pdf"):
        assert client.get(reverse(f"visits:{name}", args=[reservation.pk])).status_code == 404
    assert client.post(reverse("visits:ticket_cancel", args=[reservation.pk])).status_code == 404
    reservation.refresh_from_db()
    assert reservation.state == "booked"


@pytest.mark.parametrize(
    "name",
    [
        "staff_home",
        "points",
        "check_in",
        "report",
        "staff_questions",
        "staff_deliveries",
        "staff_clearances",
    ],
)
def test_staff_pages_are_closed_to_members(client, name):
    as_user(client, "participant")
    assert client.get(reverse(f"visits:{name}")).status_code == 403


@time_machine.travel(datetime(2026, 12, 9, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta")), tick=True)
def test_check_in_by_typed_code_twice_through_htmx(client):
    slot = VisitSlotFactory(
        starts_at=timezone.now() + timedelta(minutes=30),
        ends_at=timezone.now() + timedelta(hours=2),
    )
    reservation = services.reservation_create(slot=slot, user=UserFactory(full_name="Sari Dewi"))
    as_user(client, "services_desk")
    page = client.get(reverse("visits:check_in"))
    assert page.status_code == 200
    assert "visits/checkin.js" in page.content.decode()
    headers = {"HTTP_HX_REQUEST": "true"}
    first = client.post(reverse("visits:check_in"), {"code": reservation.code.lower()}, **headers)
    second = client.post(reverse("visits:check_in"), {"code": reservation.code}, **headers)
    assert 'data-status="valid"' in first.content.decode()
    assert "Sari Dewi" in first.content.decode()
    assert "<html" not in first.content.decode()
    assert 'data-status="used"' in second.content.decode()
    assert first["Vary"] and "HX-Request" in first["Vary"]


def test_walk_ins_and_the_daily_report_as_xlsx(client):
    slot = VisitSlotFactory()
    services.reservation_create(slot=slot, user=UserFactory())
    as_user(client, "services_desk")
    client.post(reverse("visits:walk_in"), {"slot": slot.pk, "people": 4})
    day = timezone.localtime(slot.starts_at).date().isoformat()
    page = client.get(reverse("visits:report") + f"?date={day}")
    assert page.status_code == 200 and slot.service_point.name in page.content.decode()
    response = client.get(reverse("visits:report") + f"?date={day}&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == slot.service_point.name
    assert rows[1][3:9] == (10, 1, 0, 0, 0, 4)
    assert rows[2][3].startswith("=SUM(")


def test_staff_set_hours_close_a_day_and_make_slots(client):
    point = ServicePointFactory()
    as_user(client, "librarian")
    url = reverse("visits:point_manage", args=[point.pk])
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    client.post(
        url,
        {"action": "hours", "weekday": monday.weekday(), "opens_at": "08:00", "closes_at": "12:00"},
    )
    client.post(
        url,
        {
            "action": "hours",
            "weekday": (monday + timedelta(days=1)).weekday(),
            "opens_at": "08:00",
            "closes_at": "10:00",
        },
    )
    client.post(
        url,
        {
            "action": "closure",
            "starts_on": monday.isoformat(),
            "ends_on": monday.isoformat(),
            "reason": "Pelatihan staf",
        },
    )
    response = client.post(
        url,
        {
            "action": "generate",
            "start": monday.isoformat(),
            "end": (monday + timedelta(days=1)).isoformat(),
        },
        follow=True,
    )
    slots = VisitSlot.objects.filter(service_point=point)
    assert slots.count() == 1
    assert timezone.localtime(slots.get().starts_at).time() == time(8)
    assert "Pelatihan staf" in response.content.decode()
    bad = client.post(
        url, {"action": "hours", "weekday": 2, "opens_at": "12:00", "closes_at": "08:00"}
    )
    assert bad.status_code == 200 and point.opening_hours.count() == 2


def test_faq_search_is_public_and_questions_are_private(client):
    librarian = UserFactory(roles=["librarian"])
    asker = UserFactory()
    question = services.question_ask(
        asker=asker, category="collection", subject="Koleksi skripsi", body="Di mana?"
    )
    services.question_close(question=question, actor=librarian)
    services.faq_publish(
        question=question, title="Di mana koleksi skripsi?", answer="Lantai 4.", actor=librarian
    )
    response = client.get(reverse("visits:faq") + "?q=skripsi", HTTP_HX_REQUEST="true")
    assert "Di mana koleksi skripsi?" in response.content.decode()
    assert asker.full_name not in response.content.decode()
    as_user(client)
    assert client.get(reverse("visits:question_detail", args=[question.pk])).status_code == 404
    client.force_login(librarian)
    assert client.get(reverse("visits:question_detail", args=[question.pk])).status_code == 200


def test_member_asks_and_a_librarian_answers_through_the_pages(client, mailoutbox):
    librarian = UserFactory(roles=["librarian"])
    member = as_user(client)
    client.post(
        reverse("visits:my_questions"),
        {"category": "research", "subject": "Sumber data BPS", "body": "Bagaimana?"},
    )
    question = member.reference_questions.get()
    client.force_login(librarian)
    client.post(reverse("visits:question_detail", args=[question.pk]), {"body": "Lewat bps.go.id."})
    question.refresh_from_db()
    assert question.state == "answered"
    assert mailoutbox[-1].to == [member.email]


def test_delivery_phone_is_masked_for_librarians_whole_for_the_desk(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    MemberDomain.objects.create(domain="upi.edu", institution="UPI")
    member = UserFactory(email="m@upi.edu")
    delivery = services.delivery_request_create(
        requester=member, kind="delivery", title="Buku", address="Bandung", phone="+6281234567890"
    )
    as_user(client, "librarian")
    page = client.get(reverse("visits:delivery_detail", args=[delivery.pk])).content.decode()
    assert "+6281234567890" not in page and "+628*******890" in page
    listing = client.get(reverse("visits:staff_deliveries")).content.decode()
    assert "+6281234567890" not in listing
    as_user(client, "services_desk")
    page = client.get(reverse("visits:delivery_detail", args=[delivery.pk])).content.decode()
    assert "+6281234567890" in page


def test_proof_upload_is_checked_and_served_only_to_its_people(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    MemberDomain.objects.create(domain="upi.edu", institution="UPI")
    member = UserFactory(email="m@upi.edu")
    client.force_login(member)
    delivery = services.delivery_request_create(
        requester=member, kind="delivery", title="Buku", address="Bandung", phone="081234567890"
    )
    services.delivery_quote(request=delivery, cost=30_000, cost_note="", actor=None)
    url = reverse("visits:delivery_detail", args=[delivery.pk])
    fake = SimpleUploadedFile("bukti.pdf", b"not a pdf at all")
    response = client.post(url, {"proof": fake})
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.state == "quoted" and not delivery.proof
    client.post(url, {"proof": SimpleUploadedFile("bukti.pdf", PDF)})
    delivery.refresh_from_db()
    assert delivery.state == "paid"
    proof_url = reverse("visits:delivery_proof", args=[delivery.pk])
    assert b"".join(client.get(proof_url).streaming_content) == PDF
    as_user(client)
    assert client.get(proof_url).status_code == 404
    assert client.get(url).status_code == 404


def test_outsider_sees_no_delivery_form(client):
    as_user(client, email="x@gmail.com")
    page = client.get(reverse("visits:my_deliveries")).content.decode()
    assert 'name="title"' not in page
    response = client.post(
        reverse("visits:my_deliveries"),
        {"kind": "delivery", "title": "B", "address": "A", "phone": "1"},
    )
    assert response.status_code == 200
    assert not DeliveryRequest.objects.exists()


def test_clearance_letter_and_its_public_verification(client):
    librarian = UserFactory(roles=["librarian"])
    student = as_user(client)
    client.post(
        reverse("visits:clearance"),
        {"student_number": "1901234", "study_program": "Perpustakaan dan Sains Informasi"},
    )
    item = student.clearance_requests.get()
    letter_url = reverse("visits:clearance_letter", args=[item.pk])
    assert client.get(letter_url).status_code == 404
    page = client.get(reverse("visits:clearance_detail", args=[item.pk])).content.decode()
    assert 'data-code="thesis_deposit"' in page
    # A student cannot approve their own clearance.
    assert (
        client.post(reverse("visits:clearance_action", args=[item.pk, "approve"])).status_code
        == 403
    )
    client.force_login(librarian)
    client.post(reverse("visits:clearance_action", args=[item.pk, "approve"]))
    item.refresh_from_db()
    assert item.state == "requested"
    client.post(reverse("visits:clearance_action", args=[item.pk, "thesis"]))
    client.post(reverse("visits:clearance_action", args=[item.pk, "approve"]))
    item.refresh_from_db()
    assert item.state == "approved"
    client.force_login(student)
    letter = client.get(letter_url)
    assert letter.content.startswith(b"%PDF-")
    client.logout()
    verify = client.get(reverse("visits:clearance_verify", args=[item.verification_code]))
    assert verify.status_code == 200 and item.number in verify.content.decode()
    assert "1901234" not in verify.content.decode()
    assert client.get(reverse("visits:clearance_verify", args=["forged"])).status_code == 404


@hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(code=st.text(max_size=40))
def test_any_typed_code_gets_an_answer_never_an_error(client, code):
    """Whatever the desk types (or a scanner reads), the page answers; nothing is checked in."""
    desk = UserFactory(roles=["services_desk"])
    client.force_login(desk)
    response = client.post(reverse("visits:check_in"), {"code": code}, HTTP_HX_REQUEST="true")
    if "\x00" in code:
        # No form field may hold a NUL: core.middleware.NulByteMiddleware answers 400.
        assert response.status_code == 400
        assert not Reservation.objects.filter(state="checked_in").exists()
        return
    assert response.status_code == 200
    # A code the form refuses (blank, too long) says why; anything else gets a verdict.
    assert re.search(r'data-status="(unknown|invalid)"', response.content.decode())
    assert not Reservation.objects.filter(state="checked_in").exists()


def test_the_desk_grants_and_withdraws_delivery_rights(client):
    member = UserFactory(email="dosen@unj.ac.id")
    as_user(client, "services_desk")
    url = reverse("visits:member_domains")
    client.post(
        url,
        {"domain": "@UNJ.ac.id", "institution": "Universitas Negeri Jakarta", "is_partner": "on"},
    )
    entry = MemberDomain.objects.get()
    assert (entry.domain, entry.is_partner, entry.is_active) == ("unj.ac.id", True, True)
    assert services.delivery_request_create(
        requester=member, kind="delivery", title="Buku", address="Jakarta", phone="081234567890"
    )
    client.post(url, {"entry": entry.pk, "active": "0"})
    entry.refresh_from_db()
    assert not entry.is_active
    with pytest.raises(services.VisitError):
        services.delivery_request_create(
            requester=member, kind="delivery", title="Buku", address="Jakarta", phone="081234567890"
        )
    assert client.post(url, {"entry": "x"}).status_code == 404
    as_user(client, "librarian")
    assert client.get(url).status_code == 200
    as_user(client, "participant")
    assert client.get(url).status_code == 403


def test_the_daily_report_is_written_whatever_a_stored_name_holds():
    from openpyxl import load_workbook

    from sinergi.core.spreadsheets import workbook_bytes

    content = workbook_bytes([("Sheet", ["Nama"], [["A\x00B\x07C\x1bD"], ["=1+1"]])])
    rows = list(load_workbook(io.BytesIO(content)).active.values)
    assert rows[1:] == [("ABCD",), ("=1+1",)]
