"""Sessions and attendance: scheduling, self check-in (short code or rotating QR) and marking.

Self check-in is open from `SINERGI_CHECKIN_OPENS_MINUTES` before a session starts until
`SINERGI_CHECKIN_CLOSES_MINUTES` after it ends; whoever checks in later than
`SINERGI_CHECKIN_LATE_MINUTES` after the start is late. The QR shown by the speaker encodes a
token that changes every `SINERGI_CHECKIN_QR_STEP_SECONDS` and is accepted for
`SINERGI_CHECKIN_QR_VALID_SECONDS`: an HMAC of the session's secret and the time window, so a
photo of the QR sent to a friend at home stops working within a minute.

Every change of attendance marks (or unmarks) the session's items as done and recomputes the
participant's completion in the same transaction.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import Role
from sinergi.accounts.selectors import user_has_role
from sinergi.core.formatting import format_date_range, format_datetime
from sinergi.core.services import log_action
from sinergi.training.models import Batch, Registration, RegistrationState

from ..models import (
    Attendance,
    AttendanceStatus,
    CheckinMethod,
    Item,
    ItemCompletion,
    Session,
)
from .completion import completion_recompute, item_mark_complete

# No 0/O, 1/I/L, 5/S or 2/Z: a code read aloud or from a projector is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
CODE_LENGTH = 6
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
# Switched off only by the concurrency test's negative control.
LOCK_REGISTRATIONS = True


# Sessions -----------------------------------------------------------------------------------


def jp_minutes() -> int:
    """Return how long one JP (jam pelajaran) lasts, in minutes."""
    return settings.SINERGI_JP_MINUTES


def checkin_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _check_speakers(speakers) -> None:
    for speaker in speakers:
        if not user_has_role(speaker, Role.SPEAKER):
            raise ValidationError(
                {"speakers": _("%(name)s is not a speaker.") % {"name": speaker.full_name}}
            )


def _schedule(session: Session, starts_at: datetime | None, jp: int) -> None:
    if jp < 1:
        raise ValidationError({"jp": _("A session lasts at least one JP.")})
    ends_at = starts_at + timedelta(minutes=jp * jp_minutes()) if starts_at else None
    if starts_at is not None:
        session_check_dates(batch=session.batch, starts_at=starts_at, ends_at=ends_at)
    session.jp = jp
    session.starts_at = starts_at
    session.ends_at = ends_at


def session_check_dates(*, batch: Batch, starts_at: datetime, ends_at: datetime) -> None:
    """Raise ValidationError unless the session starts and ends within the batch's days (WIB)."""
    if batch.starts_at <= starts_at and ends_at <= batch.ends_at:
        return
    raise ValidationError(
        {
            "starts_at": ValidationError(
                _(
                    "A session must take place within the batch's dates, %(dates)s "
                    "(WIB); this one is on %(when)s."
                ),
                code="outside_batch",
                params={
                    "dates": format_date_range(batch.starts_on, batch.ends_on),
                    "when": format_datetime(starts_at),
                },
            )
        }
    )


def session_create(
    *,
    batch: Batch,
    actor,
    title: str,
    starts_at: datetime | None,
    jp: int,
    speakers=(),
    meeting_url: str = "",
    place: str = "",
) -> Session:
    """Schedule a session of `batch`; it ends `jp` lessons after it starts."""
    speakers = list(speakers)
    _check_speakers(speakers)
    session = Session(
        batch=batch,
        title=title.strip(),
        meeting_url=meeting_url,
        place=place.strip(),
        checkin_code=checkin_code_new(),
        checkin_secret=secrets.token_hex(32),
    )
    _schedule(session, starts_at, jp)
    with transaction.atomic():
        session.save()
        session.speakers.set(speakers)
        log_action(actor, "learning.session.created", session, _session_data(session))
    return session


def _session_data(session: Session) -> dict:
    return {
        "title": session.title,
        "starts_at": session.starts_at.isoformat() if session.starts_at else None,
        "jp": session.jp,
    }


def session_update(
    *,
    session: Session,
    actor,
    title: str,
    starts_at: datetime | None,
    jp: int,
    speakers=(),
    meeting_url: str = "",
    place: str = "",
) -> Session:
    speakers = list(speakers)
    _check_speakers(speakers)
    session.title = title.strip()
    session.meeting_url = meeting_url
    session.place = place.strip()
    _schedule(session, starts_at, jp)
    with transaction.atomic():
        session.save(update_fields=["title", "meeting_url", "place", "jp", "starts_at", "ends_at"])
        session.speakers.set(speakers)
        # The template's item and the session say the same length.
        Item.objects.filter(session=session).update(jp=jp)
        log_action(actor, "learning.session.updated", session, _session_data(session))
    return session


def session_delete(*, session: Session, actor) -> None:
    with transaction.atomic():
        log_action(actor, "learning.session.deleted", session, _session_data(session))
        session.delete()


def session_checkin_prepare(*, session: Session) -> Session:
    """Give a session its check-in code and secret if it has none yet."""
    if session.checkin_code and session.checkin_secret:
        return session
    session.checkin_code = session.checkin_code or checkin_code_new()
    session.checkin_secret = session.checkin_secret or secrets.token_hex(32)
    session.save(update_fields=["checkin_code", "checkin_secret"])
    return session


def session_code_renew(*, session: Session, actor) -> Session:
    """Give the session a new short code (when the old one was shared too widely)."""
    session.checkin_code = checkin_code_new()
    session.save(update_fields=["checkin_code"])
    log_action(actor, "learning.session.code_renewed", session)
    return session


# The check-in window and the QR token ---------------------------------------------------------


@dataclass(frozen=True)
class CheckinWindow:
    opens_at: datetime
    late_after: datetime
    closes_at: datetime

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now <= self.closes_at


def checkin_window(session: Session) -> CheckinWindow | None:
    """Return when self check-in is open for `session`, or None when it is not scheduled."""
    if session.starts_at is None:
        return None
    ends_at = session.ends_at or session.starts_at + timedelta(minutes=session.jp * jp_minutes())
    return CheckinWindow(
        opens_at=session.starts_at - timedelta(minutes=settings.SINERGI_CHECKIN_OPENS_MINUTES),
        late_after=session.starts_at + timedelta(minutes=settings.SINERGI_CHECKIN_LATE_MINUTES),
        closes_at=ends_at + timedelta(minutes=settings.SINERGI_CHECKIN_CLOSES_MINUTES),
    )


def _qr_step(now: datetime) -> int:
    return int(now.timestamp()) // settings.SINERGI_CHECKIN_QR_STEP_SECONDS


def _qr_mac(session: Session, step: int) -> str:
    message = f"{session.pk}:{step}".encode()
    return hmac.new(session.checkin_secret.encode(), message, hashlib.sha256).hexdigest()[:20]


def qr_token(*, session: Session, now: datetime | None = None) -> str:
    """Return the token the speaker's QR shows now: "<time step>.<HMAC>"."""
    step = _qr_step(now or timezone.now())
    return f"{step}.{_qr_mac(session, step)}"


def qr_token_valid(*, session: Session, token: str, now: datetime | None = None) -> bool:
    """Return whether `token` was shown by this session's QR within the validity period."""
    if not session.checkin_secret:
        return False
    step_text, _dot, mac = (token or "").partition(".")
    if not step_text.isdigit() or not mac:
        return False
    step = int(step_text)
    age = _qr_step(now or timezone.now()) - step
    steps_valid = max(
        1, settings.SINERGI_CHECKIN_QR_VALID_SECONDS // settings.SINERGI_CHECKIN_QR_STEP_SECONDS
    )
    if not 0 <= age < steps_valid:
        return False
    return hmac.compare_digest(mac, _qr_mac(session, step))


# Attendance ---------------------------------------------------------------------------------


def registration_lock(registration: Registration) -> None:
    """Lock the participant's registration row until the transaction ends.

    A participant's attendance and work change one at a time: a check-in from two tabs (or a
    check-in while the speaker corrects) is decided by whoever takes the lock first, and the
    second sees what the first wrote.
    """
    if LOCK_REGISTRATIONS:
        Registration.objects.select_for_update(of=("self",)).filter(pk=registration.pk).first()


def _after_change(*, session: Session, registration: Registration, attended: bool) -> None:
    """Mark the session's items done (or not) and recompute completion."""
    items = list(Item.objects.filter(session=session))
    for item in items:
        if attended:
            item_mark_complete(item=item, registration=registration)
        else:
            ItemCompletion.objects.filter(item=item, registration=registration).delete()
    completion_recompute(registration=registration)


def _check_participant(session: Session, registration: Registration) -> None:
    if registration.batch_id != session.batch_id or registration.state != (
        RegistrationState.CONFIRMED
    ):
        raise ValidationError(_("You are not a participant of this session's batch."))


def attendance_checkin(
    *,
    session: Session,
    registration: Registration,
    method: str,
    code: str = "",
    token: str = "",
    now: datetime | None = None,
) -> Attendance:
    """Check the participant in by the session's short code or QR token.

    Checking in twice changes nothing. Raise ValidationError outside the check-in window or
    for a wrong code or an expired token.
    """
    now = now or timezone.now()
    _check_participant(session, registration)
    window = checkin_window(session)
    if window is None or now < window.opens_at:
        raise ValidationError(_("Check-in for this session has not opened yet."), code="early")
    if now > window.closes_at:
        raise ValidationError(_("Check-in for this session has closed."), code="closed")
    if method == CheckinMethod.CODE:
        typed = "".join((code or "").split()).upper()
        if not session.checkin_code or not hmac.compare_digest(typed, session.checkin_code):
            raise ValidationError(_("That is not the code of this session."), code="code")
    elif method == CheckinMethod.QR:
        if not qr_token_valid(session=session, token=token, now=now):
            raise ValidationError(
                _("This QR code has expired. Scan the code on the screen again."), code="token"
            )
    else:
        raise ValueError(f"not a self check-in method: {method}")
    status = AttendanceStatus.LATE if now > window.late_after else AttendanceStatus.PRESENT
    with transaction.atomic():
        registration_lock(registration)
        attendance = Attendance.objects.filter(session=session, registration=registration).first()
        if attendance is not None and attendance.status in ATTENDED:
            return attendance
        attendance, _created = Attendance.objects.update_or_create(
            session=session,
            registration=registration,
            defaults={"status": status, "method": method, "checked_in_at": now},
        )
        log_action(
            registration.user,
            "learning.attendance.checked_in",
            attendance,
            {"status": status, "method": method},
        )
        _after_change(session=session, registration=registration, attended=True)
    return attendance


def _check_attended_possible(session: Session, now: datetime) -> None:
    window = checkin_window(session)
    if window is None:
        raise ValidationError(
            {"status": _("Schedule the session first; then attendance can be marked.")},
            code="unscheduled",
        )
    if now < window.opens_at:
        raise ValidationError(
            {
                "status": ValidationError(
                    _(
                        "Present or late can be marked only from %(opens)s, when check-in for "
                        "this session opens."
                    ),
                    code="early",
                    params={"opens": format_datetime(window.opens_at)},
                )
            }
        )


def attendance_mark(
    *,
    session: Session,
    registration: Registration,
    status: str,
    actor,
    note: str = "",
    now: datetime | None = None,
) -> Attendance:
    """Set (or correct) a participant's attendance as staff or the session's speaker.

    Present or late can be set only from the moment check-in opens: nobody has attended a
    session that has not begun. Excused and absent can be set at any time.
    """
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": _("Choose present, late, excused or absent.")})
    _check_participant(session, registration)
    if status in ATTENDED:
        _check_attended_possible(session, now or timezone.now())
    with transaction.atomic():
        registration_lock(registration)
        previous = Attendance.objects.filter(session=session, registration=registration).first()
        old_status = previous.status if previous else None
        if previous and (previous.status, previous.note) == (status, note.strip()[:255]):
            return previous  # marked as it was: who marked it and how stay
        attendance, _created = Attendance.objects.update_or_create(
            session=session,
            registration=registration,
            defaults={
                "status": status,
                "method": previous.method if previous else CheckinMethod.STAFF,
                "marked_by": actor,
                "note": note.strip()[:255],
            },
        )
        log_action(
            actor,
            "learning.attendance.marked",
            attendance,
            {"from": old_status, "to": status, "note": attendance.note},
        )
        _after_change(session=session, registration=registration, attended=status in ATTENDED)
    return attendance
