from django.conf import settings
from django.utils import translation
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from sinergi.accounts.selectors import api_token_get_active
from sinergi.accounts.services import api_token_touch


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a personal API token."""

    openapi_description = "A personal API token, created on the profile page."

    def authenticate(self, request, token: str):
        api_token = api_token_get_active(raw=token)
        if api_token is None:
            return None
        api_token_touch(token=api_token)
        request.user = api_token.user
        _activate_account_language(request, api_token.user)
        return api_token.user


def _activate_account_language(request, user) -> None:
    """The token's owner's language, as a session's is (an Accept-Language header wins)."""
    if getattr(request, "language_from_header", False):
        return
    if user.language in dict(settings.LANGUAGES) and user.language != request.LANGUAGE_CODE:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language


class SessionAuth(NinjaSessionAuth):
    """The browser's session, with Django's CSRF check on unsafe methods, made only when there
    is a signed-in session to protect: a request with neither token nor session is a 401 (ninja's
    own checks CSRF first and answers such a request 403)."""

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


# Token first (integrations), then the browser session (with CSRF on unsafe methods).
default_auth = [BearerToken(), SessionAuth()]
