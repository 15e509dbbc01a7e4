"""Assignments (kertas kerja, rencana tindak lanjut): settings, submissions and grading.

A participant may submit and resubmit until the work is graded; after the due date the late
policy decides (accept, accept with a penalty, refuse). A manager or a speaker of the batch
grades with a score or with the rubric (the criteria's points summed), and the participant's
completion is recomputed at once.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.services import log_action
from sinergi.core.uploads import DOCX, JPEG, PDF, PNG, validate_upload
from sinergi.training.models import Registration

from ..models import (
    Assignment,
    LatePolicy,
    RubricCriterion,
    Submission,
    SubmissionState,
)
from .attendance import registration_lock
from .completion import completion_recompute, item_mark_complete

SUBMISSION_KINDS = {PDF, DOCX, JPEG, PNG}
SUBMISSION_MAX_BYTES = 10 * 1024 * 1024
TEXT_MAX = 50_000


def assignment_update(
    *,
    assignment: Assignment,
    actor,
    instructions: str,
    allow_text: bool,
    allow_file: bool,
    due_at: datetime | None,
    late_policy: str,
    late_penalty_percent: int,
    max_score: int,
    pass_score: int,
    required: bool,
) -> Assignment:
    """Change an assignment's settings."""
    errors = {}
    if not (allow_text or allow_file):
        errors["allow_text"] = _("Allow a text answer, a file, or both.")
    if pass_score > max_score:
        errors["pass_score"] = _("The pass score cannot be above the maximum score.")
    if late_policy == LatePolicy.PENALTY and not 0 < late_penalty_percent <= 100:
        errors["late_penalty_percent"] = _("Give a penalty between 1 and 100 per cent.")
    if errors:
        raise ValidationError(errors)
    assignment.instructions = instructions.strip()
    assignment.allow_text = allow_text
    assignment.allow_file = allow_file
    assignment.due_at = due_at
    assignment.late_policy = late_policy
    assignment.late_penalty_percent = (
        late_penalty_percent if late_policy == LatePolicy.PENALTY else 0
    )
    assignment.max_score = max_score
    assignment.pass_score = pass_score
    assignment.required = required
    with transaction.atomic():
        assignment.save()
        log_action(
            actor,
            "learning.assignment.updated",
            assignment,
            {"due_at": due_at.isoformat() if due_at else None, "late_policy": late_policy},
        )
    return assignment


def rubric_set(*, assignment: Assignment, actor, criteria: list[tuple[str, int]]) -> None:
    """Replace the rubric; the maximum score becomes the criteria's points summed.

    Refused once any submission is graded, since the grades were given by the old rubric.
    """
    criteria = [(title.strip(), points) for title, points in criteria if title.strip()]
    if any(points < 1 for _title, points in criteria):
        raise ValidationError(_("Each criterion is worth at least one point."))
    with transaction.atomic():
        if assignment.submissions.filter(state=SubmissionState.GRADED).exists():
            raise ValidationError(_("Work has already been graded with this rubric."))
        assignment.criteria.all().delete()
        RubricCriterion.objects.bulk_create(
            RubricCriterion(assignment=assignment, title=title, max_points=points, position=i)
            for i, (title, points) in enumerate(criteria)
        )
        if criteria:
            assignment.max_score = sum(points for _title, points in criteria)
            assignment.pass_score = min(assignment.pass_score, assignment.max_score)
            assignment.save(update_fields=["max_score", "pass_score"])
        log_action(actor, "learning.assignment.rubric", assignment, {"criteria": len(criteria)})


@dataclass(frozen=True)
class SubmitPolicy:
    allowed: bool
    late: bool
    reason: str = ""


def submit_policy(
    *, assignment: Assignment, submission: Submission | None, now: datetime | None = None
) -> SubmitPolicy:
    """Return whether work may be (re)submitted now, and whether it would be late."""
    now = now or timezone.now()
    late = assignment.due_at is not None and now > assignment.due_at
    if submission is not None and submission.state == SubmissionState.GRADED:
        return SubmitPolicy(False, late, _("Your work has been graded."))
    if late and assignment.late_policy == LatePolicy.REFUSE:
        return SubmitPolicy(False, late, _("The due date has passed."))
    return SubmitPolicy(True, late)


def submission_submit(
    *,
    assignment: Assignment,
    registration: Registration,
    text: str = "",
    file=None,
    now: datetime | None = None,
) -> Submission:
    """Store the participant's work (replacing an earlier, ungraded submission)."""
    now = now or timezone.now()
    text = (text or "").strip()
    errors = {}
    if text and not assignment.allow_text:
        errors["text"] = _("This assignment takes a file, not a text answer.")
    if file and not assignment.allow_file:
        errors["file"] = _("This assignment takes a text answer, not a file.")
    if len(text) > TEXT_MAX:
        errors["text"] = _("The answer is too long.")
    if file and "file" not in errors:
        try:
            validate_upload(file, allowed=SUBMISSION_KINDS, max_bytes=SUBMISSION_MAX_BYTES)
        except ValidationError as error:
            errors["file"] = error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        registration_lock(registration)
        submission = Submission.objects.filter(
            assignment=assignment, registration=registration
        ).first()
        policy = submit_policy(assignment=assignment, submission=submission, now=now)
        if not policy.allowed:
            raise ValidationError(policy.reason, code="refused")
        if not text and not file and not (submission and (submission.text or submission.file)):
            raise ValidationError(_("Write your answer or choose a file."), code="empty")
        created = submission is None
        if created:
            submission = Submission(assignment=assignment, registration=registration)
        submission.text = text if assignment.allow_text else ""
        if file:
            submission.file = file
        submission.state = SubmissionState.SUBMITTED
        submission.submitted_at = now
        submission.is_late = policy.late
        submission.save()
        log_action(
            registration.user,
            "learning.submission.submitted",
            submission,
            {"late": policy.late, "resubmitted": not created},
        )
        item_mark_complete(item=assignment.item, registration=registration)
        completion_recompute(registration=registration)
    return submission


def _penalised(score: Decimal, assignment: Assignment, submission: Submission) -> Decimal:
    if submission.is_late and assignment.late_policy == LatePolicy.PENALTY:
        factor = Decimal(100 - assignment.late_penalty_percent) / 100
        score = score * factor
    return score.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def submission_grade(
    *,
    submission: Submission,
    actor,
    feedback: str = "",
    score: Decimal | None = None,
    rubric_points: dict[int, int] | None = None,
) -> Submission:
    """Grade (or regrade) a submission by a score or by the rubric; a late penalty applies."""
    assignment = submission.assignment
    criteria = list(assignment.criteria.all())
    if criteria:
        rubric_points = rubric_points or {}
        errors = {}
        for criterion in criteria:
            points = rubric_points.get(criterion.pk)
            if points is None or not 0 <= points <= criterion.max_points:
                errors[f"criterion_{criterion.pk}"] = _("Give between 0 and %(max)s points.") % {
                    "max": criterion.max_points
                }
        if errors:
            raise ValidationError(errors)
        raw = Decimal(sum(rubric_points[criterion.pk] for criterion in criteria))
        stored_points = {str(criterion.pk): rubric_points[criterion.pk] for criterion in criteria}
    else:
        if score is None or not 0 <= score <= assignment.max_score:
            raise ValidationError(
                {"score": _("Give a score between 0 and %(max)s.") % {"max": assignment.max_score}}
            )
        raw = Decimal(score)
        stored_points = {}
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        graded = (_penalised(raw, assignment, submission), raw, stored_points, feedback.strip())
        if submission.state == SubmissionState.GRADED and graded == (
            submission.score,
            submission.raw_score,
            submission.rubric_points,
            submission.feedback,
        ):
            return submission  # the same grade again: the grader and the time stay
        submission.score = graded[0]
        submission.raw_score = raw
        submission.rubric_points = stored_points
        submission.feedback = feedback.strip()
        submission.state = SubmissionState.GRADED
        submission.graded_by = actor
        submission.graded_at = timezone.now()
        submission.save(
            update_fields=[
                "score",
                "raw_score",
                "rubric_points",
                "feedback",
                "state",
                "graded_by",
                "graded_at",
            ]
        )
        log_action(
            actor,
            "learning.submission.graded",
            submission,
            {"score": str(submission.score), "raw": str(raw), "late": submission.is_late},
        )
        completion_recompute(registration=submission.registration)
    return submission
