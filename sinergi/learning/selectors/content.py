"""Reads of curricula: a program's template for its editors, a batch's modules with the state of
each item for one participant, and the doors to a module or item for the staff who edit it."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from sinergi.training.models import Batch, Program, Registration

from ..models import Item, ItemCompletion, Module, Session
from .access import ClassroomAccess, is_learning_manager, item_get_for_batch

DONE, AVAILABLE, LOCKED = "done", "available", "locked"


def modules_with_items(*, program: Program | None = None, batch: Batch | None = None) -> QuerySet:
    """Return the modules of a template or of a batch's copy, each with its items in order."""
    owner = {"program": program} if program is not None else {"batch": batch}
    items = Item.objects.select_related("session", "requires", "quiz", "assignment", "survey")
    return Module.objects.filter(**owner).prefetch_related(
        Prefetch("items", queryset=items.order_by("position", "id"))
    )


def program_get_for_manager(*, user, program_id: int) -> Program:
    """Return a program whose template `user` may edit; 404 for others."""
    if not is_learning_manager(user):
        raise Http404
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        raise Http404
    return program


def module_get_for_manager(*, user, module_id: int) -> Module:
    """Return a module (of a template or a batch) that `user` may edit; 404 for others."""
    if not is_learning_manager(user):
        raise Http404
    module = Module.objects.select_related("program", "batch__program").filter(pk=module_id).first()
    if module is None:
        raise Http404
    return module


def item_get_for_manager(*, user, item_id: int) -> Item:
    if not is_learning_manager(user):
        raise Http404
    item = (
        Item.objects.select_related("module__program", "module__batch__program", "session")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404
    return item


@dataclass
class ItemState:
    item: Item
    state: str  # done, available or locked
    available_from: datetime | None = None  # locked until then
    requires: Item | None = None  # locked until this one is done

    @property
    def locked(self) -> bool:
        return self.state == LOCKED


def _state(item: Item, done: set[int], now: datetime) -> ItemState:
    if item.pk in done:
        return ItemState(item, DONE)
    if item.available_from and item.available_from > now:
        return ItemState(item, LOCKED, available_from=item.available_from)
    if item.requires_id and item.requires_id not in done:
        return ItemState(item, LOCKED, requires=item.requires)
    return ItemState(item, AVAILABLE)


def completed_item_ids(*, registration: Registration) -> set[int]:
    return set(
        ItemCompletion.objects.filter(registration=registration).values_list("item_id", flat=True)
    )


def item_state(*, item: Item, registration: Registration | None) -> ItemState:
    """Return whether `registration` has done, may open, or may not yet open `item`.

    Staff (no registration) see every item as available.
    """
    if registration is None:
        return ItemState(item, AVAILABLE)
    return _state(item, completed_item_ids(registration=registration), timezone.now())


@dataclass
class ModuleView:
    module: Module
    items: list[ItemState]


def classroom_modules(*, batch: Batch, registration: Registration | None) -> list[ModuleView]:
    """Return the batch's modules with each item's state for the participant (if any)."""
    done = completed_item_ids(registration=registration) if registration else set()
    now = timezone.now()
    views = []
    for module in modules_with_items(batch=batch):
        states = [
            _state(item, done, now) if registration else ItemState(item, AVAILABLE)
            for item in module.items.all()
        ]
        views.append(ModuleView(module, states))
    return views


def item_open_for(*, access: ClassroomAccess, item_id: int) -> tuple[Item, ItemState]:
    """Return an item of the classroom and its state; PermissionDenied when it is locked."""
    item = item_get_for_batch(batch=access.batch, item_id=item_id)
    state = item_state(item=item, registration=access.registration)
    if state.locked:
        raise ItemLocked(state)
    return item, state


class ItemLocked(PermissionDenied):
    def __init__(self, state: ItemState):
        super().__init__("locked")
        self.state = state


def upcoming_sessions(*, batch: Batch, limit: int = 5) -> list[Session]:
    now = timezone.now()
    return list(
        Session.objects.filter(batch=batch, ends_at__gte=now)
        .prefetch_related("speakers")
        .order_by("starts_at")[:limit]
    )
