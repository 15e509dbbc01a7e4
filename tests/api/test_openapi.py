import re
from html.parser import HTMLParser

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


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
