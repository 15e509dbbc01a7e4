"""A participant taps "check in" on two devices at once (or the QR page reloads): one check-in.

Real threads, each with its own PostgreSQL connection, start together on a barrier. With the
registration lock the first check-in wins and the others see it (one attendance row, one audit
row, the first time kept). The negative control turns the lock off and must show the race:
the later threads overwrite the first check-in and each writes its own audit row.
"""

from datetime import timedelta
from functools import partial

import pytest
from django.utils import timezone

from sinergi.core.models import AuditLog
from sinergi.learning.models import Attendance
from sinergi.learning.services import attendance as services

from ..concurrency import ON_POSTGRESQL, run_together
from .factories import ParticipantFactory, SessionFactory

pytestmark = ON_POSTGRESQL

TABS = 8


def check_in_at_once(session, registration) -> list[BaseException]:
    start = timezone.now()
    calls = [
        partial(
            services.attendance_checkin,
            session=session,
            registration=registration,
            method="code",
            code=session.checkin_code,
            # Each tap a moment apart, so an overwrite shows in checked_in_at.
            now=start + timedelta(milliseconds=index),
        )
        for index in range(TABS)
    ]
    _results, errors = run_together(calls)
    return errors


@pytest.fixture
def session_and_participant():
    participant = ParticipantFactory()
    session = SessionFactory(
        batch=participant.batch,
        starts_at=timezone.now() - timedelta(minutes=1),
        checkin_code="ABCDEF",
    )
    return session, participant


def test_parallel_check_ins_record_one_attendance(session_and_participant):
    session, participant = session_and_participant
    errors = check_in_at_once(session, participant)
    assert errors == []
    assert Attendance.objects.filter(session=session).count() == 1
    assert AuditLog.objects.filter(verb="learning.attendance.checked_in").count() == 1


def test_negative_control_without_the_lock_checks_in_twice(session_and_participant, monkeypatch):
    monkeypatch.setattr(services, "LOCK_REGISTRATIONS", False)
    session, participant = session_and_participant
    check_in_at_once(session, participant)
    assert AuditLog.objects.filter(verb="learning.attendance.checked_in").count() > 1
