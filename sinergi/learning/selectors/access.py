"""Who may enter a batch's classroom, and as what.

Participants are the batch's confirmed registrations. Staff are program managers and admins
(they manage every batch); the head reads. A speaker may see a batch where they speak in a
session: its attendance, grading queues and aggregated evaluations of their own sessions.
"""

from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.http import Http404

from sinergi.accounts.models import Role
from sinergi.accounts.selectors import user_has_role
from sinergi.training.models import Batch, Registration, RegistrationState

from ..models import Item

MANAGERS = (Role.PROGRAM_MANAGER, Role.ADMIN)
READERS = (Role.PROGRAM_MANAGER, Role.ADMIN, Role.HEAD)


def is_learning_manager(user) -> bool:
    """Return whether `user` may change any batch's classroom."""
    return user.is_authenticated and user_has_role(user, *MANAGERS)


def is_learning_reader(user) -> bool:
    """Return whether `user` may read any batch's classroom and reports."""
    return user.is_authenticated and user_has_role(user, *READERS)


def is_batch_speaker(user, batch: Batch) -> bool:
    return user.is_authenticated and batch.sessions.filter(speakers=user).exists()


class ClassroomAccess:
    """A person in a batch's classroom: their confirmed `registration` if they take part, and
    what else they may do. The roles are asked only when a page needs them: a participant's
    quiz start or submit should not pay for the staff checks."""

    def __init__(self, *, user, batch: Batch, registration: Registration | None):
        self.user = user
        self.batch = batch
        self.registration = registration

    @cached_property
    def can_manage(self) -> bool:
        return is_learning_manager(self.user)

    @cached_property
    def can_read_reports(self) -> bool:
        return self.can_manage or is_learning_reader(self.user)

    @cached_property
    def is_speaker(self) -> bool:
        return is_batch_speaker(self.user, self.batch)


def classroom_get(*, user, batch_id: int) -> ClassroomAccess:
    """Return the batch and what `user` may do in its classroom; 404 for anyone else."""
    if not user.is_authenticated:
        raise Http404
    registration = (
        Registration.objects.select_related("batch__program")
        .filter(batch_id=batch_id, user=user, state=RegistrationState.CONFIRMED)
        .first()
    )
    if registration is not None:
        registration.user = user
        return ClassroomAccess(user=user, batch=registration.batch, registration=registration)
    batch = Batch.objects.select_related("program").filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    access = ClassroomAccess(user=user, batch=batch, registration=None)
    if not (access.can_read_reports or access.is_speaker):
        raise Http404
    return access


def classroom_get_for_participant(*, user, batch_id: int) -> ClassroomAccess:
    """Like classroom_get, but only a confirmed participant may pass."""
    access = classroom_get(user=user, batch_id=batch_id)
    if access.registration is None:
        raise PermissionDenied
    return access


def classroom_get_for_manager(*, user, batch_id: int) -> ClassroomAccess:
    access = classroom_get(user=user, batch_id=batch_id)
    if not access.can_manage:
        raise PermissionDenied
    return access


def classroom_get_for_grader(*, user, batch_id: int) -> ClassroomAccess:
    """Managers and the batch's speakers grade essays and assignments and take attendance."""
    access = classroom_get(user=user, batch_id=batch_id)
    if not (access.can_manage or access.is_speaker):
        raise PermissionDenied
    return access


def item_get_for_batch(*, batch: Batch, item_id: int) -> Item:
    """Return an item of the batch's own curriculum copy, or 404."""
    item = (
        Item.objects.select_related("module", "session")
        .filter(pk=item_id, module__batch=batch)
        .first()
    )
    if item is None:
        raise Http404
    return item
