"""What blocks a clearance (bebas pustaka): a registry other apps add their checks to.

A check is a function taking the clearance request and returning the blockers it finds, each
with a message for the student. Visits registers two: open delivery requests and a missing
thesis deposit. Apps that must not import visits (the library stands on its own) declare their
checks in their own `clearance.py` as plain data, found here by name:

    # sinergi/library/clearance.py
    def active_ebook_loans(user) -> list[tuple[str, str]]:  # (code, message) pairs
        ...

    CLEARANCE_CHECKS = {"library.active_loans": active_ebook_loans}
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OPEN_DELIVERY_STATES, ClearanceRequest, DeliveryRequest


@dataclass(frozen=True)
class Blocker:
    code: str
    message: str


Check = Callable[[ClearanceRequest], list[Blocker]]
_checks: dict[str, Check] = {}
_discovered = False


def register_check(name: str):
    """Register the decorated function as a clearance check under `name`."""

    def register(func: Check) -> Check:
        _checks[name] = func
        return func

    return register


def registered_checks() -> dict[str, Check]:
    """Return every check, after importing each installed app's `clearance` module."""
    global _discovered
    if not _discovered:
        for config in apps.get_app_configs():
            if not module_has_submodule(config.module, "clearance"):
                continue
            module = import_module(f"{config.name}.clearance")
            for name, check in getattr(module, "CLEARANCE_CHECKS", {}).items():
                _checks.setdefault(name, _of_student(check))
        _discovered = True
    return dict(_checks)


def _of_student(check: Callable) -> Check:
    """Adapt a check declared as data (user -> [(code, message)]) to this registry's shape."""

    def adapted(clearance: ClearanceRequest) -> list[Blocker]:
        return [Blocker(code, message) for code, message in check(clearance.student)]

    return adapted


def clearance_blockers(clearance: ClearanceRequest) -> list[Blocker]:
    """Return everything that stops `clearance` from being approved now."""
    blockers: list[Blocker] = []
    for check in registered_checks().values():
        blockers.extend(check(clearance))
    return blockers


@register_check("visits.open_deliveries")
def open_deliveries(clearance: ClearanceRequest) -> list[Blocker]:
    count = DeliveryRequest.objects.filter(
        requester_id=clearance.student_id, state__in=OPEN_DELIVERY_STATES
    ).count()
    if not count:
        return []
    message = ngettext(
        "%(count)d delivery or print request is still open: finish or cancel it.",
        "%(count)d delivery or print requests are still open: finish or cancel them.",
        count,
    ) % {"count": count}
    return [Blocker("open_deliveries", message)]


@register_check("visits.thesis_deposit")
def thesis_deposit(clearance: ClearanceRequest) -> list[Blocker]:
    if clearance.thesis_deposited_at is not None:
        return []
    return [
        Blocker(
            "thesis_deposit",
            str(_("The library has not yet recorded the deposit of your thesis.")),
        )
    ]
