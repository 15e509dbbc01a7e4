"""Reads of sessions and attendance: a batch's schedule, one person's sessions (for the calendar
feed), and the attendance matrix (participants by sessions) with each participant's percentage."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from sinergi.training.models import Batch, Registration, RegistrationState

from ..models import Attendance, AttendanceStatus, Session
from .access import ClassroomAccess

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


def batch_sessions(*, batch: Batch) -> QuerySet[Session]:
    return (
        Session.objects.filter(batch=batch).prefetch_related("speakers").order_by("starts_at", "id")
    )


def session_get_for_batch(*, batch: Batch, session_id: int) -> Session:
    """Return a session of `batch`, or 404."""
    session = (
        Session.objects.select_related("batch__program")
        .prefetch_related("speakers")
        .filter(pk=session_id, batch=batch)
        .first()
    )
    if session is None:
        raise Http404
    return session


def session_may_take_attendance(*, access: ClassroomAccess, session: Session, user) -> bool:
    """Managers take attendance of any session; a speaker, of the sessions they speak in."""
    if access.can_manage:
        return True
    return any(speaker.pk == user.pk for speaker in session.speakers.all())


def user_sessions(*, user) -> QuerySet[Session]:
    """Return the scheduled sessions `user` takes part in, as participant or speaker."""
    batch_ids = Registration.objects.filter(user=user, state=RegistrationState.CONFIRMED).values(
        "batch_id"
    )
    return (
        Session.objects.filter(Q(batch_id__in=batch_ids) | Q(speakers=user))
        .filter(starts_at__isnull=False)
        .select_related("batch__program")
        .prefetch_related("speakers")
        .distinct()
        .order_by("starts_at", "id")
    )


def batch_participants(*, batch: Batch) -> QuerySet[Registration]:
    """Return the batch's confirmed registrations, by name."""
    return (
        Registration.objects.filter(batch=batch, state=RegistrationState.CONFIRMED)
        .select_related("user")
        .order_by("user__full_name", "id")
    )


@dataclass
class MatrixRow:
    registration: Registration
    cells: list[Attendance | None]  # one per session, in the matrix's session order
    attended: int
    counted: int

    @property
    def percent(self) -> Decimal:
        """The same figure as `progress.attendance_percent`: excused sessions do not count."""
        if self.counted <= 0:
            return Decimal(100)
        return (Decimal(self.attended) * 100 / self.counted).quantize(Decimal("0.01"))


@dataclass
class Matrix:
    sessions: list[Session]
    rows: list[MatrixRow]


def attendance_matrix(*, batch: Batch) -> Matrix:
    """Return every participant's attendance at every session of `batch`, in three queries."""
    sessions = list(batch_sessions(batch=batch))
    registrations = list(batch_participants(batch=batch))
    marks = {
        (attendance.registration_id, attendance.session_id): attendance
        for attendance in Attendance.objects.filter(session__batch=batch)
    }
    rows = []
    for registration in registrations:
        cells = [marks.get((registration.pk, session.pk)) for session in sessions]
        excused = sum(1 for cell in cells if cell and cell.status == AttendanceStatus.EXCUSED)
        attended = sum(1 for cell in cells if cell and cell.status in ATTENDED)
        rows.append(MatrixRow(registration, cells, attended, len(sessions) - excused))
    return Matrix(sessions, rows)


def session_attendance(*, session: Session) -> list[tuple[Registration, Attendance | None]]:
    """Return the batch's participants with their attendance at `session` (None: not yet)."""
    marks = {
        attendance.registration_id: attendance
        for attendance in Attendance.objects.filter(session=session).select_related("marked_by")
    }
    return [
        (registration, marks.get(registration.pk))
        for registration in batch_participants(batch=session.batch)
    ]
