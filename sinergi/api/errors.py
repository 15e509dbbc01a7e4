"""One shape for every error of /api/: `{"code": ..., "message": ..., "details": ...}`.

`code` is stable and meant for programs (`not_found`, `validation_error`, or the reason of a
business rule such as `already_registered`); `message` is for people, in the request's language
(see `sinergi.api.language`); `details` is null or says more: the fields that failed validation,
or facts about a conflict such as `{"hold_available": true}`.

Ninja's own errors (authentication, unparsable bodies, validation of parameters), the services'
errors (ValidationError, the business rules' errors) and Django's 404 all become this shape
through the handlers installed by `install`; unknown routes and 405 under /api/ through
`not_found_view` and `method_not_allowed`.
"""

import json
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from sinergi.core.exceptions import ServiceError

CONTENT_TYPE = "application/json; charset=utf-8"


class FieldError(Schema):
    """One failed field of a 422."""

    location: str = Field(description="body, query or path")
    field: str | None = Field(
        description="The field, dotted for nested ones (`contributors.0.name`); null for an "
        "error of the whole input"
    )
    type: str = Field(description="What failed, for programs: missing, string_too_long, ...")
    message: str = Field(description="What failed, for people, in the request's language")


class Error(Schema):
    """Every error answer of the API."""

    code: str = Field(
        description="Stable, for programs: not_authenticated, forbidden, csrf_failed, "
        "not_found, method_not_allowed, bad_request, validation_error, too_many_requests, "
        "server_error, or a business rule's reason on 409"
    )
    message: str = Field(description="For people, in the request's language")
    details: list[FieldError] | dict[str, Any] | None = Field(
        None,
        description="validation_error: the fields that failed; 409: facts about the "
        "conflict (e.g. hold_available); otherwise null",
    )


class ApiError(HttpError):
    """An error with its own code and details, raised by a view."""

    def __init__(self, status_code: int, code: str, message, details=None) -> None:
        super().__init__(status_code, str(message))
        self.code = code
        self.details = details


# --- Messages -----------------------------------------------------------------------------

# The code and message of each status when nothing more precise is known.
STATUS_CODES = {
    400: ("bad_request", gettext_lazy("The request could not be read.")),
    401: ("not_authenticated", gettext_lazy("Sign in or send a valid API token.")),
    403: ("forbidden", gettext_lazy("You may not do this.")),
    404: ("not_found", gettext_lazy("Not found.")),
    405: ("method_not_allowed", gettext_lazy("This method is not allowed here.")),
    409: ("conflict", gettext_lazy("The request conflicts with the current state.")),
    422: ("validation_error", gettext_lazy("Some fields are not valid; see details.")),
    429: ("too_many_requests", gettext_lazy("Too many requests. Try again later.")),
    500: ("server_error", gettext_lazy("Something went wrong on our side. Try again later.")),
}

# Ninja's own English messages, told apart from ours by their text.
NINJA_MESSAGES = {
    "Cannot parse request body": (
        "bad_request",
        gettext_lazy("The request body is not valid JSON."),
    ),
    "CSRF check Failed": (
        "csrf_failed",
        gettext_lazy(
            "The CSRF check failed: send the X-CSRFToken header with the session, or use an "
            "API token."
        ),
    ),
}


def status_code_and_message(status: int) -> tuple[str, str]:
    code, message = STATUS_CODES.get(status, (f"http_{status}", ""))
    return code, str(message)


def _pydantic_message(error: dict) -> str:
    """A pydantic error in the request's language (pydantic speaks English only)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    simple = {
        "missing": _("This field is required."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "int_from_float": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "float_type": _("Enter a number."),
        "decimal_parsing": _("Enter a number."),
        "bool_parsing": _("Enter true or false."),
        "bool_type": _("Enter true or false."),
        "string_type": _("Enter text."),
        "date_parsing": _("Enter a valid date (YYYY-MM-DD)."),
        "date_from_datetime_parsing": _("Enter a valid date (YYYY-MM-DD)."),
        "date_from_datetime_inexact": _("Enter a date without a time."),
        "date_type": _("Enter a valid date (YYYY-MM-DD)."),
        "datetime_parsing": _("Enter a valid date and time (ISO 8601)."),
        "datetime_from_date_parsing": _("Enter a valid date and time (ISO 8601)."),
        "datetime_type": _("Enter a valid date and time (ISO 8601)."),
        "list_type": _("Enter a list."),
        "dict_type": _("Enter an object."),
        "model_type": _("Enter an object."),
        "model_attributes_type": _("Enter an object."),
        "json_invalid": _("The body is not valid JSON."),
        "json_type": _("The body is not valid JSON."),
        "extra_forbidden": _("This field is not allowed."),
        "string_pattern_mismatch": _("Control characters (such as NUL) are not allowed."),
        "int_too_big": _("This number is too large."),
        "finite_number": _("Enter a finite number."),
    }
    if kind in simple:
        return simple[kind]
    if kind == "greater_than_equal":
        return _("Enter a value greater than or equal to %(limit)s.") % {"limit": ctx.get("ge")}
    if kind == "greater_than":
        return _("Enter a value greater than %(limit)s.") % {"limit": ctx.get("gt")}
    if kind == "less_than_equal":
        return _("Enter a value less than or equal to %(limit)s.") % {"limit": ctx.get("le")}
    if kind == "less_than":
        return _("Enter a value less than %(limit)s.") % {"limit": ctx.get("lt")}
    if kind == "string_too_short":
        count = ctx.get("min_length", 1)
        return ngettext(
            "Enter at least %(count)d character.", "Enter at least %(count)d characters.", count
        ) % {"count": count}
    if kind == "string_too_long":
        count = ctx.get("max_length", 0)
        return ngettext(
            "Enter at most %(count)d character.", "Enter at most %(count)d characters.", count
        ) % {"count": count}
    if kind == "too_short":
        count = ctx.get("min_length", 1)
        return ngettext(
            "Give at least %(count)d item.", "Give at least %(count)d items.", count
        ) % {"count": count}
    if kind == "too_long":
        count = ctx.get("max_length", 0)
        return ngettext("Give at most %(count)d item.", "Give at most %(count)d items.", count) % {
            "count": count
        }
    if kind == "enum":
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind == "literal_error":
        return _("Must be %(expected)s.") % {"expected": ctx.get("expected", "")}
    if kind in {"value_error", "assertion_error"} and "error" in ctx:
        return str(ctx["error"])  # our validators raise translated messages
    return _("This value is not valid.")


def _field_path(parts) -> str | None:
    return ".".join(str(part) for part in parts) or None


def validation_details(exc: NinjaValidationError) -> list[dict]:
    details = []
    for error in exc.errors:
        loc = list(error.get("loc") or [])
        location = str(loc[0]) if loc else "body"
        rest = loc[1:]
        if location == "body" and rest:
            rest = rest[1:]  # the view's parameter name (payload), not a field of the body
        details.append(
            {
                "location": location,
                "field": _field_path(rest),
                "type": str(error.get("type", "invalid")),
                "message": _pydantic_message(error),
            }
        )
    return details


def django_validation_details(error: DjangoValidationError) -> list[dict]:
    """A service's ValidationError, keyed by field as the services name them."""
    if hasattr(error, "error_dict"):
        items = error.error_dict.items()
    else:
        items = [(NON_FIELD_ERRORS, error.error_list)]
    return [
        {
            "location": "body",
            "field": None if field == NON_FIELD_ERRORS else field,
            "type": item.code or "invalid",
            "message": next(iter(item)),
        }
        for field, errors in items
        for item in errors
    ]


# --- Responses ----------------------------------------------------------------------------


def error_body(code: str, message, details=None) -> dict:
    return {"code": code, "message": str(message), "details": details}


def error_response(status: int, code: str | None = None, message=None, details=None):
    """The shared shape as a response, for callers outside ninja (URL catch-all, middleware,
    Django's error handlers under /api/)."""
    default_code, default_message = status_code_and_message(status)
    body = error_body(code or default_code, message or default_message, details)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def not_found_view(request, *args, **kwargs):
    """Every address under /api/ that no operation has."""
    return error_response(404)


def method_not_allowed(allowed) -> HttpResponse:
    response = error_response(
        405,
        details={"allowed": sorted(allowed)},
        message=_("This method is not allowed here. Allowed: %(methods)s.")
        % {"methods": ", ".join(sorted(allowed))},
    )
    response["Allow"] = ", ".join(sorted(allowed))
    return response


def install(api) -> None:
    """Register the handlers that give every error of `api` the shared shape."""

    def respond(request, status: int, code: str, message, details=None):
        response = api.create_response(request, error_body(code, message, details), status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(NinjaValidationError)
    def _validation(request, exc):
        code, message = status_code_and_message(422)
        return respond(request, 422, code, message, validation_details(exc))

    @api.exception_handler(DjangoValidationError)
    def _service_validation(request, exc):
        code, message = status_code_and_message(422)
        return respond(request, 422, code, message, django_validation_details(exc))

    @api.exception_handler(ServiceError)
    def _service_refusal(request, exc):
        # A business rule's refusal that an endpoint did not turn into `conflict` itself.
        return respond(request, 409, exc.code, str(exc.message))

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        code, message = status_code_and_message(404)
        return respond(request, 404, code, message)

    @api.exception_handler(HttpError)
    def _http_error(request, exc):
        status = exc.status_code
        code, message = status_code_and_message(status)
        details = None
        if isinstance(exc, ApiError):
            code, message, details = exc.code, exc.message, exc.details
        elif isinstance(exc, (AuthenticationError, Throttled)):
            pass  # ninja's English default; ours is above
        elif exc.message in NINJA_MESSAGES:
            code, lazy = NINJA_MESSAGES[exc.message]
            message = str(lazy)
        elif exc.message:
            message = exc.message  # raised by our views, already translated
        response = respond(request, status, code, message, details)
        if isinstance(exc, Throttled) and exc.wait:
            response["Retry-After"] = str(int(exc.wait) + 1)
        return response

    @api.exception_handler(Exception)
    def _unexpected(request, exc):
        # Not ninja's traceback page: Django's handler500 answers the shared shape under /api/
        # (and a test sees the exception itself).
        raise exc


def conflict(error, **details) -> ApiError:
    """A business rule's refusal (a core.exceptions.ServiceError) as a 409, with `details`."""
    return ApiError(409, error.code, error.message, details or None)
