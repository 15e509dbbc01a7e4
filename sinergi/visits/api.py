"""The visits router of /api/v1/: slots and reservations.

Thin like the views. A VisitError becomes 409 with its reason in `code` (full, limit_reached,
closed, not_open, started, already_booked, state) and a service's ValidationError 422, by the
API's exception handlers (sinergi.api.errors), in the shared error shape.
"""

from datetime import date, datetime

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from sinergi.api.errors import ApiError, Error
from sinergi.api.types import FIRST_YEAR, LAST_YEAR, MAX_ID, Id, Line, Moment

from . import selectors, services
from .models import ServicePoint

router = Router(tags=["visits"])


class ServicePointRef(Schema):
    id: int
    slug: str
    name: str


class SlotOut(Schema):
    id: int
    service_point: ServicePointRef
    starts_at: datetime
    ends_at: datetime
    capacity: int
    walk_in_seats: int = Field(description="Seats kept for people who come without booking")
    bookable_seats: int
    available: int = Field(description="Seats that can still be booked online")
    booking_opens_at: datetime | None
    closed: bool
    closure_reason: str

    @staticmethod
    def resolve_available(slot) -> int:
        return max(slot.bookable_seats - getattr(slot, "booked", 0), 0)

    @staticmethod
    def resolve_closed(slot) -> bool:
        return slot.closure_id is not None

    @staticmethod
    def resolve_closure_reason(slot) -> str:
        return slot.closure.reason if slot.closure_id else ""


class SlotFilter(Schema):
    date: date
    service_point: Line = Field("", max_length=100, description="The service point's id or slug")


class SlotIn(Schema):
    service_point: Line = Field(
        min_length=1, max_length=100, description="The service point's id or slug"
    )
    starts_at: Moment
    ends_at: Moment
    capacity: int = Field(ge=1, le=100_000)
    booking_opens_at: Moment | None = Field(None, description="Empty: bookable at once")


class ReservationOut(Schema):
    id: int
    code: str = Field(description="The ticket code, also in the ticket's QR code")
    state: str
    slot: int = Field(alias="slot_id")
    starts_at: datetime
    ends_at: datetime
    service_point: str
    created_at: datetime

    @staticmethod
    def resolve_starts_at(reservation) -> datetime:
        return reservation.slot.starts_at

    @staticmethod
    def resolve_ends_at(reservation) -> datetime:
        return reservation.slot.ends_at

    @staticmethod
    def resolve_service_point(reservation) -> str:
        return reservation.slot.service_point.slug


def _point(value: str, user) -> ServicePoint | None:
    points = ServicePoint.objects.all()
    if not selectors.is_visit_staff(user):
        points = points.filter(is_active=True)
    if value.isascii() and value.isdigit():
        number = int(value)
        if not 1 <= number <= MAX_ID:
            return None
        return points.filter(pk=number).first()
    return points.filter(slug=value).first()


@router.get(
    "/visit-slots",
    response={200: list[SlotOut], 404: Error},
    summary="The visit slots of a day, with the seats still free",
    description="404 when `service_point` names no service point. Days outside the years "
    "1900-2200 have no slots.",
)
def slot_list(request, filters: Query[SlotFilter]):
    if not FIRST_YEAR <= filters.date.year <= LAST_YEAR:
        return []  # no slot is that far (and the day's bounds would overflow at year 1)
    point = None
    if filters.service_point:
        point = _point(filters.service_point, request.user)
        if point is None:
            raise Http404
    slots = selectors.slots_for_day(day=filters.date, service_point=point)
    if not selectors.is_visit_staff(request.user):
        slots = slots.filter(service_point__is_active=True)
    return list(slots)


@router.post(
    "/visit-slots",
    response={201: SlotOut, 403: Error},
    summary="Create a visit slot (services desk, librarians)",
)
def slot_create(request, payload: SlotIn):
    if not selectors.is_visit_staff(request.user):
        raise ApiError(403, "forbidden", _("Only library staff may create visit slots."))
    point = _point(payload.service_point, request.user)
    if point is None:
        raise DjangoValidationError(
            {"service_point": DjangoValidationError(_("No such service point."), code="invalid")}
        )
    slot = services.slot_create(
        service_point=point,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        capacity=payload.capacity,
        booking_opens_at=payload.booking_opens_at,
        actor=request.user,
    )
    return Status(201, selectors.slot_get(slot_id=slot.pk))


@router.post(
    "/visit-slots/{slot_id}/reservations",
    response={201: ReservationOut, 404: Error, 409: Error},
    summary="Book a seat for the authenticated user; 409 says why not",
    description="409 `code`: the reason (full, limit_reached, closed, not_open, started, "
    "already_booked).",
)
def reservation_create(request, slot_id: Id):
    try:
        slot = selectors.slot_get(slot_id=slot_id)
    except ObjectDoesNotExist:
        raise Http404 from None
    return Status(201, services.reservation_create(slot=slot, user=request.user))


def _reservation_for(request, reservation_id: int):
    try:
        return selectors.reservation_get_for_user(reservation_id=reservation_id, user=request.user)
    except ObjectDoesNotExist:
        raise Http404 from None


@router.get(
    "/reservations/{reservation_id}",
    response={200: ReservationOut, 404: Error},
    summary="A reservation (its owner, or library staff)",
)
def reservation_detail(request, reservation_id: Id):
    return _reservation_for(request, reservation_id)


@router.delete(
    "/reservations/{reservation_id}",
    response={204: None, 404: Error, 409: Error},
    summary="Cancel a reservation before its slot starts",
    description="409 `code`: why not (started, state).",
)
def reservation_cancel(request, reservation_id: Id):
    reservation = _reservation_for(request, reservation_id)
    services.reservation_cancel(reservation=reservation, actor=request.user)
    return Status(204, None)
