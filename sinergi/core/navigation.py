"""The navigation bar: each app lists its entries in `<app>/nav.py` with `register()`.

An entry names the roles that may use it, so the bar shows each person what their roles allow.
Core knows no app above it; the apps come to core.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    order: int = 100
    roles: frozenset[str] | None = None  # None: everyone; empty set: any signed-in user
    section: str = "main"  # "main" (top bar) or "user" (the account menu)


_items: list[NavItem] = []
_discovered = False


def register(*items: NavItem) -> None:
    """Add entries to the navigation bar."""
    _items.extend(items)


def _all_items() -> list[NavItem]:
    global _discovered
    if not _discovered:
        autodiscover_modules("nav")
        _discovered = True
    return sorted(_items, key=lambda item: item.order)


def items_for(user, roles: set[str], section: str) -> list[dict]:
    """Return the entries of `section` that `user` (with `roles`) may use, with their URLs."""
    visible = []
    for item in _all_items():
        if item.section != section:
            continue
        if item.roles is not None:
            if not user.is_authenticated:
                continue
            if item.roles and not (item.roles & roles):
                continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append({"label": item.label, "url": url, "icon": item.icon})
    return visible
