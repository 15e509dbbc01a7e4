"""The /api/v1/ surface, assembled from each app's router."""

import functools

from django.http import HttpResponseNotAllowed
from django.urls import URLPattern
from ninja import NinjaAPI

import sinergi
from sinergi.accounts.api import router as accounts_router
from sinergi.certificates.api import router as certificates_router
from sinergi.learning.api import router as learning_router
from sinergi.library.api import router as library_router
from sinergi.library.services import LendingError
from sinergi.partners.api import router as partners_router
from sinergi.training.api import router as training_router
from sinergi.training.services import RegistrationError
from sinergi.visits.api import router as visits_router
from sinergi.visits.services import VisitError

from . import errors
from .auth import default_auth

UNSAFE = {"post", "put", "patch", "delete"}
ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


# The errors that follow from how an operation is declared, documented on each one it applies to
# (403, 404, 409 and 429 depend on what the operation does and are declared by the operation).
AUTOMATIC_ERRORS = {
    400: "Bad input: a body that is not JSON, or a text with a NUL byte (code bad_request)",
    401: "Not authenticated: no valid API token or session (code not_authenticated)",
    403: "Forbidden (code forbidden), or the session's CSRF check failed (code csrf_failed)",
    422: "Parameters or body not valid (code validation_error; details lists each field)",
}


class SinergiAPI(NinjaAPI):
    """NinjaAPI whose every error has the shared shape (sinergi.api.errors) and whose OpenAPI
    document lists the errors of each operation."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_405(pattern.callback)
        return patterns, app_name, namespace

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if "Error" not in components:  # every operation refers to it
            definition = errors.Error.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(definition.pop("$defs", {}))
            components["Error"] = definition
        for item in schema["paths"].values():
            for method, operation in item.items():
                _document_errors(method, operation)
        return schema


def _document_errors(method: str, operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    wanted = []
    takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
    if takes_input:
        wanted += [400, 422]
    security = operation.get("security") or []
    if security:
        wanted.append(401)
        sessions = any("SessionAuth" in requirement for requirement in security)
        if sessions and method in UNSAFE:
            wanted.append(403)
    known = {int(status) for status in responses}  # ninja's keys are ints
    for status in wanted:
        if status not in known:
            responses[status] = _error_response(AUTOMATIC_ERRORS[status])
    operation["responses"] = dict(sorted(responses.items(), key=lambda item: int(item[0])))


def _json_405(view):
    """Ninja answers a method no operation has with a plain-text 405; answer the shared shape."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = [m.strip() for m in response["Allow"].split(",") if m.strip()]
            return errors.method_not_allowed(allowed)
        return response

    return wrapper


api = SinergiAPI(
    title="Sinergi API",
    version=sinergi.__version__,
    description=(
        "Integration API of Sinergi. Authenticate with a personal API token "
        "(`Authorization: Bearer <token>`) or, in the browser, with your session. "
        "Every error answers `{code, message, details}` (the schema Error), the message in "
        "the request's language: Indonesian unless `Accept-Language` asks for English. "
        "See docs/API.md."
    ),
    auth=default_auth,
    urls_namespace="api-1",
    docs_url="/docs",
)
errors.install(api)


@api.exception_handler(RegistrationError)
@api.exception_handler(VisitError)
def _business_rule(request, exc):
    return api.on_exception(request, errors.conflict(exc))


@api.exception_handler(LendingError)
def _lending_rule(request, exc):
    return api.on_exception(request, errors.conflict(exc, hold_available=exc.hold_available))


api.add_router("/", accounts_router)
api.add_router("/", partners_router)
api.add_router("/", training_router)
api.add_router("/", learning_router)
api.add_router("/", certificates_router)
api.add_router("/", visits_router)
api.add_router("/", library_router)
