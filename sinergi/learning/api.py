"""The classroom's API: a participant's progress towards completion."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from ninja import Router, Schema

from sinergi.api.errors import Error
from sinergi.api.types import Id
from sinergi.training.models import Registration
from sinergi.training.selectors import registration_get_for_user

from .selectors.access import is_batch_speaker, is_learning_reader
from .selectors.progress import learning_gain, progress_for

router = Router(tags=["learning"])


class RequirementOut(Schema):
    key: str
    met: bool
    detail: dict


class AssignmentProgressOut(Schema):
    title: str
    required: bool
    submitted: bool
    graded: bool
    passed: bool
    score: Decimal | None


class ProgressOut(Schema):
    registration: int
    batch: str
    participant: str
    state: str
    complete: bool
    completed_at: datetime | None
    attendance_percent: Decimal
    sessions_counted: int
    sessions_attended: int
    pretest_score: Decimal | None
    posttest_score: Decimal | None
    posttest_pass_mark: int | None
    learning_gain: float | None
    assignments: list[AssignmentProgressOut]
    surveys_filled: int
    surveys_total: int
    items_done: int
    items_total: int
    requirements: list[RequirementOut]
    missing: list[str]


def _registration_for(request, registration_id: int) -> Registration:
    """The participant, their group contact, training staff, learning readers, or a speaker."""
    try:
        return registration_get_for_user(registration_id=registration_id, user=request.user)
    except ObjectDoesNotExist:
        pass
    registration = (
        Registration.objects.select_related("batch", "user").filter(pk=registration_id).first()
    )
    if registration is not None and (
        is_learning_reader(request.user) or is_batch_speaker(request.user, registration.batch)
    ):
        return registration
    raise Http404


def _jsonable(detail: dict) -> dict:
    return {
        key: (str(value) if isinstance(value, Decimal) else value) for key, value in detail.items()
    }


@router.get(
    "/registrations/{registration_id}/progress",
    response={200: ProgressOut, 404: Error},
    summary="A participant's progress towards completing the batch",
)
def registration_progress(request, registration_id: Id):
    registration = _registration_for(request, registration_id)
    progress = progress_for(registration=registration)
    return {
        "registration": registration.pk,
        "batch": registration.batch.code,
        "participant": registration.user.full_name,
        "state": registration.state,
        "complete": progress.completed_at is not None or progress.complete,
        "completed_at": progress.completed_at,
        "attendance_percent": progress.attendance_percent,
        "sessions_counted": progress.sessions_total,
        "sessions_attended": progress.sessions_attended,
        "pretest_score": progress.pretest_score,
        "posttest_score": progress.posttest_score,
        "posttest_pass_mark": progress.posttest_pass_mark,
        "learning_gain": learning_gain(progress.pretest_score, progress.posttest_score),
        "assignments": progress.assignments,
        "surveys_filled": progress.surveys_filled,
        "surveys_total": progress.surveys_total,
        "items_done": progress.items_done,
        "items_total": progress.items_total,
        "requirements": [
            {"key": r.key, "met": r.met, "detail": _jsonable(r.detail)}
            for r in progress.requirements
        ],
        "missing": [r.key for r in progress.missing],
    }
