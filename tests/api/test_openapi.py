import re
from html.parser import HTMLParser

import pytest
from openapi_spec_validator import validate

from sinergi.accounts.services import api_token_create

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

ERROR_REF = "#/components/schemas/Error"
UNSAFE = {"post", "put", "patch", "delete"}

# What each operation does beyond its declaration: refuse a role (403), break a business rule
# (409), limit the rate (429). Written out here so that a new operation must be thought about.
ROLE_CHECKED = {
    ("post", "/api/v1/programs"),
    ("get", "/api/v1/batches"),
    ("post", "/api/v1/batches"),
    ("get", "/api/v1/certificates"),
    ("post", "/api/v1/visit-slots"),
    ("post", "/api/v1/titles"),
}
BUSINESS_RULES = {
    ("post", "/api/v1/batches/{batch_id}/registrations"),
    ("post", "/api/v1/registrations/{registration_id}/cancel"),
    ("post", "/api/v1/visit-slots/{slot_id}/reservations"),
    ("delete", "/api/v1/reservations/{reservation_id}"),
    ("post", "/api/v1/titles/{title_id}/loans"),
    ("post", "/api/v1/titles/{title_id}/holds"),
    ("delete", "/api/v1/loans/{loan_id}"),
}
RATE_LIMITED = {("get", "/api/v1/certificates/{code}")}
# A 404 besides the path's object: a query parameter naming something that does not exist.
NOT_FOUND_BY_QUERY = {("get", "/api/v1/visit-slots")}


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").json()


def expected_errors(method: str, path: str, operation: dict) -> set[int]:
    """The errors an operation can give, from its declaration and the lists above."""
    expected = set()
    if operation.get("parameters") or operation.get("requestBody"):
        expected |= {400, 422}
    if operation.get("security"):
        expected.add(401)
        if method in UNSAFE:
            expected.add(403)  # the session's CSRF check
    if "{" in path or (method, path) in NOT_FOUND_BY_QUERY:
        expected.add(404)
    if (method, path) in ROLE_CHECKED:
        expected.add(403)
    if (method, path) in BUSINESS_RULES:
        expected.add(409)
    if (method, path) in RATE_LIMITED:
        expected.add(429)
    return expected


def test_every_operation_lists_its_errors_with_the_error_schema(spec):
    operations = list(_operations(spec))
    assert len(operations) >= 27
    missing = {}
    for method, path, operation in operations:
        documented = {int(status) for status in operation["responses"] if int(status) >= 400}
        want = expected_errors(method, path, operation)
        if want - documented:
            missing[(method, path)] = sorted(want - documented)
        assert documented, (method, path)
        for status in documented:
            schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, (method, path, status)
    assert missing == {}
    listed = {(m, p) for m, p, _o in operations}
    assert listed >= (ROLE_CHECKED | BUSINESS_RULES | RATE_LIMITED)


def test_every_authenticated_operation_answers_401_as_documented(client, spec):
    checked = 0
    for method, path, operation in _operations(spec):
        if not operation.get("security"):
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = getattr(client, method)(url, HTTP_AUTHORIZATION="Bearer sng_wrong")
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "not_authenticated"
        checked += 1
    assert checked >= 26


def test_every_operation_on_a_missing_object_answers_404(client, spec):
    admin = UserFactory(roles=["admin"])
    _token, raw = api_token_create(user=admin, name="test")
    for method, path, operation in _operations(spec):
        if "{" not in path:
            continue
        url = re.sub(r"\{code\}", "ABCDEFGHJKMN", path)
        url = re.sub(r"\{[^}]+\}", "987654321", url)
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        if operation.get("requestBody"):
            kwargs.update(data={"consent": True}, content_type="application/json")
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code == 404, (method, path, response.content)
        assert set(response.json()) == {"code", "message", "details"}


def test_openapi_document_is_valid_openapi_3(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    validate(spec)  # raises on any violation of the OpenAPI schema
    assert "/api/v1/me" in spec["paths"]
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


class _AssetCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if tag in {"script", "link", "img", "iframe"} and attrs.get(name):
                self.urls.append(attrs[name])
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.inline_scripts += 1


def test_api_docs_use_only_local_assets(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    parser = _AssetCollector()
    parser.feed(html)
    assert parser.urls, "the docs page loads no assets at all?"
    remote = [url for url in parser.urls if re.match(r"^(https?:)?//", url)]
    assert remote == []
    assert all(url.startswith("/static/") for url in parser.urls), parser.urls
    assert parser.inline_scripts == 0
    assert not re.search(r"https?://[^\"'\s]*\.(js|css)", html)


def test_docs_assets_are_served(client):
    parser = _AssetCollector()
    parser.feed(client.get("/api/v1/docs").content.decode())
    for url in parser.urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
