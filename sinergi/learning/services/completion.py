"""Completion: recomputed at once whenever something that counts changes.

Every service that records attendance, grades a post-test, grades an assignment or stores a
survey response calls `completion_recompute` in its own transaction. A Completion is created
once and never taken back by a later correction (certificates may have been issued from it);
`participant_completed` is sent after the transaction commits.
"""

from django.db import IntegrityError, transaction

from sinergi.core.services import log_action
from sinergi.training.models import Registration, RegistrationState

from ..models import Completion, Item, ItemCompletion
from ..selectors.progress import completion_rules_met, progress_for
from ..signals import participant_completed


def item_mark_complete(*, item: Item, registration: Registration) -> bool:
    """Record that the participant has done `item`; return whether it is new."""
    _, created = ItemCompletion.objects.get_or_create(item=item, registration=registration)
    return created


def completion_recompute(*, registration: Registration) -> Completion | None:
    """Create the participant's Completion when every rule is met; return it (or None)."""
    existing = Completion.objects.filter(registration=registration).first()
    if existing is not None:
        return existing
    if registration.state != RegistrationState.CONFIRMED:
        return None
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
    log_action(
        None,
        "learning.completed",
        registration,
        {"posttest": str(progress.posttest_score), "attendance": str(progress.attendance_percent)},
    )
    transaction.on_commit(
        lambda: participant_completed.send(sender=Completion, completion=completion)
    )
    return completion
