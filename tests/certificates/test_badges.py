"""Open Badges 3.0: the credential judged by 1EdTech's own JSON Schema, its VC-JWT proof checked
by an independent Ed25519 implementation (PyNaCl, i.e. libsodium — Sinergi signs with PyJWT over
`cryptography`, i.e. OpenSSL), the baked PNG read back by Pillow, and the public verification
page's answers for every kind of upload."""

import base64
import io
import json
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from jsonschema import Draft201909Validator
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from PIL import Image

from sinergi.certificates import badges, services
from sinergi.core import signing
from sinergi.training.models import CompetencyUnit

from ..factories import UserFactory

SCHEMA = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "schemas"
    / "openbadges"
    / "ob_v3p0_achievementcredential_schema.json"
)


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def badge_key(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SINERGI_BADGE_KEY = ""
    settings.SINERGI_SIGNING_DEVELOPMENT = True
    path = signing.badge_development_key_create(path=signing.badge_development_path())
    badges._load_key.cache_clear()
    yield path
    badges._load_key.cache_clear()


@pytest.fixture
def certificate(completion, badge_key):
    program = completion.registration.batch.program
    program.competency_units.add(
        CompetencyUnit.objects.create(
            code="R.91PUS00.012.2",
            title="Melakukan Pengatalogan Deskriptif",
            source="Kepmenaker 236/2019",
        )
    )
    return services.certificate_issue(registration=completion.registration, notify=False)


def test_the_credential_is_valid_against_the_1edtech_schema(certificate):
    schema = json.loads(SCHEMA.read_text())
    credential = badges.credential_build(certificate)
    validator = Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(credential), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    # The schema is not a rubber stamp: a credential without its issuer fails it.
    broken = {k: v for k, v in credential.items() if k != "issuer"}
    assert list(validator.iter_errors(broken))
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    assert achievement["name"] == certificate.program_title
    assert achievement["creditsAvailable"] == certificate.jp
    assert subject["creditsEarned"] == certificate.jp
    (alignment,) = achievement["alignment"]
    assert alignment["targetCode"] == "R.91PUS00.012.2"
    assert alignment["targetFramework"] == "Kepmenaker 236/2019"
    assert alignment["targetUrl"].endswith("/certificates/competencies/#unit-R.91PUS00.012.2")
    assert credential["issuer"]["id"] == "https://sinergi.example.ac.id/certificates/issuer/"
    assert credential["id"].endswith(f"/certificates/verify/{certificate.code}/")
    # The holder is named by a salted hash, never by the e-mail address itself.
    assert certificate.registration.user.email not in json.dumps(credential)


def test_the_vc_jwt_verifies_with_libsodium_against_the_published_jwks(client, certificate):
    client.force_login(certificate.registration.user)
    response = client.get(reverse("certificates:credential", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jwt"
    token = response.content.decode()
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(b64decode(header_b64))
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"
    jwks_url, _hash, kid = header["kid"].partition("#")
    assert jwks_url == "https://sinergi.example.ac.id/certificates/issuer/jwks.json"
    keys = client.get(reverse("certificates:issuer_jwks")).json()["keys"]
    (jwk,) = [key for key in keys if key["kid"] == kid]
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    verify_key = VerifyKey(b64decode(jwk["x"]))
    signing_input = f"{header_b64}.{payload_b64}".encode()
    verify_key.verify(signing_input, b64decode(signature_b64))
    payload = json.loads(b64decode(payload_b64))
    assert payload["vc"]["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["iss"] == payload["vc"]["issuer"]["id"]
    assert payload["jti"] == payload["vc"]["id"]
    # One changed byte in the payload and libsodium refuses it.
    changed = payload_b64[:-2] + ("A" if payload_b64[-2] != "A" else "B") + payload_b64[-1]
    with pytest.raises(BadSignatureError):
        verify_key.verify(f"{header_b64}.{changed}".encode(), b64decode(signature_b64))


def test_the_issuer_profile_is_public_json_ld(client, certificate):
    response = client.get(reverse("certificates:issuer"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    profile = response.json()
    assert profile["type"] == ["Profile"]
    assert profile["id"] == "https://sinergi.example.ac.id/certificates/issuer/"
    page = client.get(reverse("certificates:competencies"))
    assert b'id="unit-R.91PUS00.012.2"' in page.content


def test_the_badge_png_carries_the_credential_in_an_itxt_chunk(client, certificate):
    client.force_login(certificate.registration.user)
    response = client.get(reverse("certificates:badge", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    image.load()
    # Pillow, not Sinergi's reader, finds the iTXt chunk with the OB 3.0 keyword.
    token = image.text["openbadgecredential"]
    assert jwt.decode(token, options={"verify_signature": False})["vc"]["id"].endswith(
        f"/{certificate.code}/"
    )
    assert image.size == (400, 400)


def test_only_the_holder_downloads_the_badge(client, certificate):
    client.force_login(UserFactory())
    assert client.get(reverse("certificates:badge", args=[certificate.pk])).status_code == 404
    assert client.get(reverse("certificates:credential", args=[certificate.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("certificates:badge", args=[certificate.pk]))
    assert response.status_code == 302


def _check(client, content: bytes, name: str = "badge.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("certificates:verify_credential"), {"badge": upload})


def state(response) -> str:
    text = response.content.decode()
    marker = 'data-state="'
    return text[text.index(marker) + len(marker) :].split('"', 1)[0]


def test_the_public_page_says_valid_revoked_tampered_untrusted(client, certificate):
    png = badges.badge_png(certificate)
    token = badges.credential_jwt(certificate)
    response = _check(client, png)
    assert response.status_code == 200 and state(response) == "valid"
    assert certificate.number in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    assert state(_check(client, token.encode(), "badge.jwt")) == "valid"

    header, payload, signature = token.split(".")
    claims = json.loads(b64decode(payload))
    claims["vc"]["credentialSubject"]["creditsEarned"] = 320.0
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert state(_check(client, f"{header}.{forged}.{signature}".encode())) == "tampered"
    # The same bytes in a PNG whose credential was edited.
    assert (
        state(
            _check(
                client,
                badges.png_bake(badges.badge_image(certificate), f"{header}.{forged}.{signature}"),
            )
        )
        == "tampered"
    )

    stranger = jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA")
    assert state(_check(client, stranger.encode())) == "tampered"  # claims our issuer
    claims["iss"] = "https://elsewhere.example/issuer"
    stranger = jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA")
    assert state(_check(client, stranger.encode())) == "untrusted"
    hs256 = jwt.encode(claims, "a-shared-secret-of-32-bytes-or-more!", algorithm="HS256")
    assert state(_check(client, hs256.encode())) == "untrusted"

    services.certificate_revoke(certificate=certificate, actor=None, reason="Data keliru")
    response = _check(client, png)
    assert state(response) == "revoked"
    assert "Data keliru" in response.content.decode()


def test_unsigned_unreadable_and_oversized_uploads_never_fail(client, certificate):
    credential = json.dumps(badges.credential_build(certificate)).encode()
    assert state(_check(client, credential, "badge.json")) == "unsigned"
    assert state(_check(client, badges.badge_image(certificate))) == "unreadable"
    assert state(_check(client, b"\x89PNG\r\n\x1a\n\x00\x00\xff\xffiTXt")) == "unreadable"
    assert state(_check(client, b"not.a.jwt")) == "unreadable"
    assert state(_check(client, b"[1, 2]")) == "unreadable"
    response = _check(client, b"x" * (1024 * 1024 + 1))
    assert response.status_code == 400
    assert "1 MB" in response.content.decode()


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=300).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),
        st.text(max_size=200).map(lambda t: t.encode()),
        st.lists(st.text(alphabet="abcXYZ-_019", max_size=40), min_size=3, max_size=3).map(
            lambda parts: ".".join(parts).encode()
        ),
    )
)
@pytest.mark.django_db
def test_any_bytes_get_a_verdict_never_an_exception(content):
    assert badges.credential_verify(content=content).state in {
        "unreadable",
        "unsigned",
        "untrusted",
        "tampered",
        "not_found",
    }
