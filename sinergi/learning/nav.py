from django.utils.translation import gettext_lazy as _

from sinergi.core.navigation import NavItem, register

register(NavItem(_("My classes"), "learning:home", "easel", 15, frozenset(), group="training"))
