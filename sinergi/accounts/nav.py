from django.utils.translation import gettext_lazy as _

from sinergi.core.navigation import NavItem, register

from .models import Role

register(
    NavItem(_("My profile"), "accounts:profile", "person-circle", 10, frozenset(), "user"),
    NavItem(_("API documentation"), "api-1:openapi-view", "braces", 80, frozenset(), "user"),
    NavItem(_("Audit log"), "core:audit_log", "journal-text", 90, frozenset({Role.ADMIN}), "user"),
    NavItem(_("Admin site"), "admin:index", "gear", 95, frozenset({Role.ADMIN}), "user"),
)
