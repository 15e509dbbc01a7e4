from django.utils.translation import gettext_lazy as _

from sinergi.core.navigation import NavItem, register

from .selectors import MANAGERS

# In the account menu, so the top bar keeps its width.
register(
    NavItem(_("My certificates"), "certificates:mine", "award", 25, frozenset(), "user"),
    NavItem(_("My JP record"), "certificates:jp_record", "journal-check", 26, frozenset(), "user"),
    NavItem(
        _("JP declarations"),
        "certificates:jp_reviews",
        "journal-arrow-up",
        36,
        frozenset(MANAGERS),
        "user",
    ),
    NavItem(
        _("Certificates"), "certificates:staff_home", "patch-check", 35, frozenset(MANAGERS), "user"
    ),
    NavItem(_("Verify a certificate"), "certificates:verify", "qr-code-scan", 60, None, "user"),
)
