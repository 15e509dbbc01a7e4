"""What views share to call a door or a service and show what it refused (see core.exceptions)."""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404

from .exceptions import ServiceError


def get_or_404(selector, **kwargs):
    """Call a selector door, which raises DoesNotExist for what the user may not see; answer 404.

    Whether the object does not exist or the user may not see it, the answer is the same 404, so
    an address reveals nothing."""
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist:
        raise Http404 from None


def form_errors_add(form, error: ValidationError | ServiceError) -> None:
    """Put a service's refusal on `form`: a ValidationError on the fields it names (the others,
    and a ServiceError, as errors of the whole form)."""
    if isinstance(error, ServiceError):
        form.add_error(None, error.message)
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def error_report(request, error: ValidationError | ServiceError) -> None:
    """Show a service's refusal as error messages on the next page."""
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, error.message)
