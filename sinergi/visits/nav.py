from django.utils.translation import gettext_lazy as _

from sinergi.core.navigation import NavItem, register, register_group

from .selectors import DESK_ROLES

register_group("services", _("Services"), "building-check")
register(
    NavItem(_("Services"), "visits:home", "building-check", 40, group="services"),
    NavItem(
        _("Library desk"), "visits:staff_home", "person-badge", 45, DESK_ROLES, group="services"
    ),
    NavItem(
        _("My visit tickets"), "visits:my_tickets", "ticket-perforated", 40, frozenset(), "user"
    ),
    NavItem(_("My questions"), "visits:my_questions", "chat-left-text", 41, frozenset(), "user"),
    NavItem(_("Delivery and print"), "visits:my_deliveries", "truck", 42, frozenset(), "user"),
    NavItem(_("Library clearance"), "visits:clearance", "patch-check", 43, frozenset(), "user"),
)
