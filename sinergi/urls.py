from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from sinergi.api.api import api
from sinergi.api.errors import not_found_view
from sinergi.core.views import healthz
from sinergi.library.urls import opds_urlpatterns

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    # Any other address under /api/ answers the API's error shape, not an HTML page.
    re_path(r"^api/", not_found_view),
    path("accounts/", include("sinergi.accounts.urls")),
    path("training/", include("sinergi.training.urls")),
    path("partners/", include("sinergi.partners.urls")),
    path("learning/", include("sinergi.learning.urls")),
    path("certificates/", include("sinergi.certificates.urls")),
    path("visits/", include("sinergi.visits.urls")),
    path("library/", include("sinergi.library.urls")),
    *opds_urlpatterns,
    path("insights/", include("sinergi.insights.urls")),
    path("lti/", include("sinergi.lti.urls")),
    # One door for signing in, with its pauses after failures: the admin site's too.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("", include("sinergi.core.urls")),
]

handler400 = "sinergi.core.errors.bad_request"
handler403 = "sinergi.core.errors.permission_denied"
handler404 = "sinergi.core.errors.page_not_found"
handler500 = "sinergi.core.errors.server_error"
