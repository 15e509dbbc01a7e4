from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from sinergi.core.shortcuts import get_or_404

from .. import selectors, services
from ..models import AccessRoute


@require_safe
def eresources(request):
    resources = selectors.eresources_visible(user=request.user)
    route = request.GET.get("route", "")
    if route in AccessRoute.values:
        resources = resources.filter(access_route=route)
    context = {
        "resources": resources,
        "routes": AccessRoute.choices,
        "route": route,
        "staff": selectors.is_library_staff(request.user),
    }
    return render(request, "library/eresources.html", context)


@require_safe
def eresource_go(request, pk: int):
    """Count a click-through, then send the person on to the database."""
    resource = get_or_404(selectors.eresources_visible(user=request.user).get, pk=pk)
    services.eresource_click(resource=resource)
    return redirect(resource.url)
