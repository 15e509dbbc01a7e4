"""Every error of /api/ has one shape, `{code, message, details}`, valid against the Error schema
of the API's own OpenAPI document (judged by jsonschema), with the message in the request's
language: Indonesian by default, English when Accept-Language (or the token's owner) asks."""

import pytest
from django.utils import translation
from jsonschema import Draft202012Validator

from sinergi.accounts.services import api_token_create
from sinergi.library import services as library

from ..factories import BatchFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


def bearer(user) -> dict:
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.fixture
def error_schema(client):
    spec = client.get(f"{API}/openapi.json").json()
    return Draft202012Validator(
        {"$ref": "#/components/schemas/Error", "components": spec["components"]}
    )


def assert_error(response, status: int, code: str, error_schema) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    error_schema.validate(body)
    assert body["code"] == code
    assert body["message"]
    return body


def test_401_without_credentials_or_with_a_bad_token(client, error_schema):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer sng_nope"}):
        response = client.get(f"{API}/me", **headers)
        body = assert_error(response, 401, "not_authenticated", error_schema)
        assert body["message"] == _in("id", "Sign in or send a valid API token.")
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_403_of_a_role_check(client, error_schema):
    response = client.post(
        f"{API}/programs", {}, content_type="application/json", **bearer(UserFactory())
    )
    # The role is checked after the body validates: an empty body is a 422 first.
    assert_error(response, 422, "validation_error", error_schema)
    response = client.get(f"{API}/certificates", **bearer(UserFactory()))
    body = assert_error(response, 403, "forbidden", error_schema)
    assert body["message"] == _in("id", "Only program managers may list certificates.")


def test_403_of_csrf_for_a_session(error_schema):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.post(f"{API}/titles/1/loans")
    assert_error(response, 403, "csrf_failed", error_schema)


def test_401_not_403_for_an_unsafe_method_without_credentials(error_schema):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer sng_nope"}):
        response = client.post(f"{API}/titles/1/loans", **headers)
        assert_error(response, 401, "not_authenticated", error_schema)


def test_a_token_needs_no_csrf_token(error_schema):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(f"{API}/titles/987654/loans", **bearer(UserFactory()))
    assert_error(response, 404, "not_found", error_schema)


@pytest.mark.parametrize(
    "path", ["/api/v1/tidak-ada", "/api/v1/me/", "/api/v1/batches/1/nothing", "/api/v2/me", "/api/"]
)
def test_404_of_an_unknown_route(client, path, error_schema):
    response = client.get(path, **bearer(UserFactory()))
    body = assert_error(response, 404, "not_found", error_schema)
    assert body["message"] == _in("id", "Not found.")


def test_404_of_a_missing_object(client, error_schema):
    response = client.get(f"{API}/batches/999999", **bearer(UserFactory()))
    assert_error(response, 404, "not_found", error_schema)


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("post", "/me", ["GET"]),
        ("put", "/programs", ["GET", "POST"]),
        ("delete", "/titles", ["GET", "POST"]),
        ("patch", "/reservations/1", ["DELETE", "GET"]),
    ],
)
def test_405_of_a_method_no_operation_has(client, method, path, allowed, error_schema):
    response = getattr(client, method)(f"{API}{path}", **bearer(UserFactory()))
    body = assert_error(response, 405, "method_not_allowed", error_schema)
    assert body["details"] == {"allowed": allowed}
    assert response["Allow"] == ", ".join(allowed)


def test_409_carries_the_business_rule_and_its_facts(client, error_schema):
    title = library.title_create(
        actor=None, data=library.TitleData(title="Kearsipan Dinamis"), copies=1
    )
    first, second = UserFactory(), UserFactory()
    assert client.post(f"{API}/titles/{title.pk}/loans", **bearer(first)).status_code == 201
    response = client.post(f"{API}/titles/{title.pk}/loans", **bearer(second))
    body = assert_error(response, 409, "no_copy_available", error_schema)
    assert body["details"] == {"hold_available": True}


def test_409_of_a_registration(client, error_schema):
    batch = BatchFactory()
    user = UserFactory()
    headers = bearer(user)
    url = f"{API}/batches/{batch.pk}/registrations"
    client.post(url, {"consent": True}, content_type="application/json", **headers)
    response = client.post(url, {"consent": True}, content_type="application/json", **headers)
    body = assert_error(response, 409, "already_registered", error_schema)
    assert body["details"] is None


def test_422_names_each_field_in_indonesian(client, error_schema):
    response = client.get(f"{API}/titles", {"page": "0", "q": "a\x00b"}, **bearer(UserFactory()))
    body = assert_error(response, 422, "validation_error", error_schema)
    assert body["message"] == _in("id", "Some fields are not valid; see details.")
    assert body["message"] != "Some fields are not valid; see details."
    by_field = {item["field"]: item for item in body["details"]}
    assert set(by_field) == {"page", "q"}
    assert by_field["page"] == {
        "location": "query",
        "field": "page",
        "type": "greater_than_equal",
        "message": "Masukkan nilai lebih besar dari atau sama dengan 1.",
    }
    assert by_field["q"]["type"] == "string_pattern_mismatch"


def test_422_of_a_body_names_nested_fields(client, error_schema):
    librarian = UserFactory(roles=["librarian"])
    response = client.post(
        f"{API}/titles",
        {"title": "", "contributors": [{"name": "x" * 300}], "year": 99999999999},
        content_type="application/json",
        **bearer(librarian),
    )
    body = assert_error(response, 422, "validation_error", error_schema)
    fields = {item["field"]: item["type"] for item in body["details"]}
    assert fields == {
        "title": "string_too_short",
        "contributors.0.name": "string_too_long",
        "year": "less_than_equal",
    }
    assert all(item["location"] == "body" for item in body["details"])


def test_422_of_a_service_rule(client, error_schema):
    librarian = UserFactory(roles=["librarian"])
    response = client.post(
        f"{API}/titles",
        {"title": "Katalogisasi", "isbn": "123"},
        content_type="application/json",
        **bearer(librarian),
    )
    body = assert_error(response, 422, "validation_error", error_schema)
    assert [item["location"] for item in body["details"]] == ["body"]
    assert "ISBN" in body["details"][0]["message"]


def test_422_of_a_path_parameter(client, error_schema):
    headers = bearer(UserFactory())
    for value in ("abc", "0", "99999999999999999999"):
        response = client.get(f"{API}/batches/{value}", **headers)
        body = assert_error(response, 422, "validation_error", error_schema)
        assert body["details"][0]["location"] == "path"
        assert body["details"][0]["field"] == "batch_id"


@pytest.mark.parametrize("body", ["{not json", "[1, 2", "\x00"])
def test_400_of_a_body_that_is_not_json(client, body, error_schema):
    response = client.post(
        f"{API}/titles", body, content_type="application/json", **bearer(UserFactory())
    )
    answer = assert_error(response, 400, "bad_request", error_schema)
    assert answer["message"] == _in("id", "The request body is not valid JSON.")


def test_429_of_the_public_verification(client, settings, error_schema):
    settings.SINERGI_CERTIFICATE_VERIFY_PER_MINUTE = 1
    client.get(f"{API}/certificates/ABCDEFGHJKMN")
    response = client.get(f"{API}/certificates/ABCDEFGHJKMN")
    assert_error(response, 429, "too_many_requests", error_schema)


def test_unknown_certificate_is_a_404_with_the_verdict(client, error_schema):
    response = client.get(f"{API}/certificates/ABCDEFGHJKMN")
    body = assert_error(response, 404, "certificate_not_found", error_schema)
    assert body["details"] == {"valid": False, "status": "not_found"}


def test_500_under_api_is_the_shared_shape(client, settings, error_schema, monkeypatch):
    settings.DEBUG = False
    client.raise_request_exception = False

    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("sinergi.accounts.api.user_roles", lambda user: explode())
    response = client.get(f"{API}/me", **bearer(UserFactory()))
    body = assert_error(response, 500, "server_error", error_schema)
    assert "boom" not in response.content.decode()
    assert body["details"] is None


# --- The request's language ------------------------------------------------------------------


def test_indonesian_by_default_english_by_accept_language(client):
    url = f"{API}/titles?page=0"
    headers = bearer(UserFactory())
    default = client.get(url, **headers)
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9", **headers)
    indonesian = client.get(url, HTTP_ACCEPT_LANGUAGE="id", **headers)

    assert default.json()["message"] == "Beberapa isian tidak sah; lihat details."
    assert default["Content-Language"] == "id"
    assert english.json()["message"] == "Some fields are not valid; see details."
    assert english.json()["details"][0]["message"] == ("Enter a value greater than or equal to 1.")
    assert english["Content-Language"] == "en"
    assert indonesian.json() == default.json()
    assert "Accept-Language" in english["Vary"]


def test_unsupported_accept_language_falls_back_to_indonesian(client):
    response = client.get(f"{API}/me", HTTP_ACCEPT_LANGUAGE="fr-FR, de;q=0.5")
    assert response.json()["message"] == _in("id", "Sign in or send a valid API token.")


def test_accept_language_by_quality(client):
    response = client.get(f"{API}/me", HTTP_ACCEPT_LANGUAGE="id;q=0.3, en;q=0.8")
    assert response.json()["message"] == "Sign in or send a valid API token."


def test_unauthenticated_and_unknown_routes_follow_accept_language(client):
    for path in (f"{API}/me", f"{API}/tidak-ada", "/api/v9/x"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.json()["message"] in {
            "Sign in or send a valid API token.",
            "Not found.",
        }, path


def test_the_token_owners_language_unless_the_header_says_otherwise(client):
    english_user = UserFactory(language="en")
    headers = bearer(english_user)
    url = f"{API}/certificates"
    own = client.get(url, **headers)
    asked = client.get(url, HTTP_ACCEPT_LANGUAGE="id", **headers)
    assert own.json()["message"] == "Only program managers may list certificates."
    assert asked.json()["message"] == _in("id", "Only program managers may list certificates.")
    assert asked.json()["message"] != own.json()["message"]


def test_the_site_still_ignores_accept_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "id"


# --- What schemathesis found -------------------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_at_the_ends_of_the_calendar_has_no_slots(client, day):
    # Was a 500: the day's bounds in local time overflowed (found by schemathesis).
    response = client.get(f"{API}/visit-slots", {"date": day}, **bearer(UserFactory()))
    assert response.status_code == 200
    assert response.json() == []


def test_a_far_date_in_a_body_is_a_422(client, error_schema):
    staff = UserFactory(roles=["services_desk"])
    response = client.post(
        f"{API}/visit-slots",
        {
            "service_point": "x",
            "starts_at": "0001-01-01T00:00:00+14:00",
            "ends_at": "0001-01-01T01:00:00+14:00",
            "capacity": 5,
        },
        content_type="application/json",
        **bearer(staff),
    )
    body = assert_error(response, 422, "validation_error", error_schema)
    assert {item["field"] for item in body["details"]} == {"starts_at", "ends_at"}
    assert body["details"][0]["message"] == "Masukkan tanggal antara tahun 1900 dan 2200."
