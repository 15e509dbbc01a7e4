import pytest
from django.urls import reverse

from ..conftest import html_lang, login
from ..factories import UserFactory

pytestmark = pytest.mark.django_db

SET_LANGUAGE = "/accounts/language/"


def test_set_language_url():
    assert reverse("accounts:set_language") == SET_LANGUAGE


def test_indonesian_by_default_whatever_the_browser_says(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert html_lang(response) == "id"
    assert response["Content-Language"] == "id"


def test_visitor_switches_to_english_and_back(client):
    response = client.post(SET_LANGUAGE, {"language": "en", "next": "/privacy/"})

    assert response.status_code == 302
    assert response.url == "/privacy/"
    assert response.cookies["django_language"].value == "en"
    assert html_lang(client.get("/privacy/")) == "en"

    client.post(SET_LANGUAGE, {"language": "id", "next": "/"})
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="en")) == "id"


def test_language_is_stored_on_the_signed_in_user(client):
    user = UserFactory(language="id")
    client.force_login(user)

    client.post(SET_LANGUAGE, {"language": "en", "next": "/"})

    user.refresh_from_db()
    assert user.language == "en"
    # The account's choice wins over a cookie left from before.
    client.cookies["django_language"] = "id"
    assert html_lang(client.get("/")) == "en"


def test_unknown_language_is_ignored(client):
    user = UserFactory(language="id")
    client.force_login(user)
    response = client.post(SET_LANGUAGE, {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert "django_language" not in response.cookies
    user.refresh_from_db()
    assert user.language == "id"


def test_unknown_cookie_falls_back_to_indonesian(client):
    client.cookies["django_language"] = "fr"
    assert html_lang(client.get("/")) == "id"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example.com/",
        "//evil.example.com/",
        "http://evil.example.com/accounts/login/",
        "javascript:alert(1)",
        "/\\evil.example.com",
        "",
    ],
)
def test_unsafe_next_is_not_followed(client, next_url):
    response = client.post(SET_LANGUAGE, {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert response.url == "/"


def test_safe_next_keeps_the_query(client):
    response = client.post(SET_LANGUAGE, {"language": "en", "next": "/audit/?verb=accounts."})
    assert response.url == "/audit/?verb=accounts."


def test_set_language_needs_post(client):
    assert client.get(SET_LANGUAGE, {"language": "en"}).status_code == 405


def test_language_switch_form_is_on_every_page(client):
    page = client.get("/").content.decode()
    assert f'action="{SET_LANGUAGE}"' in page
    assert 'name="language" value="en"' in page


def test_pages_vary_on_cookie(client):
    assert "Cookie" in client.get("/")["Vary"]


def test_every_language_cookie_follows_the_cookie_settings(client, settings):
    """In production LANGUAGE_COOKIE_SECURE is on; no view may set the cookie without it."""
    settings.LANGUAGE_COOKIE_SECURE = True
    user = UserFactory(language="en")
    cookies = [
        client.post(SET_LANGUAGE, {"language": "en", "next": "/"}).cookies,
        login(client, user.email).cookies,
        client.post(
            reverse("accounts:profile"), {"full_name": user.full_name, "language": "id"}
        ).cookies,
    ]
    for jar in cookies:
        assert jar["django_language"]["secure"] is True
        assert jar["django_language"]["samesite"] == "Lax"


def test_the_account_language_holds_for_a_refused_form_too(client):
    """The account's language is chosen before the CSRF check, so its refusal is readable."""
    from django.test import Client

    user = UserFactory(language="en")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    refused = strict.post(SET_LANGUAGE, {"language": "id", "next": "/"})
    assert refused.status_code == 403
    assert refused["Content-Language"] == "en"
    assert html_lang(refused) == "en"
