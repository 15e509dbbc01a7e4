"""The product's URL map plus /bench/ceiling, the cheapest page the same stack can serve."""

from django.http import HttpResponse
from django.urls import path

from sinergi.urls import handler403, handler404, handler500
from sinergi.urls import urlpatterns as product_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def ceiling(request):
    """Return a constant: what is left is the middleware, Django's request cycle and gunicorn."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling", ceiling, name="bench-ceiling"), *product_urlpatterns]
