from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Role
from sinergi.core.navigation import NavItem, register

register(
    NavItem(_("My classes"), "learning:home", "easel", 15, frozenset(), group="training"),
    NavItem(
        _("Question banks"),
        "learning:bank_list",
        "patch-question",
        32,
        frozenset({Role.PROGRAM_MANAGER}),
        group="training",
    ),
)
