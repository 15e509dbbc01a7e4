"""The navigation bar: each app lists its entries in `<app>/nav.py` with `register()`.

An entry names the roles that may use it, so the bar shows each person what their roles allow.
Core knows no app above it; the apps come to core.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    order: int = 100
    roles: frozenset[str] | None = None  # None: everyone; empty set: any signed-in user
    section: str = "main"  # "main" (top bar) or "user" (the account menu)
    group: str = ""  # top-bar entries of one group share a dropdown when more than one shows


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str
    icon: str


_items: list[NavItem] = []
_groups: dict[str, NavGroup] = {}
_discovered = False
# The entries shown for a set of roles: the same for everyone with those roles (labels are lazy,
# translated when the page is rendered), so worked out once per process, not on every page.
_shown: dict[tuple, list[dict]] = {}


def register(*items: NavItem) -> None:
    """Add entries to the navigation bar."""
    _items.extend(items)
    _shown.clear()


def register_group(key: str, label: str, icon: str) -> None:
    """Name a dropdown of the top bar that entries join with `group=key`."""
    _groups[key] = NavGroup(key, label, icon)
    _shown.clear()


def _all_items() -> list[NavItem]:
    global _discovered
    if not _discovered:
        autodiscover_modules("nav")
        _discovered = True
    return sorted(_items, key=lambda item: item.order)


def items_for(user, roles: set[str], section: str) -> list[dict]:
    """Return the entries of `section` that `user` (with `roles`) may use, with their URLs.

    The lists are shared between requests: read them, do not change them."""
    urls = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    key = (frozenset(roles), section, user.is_authenticated, urls)
    shown = _shown.get(key)
    if shown is None:
        shown = _shown[key] = _items_for(roles, section, signed_in=user.is_authenticated)
    return shown


def _items_for(roles: set[str], section: str, *, signed_in: bool) -> list[dict]:
    visible = []
    for item in _all_items():
        if item.section != section:
            continue
        if item.roles is not None:
            if not signed_in:
                continue
            if item.roles and not (item.roles & roles):
                continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append({"label": item.label, "url": url, "icon": item.icon, "group": item.group})
    return _grouped(visible)


def _grouped(entries: list[dict]) -> list[dict]:
    """Fold entries of a registered group into one dropdown entry (with `children`), placed
    where its first entry was; a group with a single visible entry stays a plain link."""
    members: dict[str, list[dict]] = {}
    for entry in entries:
        if entry["group"] in _groups:
            members.setdefault(entry["group"], []).append(entry)
    folded, placed = [], set()
    for entry in entries:
        key = entry["group"]
        if key not in members or len(members[key]) == 1:
            folded.append(entry)
        elif key not in placed:
            placed.add(key)
            group = _groups[key]
            children = members[key]
            folded.append(
                {
                    "label": group.label,
                    "icon": group.icon,
                    "url": children[0]["url"],
                    "group": key,
                    "children": children,
                    "paths": [child["url"] for child in children],
                }
            )
    return folded
