"""Dates that must agree: sessions inside the batch's days, attendance only once check-in opens,
completion only once the last session has started (or staff say why earlier), and the payment
deadline never after the batch starts. Times are WIB; each rule is tried at several moments,
around midnight WIB included, with the clock fixed by time_machine."""

import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from sinergi.core.models import AuditLog
from sinergi.learning.models import Completion, CompletionRules
from sinergi.learning.services import attendance as sessions
from sinergi.learning.services.completion import (
    completion_opens_at,
    completion_override,
    completion_recompute,
    completions_recompute_due,
)
from sinergi.training import pdf, services
from sinergi.training.models import Batch
from tests.i18n import indonesian

from ..factories import BatchFactory, UserFactory
from .factories import ParticipantFactory

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")
UTC = ZoneInfo("UTC")
# The batch runs 8–10 December 2026 (WIB), as in the report that asked for these rules.
FIRST, LAST = date(2026, 12, 8), date(2026, 12, 10)


def wib(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


@pytest.fixture
def batch(db):
    with time_machine.travel(wib(1, 9), tick=False):
        return BatchFactory(
            starts_on=FIRST,
            ends_on=LAST,
            registration_opens=wib(1, 0, month=11),
            registration_closes=wib(7, 23),
            status="running",
        )


def schedule(batch, starts_at, jp=1, **kwargs):
    return sessions.session_create(
        batch=batch, actor=None, title="Sesi", starts_at=starts_at, jp=jp, **kwargs
    )


# Sessions inside the batch's dates ------------------------------------------------------------


@pytest.mark.parametrize(
    "starts_at",
    [
        wib(8, 0),  # the first minute of the first day
        wib(10, 23, 15),  # ends at 00:00 WIB, the end of the last day
        datetime(2026, 12, 7, 17, 0, tzinfo=UTC),  # 00:00 WIB on 8 December, given in UTC
    ],
)
def test_a_session_inside_the_batch_days_is_accepted(batch, starts_at):
    assert schedule(batch, starts_at).starts_at == starts_at


@pytest.mark.parametrize(
    "starts_at",
    [
        wib(7, 23, 59),  # a minute before the batch's first day (WIB)
        datetime(2026, 12, 7, 16, 59, tzinfo=UTC),  # the same moment in UTC
        wib(10, 23, 30),  # starts on the last day but runs past midnight WIB
        wib(11, 9),  # the day after
        wib(1, 9),  # a week before
    ],
)
def test_a_session_outside_the_batch_days_is_refused_with_the_dates(batch, starts_at):
    with pytest.raises(ValidationError) as refused:
        schedule(batch, starts_at)
    message = refused.value.message_dict["starts_at"][0]
    assert message.startswith(
        indonesian(
            "A session must take place within the batch's dates, "
            "%(dates)s (WIB); this one is on %(when)s."
        ).split("%")[0]
    )
    assert "8–10 Desember 2026" in message
    assert not batch.sessions.exists()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        schedule(batch, starts_at)
    assert "within the batch's dates, 8–10 December 2026" in refused.value.messages[0]


def test_moving_a_session_out_of_the_batch_is_refused_and_changes_nothing(batch):
    session = schedule(batch, wib(9, 9))
    with pytest.raises(ValidationError):
        sessions.session_update(
            session=session, actor=None, title="Sesi", starts_at=wib(12, 9), jp=1
        )
    session.refresh_from_db()
    assert session.starts_at == wib(9, 9)


def test_an_unscheduled_session_is_allowed(batch):
    assert schedule(batch, None).starts_at is None


# Attendance only from the check-in window on ---------------------------------------------------


@pytest.fixture
def participant(batch):
    return ParticipantFactory(batch=batch)


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        (wib(8, 23, 59), False),  # the evening before
        (wib(9, 8, 44), False),  # sixteen minutes before the start
        (wib(9, 8, 45), True),  # check-in opens fifteen minutes before
        (wib(9, 9, 30), True),  # during
        (wib(11, 10), True),  # days later (a correction)
    ],
)
def test_present_only_from_the_checkin_window_on(batch, participant, now, allowed):
    session = schedule(batch, wib(9, 9), jp=2)
    mark = {"session": session, "registration": participant, "actor": None, "now": now}
    if allowed:
        assert sessions.attendance_mark(status="present", **mark).status == "present"
        return
    for status in ("present", "late"):
        with pytest.raises(ValidationError) as refused:
            sessions.attendance_mark(status=status, **mark)
        assert "9 Desember 2026, 08.45 WIB" in refused.value.messages[0]
    assert not session.attendances.exists()
    # Excused (a letter came early) and absent can be set at any time.
    assert sessions.attendance_mark(status="excused", **mark).status == "excused"


def test_present_is_refused_for_an_unscheduled_session(batch, participant):
    session = schedule(batch, None)
    with pytest.raises(ValidationError):
        sessions.attendance_mark(
            session=session, registration=participant, status="present", actor=None
        )


# Completion only once the last session has started ----------------------------------------------


@pytest.fixture
def relaxed(batch):
    """Rules a participant meets by attending (so only the date decides)."""
    return CompletionRules.objects.create(
        batch=batch,
        min_attendance_percent=50,
        require_posttest_pass=False,
        require_assignments=False,
        require_survey=False,
    )


def test_completion_waits_for_the_last_session_then_the_job_records_it(batch, participant, relaxed):
    first = schedule(batch, wib(8, 9))
    schedule(batch, wib(10, 13))
    assert completion_opens_at(batch=batch) == wib(10, 13)
    sessions.attendance_mark(
        session=first, registration=participant, status="present", actor=None, now=wib(8, 9)
    )
    for moment in (wib(8, 9), wib(9, 23, 59), wib(10, 0, 0), wib(10, 12, 59)):
        assert completion_recompute(registration=participant, now=moment) is None
        assert completions_recompute_due(now=moment) == 0
    assert not Completion.objects.exists()
    with time_machine.travel(wib(10, 13), tick=False):
        assert completions_recompute_due() == 1
    completion = Completion.objects.get(registration=participant)
    assert completion.completed_at == wib(10, 13)
    assert completions_recompute_due(now=wib(10, 14)) == 0  # idempotent


def test_a_batch_without_sessions_completes_from_its_first_day(batch, participant, relaxed):
    assert completion_opens_at(batch=batch) == wib(8, 0)
    assert completion_recompute(registration=participant, now=wib(7, 23, 59)) is None
    assert completion_recompute(registration=participant, now=wib(8, 0)) is not None


def test_staff_can_record_completion_early_with_a_reason(batch, participant, relaxed):
    first = schedule(batch, wib(8, 9))
    schedule(batch, wib(10, 13))
    sessions.attendance_mark(
        session=first, registration=participant, status="present", actor=None, now=wib(8, 9)
    )
    assert completion_recompute(registration=participant, now=wib(9, 16)) is None
    manager = UserFactory(roles=["program_manager"])
    with time_machine.travel(wib(9, 16), tick=False):
        with pytest.raises(ValidationError) as refused:
            completion_override(registration=participant, actor=manager, reason="  ")
        assert "reason" in refused.value.message_dict
        completion = completion_override(
            registration=participant,
            actor=manager,
            reason="Tugas dinas pada hari terakhir; materi sudah diikuti.",
        )
    assert completion.completed_at == wib(9, 16)
    row = AuditLog.objects.get(verb="learning.completion.overridden")
    assert row.actor == manager
    assert row.data["reason"] == "Tugas dinas pada hari terakhir; materi sudah diikuti."


def test_an_early_completion_still_needs_the_rules(batch, participant):
    schedule(batch, wib(10, 13))
    with pytest.raises(ValidationError) as refused:
        completion_override(registration=participant, actor=None, reason="Dinas")
    assert refused.value.code == "rules"
    assert not Completion.objects.exists()


# The payment deadline --------------------------------------------------------------------------


@pytest.fixture
def open_batch(db):
    with time_machine.travel(wib(1, 9), tick=False):
        return BatchFactory(
            starts_on=FIRST,
            ends_on=LAST,
            registration_opens=wib(1, 0, month=11),
            registration_closes=wib(7, 23, 30),
        )


def pdf_text(content: bytes) -> str:
    """The PDF's text as pdftotext (poppler) reads it, white space made single."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


@pytest.mark.parametrize(
    ("now", "deadline", "capped"),
    [
        (wib(1, 9), wib(3, 9), False),  # a week ahead: the usual 48 hours
        (wib(6, 0), wib(8, 0), False),  # exactly 48 hours before the start: not shortened
        (wib(6, 9), wib(8, 0), True),  # 39 hours before: capped at the start
        (wib(7, 23, 0), wib(8, 0), True),  # an hour before midnight WIB: an hour to pay
        (datetime(2026, 12, 7, 16, 20, tzinfo=UTC), wib(8, 0), True),  # 23.20 WIB in UTC
    ],
)
def test_payment_deadline_never_after_the_batch_starts(open_batch, now, deadline, capped):
    with time_machine.travel(now, tick=False):
        registration = services.registration_create(
            batch=open_batch, user=UserFactory(), consent=True
        )
    assert registration.expires_at == deadline
    assert registration.invoice.due_at == deadline
    assert registration.expires_at <= Batch.objects.get(pk=open_batch.pk).starts_at
    text = pdf_text(pdf.invoice_pdf(registration.invoice))
    assert ("Batas pembayaran dipersingkat" in text) is capped
    if capped:
        assert "8 Desember 2026, 00.00 WIB" in text


def test_no_registration_once_the_batch_has_started(open_batch):
    Batch.objects.filter(pk=open_batch.pk).update(registration_closes=wib(9, 12))
    open_batch.refresh_from_db()
    with (
        time_machine.travel(wib(8, 0, 1), tick=False),
        pytest.raises(services.RegistrationError) as refused,
    ):
        services.registration_create(batch=open_batch, user=UserFactory(), consent=True)
    assert refused.value.code == "started"
