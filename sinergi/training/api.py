"""The training router of /api/v1/: programs, batches and registrations.

Thin like the views: parse, call one selector or service, answer. A RegistrationError becomes
409 with its reason in `code`, and a service's ValidationError 422, by the API's exception
handlers (sinergi.api.errors), in the shared error shape.
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from sinergi.accounts.models import Role
from sinergi.accounts.selectors import user_has_role
from sinergi.api.errors import ApiError, Error
from sinergi.api.types import MAX_ID, Day, Id, Line, Moment, Pagination, Text

from . import selectors, services
from .models import Batch, BatchStatus, Level, Mode

router = Router(tags=["training"])

PROGRAM_STAFF = (Role.PROGRAM_MANAGER,)  # an administrator holds every role


# --- Schemas -----------------------------------------------------------------------------------


class ProgramOut(Schema):
    id: int
    title: str
    slug: str
    summary: str
    description: str
    learning_outcomes: list[str]
    total_jp: int = Field(description="Lesson hours; 1 JP = 45 minutes")
    level: Level
    mode: Mode
    organisers: list[str]
    competency_units: list[str] = Field(description="Codes of the SKKNI competency units")

    @staticmethod
    def resolve_learning_outcomes(program) -> list[str]:
        return program.outcome_list

    @staticmethod
    def resolve_organisers(program) -> list[str]:
        return program.organiser_list

    @staticmethod
    def resolve_competency_units(program) -> list[str]:
        return [unit.code for unit in program.competency_units.all()]


class ProgramIn(Schema):
    title: Line = Field(min_length=1, max_length=200)
    slug: Line = Field("", max_length=200, description="Made from the title when empty")
    summary: Line = Field(min_length=1, max_length=300)
    description: Text = Field("", max_length=20_000)
    learning_outcomes: list[Line] = Field([], max_length=50)
    total_jp: int = Field(ge=1, le=32767, description="Lesson hours; 1 JP = 45 minutes")
    level: Level = Level.BASIC
    mode: Mode = Mode.ONLINE
    organisers: list[Line] = Field(min_length=1, max_length=10)
    competency_units: list[Line] = Field(
        [], max_length=50, description="Codes of active competency units"
    )


class ProgramRef(Schema):
    id: int
    slug: str
    title: str


class BatchOut(Schema):
    id: int
    program: ProgramRef
    code: str
    status: BatchStatus
    mode: Mode = Field(description="online when the batch has no place, else the program's mode")
    place: str
    starts_on: date
    ends_on: date
    registration_opens: datetime
    registration_closes: datetime
    capacity: int
    fee: int = Field(description="Whole Rupiah; 0 = free")
    available: int = Field(description="Seats free now")

    @staticmethod
    def resolve_mode(batch) -> str:
        if batch.is_online:
            return Mode.ONLINE
        return batch.program.mode if batch.program.mode != Mode.ONLINE else Mode.ONSITE

    @staticmethod
    def resolve_available(batch) -> int:
        # Lists annotate the seats taken in one query (selectors.batches_with_seats).
        return max(batch.capacity - getattr(batch, "seats_taken", 0), 0)


class BatchDetailOut(BatchOut):
    """A batch with its seats counted (the view puts the Availability on `batch.seats`)."""

    confirmed: int
    pending: int = Field(description="Awaiting payment or its verification, within time")
    offered: int = Field(description="Seats offered to the waiting list, within time")
    waitlisted: int

    @staticmethod
    def resolve_available(batch) -> int:
        return batch.seats.available

    @staticmethod
    def resolve_confirmed(batch) -> int:
        return batch.seats.confirmed

    @staticmethod
    def resolve_pending(batch) -> int:
        return batch.seats.pending

    @staticmethod
    def resolve_offered(batch) -> int:
        return batch.seats.offered

    @staticmethod
    def resolve_waitlisted(batch) -> int:
        return batch.seats.waitlisted


class BatchIn(Schema):
    program: int = Field(ge=1, le=MAX_ID, description="The program's id")
    code: Line = Field(min_length=1, max_length=40)
    capacity: int = Field(ge=1, le=100_000)
    fee: int = Field(ge=0, le=2_000_000_000, description="Whole Rupiah; 0 = free")
    starts_on: Day
    ends_on: Day
    registration_opens: Moment
    registration_closes: Moment
    mode: Mode | None = Field(None, description="Defaults to the program's mode")
    place: Line = Field("", max_length=200, description="Required unless the batch is online")
    agreement_number: Line = Field("", max_length=100)


class InvoiceOut(Schema):
    number: str
    amount: int
    transfer_amount: int = Field(description="The amount plus the unique code, to transfer")
    due_at: datetime
    status: str


class BatchRef(Schema):
    id: int
    code: str
    program_title: str

    @staticmethod
    def resolve_program_title(batch) -> str:
        return batch.program.title


class RegistrationOut(Schema):
    id: int
    state: str
    batch: BatchRef
    created_at: datetime
    expires_at: datetime | None = Field(description="Pay before this, while awaiting payment")
    offer_expires_at: datetime | None
    invoice: InvoiceOut | None


class RegistrationIn(Schema):
    consent: Literal[True] = Field(
        description="Consent to the use of personal data (Indonesia's PDP law); must be true"
    )
    institution_name: Line = Field("", max_length=200, description="Default: from the profile")
    position: Line = Field("", max_length=150)
    province: Line = Field("", max_length=2, description="Two-digit province code")
    phone: Line = Field("", max_length=20)


class BatchFilter(Schema):
    status: BatchStatus = BatchStatus.OPEN


# --- Helpers -----------------------------------------------------------------------------------


def _require_program_staff(request) -> None:
    if not user_has_role(request.user, *PROGRAM_STAFF):
        raise ApiError(403, "forbidden", _("Only program managers may do this."))


def _field_error(field: str, message) -> DjangoValidationError:
    """A 422 naming the field, as a service's ValidationError does."""
    return DjangoValidationError({field: DjangoValidationError(message, code="invalid")})


def _batch_for(request, batch_id: int) -> Batch:
    try:
        return selectors.batch_get_public(batch_id=batch_id, user=request.user)
    except ObjectDoesNotExist:
        raise Http404 from None


def _registration_for(request, registration_id: int):
    try:
        return selectors.registration_get_for_user(
            registration_id=registration_id, user=request.user
        )
    except ObjectDoesNotExist:
        raise Http404 from None


# --- Programs ----------------------------------------------------------------------------------


@router.get("/programs", response=list[ProgramOut], summary="List the training programs")
@paginate(Pagination, page_size=50)
def program_list(request):
    return selectors.program_list(user=request.user)


@router.post(
    "/programs",
    response={201: ProgramOut, 403: Error},
    summary="Create a program (program managers)",
)
def program_create(request, payload: ProgramIn):
    _require_program_staff(request)
    units, unknown = selectors.competency_units_by_code(codes=payload.competency_units)
    if unknown:
        raise _field_error(
            "competency_units",
            _("Unknown competency units: %(codes)s") % {"codes": ", ".join(unknown)},
        )
    fields = payload.dict(exclude={"competency_units", "learning_outcomes", "organisers"})
    program = services.program_create(
        actor=request.user,
        learning_outcomes="\n".join(line.strip() for line in payload.learning_outcomes),
        organisers="; ".join(name.strip() for name in payload.organisers),
        competency_units=units,
        **fields,
    )
    return Status(201, program)


# --- Batches -----------------------------------------------------------------------------------


@router.get(
    "/batches",
    response={200: list[BatchOut], 403: Error},
    summary="List batches (open ones; other statuses for training staff)",
)
@paginate(Pagination, page_size=50)
def batch_list(request, filters: Query[BatchFilter]):
    if filters.status != BatchStatus.OPEN and not selectors.is_training_staff(request.user):
        raise ApiError(403, "forbidden", _("Only training staff may list batches in this status."))
    return selectors.batches_in_status(status=filters.status)


@router.post(
    "/batches",
    response={201: BatchOut, 403: Error},
    summary="Create a batch as a draft (program managers); it opens for registration once its "
    "readiness checklist is done",
)
def batch_create(request, payload: BatchIn):
    _require_program_staff(request)
    program = selectors.program_get(program_id=payload.program)
    if program is None:
        raise _field_error("program", _("No such program."))
    mode = payload.mode or program.mode
    place = payload.place.strip()
    if mode != Mode.ONLINE and not place:
        raise _field_error("place", _("Give the place of a batch that is not online."))
    fields = payload.dict(exclude={"program", "mode", "place"})
    batch = services.batch_create(
        actor=request.user,
        program=program,
        place="" if mode == Mode.ONLINE else place,
        status=BatchStatus.DRAFT,
        **fields,
    )
    return Status(201, batch)


@router.get(
    "/batches/{batch_id}",
    response={200: BatchDetailOut, 404: Error},
    summary="A batch with its seats",
)
def batch_detail(request, batch_id: Id):
    batch = _batch_for(request, batch_id)
    batch.seats = selectors.batch_availability(batch=batch)
    return batch


# --- Registrations -----------------------------------------------------------------------------


@router.post(
    "/batches/{batch_id}/registrations",
    response={201: RegistrationOut, 404: Error, 409: Error},
    summary="Register the authenticated user: a seat, or the waiting list when full",
    description="409 `code`: the reason (already_registered, closed, ...).",
)
def registration_create(request, batch_id: Id, payload: RegistrationIn):
    batch = _batch_for(request, batch_id)
    participant = None
    if payload.institution_name or payload.position or payload.province or payload.phone:
        province_id = None
        if payload.province:
            province = selectors.province_by_code(code=payload.province)
            if province is None:
                raise _field_error("province", _("No such province."))
            province_id = province.pk
        user = request.user
        participant = services.Participant(
            institution_name=payload.institution_name or user.institution_name,
            position=payload.position or user.position,
            province_id=province_id or user.province_id,
            phone=payload.phone or user.phone,
        )
    registration = services.registration_create(
        batch=batch, user=request.user, participant=participant, consent=payload.consent
    )
    return Status(201, registration)


@router.get(
    "/registrations/{registration_id}",
    response={200: RegistrationOut, 404: Error},
    summary="A registration (its owner, group contact or training staff)",
)
def registration_detail(request, registration_id: Id):
    return _registration_for(request, registration_id)


@router.post(
    "/registrations/{registration_id}/cancel",
    response={200: RegistrationOut, 404: Error, 409: Error},
    summary="Cancel a registration; its seat goes to the waiting list",
    description="409 `code`: why it cannot be cancelled (its state).",
)
def registration_cancel(request, registration_id: Id):
    registration = _registration_for(request, registration_id)
    return services.registration_cancel(registration=registration, actor=request.user)
