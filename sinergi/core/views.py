from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

import sinergi

from .selectors import audit_log_list, database_status


def home(request):
    return render(request, "core/home.html")


def privacy(request):
    return render(request, "core/privacy.html")


def _cache_status() -> str:
    if not settings.REDIS_URL:
        return "local"
    try:
        cache.set("healthz", "1", 10)
        return "ok" if cache.get("healthz") == "1" else "error: no round trip"
    except Exception as error:  # any client error means the cache is unusable
        return f"error: {error.__class__.__name__}"


@never_cache
def healthz(request):
    """Say whether this app server can serve: 200 when its parts answer, 503 naming what fails."""
    parts = {"database": database_status(), "cache": _cache_status()}
    healthy = all(not value.startswith("error") for value in parts.values())
    body = {"status": "ok" if healthy else "error", **parts, "version": sinergi.__version__}
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
@permission_required("core.view_auditlog", raise_exception=True)
def audit_log(request):
    filters = {key: request.GET.get(key, "").strip() for key in ("verb", "actor", "target")}
    page = Paginator(audit_log_list(**filters), 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page, "filters": filters})
