from django.conf import settings


def site(request):
    """Name the host library in every page."""
    return {
        "host_name": settings.SINERGI_HOST_NAME,
        "host_short_name": settings.SINERGI_HOST_SHORT_NAME,
        "support_email": settings.SINERGI_SUPPORT_EMAIL,
    }
