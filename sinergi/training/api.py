"""The training router of /api/v1/: programs, batches and registrations.

Thin like the views: parse, call one selector or service, answer. A RegistrationError becomes
409 with its reason and code; Django's ValidationError from a service becomes ninja's 422.
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination, paginate

from sinergi.accounts.models import Role
from sinergi.accounts.selectors import user_has_role

from . import selectors, services
from .models import Batch, BatchStatus, Level, Mode

router = Router(tags=["training"])

PROGRAM_STAFF = (Role.PROGRAM_MANAGER,)  # an administrator holds every role


# --- Schemas -----------------------------------------------------------------------------------


class DetailOut(Schema):
    detail: str


class ErrorOut(Schema):
    detail: str
    code: str = Field(description="The reason for programs: already_registered, closed, ...")


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
    title: str = Field(min_length=1, max_length=200)
    slug: str = Field("", max_length=200, description="Made from the title when empty")
    summary: str = Field(min_length=1, max_length=300)
    description: str = ""
    learning_outcomes: list[str] = []
    total_jp: int = Field(ge=1, le=32767, description="Lesson hours; 1 JP = 45 minutes")
    level: Level = Level.BASIC
    mode: Mode = Mode.ONLINE
    organisers: list[str] = Field(min_length=1)
    competency_units: list[str] = Field([], description="Codes of active competency units")


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
    program: int = Field(description="The program's id")
    code: str = Field(min_length=1, max_length=40)
    capacity: int = Field(ge=1, le=100_000)
    fee: int = Field(ge=0, le=2_000_000_000, description="Whole Rupiah; 0 = free")
    starts_on: date
    ends_on: date
    registration_opens: datetime
    registration_closes: datetime
    mode: Mode | None = Field(None, description="Defaults to the program's mode")
    place: str = Field("", max_length=200, description="Required unless the batch is online")
    agreement_number: str = Field("", max_length=100)


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
    institution_name: str = Field("", max_length=200, description="Default: from the profile")
    position: str = Field("", max_length=150)
    province: str = Field("", max_length=2, description="Two-digit province code")
    phone: str = Field("", max_length=20)


class BatchFilter(Schema):
    status: BatchStatus = BatchStatus.OPEN


# --- Helpers -----------------------------------------------------------------------------------


def _require_program_staff(request) -> None:
    if not user_has_role(request.user, *PROGRAM_STAFF):
        raise HttpError(403, _("Only program managers may do this."))


def _unprocessable(error: DjangoValidationError) -> NinjaValidationError:
    """Return ninja's 422 for a service's ValidationError, keyed by field like pydantic's."""
    fields = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return NinjaValidationError(
        [
            {"type": "value_error", "loc": ["body", "payload", field], "msg": str(message)}
            for field, messages in fields.items()
            for message in messages
        ]
    )


def _field_error(field: str, message) -> NinjaValidationError:
    return _unprocessable(DjangoValidationError({field: message}))


def _conflict(error: services.RegistrationError) -> Status:
    return Status(409, {"detail": str(error.message), "code": error.code})


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
@paginate(PageNumberPagination, page_size=50)
def program_list(request):
    return selectors.program_list(user=request.user)


@router.post(
    "/programs",
    response={201: ProgramOut, 403: DetailOut},
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
    try:
        program = services.program_create(
            actor=request.user,
            learning_outcomes="\n".join(line.strip() for line in payload.learning_outcomes),
            organisers="; ".join(name.strip() for name in payload.organisers),
            competency_units=units,
            **fields,
        )
    except DjangoValidationError as error:
        raise _unprocessable(error) from None
    return Status(201, program)


# --- Batches -----------------------------------------------------------------------------------


@router.get(
    "/batches",
    response={200: list[BatchOut], 403: DetailOut},
    summary="List batches (open ones; other statuses for training staff)",
)
@paginate(PageNumberPagination, page_size=50)
def batch_list(request, filters: Query[BatchFilter]):
    if filters.status != BatchStatus.OPEN and not selectors.is_training_staff(request.user):
        raise HttpError(403, _("Only training staff may list batches in this status."))
    return selectors.batches_in_status(status=filters.status)


@router.post(
    "/batches",
    response={201: BatchOut, 403: DetailOut},
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
    try:
        batch = services.batch_create(
            actor=request.user,
            program=program,
            place="" if mode == Mode.ONLINE else place,
            status=BatchStatus.DRAFT,
            **fields,
        )
    except DjangoValidationError as error:
        raise _unprocessable(error) from None
    return Status(201, batch)


@router.get(
    "/batches/{batch_id}",
    response={200: BatchDetailOut, 404: DetailOut},
    summary="A batch with its seats",
)
def batch_detail(request, batch_id: int):
    batch = _batch_for(request, batch_id)
    batch.seats = selectors.batch_availability(batch=batch)
    return batch


# --- Registrations -----------------------------------------------------------------------------


@router.post(
    "/batches/{batch_id}/registrations",
    response={201: RegistrationOut, 404: DetailOut, 409: ErrorOut},
    summary="Register the authenticated user: a seat, or the waiting list when full",
)
def registration_create(request, batch_id: int, payload: RegistrationIn):
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
    try:
        registration = services.registration_create(
            batch=batch, user=request.user, participant=participant, consent=payload.consent
        )
    except services.RegistrationError as error:
        return _conflict(error)
    return Status(201, registration)


@router.get(
    "/registrations/{registration_id}",
    response={200: RegistrationOut, 404: DetailOut},
    summary="A registration (its owner, group contact or training staff)",
)
def registration_detail(request, registration_id: int):
    return _registration_for(request, registration_id)


@router.post(
    "/registrations/{registration_id}/cancel",
    response={200: RegistrationOut, 404: DetailOut, 409: ErrorOut},
    summary="Cancel a registration; its seat goes to the waiting list",
)
def registration_cancel(request, registration_id: int):
    registration = _registration_for(request, registration_id)
    try:
        registration = services.registration_cancel(registration=registration, actor=request.user)
    except services.RegistrationError as error:
        return _conflict(error)
    return registration
