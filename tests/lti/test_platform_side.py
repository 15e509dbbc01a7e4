"""Sinergi as an LTI 1.3 platform: a tool placed in a classroom is launched with a signed
id_token that the tool verifies with Sinergi's public JWKS."""

import json
import re
import secrets
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core import signing as django_signing
from django.urls import reverse

from sinergi.learning.models import Item, ItemCompletion
from sinergi.lti import protocol
from sinergi.lti.models import Tool, ToolPlacement, ToolScore
from sinergi.lti.platform_side import tool_place, tool_save
from tests.factories import UserFactory
from tests.learning.factories import ModuleFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

TOOL = "https://lms.perpusnas.test"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


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


# --- AGS from the tool back to Sinergi ------------------------------------------------------


class FakeTool:
    """The tool's side of AGS: its own key pair, its JWKS served over a MockTransport."""

    def __init__(self, key, client_id):
        self.key = key
        self.client_id = client_id

    def jwks(self):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": "tool-1", "alg": "RS256", "use": "sig"}]}

    def handle(self, request):
        if str(request.url) == TOOL + "/lti/jwks":
            return httpx.Response(200, json=self.jwks())
        return httpx.Response(404)

    def deep_linking_response(self, *, data, deployment_id, items, key=None):
        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "aud": "http://127.0.0.1:8000",
            "iat": now,
            "exp": now + 60,
            "nonce": secrets.token_hex(8),
            LTI + "message_type": "LtiDeepLinkingResponse",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": deployment_id,
            DL + "content_items": items,
            DL + "data": data,
        }
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": "tool-1"})

    def assertion(self, *, key=None, jti=None, aud="http://127.0.0.1:8000/lti/platform/token"):
        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": aud,
            "iat": now,
            "exp": now + 60,
            "jti": jti or secrets.token_hex(8),
        }
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": "tool-1"})


@pytest.fixture
def tool_side(placed, monkeypatch, _platform_key):
    _registration, tool, _placement = placed
    fake_tool = FakeTool(_platform_key, tool.client_id)
    monkeypatch.setattr(
        protocol,
        "http_client",
        lambda: httpx.Client(transport=httpx.MockTransport(fake_tool.handle)),
    )
    return fake_tool


def get_token(client, fake_tool, scope=SCOPE_SCORE, **assertion):
    return client.post(
        reverse("lti:platform_token"),
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": fake_tool.assertion(**assertion),
            "scope": scope,
        },
    )


def post_score(client, placement, token, **body):
    score = {
        "userId": "0",
        "scoreGiven": 8,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": "2026-12-07T10:00:00.000+00:00",
        **body,
    }
    return client.post(
        reverse("lti:platform_scores", args=[placement.pk]),
        json.dumps(score),
        content_type="application/vnd.ims.lis.v1.score+json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_launch_offers_the_placements_line_item(client, placed):
    registration, tool, placement = placed
    client.force_login(registration.user)
    login = start(client, placement)
    page = unescape(
        client.get(reverse("lti:platform_auth"), auth_request(login, tool)).content.decode()
    )
    id_token = re.search(r'name="id_token" value="([^"]+)"', page).group(1)
    ags = jwt.decode(id_token, options={"verify_signature": False})[
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
    ]
    assert (
        ags["lineitem"] == f"http://127.0.0.1:8000/lti/platform/placements/{placement.pk}/lineitem"
    )
    assert SCOPE_SCORE in ags["scope"]


def test_a_tool_posts_a_score_that_marks_the_item_done(client, placed, tool_side):
    registration, _tool, placement = placed
    response = get_token(client, tool_side, scope=f"{SCOPE_SCORE} {SCOPE_LINEITEM}")
    assert response.status_code == 200, response.content
    token = response.json()["access_token"]
    assert response.json()["scope"] == f"{SCOPE_LINEITEM} {SCOPE_SCORE}"
    lineitem = client.get(
        reverse("lti:platform_lineitem", args=[placement.pk]),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert lineitem.json()["resourceLinkId"] == placement.resource_link_id
    response = post_score(client, placement, token, userId=str(registration.user_id))
    assert response.status_code == 204
    score = ToolScore.objects.get(placement=placement, user=registration.user)
    assert score.percent == 80
    assert ItemCompletion.objects.filter(item_id=placement.item_id, registration=registration)
    # An older score does not replace a newer one.
    post_score(
        client,
        placement,
        token,
        userId=str(registration.user_id),
        scoreGiven=1,
        timestamp="2026-12-07T09:00:00+00:00",
    )
    score.refresh_from_db()
    assert score.score_given == 8


def test_token_requests_are_verified(client, placed, tool_side):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert get_token(client, tool_side, key=other).status_code == 401
    assert get_token(client, tool_side, aud="https://elsewhere.test/token").status_code == 401
    assert get_token(client, tool_side, jti="once").status_code == 200
    assert get_token(client, tool_side, jti="once").status_code == 401  # replayed assertion
    assert get_token(client, tool_side, scope="https://example.test/other").status_code == 400


def test_scores_need_the_tools_token_and_a_participant(client, placed, tool_side):
    registration, _tool, placement = placed
    assert post_score(client, placement, "made-up").status_code == 401
    token = get_token(client, tool_side).json()["access_token"]
    response = post_score(client, placement, token, userId=str(UserFactory().pk))
    assert response.status_code == 404
    response = post_score(client, placement, token, userId=str(registration.user_id), timestamp="x")
    assert response.status_code == 400
    # A line-item-only token may not post scores.
    read_only = get_token(client, tool_side, scope=SCOPE_LINEITEM).json()["access_token"]
    assert (
        post_score(client, placement, read_only, userId=str(registration.user_id)).status_code
        == 401
    )


# --- Deep linking from a tool ---------------------------------------------------------------


def test_a_tool_chooses_its_content_and_sinergi_places_it(client, placed, tool_side):
    registration, tool, _placement = placed
    manager = UserFactory(roles=["program_manager"], language="en")
    client.force_login(manager)
    module = ModuleFactory(batch=registration.batch)
    response = client.post(
        reverse("lti:tool_deep_link"), {"tool": tool.pk, "module": module.pk, "title": ""}
    )
    assert response.status_code == 302 and response["Location"].startswith(TOOL + "/lti/login?")
    login = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    page = unescape(
        client.get(reverse("lti:platform_auth"), auth_request(login, tool)).content.decode()
    )
    id_token = re.search(r'name="id_token" value="([^"]+)"', page).group(1)
    jwks = jwt.PyJWKSet.from_dict(client.get("/lti/jwks").json())
    request_claims = jwt.decode(
        id_token,
        jwks[jwt.get_unverified_header(id_token)["kid"]].key,
        algorithms=["RS256"],
        audience=tool.client_id,
    )
    assert request_claims[LTI + "message_type"] == "LtiDeepLinkingRequest"
    settings_claim = request_claims[DL + "deep_linking_settings"]
    assert settings_claim["deep_link_return_url"] == (
        "http://127.0.0.1:8000/lti/platform/deep-link-return"
    )

    # The tool answers with its choice, signed with its own key.
    answer = tool_side.deep_linking_response(
        data=settings_claim["data"],
        deployment_id=tool.deployment_id,
        items=[
            {
                "type": "ltiResourceLink",
                "title": "Kuis RDA",
                "url": TOOL + "/lti/launch?activity=rda",
                "custom": {"activity": "rda"},
            }
        ],
    )
    client.logout()  # the tool's POST is cross-site: no session comes with it
    response = client.post(reverse("lti:platform_deep_link_return"), {"JWT": answer})
    assert response.status_code == 200
    placement = ToolPlacement.objects.get(title="Kuis RDA")
    assert placement.custom == {"activity": "rda"}
    assert Item.objects.get(pk=placement.item_id).module == module

    # A launch of the placed item goes to the item's own URL with its parameters.
    client.force_login(registration.user)
    login = start(client, placement)
    page = unescape(
        client.get(reverse("lti:platform_auth"), auth_request(login, tool)).content.decode()
    )
    claims = jwt.decode(
        re.search(r'name="id_token" value="([^"]+)"', page).group(1),
        options={"verify_signature": False},
    )
    assert claims[LTI + "target_link_uri"] == TOOL + "/lti/launch?activity=rda"
    assert claims[LTI + "custom"] == {"modul": "katalogisasi", "level": "2", "activity": "rda"}


def test_a_deep_linking_answer_is_verified(client, placed, tool_side):
    registration, tool, _placement = placed
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    module = ModuleFactory(batch=registration.batch)
    good_data = django_signing.dumps(
        {"m": module.pk, "t": tool.pk, "u": 1}, salt="sinergi.lti.platform-deep-link"
    )
    forged = tool_side.deep_linking_response(
        data=good_data, deployment_id=tool.deployment_id, items=[], key=other
    )
    url = reverse("lti:platform_deep_link_return")
    assert client.post(url, {"JWT": forged}).status_code == 400
    wrong_data = tool_side.deep_linking_response(
        data="tampered", deployment_id=tool.deployment_id, items=[]
    )
    assert client.post(url, {"JWT": wrong_data}).status_code == 400
    wrong_deployment = tool_side.deep_linking_response(data=good_data, deployment_id="x", items=[])
    assert client.post(url, {"JWT": wrong_deployment}).status_code == 403
    assert (
        not ToolPlacement.objects.filter(batch=registration.batch)
        .exclude(pk=_placement.pk)
        .exists()
    )


def test_only_staff_start_a_tools_deep_linking(client, placed):
    registration, _tool, _placement = placed
    client.force_login(registration.user)
    assert client.get(reverse("lti:tool_deep_link")).status_code == 403
