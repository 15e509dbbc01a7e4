import json

import pytest
from django.utils import translation

from sinergi.core import errors

from ..conftest import html_lang

pytestmark = pytest.mark.django_db


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def test_404_page_is_friendly_and_indonesian_by_default(client):
    response = client.get("/tidak-ada/", HTTP_ACCEPT_LANGUAGE="en-US")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert html_lang(response) == "id"
    heading = _in("id", "Page not found")
    assert heading != "Page not found", "no Indonesian translation for the 404 page"
    assert heading in page
    assert _in("id", "Back to the home page") in page
    assert 'href="/"' in page
    assert "Page not found" not in page


def test_404_page_in_english_when_chosen(client):
    client.cookies["django_language"] = "en"
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/tidak-ada", "/api/v1/tidak/ada/", "/api/v2/me"])
def test_api_404_is_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "code": "not_found",
        "message": _in("id", "Not found."),
        "details": None,
    }


def test_403_page_is_a_page(user_client):
    response = user_client.get("/audit/")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert html_lang(response) == "id"


@pytest.mark.parametrize(
    "handler, status", [(errors.permission_denied, 403), (errors.server_error, 500)]
)
def test_api_errors_are_json(rf, handler, status):
    response = handler(rf.get("/api/v1/me"))
    assert response.status_code == status
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert set(json.loads(response.content)) == {"code", "message", "details"}


def test_500_page_is_a_page(rf):
    response = errors.server_error(rf.get("/training/"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
