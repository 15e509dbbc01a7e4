from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Role
from sinergi.core.navigation import NavItem, register, register_group

STAFF = frozenset({Role.PROGRAM_MANAGER, Role.FINANCE, Role.HEAD})

register_group("training", _("Training"), "mortarboard")
register(
    NavItem(_("Training catalogue"), "training:catalogue", "mortarboard", 10, group="training"),
    NavItem(
        _("My registrations"),
        "training:my_registrations",
        "card-checklist",
        20,
        frozenset(),
        group="training",
    ),
    NavItem(
        _("Manage training"),
        "training:staff_dashboard",
        "clipboard-data",
        30,
        STAFF,
        group="training",
    ),
    NavItem(
        _("Verify payments"),
        "training:verification_queue",
        "cash-coin",
        31,
        frozenset({Role.FINANCE}),
        group="training",
    ),
)
