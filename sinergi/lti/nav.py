from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Role
from sinergi.core.navigation import NavItem, register

register(
    NavItem(
        _("LTI (partners' LMS)"),
        "lti:staff_home",
        "plug",
        58,
        frozenset({Role.ADMIN, Role.PROGRAM_MANAGER}),
        group="training",
    )
)
