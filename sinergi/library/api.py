"""The library router of /api/v1/: titles, loans and holds.

Thin like the views. A LendingError becomes 409 by the API's exception handlers, its reason in
`code` (no_copy_available, loan_limit_reached, already_on_loan, already_on_hold,
hold_limit_reached, copy_available, no_license, license_ended, withdrawn, open_access,
not_active) and `details.hold_available`; a service's ValidationError becomes 422.
"""

from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from sinergi.api.errors import ApiError, Error
from sinergi.api.types import MAX_PAGE, Id, Line, Text

from . import selectors, services
from .models import ContributorRole

router = Router(tags=["library"])
PAGE_SIZE = 50


class ContributorSchema(Schema):
    name: str
    role: str = Field("aut", description="aut, edt, trl, ill or ctb")


class ContributorIn(Schema):
    name: Line = Field(min_length=1, max_length=255)
    role: Line = Field("aut", max_length=3, description="aut, edt, trl, ill or ctb")


class TitleOut(Schema):
    id: int
    title: str
    subtitle: str
    contributors: list[ContributorSchema]
    publisher: str
    place: str
    year: int | None
    edition: str
    isbn: str
    language: str
    subjects: list[str]
    ddc: str
    description: str
    open_access: bool
    formats: list[str]
    updated_at: datetime

    @staticmethod
    def resolve_contributors(title):
        return [{"name": c.name, "role": c.role} for c in title.contributors.all()]

    @staticmethod
    def resolve_subjects(title):
        return [s.name for s in title.subjects.all()]

    @staticmethod
    def resolve_formats(title):
        return [f.kind for f in title.files.all()]


class TitleDetailOut(TitleOut):
    copies: int
    available: int
    holds: int = Field(alias="holds_count")


class TitleIn(Schema):
    title: Line = Field(min_length=1, max_length=500)
    subtitle: Line = Field("", max_length=500)
    contributors: list[ContributorIn] = Field([], max_length=100)
    publisher: Line = Field("", max_length=255)
    place: Line = Field("", max_length=255)
    year: int | None = Field(None, ge=1450, le=2100)
    edition: Line = Field("", max_length=100)
    isbn: Line = Field("", max_length=17, description="ISBN-10 or ISBN-13, hyphens allowed")
    language: Line = Field("", max_length=3)
    subjects: list[Line] = Field([], max_length=100)
    ddc: Line = Field("", max_length=30)
    description: Text = Field("", max_length=20_000)
    open_access: bool = False
    copies: int | None = Field(None, ge=0, le=100_000, description="Licensed concurrent copies")


class TitleFilter(Schema):
    q: Line = Field("", max_length=200, description="Words of the title, author, subject, ...")
    page: int = Field(1, ge=1, le=MAX_PAGE)


class LoanOut(Schema):
    id: int
    title: int = Field(alias="title_id")
    title_name: str
    state: str
    started_at: datetime
    ends_at: datetime = Field(alias="due_at")
    returned_at: datetime | None

    @staticmethod
    def resolve_title_name(loan) -> str:
        return loan.title.title


class HoldOut(Schema):
    id: int
    title: int = Field(alias="title_id")
    title_name: str
    state: str
    position: int = Field(description="Place in the queue; 0 when a copy is reserved")
    reserved_until: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_title_name(hold) -> str:
        return hold.title.title

    @staticmethod
    def resolve_position(hold) -> int:
        return selectors.hold_position(hold=hold)


def _title(request, title_id: int):
    try:
        return selectors.title_get(title_id=title_id, user=request.user)
    except ObjectDoesNotExist:
        raise Http404 from None


def _detail(title):
    availability = selectors.title_availability(title=title)
    title.copies = availability.copies
    title.available = availability.available
    title.holds_count = availability.holds
    return title


@router.get("/titles", response=list[TitleOut], summary="Search the e-book catalogue")
def title_list(request, filters: Query[TitleFilter]):
    result = selectors.catalogue_search(user=request.user, text=filters.q, with_facets=False)
    start = (filters.page - 1) * PAGE_SIZE
    return list(result.titles.prefetch_related("subjects")[start : start + PAGE_SIZE])


@router.get(
    "/titles/{title_id}",
    response={200: TitleDetailOut, 404: Error},
    summary="A title with its copies, free copies and holds",
)
def title_detail(request, title_id: Id):
    return _detail(_title(request, title_id))


@router.post(
    "/titles",
    response={201: TitleDetailOut, 403: Error},
    summary="Create a record, with a license pool of `copies` (collection librarians)",
)
def title_create(request, payload: TitleIn):
    if not selectors.is_library_staff(request.user):
        raise ApiError(403, "forbidden", _("Only collection librarians may create records."))
    data = payload.dict()
    copies = data.pop("copies")
    for contributor in data["contributors"]:
        if contributor["role"] not in ContributorRole.values:
            contributor["role"] = ContributorRole.CONTRIBUTOR
    data["contributors"] = [services.ContributorData(**c) for c in data["contributors"]]
    title = services.title_create(
        actor=request.user, data=services.TitleData(**data), copies=copies
    )
    return Status(201, _detail(selectors.title_get(title_id=title.pk, user=request.user)))


@router.post(
    "/titles/{title_id}/loans",
    response={201: LoanOut, 404: Error, 409: Error},
    summary="Borrow a title; 409 says why not (and whether a hold is possible)",
    description="409 `code`: the reason (no_copy_available, loan_limit_reached, ...); "
    "`details.hold_available` says whether joining the queue would work.",
)
def loan_create(request, title_id: Id):
    title = _title(request, title_id)
    return Status(201, services.loan_create(title=title, user=request.user))


@router.post(
    "/titles/{title_id}/holds",
    response={201: HoldOut, 404: Error, 409: Error},
    summary="Join the queue for a title",
    description="409 `code`: the reason (copy_available, already_on_hold, ...).",
)
def hold_create(request, title_id: Id):
    title = _title(request, title_id)
    return Status(201, services.hold_create(title=title, user=request.user))


@router.delete(
    "/loans/{loan_id}",
    response={200: LoanOut, 404: Error, 409: Error},
    summary="Return a loan early",
    description="409 `code`: why it cannot be returned (not_active).",
)
def loan_return(request, loan_id: Id):
    try:
        loan = selectors.loan_get(loan_id=loan_id, user=request.user)
    except ObjectDoesNotExist:
        raise Http404 from None
    return services.loan_return(loan=loan, actor=request.user)


@router.get("/me/loans", response=list[LoanOut], summary="My active e-book loans")
def my_loans(request):
    return list(selectors.loans_of_user(user=request.user))


@router.get("/me/holds", response=list[HoldOut], summary="My places in e-book queues")
def my_holds(request):
    return list(selectors.holds_of_user(user=request.user))
