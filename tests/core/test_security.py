import os
import re
import secrets
import string
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["core:home", "accounts:signup", "accounts:login", "accounts:profile"]


class _InlineCode(HTMLParser):
    """Collect what a strict CSP (no 'unsafe-inline') would block."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.scripts_with_src = 0
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.scripts_with_src += 1
            elif attrs.get("type") not in {"application/json", "application/ld+json"}:
                self._in_inline_script = True
                self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            if name in {"href", "src", "action"} and (value or "").lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:...>")


def _page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200, name
    return response


@pytest.mark.parametrize("name", PAGES)
def test_csp_header_forbids_inline_script(client, user, name):
    if name == "accounts:profile":
        client.force_login(user)
    csp = _page(client, name)["Content-Security-Policy"]
    directives = {}
    for part in csp.split(";"):
        name, _sep, value = part.strip().partition(" ")
        directives[name] = value
    assert directives["script-src"].split() == ["'self'"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_signed_out_pages_have_no_inline_code(client):
    for name in PAGES[:3]:
        parser = _InlineCode()
        parser.feed(_page(client, name).content.decode())
        assert parser.scripts_with_src >= 1, name
        assert parser.problems == [], name


def test_profile_page_has_no_inline_code(user_client, user):
    from sinergi.accounts import services

    services.api_token_create(user=user, name="ada token")
    parser = _InlineCode()
    parser.feed(_page(user_client, "accounts:profile").content.decode())
    assert parser.problems == []


def test_token_created_page_has_no_inline_code(user_client):
    response = user_client.post(reverse("accounts:token_create"), {"name": "x"})
    parser = _InlineCode()
    parser.feed(response.content.decode())
    assert parser.problems == []


def test_security_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_cookie_is_httponly(client, user):
    from ..conftest import login

    response = login(client, user.email)
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def test_forms_carry_csrf_tokens(client):
    for name in ("accounts:signup", "accounts:login"):
        assert 'name="csrfmiddlewaretoken"' in _page(client, name).content.decode()


def test_login_post_without_csrf_is_refused(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "x"})
    assert response.status_code == 403


def _production_env(**changes) -> dict:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE comes from pytest's env list, for the browser tests only.
        if key
        not in {
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="sinergi.settings",
        DEBUG="false",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ALLOWED_HOSTS="sinergi.example.org",
        # The OAI-PMH adminEmail (library.E001 refuses the development default @localhost).
        SINERGI_SUPPORT_EMAIL="perpustakaan@sinergi.example.org",
        # The library's signing key (core.W101 warns when documents would go out unsigned).
        SINERGI_SIGNING_PKCS12="/etc/sinergi/library.p12",
        # The Open Badges key (core.W102 warns when certificates would go out without a badge).
        SINERGI_BADGE_KEY="/etc/sinergi/badge.pem",
    )
    env.update(changes)
    return {key: value for key, value in env.items() if value is not None}


def test_deploy_check_passes_in_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_catches_a_weak_secret_key():
    """Negative control: the deploy check above really looks at the production settings."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(SECRET_KEY="short"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_settings_refuse_to_load_without_secret_key_when_not_debugging():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=_production_env(SECRET_KEY=None),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


def test_page_assets_are_local_and_served(client):
    """Bootstrap, its icons and htmx are vendored: the campus network may have no internet."""
    page = client.get(reverse("core:home")).content.decode()
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert len(assets) >= 5, assets
    for url in assets:
        assert url.startswith("/static/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        b"".join(response.streaming_content)
