"""Whether a batch is ready to open for registration: a checklist made of checks.

Training owns the list and the rule that a batch cannot open while a blocking item is missing;
the apps that hold the other parts (the classroom, certificates) add their checks from their
AppConfig.ready(), so training never imports them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from sinergi.core.formatting import format_rupiah

from .models import Batch


@dataclass(frozen=True)
class ReadinessItem:
    key: str
    label: str
    ok: bool
    detail: str = ""
    fix_url: str = ""
    blocking: bool = True
    order: int = 100


Check = Callable[[Batch], Iterable[ReadinessItem]]
_checks: dict[str, Check] = {}


def readiness_check_register(name: str, check: Check) -> None:
    """Add a check to every batch's checklist (idempotent by name)."""
    _checks[name] = check


def _fee_item(batch: Batch) -> ReadinessItem:
    fix_url = reverse("training:batch_edit", args=[batch.pk])
    if batch.is_free:
        return ReadinessItem("fee", _("Fee and bank account"), True, _("Free"), fix_url, order=90)
    account = (settings.SINERGI_BANK_ACCOUNT or "").strip()
    if not account.strip("0") or not settings.SINERGI_BANK_NAME:
        return ReadinessItem(
            "fee",
            _("Fee and bank account"),
            False,
            _(
                "The fee is %(fee)s, but no bank account for transfers is configured "
                "(SINERGI_BANK_ACCOUNT)."
            )
            % {"fee": format_rupiah(batch.fee)},
            fix_url,
            order=90,
        )
    detail = _("%(fee)s to %(bank)s %(account)s") % {
        "fee": format_rupiah(batch.fee),
        "bank": settings.SINERGI_BANK_NAME,
        "account": account,
    }
    return ReadinessItem("fee", _("Fee and bank account"), True, detail, fix_url, order=90)


def batch_readiness(*, batch: Batch) -> list[ReadinessItem]:
    """Return the batch's checklist, in the order the work is done."""
    items = [_fee_item(batch)]
    for check in _checks.values():
        items.extend(check(batch))
    return sorted(items, key=lambda item: item.order)


def readiness_blockers(*, batch: Batch) -> list[ReadinessItem]:
    return [item for item in batch_readiness(batch=batch) if item.blocking and not item.ok]
