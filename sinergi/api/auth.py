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
        return api_token.user


# Token first (integrations), then the browser session (with CSRF on unsafe methods).
default_auth = [BearerToken(), django_auth]
