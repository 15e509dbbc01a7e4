from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header


def sessionless(view):
    """Mark a view that needs neither the session nor the signed-in user (it checks a signed
    key of its own, as the quiz autosave does): the language middleware then takes the
    language from the cookie instead of loading the user for it. Login and the language switch
    keep that cookie equal to the account's language."""
    view.sessionless = True
    return view


class LanguageMiddleware:
    """Choose the interface language: the account's, then the visitor's cookie, then Indonesian.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: many phones in
    Indonesia are set to English, and the library wants Indonesian unless a person asks.

    The cookie's language is active from the start of the request (for anything answered
    before a view is chosen, such as a 404 for an unknown address); the account's, which costs
    loading the user, is switched to just before the view runs, except for `sessionless` views.
    It stands before the CSRF middleware, so a refused form is explained in the account's
    language too.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        self._activate(request, cookie if cookie in self.supported else settings.LANGUAGE_CODE)
        # The API is read by programs, which ask for a language per request: there the
        # Accept-Language header wins (then the account's, the cookie, Indonesian).
        api = request.path_info.startswith("/api/")
        request.language_from_header = False
        if api:
            asked = self.accepted_language(request.headers.get("Accept-Language", ""))
            if asked:
                self._activate(request, asked)
                request.language_from_header = True
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Accept-Language") if api else ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response

    def accepted_language(self, header: str) -> str | None:
        """The first supported language of an Accept-Language header, by its q values."""
        for code, _q in parse_accept_lang_header(header):
            base = code.split("-")[0]
            if base in self.supported:
                return base
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "sessionless", False) or request.language_from_header:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if user.language in self.supported and user.language != request.LANGUAGE_CODE:
            self._activate(request, user.language)
        return None

    @staticmethod
    def _activate(request, language: str) -> None:
        translation.activate(language)
        request.LANGUAGE_CODE = language


FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class NulByteMiddleware:
    """Refuse a request with a NUL byte in its path, query string or form fields: a clear 400.

    No text a person means holds a NUL, and PostgreSQL, lxml (OPDS, OAI-PMH) and openpyxl all
    refuse one with an exception, which would be a 500 wherever a view passes the text on. The
    API is left to its schemas, which answer a 422 naming the field (docs/API.md).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/") and self._carries_nul(request):
            return render(
                request,
                "400.html",
                {
                    "reason": _(
                        "The address or the form contains a NUL character, which no text may hold."
                    )
                },
                status=400,
            )
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if "\x00" in request.path_info or _has_nul(request.GET):
            return True
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            return _has_nul(request.POST)
        return False


class PrivateCacheMiddleware:
    """Tell browsers and proxies not to keep what a signed-in person was shown.

    A response to a request that carries a session cookie or an API token, and that says
    nothing of caching itself, gets `Cache-Control: private, no-store`: a shared proxy on a
    campus network must not hand one person's page to the next, nor a shared computer keep it
    in its cache. Checking the cookie rather than the user costs nothing (no session is
    loaded). Public pages, asked without a session, keep whatever caching they had; a view that
    sets its own Cache-Control (a feed, a download) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        personal = (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or "Authorization" in request.headers
            or settings.SESSION_COOKIE_NAME in response.cookies
        )
        if personal and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
