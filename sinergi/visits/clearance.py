"""What blocks a clearance (bebas pustaka): a registry other apps add their checks to.

A check is a function taking the clearance request and returning the blockers it finds, each
with a message for the student. Visits registers two: open delivery requests and a missing
thesis deposit. The library app, when it arrives, registers "active e-book loans" from its own
module (visits may read library, never the other way round, but a registry needs neither):

    from sinergi.visits.clearance import Blocker, register_check

    @register_check("library.active_loans")
    def active_loans(clearance):
        ...
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules
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
        autodiscover_modules("clearance")
        _discovered = True
    return dict(_checks)


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
