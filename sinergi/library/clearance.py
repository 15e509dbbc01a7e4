"""What the library adds to a clearance (bebas pustaka): e-books still on loan.

Declared as data, so the library imports nothing from the app that asks (visits finds
`CLEARANCE_CHECKS` by name).
"""

from django.utils.translation import ngettext

from .selectors import loans_of_user


def active_ebook_loans(user) -> list[tuple[str, str]]:
    """Return a blocker while `user` still has e-books on loan."""
    count = loans_of_user(user=user).count()
    if not count:
        return []
    message = ngettext(
        "%(count)d e-book is still on loan: return it first.",
        "%(count)d e-books are still on loan: return them first.",
        count,
    ) % {"count": count}
    return [("active_ebook_loans", message)]


CLEARANCE_CHECKS = {"library.active_loans": active_ebook_loans}
