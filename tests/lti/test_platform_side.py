"""Sinergi as an LTI 1.3 platform: a tool placed in a classroom is launched with a signed
id_token that the tool verifies with Sinergi's public JWKS."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.urls import reverse

from sinergi.learning.models import Item
from sinergi.lti.models import Tool
from sinergi.lti.platform_side import tool_place, tool_save
from tests.factories import UserFactory
from tests.learning.factories import ModuleFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

TOOL = "https://lms.perpusnas.test"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"


@pytest.fixture
def placed(db):
    registration = ParticipantFactory(user__language="en")
    tool = tool_save(
        actor=None,
        name="Modul Perpusnas",
        login_url=TOOL + "/lti/login",
        redirect_urls=TOOL + "/lti/launch\n" + TOOL + "/lti/other",
        target_link_uri=TOOL + "/lti/launch",
        jwks_url=TOOL + "/lti/jwks",
        custom="modul=katalogisasi\nlevel = 2",
        is_active=True,
    )
    module = ModuleFactory(batch=registration.batch)
    placement = tool_place(actor=None, tool=tool, module=module, title="Latihan katalogisasi")
    return registration, tool, placement


def start(client, placement):
    response = client.get(reverse("lti:placement_launch", args=[placement.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(TOOL + "/lti/login?")
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def auth_request(login, tool, **overrides):
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": tool.client_id,
        "redirect_uri": TOOL + "/lti/launch",
        "login_hint": login["login_hint"],
        "lti_message_hint": login["lti_message_hint"],
        "state": "tool-state-1",
        "nonce": "tool-nonce-1",
        **overrides,
    }
    return {k: v for k, v in params.items() if v is not None}


def test_a_placed_tool_is_launched_with_a_signed_id_token(client, placed):
    registration, tool, placement = placed
    item = Item.objects.get(pk=placement.item_id)
    assert item.kind == "link" and item.url.endswith(
        f"/lti/tools/placements/{placement.pk}/launch/"
    )
    client.force_login(registration.user)
    login = start(client, placement)
    assert login["iss"] == "http://127.0.0.1:8000"
    assert login["client_id"] == tool.client_id
    assert login["lti_deployment_id"] == tool.deployment_id
    assert login["target_link_uri"] == TOOL + "/lti/launch"

    response = client.get(reverse("lti:platform_auth"), auth_request(login, tool))
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert f'action="{TOOL}/lti/launch"' in page
    assert f"form-action 'self' {TOOL}" in response["Content-Security-Policy"]
    assert re.search(r'name="state" value="tool-state-1"', page)
    id_token = re.search(r'name="id_token" value="([^"]+)"', page).group(1)

    # The tool verifies the launch with Sinergi's public keys.
    jwks = jwt.PyJWKSet.from_dict(client.get("/lti/jwks").json())
    key = jwks[jwt.get_unverified_header(id_token)["kid"]].key
    claims = jwt.decode(
        id_token, key, algorithms=["RS256"], audience=tool.client_id, issuer=login["iss"]
    )
    assert claims["nonce"] == "tool-nonce-1"
    assert claims["sub"] == str(registration.user_id)
    assert claims["email"] == registration.user.email
    assert claims[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == tool.deployment_id
    assert claims[LTI + "resource_link"]["id"] == placement.resource_link_id
    assert claims[LTI + "roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
    assert claims[LTI + "context"]["id"] == f"batch-{registration.batch_id}"
    assert claims[LTI + "custom"] == {"modul": "katalogisasi", "level": "2"}


def test_a_speaker_launches_as_instructor(client, placed):
    _registration, tool, placement = placed
    manager = UserFactory(roles=["program_manager"])
    client.force_login(manager)
    login = start(client, placement)
    page = unescape(
        client.get(reverse("lti:platform_auth"), auth_request(login, tool)).content.decode()
    )
    id_token = re.search(r'name="id_token" value="([^"]+)"', page).group(1)
    roles = jwt.decode(id_token, options={"verify_signature": False})[LTI + "roles"]
    assert roles == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]


@pytest.mark.parametrize(
    ("override", "status", "text"),
    [
        ({"redirect_uri": "https://evil.test/steal"}, 403, b"unregistered address"),
        ({"client_id": "another"}, 403, b"another client"),
        ({"login_hint": "999999"}, 403, b"another account"),
        ({"lti_message_hint": "forged"}, 400, b"expired"),
        ({"nonce": None}, 400, b"no nonce"),
        ({"response_type": "code"}, 400, b"not an OpenID Connect"),
    ],
)
def test_a_bad_authentication_request_is_refused(client, placed, override, status, text):
    registration, tool, placement = placed
    client.force_login(registration.user)
    login = start(client, placement)
    response = client.get(reverse("lti:platform_auth"), auth_request(login, tool, **override))
    assert response.status_code == status
    assert text in response.content


def test_someone_outside_the_batch_cannot_launch(client, placed):
    _registration, _tool, placement = placed
    client.force_login(UserFactory(roles=["participant"]))
    assert client.get(reverse("lti:placement_launch", args=[placement.pk])).status_code == 404


def test_staff_register_a_tool_and_see_the_values_for_it(client, db):
    staff = UserFactory(roles=["admin"], language="en")
    client.force_login(staff)
    data = {
        "name": "Modul Perpusnas",
        "login_url": TOOL + "/lti/login",
        "redirect_urls": TOOL + "/lti/launch",
        "target_link_uri": TOOL + "/lti/launch",
        "jwks_url": "",
        "custom": "",
        "is_active": "on",
    }
    assert client.post(reverse("lti:tool_new"), data).status_code == 302
    tool = Tool.objects.get()
    assert len(tool.client_id) == 24 and tool.deployment_id
    page = client.get(reverse("lti:tool_edit", args=[tool.pk])).content.decode()
    assert tool.client_id in page and "/lti/platform/auth" in page
    home = client.get(reverse("lti:staff_home")).content.decode()
    assert "Modul Perpusnas" in home
