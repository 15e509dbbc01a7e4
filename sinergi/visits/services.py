"""Every write of the visits domain: slots, reservations, reference, delivery, clearance.

A slot's seats are guarded the way training guards a batch's: open a transaction, lock the
slot row, count the seats held, then write. `LOCK_SLOTS` names the lock (core.locking) for
the negative-control test that shows the race without the lock.
"""

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Role
from sinergi.core.calendar import holiday_name
from sinergi.core.exceptions import ServiceError
from sinergi.core.formatting import format_datetime, format_time
from sinergi.core.locking import for_update
from sinergi.core.services import log_action
from sinergi.core.text import model_text_clean

from . import selectors
from .clearance import clearance_blockers
from .models import (
    HOLDING_STATES,
    ClearanceRequest,
    ClearanceSequence,
    ClearanceState,
    Closure,
    DeliveryKind,
    DeliveryRequest,
    DeliveryState,
    FaqEntry,
    MemberDomain,
    OpeningHours,
    Question,
    QuestionMessage,
    QuestionState,
    Reservation,
    ReservationState,
    ServicePoint,
    VisitSlot,
    WalkIn,
)
from .tasks import send_notification, send_ticket

R = ReservationState
D = DeliveryState
LOCK_SLOTS = "visits.slots"
# Ticket codes avoid letters and digits that read alike (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


class VisitError(ServiceError):
    """A request cannot be done; the message says why, for the person, and `code` for machines."""


def _now() -> datetime:
    return timezone.now()


def _set(obj, actor, verb: str, data: dict | None = None, **changes) -> None:
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(changes))
    log_action(actor, verb, obj, data)


def _require_state(obj, allowed: tuple, message=None) -> None:
    if obj.state not in allowed:
        raise VisitError(
            message or _("This cannot be done in the request's present state."), "state"
        )


# --- Service points, opening hours, closures ------------------------------------------------------


def service_point_create(*, actor, **fields) -> ServicePoint:
    fields = model_text_clean(ServicePoint, fields, names=("name",))
    point = ServicePoint(**fields)
    point.full_clean()
    point.save()
    log_action(actor, "visits.service_point.created", point)
    return point


def service_point_update(*, point: ServicePoint, actor, **fields) -> ServicePoint:
    fields = model_text_clean(ServicePoint, fields, names=("name",))
    for name, value in fields.items():
        setattr(point, name, value)
    point.full_clean()
    point.save(update_fields=list(fields))
    log_action(actor, "visits.service_point.updated", point, {"fields": sorted(fields)})
    return point


def opening_hours_add(
    *, service_point: ServicePoint, weekday: int, opens_at: time, closes_at: time, actor
) -> OpeningHours:
    hours = OpeningHours(
        service_point=service_point, weekday=weekday, opens_at=opens_at, closes_at=closes_at
    )
    hours.full_clean()
    overlapping = service_point.opening_hours.filter(
        weekday=weekday, opens_at__lt=closes_at, closes_at__gt=opens_at
    )
    if overlapping.exists():
        raise ValidationError(_("These hours overlap hours already set for that day."))
    hours.save()
    log_action(actor, "visits.opening_hours.added", service_point, {"hours": str(hours)})
    return hours


def opening_hours_remove(*, hours: OpeningHours, actor) -> None:
    log_action(actor, "visits.opening_hours.removed", hours.service_point, {"hours": str(hours)})
    hours.delete()


@transaction.atomic
def closure_create(
    *, service_point: ServicePoint, starts_on: date, ends_on: date, reason: str, actor
) -> Closure:
    """Close a service point for whole days: its slots then take no bookings, and the
    reservations already made are cancelled and their holders told the reason by e-mail."""
    closure = Closure(
        service_point=service_point, starts_on=starts_on, ends_on=ends_on, reason=reason
    )
    closure.full_clean()
    closure.save()
    start, _ignored = selectors.local_day_bounds(starts_on)
    _ignored, end = selectors.local_day_bounds(ends_on)
    slots = VisitSlot.objects.filter(
        service_point=service_point, starts_at__gte=start, starts_at__lt=end
    )
    slots.update(closure=closure)
    now = _now()
    cancelled = 0
    for reservation in Reservation.objects.filter(slot__in=slots, state=R.BOOKED).select_related(
        "user"
    ):
        _set(
            reservation,
            actor,
            "visits.reservation.cancelled",
            {"reason": "closure"},
            state=R.CANCELLED,
            cancelled_at=now,
        )
        send_notification.enqueue(
            kind="closed", user_id=reservation.user_id, reservation_id=reservation.pk
        )
        cancelled += 1
    log_action(
        actor,
        "visits.closure.created",
        service_point,
        {"closure": str(closure), "cancelled": cancelled},
    )
    return closure


def closure_delete(*, closure: Closure, actor) -> None:
    """Reopen the days of `closure`: its slots take bookings again (cancelled ones stay so)."""
    log_action(actor, "visits.closure.deleted", closure.service_point, {"closure": str(closure)})
    closure.delete()


# --- Slots ---------------------------------------------------------------------------------------


@dataclass
class Generation:
    created: int = 0
    existing: int = 0
    skipped: list[tuple[date, str]] = field(default_factory=list)


def _aware(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


@transaction.atomic
def slots_generate(
    *,
    service_point: ServicePoint,
    start: date,
    end: date,
    actor,
    booking_opens_at: datetime | None = None,
) -> Generation:
    """Make the slots of `start`..`end` from the opening hours, skipping Indonesian public
    holidays and closures (each skipped day is returned with its reason). Slots that exist
    are left as they are, so running it twice is harmless."""
    if end < start:
        raise ValidationError(_("The last day is before the first."))
    if (end - start).days > 92:
        raise ValidationError(_("Generate at most three months at a time."))
    hours_by_day: dict[int, list[OpeningHours]] = {}
    for hours in service_point.opening_hours.all():
        hours_by_day.setdefault(hours.weekday, []).append(hours)
    closures = list(service_point.closures.filter(starts_on__lte=end, ends_on__gte=start))
    existing = set(
        VisitSlot.objects.filter(
            service_point=service_point,
            starts_at__gte=_aware(start, time.min),
            starts_at__lt=_aware(end + timedelta(days=1), time.min),
        ).values_list("starts_at", flat=True)
    )
    result = Generation()
    length = timedelta(minutes=service_point.slot_minutes)
    walk_in = service_point.walk_in_seats(service_point.capacity)
    new: list[VisitSlot] = []
    day = start
    while day <= end:
        holiday = holiday_name(day)
        closure = next((c for c in closures if c.starts_on <= day <= c.ends_on), None)
        if not hours_by_day.get(day.weekday()):
            pass  # closed on this weekday every week: nothing to report
        elif holiday:
            result.skipped.append((day, holiday))
        elif closure:
            result.skipped.append((day, closure.reason))
        else:
            for hours in hours_by_day[day.weekday()]:
                begins = _aware(day, hours.opens_at)
                closes = _aware(day, hours.closes_at)
                while begins + length <= closes:
                    if begins in existing:
                        result.existing += 1
                    else:
                        new.append(
                            VisitSlot(
                                service_point=service_point,
                                starts_at=begins,
                                ends_at=begins + length,
                                capacity=service_point.capacity,
                                walk_in_seats=walk_in,
                                booking_opens_at=booking_opens_at,
                            )
                        )
                    begins += length
        day += timedelta(days=1)
    VisitSlot.objects.bulk_create(new)
    result.created = len(new)
    log_action(
        actor,
        "visits.slots.generated",
        service_point,
        {"from": start.isoformat(), "to": end.isoformat(), "created": result.created},
    )
    return result


def slot_create(
    *,
    service_point: ServicePoint,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    actor,
    booking_opens_at: datetime | None = None,
) -> VisitSlot:
    """Create one slot by hand (the API's way); the walk-in share comes from the point."""
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The slot must end after it starts.")})
    if capacity < 1:
        raise ValidationError({"capacity": _("Give at least one seat.")})
    if VisitSlot.objects.filter(service_point=service_point, starts_at=starts_at).exists():
        raise ValidationError({"starts_at": _("This service point already has a slot then.")})
    closure = selectors.closure_on(
        service_point=service_point, day=timezone.localtime(starts_at).date()
    )
    slot = VisitSlot.objects.create(
        service_point=service_point,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        walk_in_seats=service_point.walk_in_seats(capacity),
        booking_opens_at=booking_opens_at,
        closure=closure,
    )
    log_action(actor, "visits.slot.created", slot, {"capacity": capacity})
    return slot


def slot_lock(*, slot_id: int) -> VisitSlot:
    """Lock the slot row until the transaction ends; every booking goes through here."""
    slots = VisitSlot.objects.select_related("service_point", "closure")
    return for_update(slots, name=LOCK_SLOTS, of=("self",)).get(pk=slot_id)


# --- Reservations --------------------------------------------------------------------------------


def _week_bounds(day: date) -> tuple[datetime, datetime]:
    monday = day - timedelta(days=day.weekday())
    return _aware(monday, time.min), _aware(monday + timedelta(days=7), time.min)


def _check_bookable(slot: VisitSlot, now: datetime) -> None:
    point = slot.service_point
    if slot.closure_id is not None:
        raise VisitError(
            _("%(point)s is closed that day: %(reason)s")
            % {"point": point.name, "reason": slot.closure.reason},
            "closed",
        )
    if not point.is_active:
        raise VisitError(_("%(point)s takes no bookings now.") % {"point": point.name}, "closed")
    if slot.starts_at <= now:
        raise VisitError(_("This slot has already started."), "started")
    if slot.booking_opens_at and now < slot.booking_opens_at:
        raise VisitError(_("Booking for this slot has not opened yet."), "not_open")
    last_day = timezone.localdate(now) + timedelta(days=point.book_days_ahead)
    if timezone.localtime(slot.starts_at).date() > last_day:
        raise VisitError(
            _("Slots can be booked at most %(days)s days ahead.") % {"days": point.book_days_ahead},
            "not_open",
        )


def _check_limits(slot: VisitSlot, user) -> None:
    point = slot.service_point
    day = timezone.localtime(slot.starts_at).date()
    start, end = selectors.local_day_bounds(day)
    if (
        selectors.user_holding_count(user=user, service_point=point, start=start, end=end)
        >= point.max_per_day
    ):
        raise VisitError(
            _("You may book %(n)s visit(s) a day at %(point)s, and have reached it.")
            % {"n": point.max_per_day, "point": point.name},
            "limit_reached",
        )
    start, end = _week_bounds(day)
    if (
        selectors.user_holding_count(user=user, service_point=point, start=start, end=end)
        >= point.max_per_week
    ):
        raise VisitError(
            _("You may book %(n)s visit(s) a week at %(point)s, and have reached it.")
            % {"n": point.max_per_week, "point": point.name},
            "limit_reached",
        )


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def reservation_create(*, slot: VisitSlot, user, now: datetime | None = None) -> Reservation:
    """Book a seat of `slot` for `user` and e-mail the QR ticket, or raise VisitError.

    Lock → re-check → write: the limits and the seats are counted again under the slot's
    lock, so two members never take the last seat together.
    """
    now = now or _now()
    if Reservation.objects.filter(slot=slot, user=user, state__in=HOLDING_STATES).exists():
        raise VisitError(_("You have already booked this slot."), "already_booked")
    # A slot read with its bookings counted (selectors.slot_get) that is already full is
    # refused without waiting for the lock: when a popular slot opens, most people arrive
    # after the last seat is gone, and they need not queue behind each other to hear it.
    # The count under the lock below stays the rule.
    booked = getattr(slot, "booked", None)
    if booked is not None and booked >= slot.bookable_seats:
        raise VisitError(_("This slot is fully booked."), "full")
    try:
        with transaction.atomic():
            slot = slot_lock(slot_id=slot.pk)
            _check_bookable(slot, now)
            _check_limits(slot, user)
            if selectors.slot_seats(slot=slot).bookable <= 0:
                raise VisitError(_("This slot is fully booked."), "full")
            reservation = Reservation.objects.create(slot=slot, user=user, code=_new_code())
            log_action(user, "visits.reservation.booked", reservation, {"slot": slot.pk})
            send_ticket.enqueue(reservation_id=reservation.pk)
    except IntegrityError:
        # The partial unique constraint: the same person booked the same slot at once.
        raise VisitError(_("You have already booked this slot."), "already_booked") from None
    return reservation


def reservation_cancel(
    *, reservation: Reservation, actor, now: datetime | None = None
) -> Reservation:
    """Cancel a booking before its slot starts; the seat is free again at once."""
    now = now or _now()
    if reservation.state != R.BOOKED:
        raise VisitError(_("Only a booked visit can be cancelled."), "state")
    if reservation.slot.starts_at <= now:
        raise VisitError(_("The slot has started; it can no longer be cancelled."), "started")
    _set(reservation, actor, "visits.reservation.cancelled", state=R.CANCELLED, cancelled_at=now)
    return reservation


def ticket_resend(*, reservation: Reservation, actor) -> None:
    """E-mail the ticket (with its QR code and PDF) again."""
    send_ticket.enqueue(reservation_id=reservation.pk)
    log_action(actor, "visits.reservation.ticket_sent", reservation)


@dataclass(frozen=True)
class CheckIn:
    status: str  # "valid", "used", "wrong_day", "cancelled", "unknown"
    message: str
    reservation: Reservation | None = None


def reservation_check_in(
    *, code: str, actor, service_point: ServicePoint | None = None, now: datetime | None = None
) -> CheckIn:
    """Check a ticket at the door and record the arrival when it is valid today."""
    now = now or _now()
    reservation = selectors.reservation_by_code(code=code)
    if reservation is None:
        return CheckIn("unknown", str(_("No ticket has this code.")))
    with transaction.atomic():
        reservation = (
            Reservation.objects.select_for_update(of=("self",))
            .select_related("slot__service_point", "user")
            .get(pk=reservation.pk)
        )
        slot = reservation.slot
        if reservation.state == R.CHECKED_IN:
            return CheckIn(
                "used",
                str(
                    _("Already used, at %(time)s.")
                    % {"time": format_time(reservation.checked_in_at)}
                ),
                reservation,
            )
        if reservation.state in (R.CANCELLED, R.NO_SHOW):
            return CheckIn(
                "cancelled",
                str(
                    _("This ticket is %(state)s.")
                    % {"state": reservation.get_state_display().lower()}
                ),
                reservation,
            )
        if service_point is not None and slot.service_point_id != service_point.pk:
            return CheckIn(
                "wrong_place",
                str(_("This ticket is for %(point)s.") % {"point": slot.service_point.name}),
                reservation,
            )
        if timezone.localtime(slot.starts_at).date() != timezone.localdate(now):
            return CheckIn(
                "wrong_day",
                str(
                    _("Wrong day: this ticket is for %(day)s.")
                    % {"day": format_datetime(slot.starts_at)}
                ),
                reservation,
            )
        _set(
            reservation,
            actor,
            "visits.reservation.checked_in",
            state=R.CHECKED_IN,
            checked_in_at=now,
            checked_in_by=actor,
        )
    return CheckIn("valid", str(_("Welcome: the visit is recorded.")), reservation)


def reservations_mark_no_shows(*, now: datetime | None = None) -> int:
    """Mark booked visits whose slot has ended as no-shows; return how many. Idempotent."""
    now = now or _now()
    marked = 0
    due = Reservation.objects.filter(state=R.BOOKED, slot__ends_at__lte=now)
    for reservation in due.iterator():
        with transaction.atomic():
            updated = Reservation.objects.filter(pk=reservation.pk, state=R.BOOKED).update(
                state=R.NO_SHOW
            )
            if updated:
                log_action(None, "visits.reservation.no_show", reservation)
                marked += 1
    return marked


@transaction.atomic
def walk_in_record(*, slot: VisitSlot, people: int, actor) -> WalkIn:
    """Count people who came without booking. They fill the seats kept for walk-ins first,
    then any seat nobody has booked; the room is never fuller than its capacity."""
    if people < 1:
        raise ValidationError(_("Count at least one person."))
    slot = slot_lock(slot_id=slot.pk)
    free = selectors.slot_seats(slot=slot).for_walk_ins
    if people > free:
        raise ValidationError(
            _("Only %(free)s more people fit in this slot.") % {"free": free}, code="full"
        )
    walk_in = WalkIn.objects.create(slot=slot, people=people, recorded_by=actor)
    log_action(actor, "visits.walk_in.recorded", slot, {"people": people})
    return walk_in


# --- Reference (Tanya Pustakawan) ----------------------------------------------------------------


def _reference_staff_ids() -> list[int]:
    users = get_user_model().objects.filter(is_active=True, groups__name=Role.LIBRARIAN)
    return list(users.values_list("pk", flat=True).distinct())


@transaction.atomic
def question_ask(*, asker, category: str, subject: str, body: str) -> Question:
    """Ask the librarians a question; every librarian is told by e-mail."""
    now = _now()
    question = Question.objects.create(
        asker=asker, category=category, subject=subject.strip(), created_at=now
    )
    QuestionMessage.objects.create(
        question=question, author=asker, body=body.strip(), created_at=now
    )
    log_action(asker, "visits.question.asked", question)
    for user_id in _reference_staff_ids():
        send_notification.enqueue(kind="question_new", user_id=user_id, question_id=question.pk)
    return question


@transaction.atomic
def question_reply(*, question: Question, author, body: str, from_staff: bool) -> QuestionMessage:
    """Add a message to the thread. A librarian's answer marks it answered and tells the
    asker; the asker's follow-up reopens it and tells the librarians who answered."""
    if question.state == QuestionState.CLOSED:
        raise VisitError(_("This question is closed."), "state")
    now = _now()
    message = QuestionMessage.objects.create(
        question=question, author=author, body=body.strip(), from_staff=from_staff, created_at=now
    )
    if from_staff:
        changes = {"state": QuestionState.ANSWERED}
        if question.first_answered_at is None:
            changes["first_answered_at"] = now
        _set(question, author, "visits.question.answered", **changes)
        send_notification.enqueue(
            kind="question_answered", user_id=question.asker_id, question_id=question.pk
        )
    else:
        if question.state != QuestionState.OPEN:
            _set(question, author, "visits.question.reopened", state=QuestionState.OPEN)
        answerers = set(
            question.messages.filter(from_staff=True).values_list("author_id", flat=True)
        ) or set(_reference_staff_ids())
        for user_id in sorted(answerers):
            send_notification.enqueue(
                kind="question_followup", user_id=user_id, question_id=question.pk
            )
    return message


def question_close(*, question: Question, actor) -> Question:
    if question.state == QuestionState.CLOSED:
        raise VisitError(_("This question is already closed."), "state")
    _set(question, actor, "visits.question.closed", state=QuestionState.CLOSED, closed_at=_now())
    return question


def faq_publish(*, question: Question, title: str, answer: str, actor) -> FaqEntry:
    """Publish a closed question as an FAQ entry, rewritten so it names nobody."""
    if question.state != QuestionState.CLOSED:
        raise VisitError(_("Close the question before publishing it."), "state")
    if FaqEntry.objects.filter(question=question).exists():
        raise VisitError(_("This question is already published."), "state")
    entry = FaqEntry.objects.create(
        question=question,
        category=question.category,
        title=title.strip(),
        answer=answer.strip(),
        published_at=_now(),
        published_by=actor,
    )
    log_action(actor, "visits.faq.published", entry, {"question": question.pk})
    return entry


# --- Delivery and print --------------------------------------------------------------------------


def delivery_request_create(
    *,
    requester,
    kind: str,
    title: str,
    address: str,
    phone: str,
    call_number: str = "",
    pages: str = "",
    note: str = "",
) -> DeliveryRequest:
    """Ask for a printed book to be sent, or pages printed and sent; staff quote the cost."""
    if not selectors.may_request_delivery(user=requester):
        raise VisitError(
            _("Delivery and printing are for members of the university and partner institutions."),
            "no_rights",
        )
    texts = model_text_clean(
        DeliveryRequest,
        {
            "title": title,
            "call_number": call_number,
            "pages": pages,
            "address": address,
            "phone": phone,
            "note": note,
        },
        phones=("phone",),
    )
    if kind == DeliveryKind.PRINT and not texts["pages"]:
        raise ValidationError({"pages": _("Say which pages to print.")})
    request = DeliveryRequest.objects.create(requester=requester, kind=kind, **texts)
    log_action(requester, "visits.delivery.requested", request)
    return request


def member_domain_add(*, domain: str, institution: str, is_partner: bool, actor) -> MemberDomain:
    """Give the people of an e-mail domain delivery and print rights."""
    entry = MemberDomain(
        domain=domain.strip().lower().lstrip("@"),
        institution=institution.strip(),
        is_partner=is_partner,
    )
    entry.full_clean()
    entry.save()
    log_action(actor, "visits.member_domain.added", entry)
    return entry


def member_domain_set_active(*, entry: MemberDomain, active: bool, actor) -> MemberDomain:
    """Grant or withdraw the rights of a domain's people (requests already made stay)."""
    _set(
        entry,
        actor,
        "visits.member_domain.granted" if active else "visits.member_domain.withdrawn",
        is_active=active,
    )
    return entry


def _delivery_notify(request: DeliveryRequest, kind: str) -> None:
    send_notification.enqueue(kind=kind, user_id=request.requester_id, delivery_id=request.pk)


@transaction.atomic
def delivery_quote(
    *, request: DeliveryRequest, cost: int, cost_note: str, actor
) -> DeliveryRequest:
    _require_state(request, (D.REQUESTED, D.QUOTED))
    if cost < 0:
        raise ValidationError({"cost": _("The cost cannot be negative.")})
    _set(
        request,
        actor,
        "visits.delivery.quoted",
        {"cost": cost},
        state=D.QUOTED,
        cost=cost,
        cost_note=cost_note.strip(),
        quoted_at=_now(),
    )
    _delivery_notify(request, "delivery_quoted")
    return request


@transaction.atomic
def delivery_proof_upload(*, request: DeliveryRequest, proof, actor) -> DeliveryRequest:
    """Attach the member's payment proof (already checked by `validate_upload`)."""
    _require_state(request, (D.QUOTED,), _("Upload the payment proof after the cost is quoted."))
    request.proof = proof
    _set(request, actor, "visits.delivery.paid", state=D.PAID, paid_at=_now(), proof=request.proof)
    return request


@transaction.atomic
def delivery_payment_accept(*, request: DeliveryRequest, actor) -> DeliveryRequest:
    _require_state(request, (D.PAID,))
    _set(request, actor, "visits.delivery.processing", state=D.PROCESSING)
    _delivery_notify(request, "delivery_processing")
    return request


@transaction.atomic
def delivery_payment_reject(*, request: DeliveryRequest, reason: str, actor) -> DeliveryRequest:
    """Send the request back to "quoted" so the member can upload a proper proof."""
    _require_state(request, (D.PAID,))
    _set(
        request,
        actor,
        "visits.delivery.proof_rejected",
        {"reason": reason},
        state=D.QUOTED,
        paid_at=None,
    )
    send_notification.enqueue(
        kind="delivery_proof_rejected",
        user_id=request.requester_id,
        delivery_id=request.pk,
        reason=reason,
    )
    return request


@transaction.atomic
def delivery_ship(
    *, request: DeliveryRequest, tracking_number: str, courier: str, actor
) -> DeliveryRequest:
    _require_state(request, (D.PROCESSING,))
    if not tracking_number.strip():
        raise ValidationError({"tracking_number": _("Give the tracking number.")})
    _set(
        request,
        actor,
        "visits.delivery.shipped",
        state=D.SHIPPED,
        tracking_number=tracking_number.strip(),
        courier=courier.strip(),
        shipped_at=_now(),
    )
    _delivery_notify(request, "delivery_shipped")
    return request


def delivery_receive(*, request: DeliveryRequest, actor) -> DeliveryRequest:
    _require_state(request, (D.SHIPPED,))
    _set(request, actor, "visits.delivery.received", state=D.RECEIVED, received_at=_now())
    return request


def delivery_cancel(*, request: DeliveryRequest, actor, by_staff: bool) -> DeliveryRequest:
    """Cancel a request: the member before paying, staff at any point before shipping."""
    allowed = (D.REQUESTED, D.QUOTED, D.PAID, D.PROCESSING) if by_staff else (D.REQUESTED, D.QUOTED)
    _require_state(request, allowed, _("This request can no longer be cancelled."))
    _set(request, actor, "visits.delivery.cancelled", state=D.CANCELLED)
    return request


# --- Clearance (bebas pustaka) -------------------------------------------------------------------


def clearance_request(*, student, student_number: str, study_program: str) -> ClearanceRequest:
    """Ask for a clearance letter; what still blocks it is listed on the request's page."""
    if ClearanceRequest.objects.filter(student=student, state=ClearanceState.REQUESTED).exists():
        raise VisitError(_("You already have a clearance request waiting."), "already_requested")
    if ClearanceRequest.objects.filter(student=student, state=ClearanceState.APPROVED).exists():
        raise VisitError(_("Your clearance has already been approved."), "already_approved")
    try:
        with transaction.atomic():
            clearance = ClearanceRequest.objects.create(
                student=student,
                student_number=student_number.strip(),
                study_program=study_program.strip(),
                verification_code=secrets.token_urlsafe(16),
            )
    except IntegrityError:
        raise VisitError(
            _("You already have a clearance request waiting."), "already_requested"
        ) from None
    log_action(student, "visits.clearance.requested", clearance)
    return clearance


def clearance_set_thesis(
    *, clearance: ClearanceRequest, deposited: bool, actor
) -> ClearanceRequest:
    """Set or clear the flag that the thesis copy has been deposited."""
    _require_state(clearance, (ClearanceState.REQUESTED,))
    _set(
        clearance,
        actor,
        "visits.clearance.thesis_deposited" if deposited else "visits.clearance.thesis_missing",
        thesis_deposited_at=_now() if deposited else None,
    )
    return clearance


def _clearance_number(year: int) -> tuple[str, int]:
    if not ClearanceSequence.objects.filter(year=year).update(last=F("last") + 1):
        ClearanceSequence.objects.get_or_create(year=year)
        ClearanceSequence.objects.filter(year=year).update(last=F("last") + 1)
    last = ClearanceSequence.objects.filter(year=year).values_list("last", flat=True).get()
    return f"{settings.SINERGI_CLEARANCE_PREFIX}/{year}/{last:05d}", last


def clearance_approve(*, clearance: ClearanceRequest, actor) -> ClearanceRequest:
    """Approve and number the letter, unless something still blocks it."""
    with transaction.atomic():
        clearance = ClearanceRequest.objects.select_for_update().get(pk=clearance.pk)
        _require_state(clearance, (ClearanceState.REQUESTED,))
        blockers = clearance_blockers(clearance)
        if blockers:
            raise VisitError(
                _("Not yet: %(reasons)s") % {"reasons": " ".join(b.message for b in blockers)},
                "blocked",
            )
        now = _now()
        number, _sequence = _clearance_number(timezone.localdate(now).year)
        _set(
            clearance,
            actor,
            "visits.clearance.approved",
            {"number": number},
            state=ClearanceState.APPROVED,
            number=number,
            decided_at=now,
            decided_by=actor,
        )
        send_notification.enqueue(
            kind="clearance_approved", user_id=clearance.student_id, clearance_id=clearance.pk
        )
    return clearance


def clearance_reject(*, clearance: ClearanceRequest, note: str, actor) -> ClearanceRequest:
    _require_state(clearance, (ClearanceState.REQUESTED,))
    with transaction.atomic():
        _set(
            clearance,
            actor,
            "visits.clearance.rejected",
            state=ClearanceState.REJECTED,
            decision_note=note.strip(),
            decided_at=_now(),
            decided_by=actor,
        )
        send_notification.enqueue(
            kind="clearance_rejected", user_id=clearance.student_id, clearance_id=clearance.pk
        )
    return clearance
