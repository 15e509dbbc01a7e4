"""Completion: recomputed at once whenever something that counts changes.

Every service that records attendance, grades a post-test, grades an assignment or stores a
survey response calls `completion_recompute` in its own transaction. A Completion is created
once and never taken back by a later correction (certificates may have been issued from it);
`participant_completed` is sent after the transaction commits.

Completion (and so the certificate) waits until the batch's last session has started: a
certificate says the participant took part in the whole run, so it cannot come before the run's
last session. Staff may record it earlier with a reason (`completion_override`, audit-logged);
`completions_recompute_due` (a periodic job) records the completions that were only waiting
for that moment.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.formatting import format_datetime
from sinergi.core.services import log_action
from sinergi.training.models import Registration, RegistrationState

from ..models import (
    Assignment,
    Completion,
    CompletionRules,
    CompletionTest,
    Item,
    ItemCompletion,
    Quiz,
    Session,
)
from ..selectors.progress import completion_rules_met, progress_for
from ..signals import participant_completed


def item_mark_complete(*, item: Item, registration: Registration) -> bool:
    """Record that the participant has done `item`; return whether it is new."""
    _, created = ItemCompletion.objects.get_or_create(item=item, registration=registration)
    return created


def completion_opens_at(*, batch) -> datetime:
    """Return the moment from which the batch's participants can complete it: when its last
    session starts, or (a batch without scheduled sessions) when the batch starts, WIB."""
    last = Session.objects.filter(batch=batch).aggregate(last=Max("starts_at"))["last"]
    return last if last is not None else batch.starts_at


def completion_recompute(
    *, registration: Registration, now: datetime | None = None
) -> Completion | None:
    """Create the participant's Completion when every rule is met and the batch's last session
    has started; return it (or None)."""
    existing = Completion.objects.filter(registration=registration).first()
    if existing is not None:
        return existing
    if registration.state != RegistrationState.CONFIRMED:
        return None
    if (now or timezone.now()) < completion_opens_at(batch=registration.batch):
        return None
    return _complete(registration=registration, actor=None, reason="")


def _complete(*, registration: Registration, actor, reason: str) -> Completion | None:
    if not completion_rules_met(registration=registration):
        return None
    progress = progress_for(registration=registration)
    if not progress.complete:  # the same rules, read again a moment later
        return None
    try:
        with transaction.atomic():
            completion = Completion.objects.create(
                registration=registration,
                posttest_score=progress.posttest_score,
                attendance_percent=progress.attendance_percent,
            )
    except IntegrityError:  # completed by a concurrent event a moment ago
        return Completion.objects.get(registration=registration)
    data = {
        "posttest": str(progress.posttest_score),
        "attendance": str(progress.attendance_percent),
    }
    if reason:
        log_action(
            actor, "learning.completion.overridden", registration, {**data, "reason": reason}
        )
    else:
        log_action(actor, "learning.completed", registration, data)
    transaction.on_commit(
        lambda: participant_completed.send(sender=Completion, completion=completion)
    )
    return completion


def completion_override(
    *, registration: Registration, actor, reason: str, now: datetime | None = None
) -> Completion:
    """Record a completion before the batch's last session has started (staff, with a reason).

    The rules of completion still apply; only the wait for the last session is skipped.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason for recording the completion early.")}, code="reason"
        )
    existing = Completion.objects.filter(registration=registration).first()
    if existing is not None:
        return existing
    if registration.state != RegistrationState.CONFIRMED:
        raise ValidationError(_("Only a confirmed participant can complete."), code="state")
    with transaction.atomic():
        completion = _complete(registration=registration, actor=actor, reason=reason)
    if completion is None:
        raise ValidationError(
            _("The participant does not meet the rules of completion yet."), code="rules"
        )
    return completion


def completion_wait_message(*, batch, now: datetime | None = None) -> str:
    """Return why completions of `batch` wait (empty when they do not)."""
    opens = completion_opens_at(batch=batch)
    if (now or timezone.now()) >= opens:
        return ""
    return _(
        "Completion and certificates wait until the batch's last session has started (%(when)s)."
    ) % {"when": format_datetime(opens)}


def completions_recompute_due(*, now: datetime | None = None) -> int:
    """Record the completions that were waiting for their batch's last session to start.

    Looks at batches that ended at most 30 days ago; returns how many completions it recorded.
    """
    now = now or timezone.now()
    since = timezone.localdate(now) - timedelta(days=30)
    registrations = (
        Registration.objects.filter(
            state=RegistrationState.CONFIRMED,
            completion__isnull=True,
            batch__ends_on__gte=since,
            batch__starts_on__lte=timezone.localdate(now),
        )
        .select_related("batch")
        .order_by("batch_id", "id")
    )
    made = 0
    opens: dict[int, datetime] = {}
    for registration in registrations:
        batch = registration.batch
        if batch.pk not in opens:
            opens[batch.pk] = completion_opens_at(batch=batch)
        if now < opens[batch.pk]:
            continue
        with transaction.atomic():
            if completion_recompute(registration=registration, now=now) is not None:
                made += 1
    return made


@dataclass
class RulesSaved:
    rules: CompletionRules
    completed: int  # participants who completed at once under the new rules


def completion_rules_save(
    *,
    batch,
    actor,
    min_attendance_percent: int,
    tests: list[tuple[Quiz, int]],
    assignments: list[Assignment],
    require_survey: bool,
) -> RulesSaved:
    """Set the batch's rules of completion and re-check every participant under them.

    `tests` are (quiz, pass mark) pairs of the batch's quizzes; `assignments` the batch's
    assignments that must be passed (the others stop counting). A participant who already
    completed keeps the completion (a certificate may exist); the others who meet the new
    rules complete now, subject to the wait for the last session.
    """
    errors: dict[str, list] = {}
    if not 0 <= min_attendance_percent <= 100:
        errors["min_attendance_percent"] = [_("The minimum attendance is 0 to 100%.")]
    for quiz, pass_mark in tests:
        if quiz.item.module.batch_id != batch.pk:
            errors.setdefault("__all__", []).append(_("A test is not of this batch."))
        elif not 0 <= pass_mark <= 100:
            errors.setdefault("__all__", []).append(
                _("The pass mark of %(test)s is a percentage, 0 to 100.")
                % {"test": quiz.item.title}
            )
    if any(assignment.item.module.batch_id != batch.pk for assignment in assignments):
        errors.setdefault("__all__", []).append(_("An assignment is not of this batch."))
    if errors:
        raise ValidationError(errors)
    chosen = {assignment.pk for assignment in assignments}
    with transaction.atomic():
        rules, _created = CompletionRules.objects.update_or_create(
            batch=batch,
            defaults={
                "min_attendance_percent": min_attendance_percent,
                # The chosen tests are rows; the post-test counts only if chosen.
                "require_posttest_pass": False,
                "require_assignments": True,
                "require_survey": require_survey,
            },
        )
        CompletionTest.objects.filter(rules=rules).delete()
        CompletionTest.objects.bulk_create(
            CompletionTest(rules=rules, quiz=quiz, pass_mark=pass_mark) for quiz, pass_mark in tests
        )
        batch_assignments = Assignment.objects.filter(item__module__batch=batch)
        batch_assignments.filter(pk__in=chosen).update(required=True)
        batch_assignments.exclude(pk__in=chosen).update(required=False)
        log_action(
            actor,
            "learning.completion_rules.saved",
            batch,
            {
                "min_attendance_percent": min_attendance_percent,
                "tests": {str(quiz.pk): pass_mark for quiz, pass_mark in tests},
                "assignments": sorted(chosen),
                "require_survey": require_survey,
            },
        )
        completed = 0
        waiting = Registration.objects.filter(
            batch=batch, state=RegistrationState.CONFIRMED, completion__isnull=True
        ).select_related("batch")
        for registration in waiting:
            if completion_recompute(registration=registration) is not None:
                completed += 1
    return RulesSaved(rules=rules, completed=completed)
