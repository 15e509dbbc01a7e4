from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Role
from sinergi.core.navigation import NavItem, register, register_group

STAFF = frozenset({Role.COOPERATION_OFFICER, Role.HEAD})

register_group("cooperation", _("Cooperation"), "people")
register(
    NavItem(_("Cooperation"), "partners:dashboard", "people", 40, STAFF, group="cooperation"),
    NavItem(
        _("Our agreements"),
        "partners:agreement_list",
        "file-earmark-text",
        41,
        frozenset({Role.PARTNER}),
        group="cooperation",
    ),
    NavItem(_("Request a visit"), "partners:visit_request", "building", 45, None, "user"),
)
