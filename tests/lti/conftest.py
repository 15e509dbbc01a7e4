from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.utils import translation

from sinergi.lti import protocol
from sinergi.lti.services import platform_save

from .fake_platform import DEPLOYMENT_ID, FakePlatform


@pytest.fixture(autouse=True)
def english(client):
    """Match messages in English (the msgids); the site's default language is Indonesian."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def _platform_key():
    return FakePlatform().key


@pytest.fixture
def fake(monkeypatch, _platform_key):
    """The fake platform, reached through a MockTransport for every call Sinergi makes."""
    platform = FakePlatform()
    platform.key = _platform_key
    monkeypatch.setattr(protocol, "http_client", platform.client)
    return platform


@pytest.fixture
def platform(db, fake):
    return platform_save(
        actor=None,
        deployment_ids=[DEPLOYMENT_ID],
        trust_emails=True,
        is_active=True,
        **fake.registration(),
    )


def login_step(client, fake, **params):
    """The platform's third-party login initiation; return the state and nonce Sinergi chose."""
    data = {
        "iss": fake.registration()["issuer"],
        "login_hint": "12",
        "target_link_uri": "http://127.0.0.1:8000/lti/launch/",
        "lti_message_hint": "hint-1",
        "client_id": fake.registration()["client_id"],
        "lti_deployment_id": DEPLOYMENT_ID,
        **params,
    }
    response = client.post("/lti/login/", data)
    assert response.status_code == 302, response.content
    query = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    return query


def launch(client, fake, *, state=None, **claims):
    """Log in and launch with an id_token signed by the fake platform; return the response."""
    query = login_step(client, fake)
    token = fake.id_token(nonce=claims.pop("nonce", query["nonce"]), **claims)
    return client.post("/lti/launch/", {"id_token": token, "state": state or query["state"]})
