from django.conf import settings
from django.utils import translation
from ninja.security import HttpBearer, django_auth

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


# Token first (integrations), then the browser session (with CSRF on unsafe methods).
default_auth = [BearerToken(), django_auth]
