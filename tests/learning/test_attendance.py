"""Sessions and attendance: scheduling in WIB, self check-in by code and by rotating QR, the
window and lateness, staff corrections with audit rows, percentages, the matrix and its XLSX."""

import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from sinergi.core.models import AuditLog
from sinergi.learning.models import Attendance, ItemCompletion, Session
from sinergi.learning.selectors.attendance import attendance_matrix
from sinergi.learning.selectors.progress import attendance_percent
from sinergi.learning.services import attendance as services
from tests.i18n import indonesian

from ..factories import UserFactory
from .factories import ItemFactory, ModuleFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db
JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def speaker(db):
    return UserFactory(roles=["speaker"], full_name="Dr. Narasumber")


@pytest.fixture
def session(participant, speaker):
    """A session of the participant's batch that started five minutes ago."""
    start = timezone.now() - timedelta(minutes=5)
    session = services.session_create(
        batch=participant.batch,
        actor=None,
        title="Katalogisasi RDA",
        starts_at=start,
        jp=2,
        speakers=[speaker],
    )
    return session


def checkin(session, registration, **kwargs):
    kwargs.setdefault("method", "code")
    if kwargs["method"] == "code":
        kwargs.setdefault("code", session.checkin_code)
    return services.attendance_checkin(session=session, registration=registration, **kwargs)


# Scheduling ----------------------------------------------------------------------------------


def test_session_ends_after_its_jp_and_gets_code_and_secret(session):
    assert session.ends_at - session.starts_at == timedelta(minutes=90)
    assert re.fullmatch(f"[{services.CODE_ALPHABET}]{{6}}", session.checkin_code)
    assert len(session.checkin_secret) == 64


def test_code_alphabet_has_no_ambiguous_characters():
    assert not set("0O1IL5S2Z") & set(services.CODE_ALPHABET)


def test_only_speakers_can_be_speakers(participant):
    with pytest.raises(ValidationError):
        services.session_create(
            batch=participant.batch,
            actor=None,
            title="Sesi",
            starts_at=None,
            jp=1,
            speakers=[UserFactory(roles=["participant"])],
        )


def test_manager_schedules_in_wib_through_the_form(client, participant, speaker):
    manager = UserFactory(roles=["program_manager"])
    client.force_login(manager)
    type(participant.batch).objects.filter(pk=participant.batch_id).update(
        starts_on=date(2026, 11, 30), ends_on=date(2026, 12, 3)
    )
    response = client.post(
        reverse("learning:session_create", args=[participant.batch.pk]),
        {
            "title": "Sesi Pembuka",
            "date": "2026-12-01",
            "time": "08:00",
            "jp": "2",
            "speakers": [speaker.pk],
            "meeting_url": "https://zoom.us/j/123",
        },
    )
    assert response.status_code == 302
    session = Session.objects.get(title="Sesi Pembuka")
    assert session.starts_at == datetime(2026, 12, 1, 8, 0, tzinfo=JAKARTA)
    assert session.starts_at.astimezone(ZoneInfo("UTC")).hour == 1
    assert list(session.speakers.all()) == [speaker]
    assert AuditLog.objects.filter(verb="learning.session.created").exists()


# Self check-in -------------------------------------------------------------------------------


def test_checkin_with_code_is_present_and_twice_changes_nothing(session, participant):
    first = checkin(session, participant, code=session.checkin_code.lower())
    assert first.status == "present" and first.method == "code"
    again = checkin(session, participant)
    assert again.pk == first.pk and again.checked_in_at == first.checked_in_at
    assert Attendance.objects.count() == 1
    assert AuditLog.objects.filter(verb="learning.attendance.checked_in").count() == 1


def test_wrong_code_is_refused(session, participant):
    with pytest.raises(ValidationError):
        checkin(session, participant, code="XXXXXX")
    assert not Attendance.objects.exists()


def test_checkin_after_fifteen_minutes_is_late(session, participant):
    now = session.starts_at + timedelta(minutes=16)
    assert checkin(session, participant, now=now).status == "late"


def test_checkin_window(session, participant):
    with pytest.raises(
        ValidationError,
        match=re.escape(indonesian("Check-in for this session has not opened yet.")),
    ):
        checkin(session, participant, now=session.starts_at - timedelta(minutes=16))
    with pytest.raises(
        ValidationError, match=re.escape(indonesian("Check-in for this session has closed."))
    ):
        checkin(session, participant, now=session.ends_at + timedelta(seconds=1))
    assert checkin(session, participant, now=session.starts_at - timedelta(minutes=14))
    unscheduled = SessionFactory(batch=session.batch, starts_at=None, ends_at=None)
    with pytest.raises(ValidationError):
        checkin(unscheduled, participant, code=unscheduled.checkin_code)


def test_window_margins_come_from_settings(session, participant, settings):
    settings.SINERGI_CHECKIN_OPENS_MINUTES = 30
    settings.SINERGI_CHECKIN_LATE_MINUTES = 5
    assert checkin(session, participant, now=session.starts_at - timedelta(minutes=29))
    other = ParticipantFactory(batch=session.batch)
    assert checkin(session, other, now=session.starts_at + timedelta(minutes=6)).status == "late"


def test_qr_token_rotates_and_expires(session, participant, settings):
    now = timezone.now()
    token = services.qr_token(session=session, now=now)
    assert services.qr_token_valid(session=session, token=token, now=now + timedelta(seconds=29))
    assert services.qr_token(session=session, now=now + timedelta(seconds=30)) != token
    assert not services.qr_token_valid(
        session=session, token=token, now=now + timedelta(seconds=61)
    )
    forged = token.split(".")[0] + ".0000000000"
    assert not services.qr_token_valid(session=session, token=forged, now=now)
    other = SessionFactory(batch=session.batch, checkin_secret="x" * 64)
    assert not services.qr_token_valid(session=other, token=token, now=now)
    future = services.qr_token(session=session, now=now + timedelta(minutes=5))
    assert not services.qr_token_valid(session=session, token=future, now=now)


def test_checkin_with_qr_token(session, participant):
    now = timezone.now()
    with pytest.raises(
        ValidationError,
        match=re.escape(indonesian("This QR code has expired. Scan the code on the screen again.")),
    ):
        checkin(
            session,
            participant,
            method="qr",
            token=services.qr_token(session=session, now=now - timedelta(seconds=90)),
            now=now,
        )
    token = services.qr_token(session=session, now=now)
    attendance = checkin(session, participant, method="qr", token=token, now=now)
    assert attendance.method == "qr" and attendance.status == "present"


def test_participant_of_another_batch_cannot_check_in(session):
    stranger = ParticipantFactory()
    with pytest.raises(ValidationError):
        checkin(session, stranger)


def test_checkin_marks_the_session_item_done(session, participant):
    item = ItemFactory(module=ModuleFactory(batch=session.batch), kind="session", session=session)
    checkin(session, participant)
    assert ItemCompletion.objects.filter(item=item, registration=participant).exists()


# Staff ---------------------------------------------------------------------------------------


def test_speaker_corrects_and_every_change_is_audited(session, participant, speaker):
    item = ItemFactory(module=ModuleFactory(batch=session.batch), kind="session", session=session)
    checkin(session, participant)
    services.attendance_mark(
        session=session, registration=participant, status="absent", actor=speaker, note="Keluar"
    )
    attendance = Attendance.objects.get()
    assert attendance.status == "absent" and attendance.marked_by == speaker
    assert attendance.note == "Keluar"
    assert not ItemCompletion.objects.filter(item=item).exists()
    services.attendance_mark(
        session=session, registration=participant, status="excused", actor=speaker
    )
    log = AuditLog.objects.filter(verb="learning.attendance.marked").order_by("id")
    assert [(row.data["from"], row.data["to"]) for row in log] == [
        ("present", "absent"),
        ("absent", "excused"),
    ]


def test_attendance_percent_counts_attended_over_not_excused(participant, speaker):
    batch = participant.batch
    sessions = [
        services.session_create(
            batch=batch,
            actor=None,
            title=f"Sesi {n}",
            starts_at=timezone.now(),
            jp=1,
            speakers=[speaker],
        )
        for n in range(5)
    ]
    for session, status in zip(sessions, ["present", "late", "excused", "absent"], strict=False):
        services.attendance_mark(
            session=session, registration=participant, status=status, actor=speaker
        )
    percent, counted, attended = attendance_percent(registration=participant)
    assert (counted, attended) == (4, 2) and str(percent) == "50.00"
    matrix = attendance_matrix(batch=batch)
    assert matrix.rows[0].percent == percent
    assert [cell.status if cell else None for cell in matrix.rows[0].cells] == [
        "present",
        "late",
        "excused",
        "absent",
        None,
    ]


def test_speaker_page_shows_code_and_qr_and_marks_via_htmx(client, session, participant, speaker):
    client.force_login(speaker)
    url = reverse("learning:session_detail", args=[session.batch_id, session.pk])
    page = client.get(url).content.decode()
    assert session.checkin_code in page
    assert 'src="data:image/svg+xml' in page
    assert 'hx-trigger="every 10s"' in page
    # The participants' check-in link is copied, not followed: it answers 403 to the speaker.
    checkin = reverse("learning:session_checkin", args=[session.batch_id, session.pk])
    assert f'href="{checkin}' not in page and f'href="http://testserver{checkin}' not in page
    assert 'data-copy-target="#sn-checkin-url"' in page
    assert client.get(checkin).status_code == 403
    qr = client.get(reverse("learning:session_qr", args=[session.batch_id, session.pk]))
    assert qr.status_code == 200 and "no-store" in qr["Cache-Control"]
    mark = reverse("learning:attendance_mark", args=[session.batch_id, session.pk, participant.pk])
    response = client.post(mark, {"status": "excused", "note": "Sakit"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = response.content.decode().lstrip()
    assert re.match(rf'<li [^>]*id="registration-{participant.pk}"', fragment)
    assert "<html" not in fragment
    assert Attendance.objects.get().status == "excused"


def test_a_speaker_of_another_session_cannot_take_this_attendance(client, session, participant):
    other_speaker = UserFactory(roles=["speaker"])
    other = SessionFactory(batch=session.batch)
    other.speakers.add(other_speaker)
    client.force_login(other_speaker)
    mark = reverse("learning:attendance_mark", args=[session.batch_id, session.pk, participant.pk])
    assert client.post(mark, {"status": "present"}).status_code == 403
    assert (
        client.get(reverse("learning:session_qr", args=[session.batch_id, session.pk])).status_code
        == 403
    )
    page = client.get(reverse("learning:session_detail", args=[session.batch_id, session.pk]))
    assert session.checkin_code not in page.content.decode()


def test_participant_cannot_mark_or_see_the_code(client, session, participant):
    client.force_login(participant.user)
    page = client.get(reverse("learning:session_detail", args=[session.batch_id, session.pk]))
    assert session.checkin_code not in page.content.decode()
    mark = reverse("learning:attendance_mark", args=[session.batch_id, session.pk, participant.pk])
    assert client.post(mark, {"status": "present"}).status_code == 403
    assert not Attendance.objects.exists()


def test_checkin_pages_by_code_and_by_scanned_qr(client, session, participant):
    client.force_login(participant.user)
    url = reverse("learning:session_checkin", args=[session.batch_id, session.pk])
    response = client.post(url, {"code": "ZZZZZZ"})
    assert response.status_code == 200 and not Attendance.objects.exists()
    token = services.qr_token(session=session)
    page = client.get(f"{url}?t={token}").content.decode()
    assert f'value="{token}"' in page
    assert not Attendance.objects.exists()  # opening the link alone does not check in
    response = client.post(url, {"t": token})
    assert response.status_code == 302
    assert Attendance.objects.get().method == "qr"


def test_matrix_page_and_xlsx(client, session, participant, speaker):
    services.attendance_mark(
        session=session, registration=participant, status="late", actor=speaker
    )
    client.force_login(UserFactory(roles=["head"]))
    page = client.get(reverse("learning:attendance_matrix", args=[session.batch_id]))
    assert page.status_code == 200 and participant.user.full_name in page.content.decode()
    response = client.get(reverse("learning:attendance_matrix_xlsx", args=[session.batch_id]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] and "Katalogisasi RDA" in rows[0][2]
    assert rows[1][0] == participant.user.full_name and rows[1][-1] == 100.0
    client.force_login(participant.user)
    assert (
        client.get(reverse("learning:attendance_matrix", args=[session.batch_id])).status_code
        == 403
    )


def test_matrix_query_count_is_constant(
    client, session, participant, django_assert_max_num_queries
):
    client.force_login(UserFactory(roles=["program_manager"]))
    url = reverse("learning:attendance_matrix", args=[session.batch_id])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for n in range(5):
        other = ParticipantFactory(batch=session.batch)
        SessionFactory(batch=session.batch, title=f"Tambahan {n}")
        services.attendance_mark(session=session, registration=other, status="present", actor=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_xlsx_is_written_whatever_a_stored_name_holds(client, session, participant, speaker):
    """A name saved before the input rule (issue 16: BEL and ESC) no longer breaks the export:
    characters XLSX cannot hold are dropped when the sheet is written."""
    user = participant.user
    user.full_name = "Peserta\x07 Lama\x1b[31m"
    user.save(update_fields=["full_name"])
    services.attendance_mark(
        session=session, registration=participant, status="late", actor=speaker
    )
    client.force_login(UserFactory(roles=["head"]))
    response = client.get(reverse("learning:attendance_matrix_xlsx", args=[session.batch_id]))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1][0] == "Peserta Lama[31m"
