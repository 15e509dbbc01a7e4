"""The partnerships router of /api/v1/: agreements and their process steps.

Scoped by the same selector as the pages: cooperation staff see every agreement, a partner
officer only its institution's, anyone else none.
"""

from datetime import date, datetime

from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from sinergi.api.errors import Error
from sinergi.api.types import MAX_ID, Id, Pagination

from . import selectors
from .models import Agreement, AgreementKind, AgreementStatus, StepActor

router = Router(tags=["partners"])


class PartnerRef(Schema):
    id: int
    name: str
    type: str


class AgreementOut(Schema):
    id: int
    kind: AgreementKind
    title: str
    status: AgreementStatus = Field(description="Computed from the dates, steps and marks")
    partner: PartnerRef
    parent_id: int | None
    renewal_of_id: int | None
    our_number: str
    partner_number: str
    signed_on: date | None
    starts_on: date | None
    ends_on: date | None
    unit: str
    scope: list[str]

    @staticmethod
    def resolve_scope(agreement) -> list[str]:
        return [item.name for item in agreement.scope_items.all()]


class DecisionOut(Schema):
    decision: str
    note: str
    decided_at: datetime


class StepOut(Schema):
    order: int
    code: str
    title: str
    actor: StepActor
    state: str = Field(description="done, current, overdue or waiting (to come)")
    duration_days: int = Field(description="Expected duration in working days")
    started_on: date | None
    due_on: date | None
    working_days_late: int
    required_documents: list[str]
    decisions: list[DecisionOut]


class AgreementDetailOut(AgreementOut):
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(agreement) -> list[dict]:
        return [_step_out(item) for item in selectors.agreement_timeline(agreement=agreement)]


class AgreementFilters(Schema):
    status: AgreementStatus | None = None
    expiring_within_days: int | None = Field(None, ge=0, le=3650)
    partner: int | None = Field(None, ge=1, le=MAX_ID, description="A partner's id")


def _step_out(item: selectors.TimelineStep) -> dict:
    step = item.step
    return {
        "order": step.order,
        "code": step.code,
        "title": step.title,
        "actor": step.actor,
        "state": item.state,
        "duration_days": step.duration_days,
        "started_on": step.started_on,
        "due_on": step.due_on,
        "working_days_late": item.working_days_late,
        "required_documents": step.required_documents,
        "decisions": [
            {"decision": d.decision, "note": d.note, "decided_at": d.decided_at}
            for d in item.decisions
        ],
    }


@router.get(
    "/agreements",
    response=list[AgreementOut],
    summary="List the cooperation agreements you may see",
)
@paginate(Pagination, page_size=50)
def agreement_list(request, filters: Query[AgreementFilters]):
    return selectors.agreement_list(
        user=request.user,
        status=filters.status or "",
        partner=filters.partner,
        expiring_within_days=filters.expiring_within_days,
    ).prefetch_related("scope_items")


@router.get(
    "/agreements/{agreement_id}",
    response={200: AgreementDetailOut, 404: Error},
    summary="One agreement with the steps of its process",
)
def agreement_detail(request, agreement_id: Id):
    try:
        agreement = selectors.agreement_get_for_user(agreement_id=agreement_id, user=request.user)
    except Agreement.DoesNotExist:
        raise Http404 from None
    return agreement
