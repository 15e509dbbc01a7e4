"""Error pages that answer JSON under /api/ and a friendly page everywhere else."""

from django.views import defaults


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def _api_error(status: int):
    # The API's one error shape ({code, message, details}); imported here, where it is needed.
    from sinergi.api.errors import error_response

    return error_response(status)


def bad_request(request, exception=None):
    if _wants_json(request):
        return _api_error(400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _wants_json(request):
        return _api_error(403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _wants_json(request):
        return _api_error(404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _wants_json(request):
        return _api_error(500)
    return defaults.server_error(request)
