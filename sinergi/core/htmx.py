"""The one way a view tells an htmx request for a fragment from a request for a page.

django-htmx's middleware puts `request.htmx` on every request. A view answers a fragment only
when htmx asks for one: not to a plain browser request, and not to a history-restore request
(htmx asks for the whole page again when the person goes back to a URL it pushed and its
history cache has no copy), which must get the whole page with its `<html>`.

Every view that answers either a fragment or a page for the same URL varies on `HX-Request`,
so no cache hands the fragment to a browser or the page to htmx.
"""

from django.utils.cache import patch_vary_headers


def wants_fragment(request) -> bool:
    """Return whether `request` is htmx asking for a part of the page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def vary_on_htmx(response):
    """Mark `response` as depending on whether htmx asked (see the module's docstring)."""
    patch_vary_headers(response, ("HX-Request",))
    return response
