from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Role
from sinergi.core.navigation import NavItem, register

STAFF = frozenset({Role.PROGRAM_MANAGER, Role.FINANCE, Role.HEAD})

register(
    NavItem(_("Training"), "training:catalogue", "mortarboard", 10),
    NavItem(_("My registrations"), "training:my_registrations", "card-checklist", 20, frozenset()),
    NavItem(_("Manage training"), "training:staff_dashboard", "clipboard-data", 30, STAFF),
    NavItem(
        _("Verify payments"),
        "training:verification_queue",
        "cash-coin",
        31,
        frozenset({Role.FINANCE}),
    ),
)
