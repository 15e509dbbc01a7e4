"""Helpers shared by the visits views."""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control


def get_or_404(selector, **kwargs):
    """Call a selector that raises DoesNotExist for what the user may not see; answer 404."""
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist:
        raise Http404 from None


def report_error(request, error: Exception) -> None:
    """Show a service's VisitError or ValidationError as an error message."""
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, error.message)


def private_file(content: bytes, content_type: str, filename: str, *, inline=False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    patch_cache_control(response, private=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response
