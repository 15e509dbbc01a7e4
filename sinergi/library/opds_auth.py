"""Who is calling an OPDS URL, as reader apps authenticate: HTTP Basic with e-mail and password
(or an API token as the password, or alone as the user name), or `Authorization: Bearer`.

Credentials in the request stand for themselves, so such requests need no CSRF token (no
browser adds them on its own). A request without them falls back to the browser session, and
then every unsafe method is CSRF-checked as anywhere else; a GET that would change something
(a borrow link followed by a reader app) never acts on a session alone: it is answered with the
401 challenge, so the app retries with credentials.

Wrong credentials answer 401 with `WWW-Authenticate: Basic` and the Authentication Document
(application/opds-authentication+json) as the body, never 403 or 500. A wrong password counts
as a failed log-in of the web form (accounts/ratelimit.py): past the limit the attempt is
answered 429 with `Retry-After` for the pause, without checking the password, and a right
password clears the account's counts.
"""

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from sinergi.accounts import ratelimit
from sinergi.accounts.selectors import api_token_get_active
from sinergi.accounts.services import api_token_touch

AUTH_DOCUMENT_TYPE = "application/opds-authentication+json"
AUTH_DOCUMENT_REL = "http://opds-spec.org/auth/document"
BASIC = "http://opds-spec.org/auth/basic"
SAFE = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Caller:
    user: object | None  # None: nobody signed in
    by_credentials: bool  # the request carried its own credentials
    refused: bool = False  # it carried credentials, and they are wrong
    pause: timedelta | None = None  # too many wrong passwords: wait this long


def _token_user(raw: str):
    token = api_token_get_active(raw=raw) if raw else None
    if token is None:
        return None
    api_token_touch(token=token)
    return token.user


def opds_caller(request) -> Caller:
    """Return who `request` comes from (see the module's docstring)."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    scheme, value = scheme.lower(), value.strip()
    if scheme == "bearer":
        user = _token_user(value)
        return Caller(user, True, refused=user is None)
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return Caller(None, True, refused=True)
        username, _sep, password = decoded.partition(":")
        user = _token_user(password) or _token_user(username)
        if user is None and username and password:
            attempt = ratelimit.login_attempt_from_request(request, username=username)
            pause = ratelimit.login_pause_remaining(attempt=attempt)
            if pause:
                return Caller(None, True, refused=True, pause=pause)
            user = authenticate(request, username=username, password=password)
            if user is None:
                pause = ratelimit.login_failure_record(attempt=attempt)
                return Caller(None, True, refused=True, pause=pause)
            ratelimit.login_counts_clear(attempt=attempt)
        if user is not None and not user.is_active:
            user = None
        return Caller(user, True, refused=user is None)
    if header:
        return Caller(None, True, refused=True)  # a scheme we do not take
    if request.user.is_authenticated:
        return Caller(request.user, False)
    return Caller(None, False)


def authentication_document(request) -> dict:
    """Return the Authentication for OPDS 1.0 document of the catalogue."""
    start = request.build_absolute_uri
    return {
        "id": start(reverse("opds_authentication")),
        "title": settings.SINERGI_HOST_SHORT_NAME,
        "description": _(
            "Sign in with the e-mail and password of your Sinergi account, or with a personal "
            "API token (made on your profile page) as the password."
        ),
        "links": [
            {"rel": "start", "href": start(reverse("opds_root")), "type": _NAV},
            {"rel": "start", "href": start(reverse("opds2_root")), "type": "application/opds+json"},
            {"rel": "register", "href": start(reverse("accounts:signup")), "type": "text/html"},
            {
                "rel": "http://librarysimplified.org/terms/rel/reset-password",
                "href": start(reverse("accounts:password_reset")),
                "type": "text/html",
            },
            {"rel": "help", "href": start(reverse("accounts:profile")), "type": "text/html"},
        ],
        "authentication": [
            {"type": BASIC, "labels": {"login": _("E-mail"), "password": _("Password")}}
        ],
    }


_NAV = "application/atom+xml;profile=opds-catalog;kind=navigation"


def challenge(request) -> HttpResponse:
    """Answer 401 with the Basic challenge and the Authentication Document."""
    body = json.dumps(authentication_document(request), ensure_ascii=False)
    response = HttpResponse(body, status=401, content_type=f"{AUTH_DOCUMENT_TYPE};charset=utf-8")
    response["WWW-Authenticate"] = 'Basic realm="Sinergi OPDS", charset="UTF-8"'
    response["Cache-Control"] = "no-store"
    return response


def paused(request, pause: timedelta) -> HttpResponse:
    """Answer 429 to credentials tried too often, saying when to try again."""
    minutes = ratelimit.pause_minutes(pause)
    body = _("Too many wrong passwords. Try again in %(minutes)d minutes.") % {"minutes": minutes}
    response = HttpResponse(body, status=429, content_type="text/plain;charset=utf-8")
    response["Retry-After"] = str(math.ceil(pause.total_seconds()))
    response["Cache-Control"] = "no-store"
    return response


def opds_view(*, methods=SAFE, login: bool = False, acts_on_get: bool = False):
    """Decorate an OPDS view: allow `methods`, resolve the caller, refuse wrong credentials
    (and, with `login`, nobody) with the 401 challenge, CSRF-check only session requests, and
    give the view the caller's user as `request.user`. With `acts_on_get` the view changes
    something even on GET (a borrow link), so a GET on a session alone is challenged."""

    def decorate(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                response = HttpResponse(status=405)
                response["Allow"] = ", ".join(methods)
                return response
            caller = opds_caller(request)
            if caller.pause:
                return paused(request, caller.pause)
            if caller.refused:
                return challenge(request)
            if caller.user is None and login:
                return challenge(request)
            if caller.by_credentials:
                request.user = caller.user
                return view(request, *args, **kwargs)
            if acts_on_get and request.method in SAFE:
                return challenge(request)
            return protected(request, *args, **kwargs)

        return wrapper

    return decorate
