from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Role
from sinergi.core.navigation import NavItem, register, register_group

register_group("library", _("Library"), "book")
register(
    NavItem(_("E-books"), "library:catalogue", "book", 35, group="library"),
    NavItem(_("E-resources"), "library:eresources", "database", 36, group="library"),
    NavItem(
        _("Import from SLiMS"),
        "library:slims_import",
        "box-arrow-in-down",
        37,
        frozenset({Role.LIBRARIAN, Role.ADMIN}),
        group="library",
    ),
    NavItem(_("My e-book loans"), "library:my_loans", "bookmark", 39, frozenset(), "user"),
)
