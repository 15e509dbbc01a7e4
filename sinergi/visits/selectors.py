"""Reads with rules: who may see which reservation, question, request or clearance."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from sinergi.accounts.models import Role
from sinergi.accounts.selectors import user_has_role

from .models import (
    HOLDING_STATES,
    ClearanceRequest,
    Closure,
    DeliveryRequest,
    FaqEntry,
    MemberDomain,
    Question,
    QuestionState,
    Reservation,
    ReservationState,
    ServicePoint,
    VisitSlot,
)

VISIT_STAFF = (Role.SERVICES_DESK, Role.LIBRARIAN, Role.HEAD)  # admin holds every role
REFERENCE_STAFF = (Role.LIBRARIAN, Role.SERVICES_DESK)
DELIVERY_STAFF = (Role.SERVICES_DESK, Role.LIBRARIAN)
CLEARANCE_STAFF = (Role.LIBRARIAN, Role.SERVICES_DESK, Role.HEAD)
# Roles that see members' phone numbers and addresses whole: they send the parcels.
SHIPPING_ROLES = (Role.SERVICES_DESK,)
# Everyone who works at one of these services' desks.
DESK_ROLES = frozenset({*VISIT_STAFF, *REFERENCE_STAFF, *DELIVERY_STAFF, *CLEARANCE_STAFF})


def is_visit_staff(user) -> bool:
    return user_has_role(user, *VISIT_STAFF)


def is_desk_staff(user) -> bool:
    return user_has_role(user, *DESK_ROLES)


def is_reference_staff(user) -> bool:
    return user_has_role(user, *REFERENCE_STAFF)


def is_delivery_staff(user) -> bool:
    return user_has_role(user, *DELIVERY_STAFF)


def is_clearance_staff(user) -> bool:
    return user_has_role(user, *CLEARANCE_STAFF)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """Return the aware start of `day` and of the next day in the site's time zone."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, timezone.make_aware(
        datetime.combine(day + timedelta(days=1), datetime.min.time())
    )


# --- Service points and slots --------------------------------------------------------------------


def service_points_active() -> QuerySet[ServicePoint]:
    return ServicePoint.objects.filter(is_active=True)


def service_point_get(*, slug: str, user) -> ServicePoint:
    """Return an active service point, or any one for visit staff."""
    points = ServicePoint.objects.all() if is_visit_staff(user) else service_points_active()
    return points.get(slug=slug)


def service_point_get_for_staff(*, point_id: int, user) -> ServicePoint:
    """Return a service point to visit staff; raise DoesNotExist for anyone else."""
    if not is_visit_staff(user):
        raise ServicePoint.DoesNotExist
    return ServicePoint.objects.get(pk=point_id)


def slots_with_bookings(queryset: QuerySet[VisitSlot]) -> QuerySet[VisitSlot]:
    """Annotate `booked` (seats held by reservations) on each slot, in one query."""
    return queryset.annotate(
        booked=Count("reservations", filter=Q(reservations__state__in=HOLDING_STATES))
    )


def slots_for_day(*, day: date, service_point: ServicePoint | None = None) -> QuerySet[VisitSlot]:
    """Return the slots that start on `day` (local time), with their bookings counted."""
    start, end = local_day_bounds(day)
    slots = VisitSlot.objects.filter(starts_at__gte=start, starts_at__lt=end)
    if service_point is not None:
        slots = slots.filter(service_point=service_point)
    slots = slots.select_related("service_point", "closure").order_by(
        "starts_at", "service_point__name"
    )
    return slots_with_bookings(slots)


@dataclass(frozen=True)
class Seats:
    """A slot's seats, computed from its rows (capacity is never stored as a counter)."""

    capacity: int
    walk_in_seats: int
    booked: int
    walk_ins: int

    @property
    def taken(self) -> int:
        # Walk-ins first fill the seats kept for them; more than that takes bookable seats.
        return self.booked + max(self.walk_ins, self.walk_in_seats)

    @property
    def bookable(self) -> int:
        """Seats a member can still book online."""
        return max(self.capacity - self.taken, 0)

    @property
    def for_walk_ins(self) -> int:
        """People the desk can still let in without a booking."""
        return max(self.capacity - self.booked - self.walk_ins, 0)


def slot_seats(*, slot: VisitSlot) -> Seats:
    """Count the seats of `slot` held by reservations and taken by walk-ins."""
    return Seats(
        capacity=slot.capacity,
        walk_in_seats=slot.walk_in_seats,
        booked=Reservation.objects.filter(slot=slot, state__in=HOLDING_STATES).count(),
        walk_ins=slot_walk_ins(slot=slot),
    )


def slot_get(*, slot_id: int) -> VisitSlot:
    """Return a slot with its bookings counted (`booked`)."""
    slots = VisitSlot.objects.select_related("service_point", "closure").filter(pk=slot_id)
    return slots_with_bookings(slots).get()


def closure_on(*, service_point: ServicePoint, day: date) -> Closure | None:
    return Closure.objects.filter(
        service_point=service_point, starts_on__lte=day, ends_on__gte=day
    ).first()


def closures_ahead(*, service_point: ServicePoint, today: date | None = None) -> QuerySet[Closure]:
    today = today or timezone.localdate()
    return Closure.objects.filter(service_point=service_point, ends_on__gte=today)


# --- Reservations --------------------------------------------------------------------------------


def reservations_of_user(*, user) -> QuerySet[Reservation]:
    return Reservation.objects.filter(user=user).select_related("slot__service_point")


def reservation_get_for_user(*, reservation_id: int, user) -> Reservation:
    """Return the reservation to its owner or visit staff; raise DoesNotExist for others."""
    reservations = Reservation.objects.select_related("slot__service_point", "user")
    if not is_visit_staff(user):
        reservations = reservations.filter(user=user)
    return reservations.get(pk=reservation_id)


def reservation_by_code(*, code: str) -> Reservation | None:
    """Return the reservation with ticket `code` (any case, spaces ignored), for the desk."""
    normalised = "".join(code.split()).upper()
    return (
        Reservation.objects.select_related("slot__service_point", "user")
        .filter(code=normalised)
        .first()
    )


def user_holding_count(*, user, service_point: ServicePoint, start: datetime, end: datetime) -> int:
    """Count `user`'s seat-holding reservations at `service_point` for slots in [start, end)."""
    return Reservation.objects.filter(
        user=user,
        state__in=HOLDING_STATES,
        slot__service_point=service_point,
        slot__starts_at__gte=start,
        slot__starts_at__lt=end,
    ).count()


@dataclass(frozen=True)
class DayRow:
    slot: VisitSlot
    capacity: int
    booked: int
    arrived: int
    no_shows: int
    cancelled: int
    walk_ins: int


def daily_report(*, day: date, service_point: ServicePoint | None = None) -> list[DayRow]:
    """Return each slot of `day` with its bookings, arrivals, no-shows and walk-ins."""
    start, end = local_day_bounds(day)
    slots = VisitSlot.objects.filter(starts_at__gte=start, starts_at__lt=end)
    if service_point is not None:
        slots = slots.filter(service_point=service_point)
    r = ReservationState
    slots = (
        slots.select_related("service_point")
        .annotate(
            n_booked=Count(
                "reservations",
                filter=Q(reservations__state__in=[r.BOOKED, r.CHECKED_IN, r.NO_SHOW]),
                distinct=True,
            ),
            n_arrived=Count(
                "reservations", filter=Q(reservations__state=r.CHECKED_IN), distinct=True
            ),
            n_no_show=Count("reservations", filter=Q(reservations__state=r.NO_SHOW), distinct=True),
            n_cancelled=Count(
                "reservations", filter=Q(reservations__state=r.CANCELLED), distinct=True
            ),
        )
        .order_by("service_point__name", "starts_at")
    )
    walk_ins = dict(
        VisitSlot.objects.filter(pk__in=[slot.pk for slot in slots])
        .annotate(total=Sum("walk_ins__people"))
        .values_list("pk", "total")
    )
    return [
        DayRow(
            slot=slot,
            capacity=slot.capacity,
            booked=slot.n_booked,
            arrived=slot.n_arrived,
            no_shows=slot.n_no_show,
            cancelled=slot.n_cancelled,
            walk_ins=walk_ins.get(slot.pk) or 0,
        )
        for slot in slots
    ]


def slot_walk_ins(*, slot: VisitSlot) -> int:
    return slot.walk_ins.aggregate(total=Sum("people"))["total"] or 0


# --- Reference -----------------------------------------------------------------------------------


def questions_of_user(*, user) -> QuerySet[Question]:
    return Question.objects.filter(asker=user)


def questions_for_staff(*, state: str = "") -> QuerySet[Question]:
    questions = Question.objects.select_related("asker").annotate(n_messages=Count("messages"))
    if state:
        questions = questions.filter(state=state)
    return questions.order_by("state", "created_at")


def question_get_for_user(*, question_id: int, user) -> Question:
    """Return the question to its asker or reference staff; raise DoesNotExist for others."""
    questions = Question.objects.select_related("asker")
    if not is_reference_staff(user):
        questions = questions.filter(asker=user)
    return questions.get(pk=question_id)


@dataclass(frozen=True)
class ResponseFigures:
    questions: int
    open: int
    answered: int
    closed: int
    first_response_median_hours: float | None
    answered_within_day_percent: int | None


def reference_response_figures(*, since: datetime | None = None) -> ResponseFigures:
    """Return how many questions are in each state and how quickly librarians answer first."""
    questions = Question.objects.all()
    if since is not None:
        questions = questions.filter(created_at__gte=since)
    counts = questions.aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(state=QuestionState.OPEN)),
        answered=Count("id", filter=Q(state=QuestionState.ANSWERED)),
        closed=Count("id", filter=Q(state=QuestionState.CLOSED)),
    )
    waits = [
        (answered - asked).total_seconds() / 3600
        for asked, answered in questions.filter(first_answered_at__isnull=False).values_list(
            "created_at", "first_answered_at"
        )
    ]
    return ResponseFigures(
        questions=counts["total"],
        open=counts["open"],
        answered=counts["answered"],
        closed=counts["closed"],
        first_response_median_hours=round(median(waits), 1) if waits else None,
        answered_within_day_percent=(
            round(100 * sum(1 for wait in waits if wait <= 24) / len(waits)) if waits else None
        ),
    )


def faq_search(*, query: str = "", category: str = "") -> QuerySet[FaqEntry]:
    """Return the published FAQ entries matching every word of `query` (and `category`)."""
    entries = FaqEntry.objects.all()
    if category:
        entries = entries.filter(category=category)
    for word in query.split()[:8]:
        entries = entries.filter(Q(title__icontains=word) | Q(answer__icontains=word))
    return entries


# --- Delivery ------------------------------------------------------------------------------------


def delivery_rights(*, user) -> MemberDomain | None:
    """Return the member domain that gives `user` delivery rights, or None."""
    domain = user.email.rsplit("@", 1)[-1].lower()
    return MemberDomain.objects.filter(domain=domain, is_active=True).first()


def may_request_delivery(*, user) -> bool:
    return user.is_authenticated and (
        is_delivery_staff(user) or delivery_rights(user=user) is not None
    )


def deliveries_of_user(*, user) -> QuerySet[DeliveryRequest]:
    return DeliveryRequest.objects.filter(requester=user)


def deliveries_for_staff(*, state: str = "") -> QuerySet[DeliveryRequest]:
    requests = DeliveryRequest.objects.select_related("requester")
    if state:
        requests = requests.filter(state=state)
    return requests.order_by("created_at")


def delivery_get_for_user(*, delivery_id: int, user) -> DeliveryRequest:
    """Return the request to its requester or delivery staff; raise DoesNotExist for others."""
    requests = DeliveryRequest.objects.select_related("requester")
    if not is_delivery_staff(user):
        requests = requests.filter(requester=user)
    return requests.get(pk=delivery_id)


def sees_contact_whole(user) -> bool:
    """Whether `user` sees members' phone numbers whole (shipping needs them)."""
    return user_has_role(user, *SHIPPING_ROLES)


# --- Clearance -----------------------------------------------------------------------------------


def clearances_of_user(*, user) -> QuerySet[ClearanceRequest]:
    return ClearanceRequest.objects.filter(student=user)


def clearances_for_staff(*, state: str = "") -> QuerySet[ClearanceRequest]:
    requests = ClearanceRequest.objects.select_related("student", "decided_by")
    if state:
        requests = requests.filter(state=state)
    return requests.order_by("-created_at")


def clearance_get_for_user(*, clearance_id: int, user) -> ClearanceRequest:
    """Return the request to its student or clearance staff; raise DoesNotExist for others."""
    requests = ClearanceRequest.objects.select_related("student", "decided_by")
    if not is_clearance_staff(user):
        requests = requests.filter(student=user)
    return requests.get(pk=clearance_id)


def clearance_by_code(*, code: str) -> ClearanceRequest | None:
    """Return the approved clearance with verification `code`, for the public check."""
    return (
        ClearanceRequest.objects.select_related("student")
        .filter(verification_code=code, state="approved")
        .first()
    )
