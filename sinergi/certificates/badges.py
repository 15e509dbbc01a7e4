"""Open Badges 3.0: each certificate as a signed OpenBadgeCredential, and a PNG that carries it.

The credential (1EdTech Open Badges 3.0, a W3C Verifiable Credential 2.0) says what the PDF
says: the holder, the program as the achievement (with its JP and its competency units aligned
to their SKKNI codes), the batch's dates and the library as the issuer. It is secured as a
VC-JWT (the OB 3.0 "JWT proof"): a compact JWS, EdDSA with an Ed25519 key, whose payload holds
the credential in `vc` with `iss`, `jti`, `sub` and `nbf` as OB 3.0 asks. The key's public half
is published in the issuer's JWKS (`/certificates/issuer/jwks.json`), named in the JWS header's
`kid`, so anyone can check a credential without asking Sinergi whether it is genuine; only
revocation needs the register (the verification page, the API).

A badge is a PNG "baked" as OB 3.0 says: an iTXt chunk with the keyword `openbadgecredential`
whose text is the compact JWS.

The key: `SINERGI_BADGE_KEY`, a PEM Ed25519 private key file; under DEBUG (or
SINERGI_SIGNING_DEVELOPMENT) the development key var/signing/badge-development.pem, made by
`manage.py signing_dev_key`. Old keys whose credentials must still verify:
`SINERGI_BADGE_PREVIOUS_KEYS` (their public PEM files), published in the JWKS too.
"""

import base64
import contextlib
import datetime
import hashlib
import io
import json
import struct
import uuid
import zlib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from sinergi.core import signing

from .models import Certificate

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
BAKING_KEYWORD = b"openbadgecredential"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A namespace for the achievements' ids: one stable urn:uuid per program.
ACHIEVEMENT_NAMESPACE = uuid.UUID("5b8f0c1e-7d2a-4f64-9a51-0c5e2f3d8a17")
ALGORITHM = "EdDSA"


class BadgeKeyMissing(Exception):
    """No badge key is configured (and no development key under DEBUG)."""


# --- Keys -------------------------------------------------------------------------------------


def _key_path() -> tuple[str, bool]:
    if settings.SINERGI_BADGE_KEY:
        return settings.SINERGI_BADGE_KEY, False
    candidate = signing.badge_development_path()
    if (settings.DEBUG or settings.SINERGI_SIGNING_DEVELOPMENT) and candidate.exists():
        return str(candidate), True
    raise BadgeKeyMissing


@cache
def _load_key(path: str, mtime: float) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise BadgeKeyMissing(f"{path} is not an Ed25519 key")
    return key


def signing_key() -> tuple[Ed25519PrivateKey, bool]:
    """Return the badge key and whether it is the development one; BadgeKeyMissing if none."""
    path, development = _key_path()
    return _load_key(path, Path(path).stat().st_mtime), development


def badges_available() -> bool:
    try:
        signing_key()
    except (BadgeKeyMissing, OSError):
        return False
    return True


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(public: Ed25519PublicKey) -> dict:
    """Return the key as a JWK (RFC 8037) with its RFC 7638 thumbprint as `kid`."""
    x = _b64(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    # The thumbprint hashes the required members in lexicographic order, no spaces.
    thumbprint = _b64(
        hashlib.sha256(
            json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":")).encode()
        ).digest()
    )
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": thumbprint, "alg": ALGORITHM}


def published_keys() -> list[Ed25519PublicKey]:
    """The current key's public half first, then the previous keys still honoured."""
    keys = []
    with contextlib.suppress(BadgeKeyMissing, OSError):
        keys.append(signing_key()[0].public_key())
    for path in settings.SINERGI_BADGE_PREVIOUS_KEYS:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
        if isinstance(key, Ed25519PublicKey):
            keys.append(key)
    return keys


def jwks() -> dict:
    return {"keys": [public_jwk(key) for key in published_keys()]}


# --- Addresses --------------------------------------------------------------------------------


def issuer_id() -> str:
    return settings.SITE_URL + reverse("certificates:issuer")


def jwks_url() -> str:
    return settings.SITE_URL + reverse("certificates:issuer_jwks")


def credential_id(code: str) -> str:
    """The credential's id is its verification address: dereferenceable, shows revocation."""
    return settings.SITE_URL + reverse("certificates:verify_code", args=[code])


def competency_url(code: str) -> str:
    return settings.SITE_URL + reverse("certificates:competencies") + "#unit-" + code


def issuer_profile() -> dict:
    """The library as an OB 3.0 issuer Profile, published at its id."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_id(),
        "type": ["Profile"],
        "name": settings.SINERGI_HOST_NAME,
        "url": settings.SITE_URL + "/",
        "email": settings.SINERGI_SUPPORT_EMAIL,
        "address": {
            "type": ["Address"],
            "addressLocality": settings.SINERGI_DOCUMENT_PLACE,
            "addressCountry": "Indonesia",
            "addressCountryCode": "ID",
        },
    }


# --- The credential ---------------------------------------------------------------------------


def _moment(value: datetime.datetime | datetime.date) -> str:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{value.isoformat()}T00:00:00Z"


def _day_start(day: datetime.date) -> datetime.datetime:
    """The start of `day` in WIB, as the aware moment it is."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _units(certificate: Certificate) -> list[tuple[str, str, str]]:
    """(code, title, source) of the certificate's competency units, as they were at issue
    ("<code> <title>"), with the source from the register where the code is still there."""
    from sinergi.training.models import CompetencyUnit

    pairs = [text.partition(" ")[::2] for text in certificate.competencies]
    sources = dict(
        CompetencyUnit.objects.filter(code__in=[code for code, _title in pairs]).values_list(
            "code", "source"
        )
    )
    return [(code, title or code, sources.get(code, "")) for code, title in pairs]


def credential_build(certificate: Certificate) -> dict:
    """Return the OpenBadgeCredential of `certificate` (JSON-LD, without a proof)."""
    registration = certificate.registration
    user = registration.user
    program = registration.batch.program
    issued = _moment(certificate.issued_at)
    # The earner is named by a salted hash of the e-mail address, as OB 3.0's IdentityObject
    # allows: whoever knows the address can check it, nobody reads it off the badge.
    salt = hashlib.sha256(f"{certificate.code}:{certificate.pk}".encode()).hexdigest()[:16]
    identity = hashlib.sha256((user.email.lower() + salt).encode()).hexdigest()
    alignment = [
        {
            "type": ["Alignment"],
            "targetType": "ceasn:Competency",
            "targetCode": code,
            "targetName": title,
            "targetFramework": source or "SKKNI Perpustakaan",
            "targetUrl": competency_url(code),
        }
        for code, title, source in _units(certificate)
    ]
    achievement = {
        "id": "urn:uuid:" + str(uuid.uuid5(ACHIEVEMENT_NAMESPACE, program.slug)),
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": certificate.program_title,
        "description": program.summary,
        "criteria": {
            "narrative": (
                f"Menyelesaikan {certificate.program_title} sebanyak {certificate.jp} JP "
                f"(jam pelajaran, 1 JP = {settings.SINERGI_JP_MINUTES} menit) sesuai aturan "
                "kelulusan program."
            )
        },
        "creditsAvailable": float(certificate.jp),
        "humanCode": program.slug,
        "inLanguage": "id",
        "creator": {"id": issuer_id(), "type": ["Profile"], "name": settings.SINERGI_HOST_NAME},
    }
    if not achievement["description"]:
        achievement["description"] = (
            f"{certificate.program_title}, {certificate.jp} JP, {settings.SINERGI_HOST_NAME}"
        )
    if alignment:
        achievement["alignment"] = alignment
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": "sha256$" + identity,
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            }
        ],
        "achievement": achievement,
        "creditsEarned": float(certificate.jp),
        "activityStartDate": _moment(_day_start(certificate.starts_on)),
        "activityEndDate": _moment(_day_start(certificate.ends_on)),
        "licenseNumber": certificate.number,
    }
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id(certificate.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Sertifikat {certificate.program_title} — {certificate.holder_name}",
        "description": (
            f"{certificate.holder_name} telah mengikuti {certificate.program_title} angkatan "
            f"{certificate.batch_code} sebanyak {certificate.jp} JP. Nomor {certificate.number}."
        ),
        "issuer": {
            "id": issuer_id(),
            "type": ["Profile"],
            "name": settings.SINERGI_HOST_NAME,
            "url": settings.SITE_URL + "/",
        },
        "validFrom": issued,
        "awardedDate": issued,
        "credentialSubject": subject,
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def credential_jwt(certificate: Certificate) -> str:
    """Return the certificate's credential as a VC-JWT (compact JWS, EdDSA)."""
    key, _development = signing_key()
    credential = credential_build(certificate)
    payload = {
        "vc": credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["identifier"][0]["identityHash"],
        "nbf": int(certificate.issued_at.timestamp()),
        "iat": int(certificate.issued_at.timestamp()),
    }
    kid = public_jwk(key.public_key())["kid"]
    headers = {"kid": f"{jwks_url()}#{kid}", "typ": "JWT"}
    return jwt.encode(payload, key, algorithm=ALGORITHM, headers=headers)


# --- The badge image --------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@cache
def _font(bold: bool, size: int):
    from PIL import ImageFont

    from sinergi.core import pdf as core_pdf

    name = core_pdf.FILES[core_pdf.SANS_BOLD if bold else core_pdf.SANS]
    return ImageFont.truetype(str(core_pdf.FONT_DIR / name), size)


@lru_cache(maxsize=128)
def _badge_image(jp: int, title: str, host: str) -> bytes:
    """Draw the badge (a round seal with the JP and the program), once per program's look."""
    from PIL import Image, ImageDraw

    size = 400
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), fill=(11, 83, 148, 255))
    draw.ellipse((28, 28, size - 28, size - 28), outline=(255, 255, 255, 255), width=4)
    white = (255, 255, 255, 255)
    draw.text((size / 2, 170), str(jp), font=_font(True, 96), fill=white, anchor="mm")
    draw.text((size / 2, 245), "JP", font=_font(True, 40), fill=white, anchor="mm")
    if len(title) > 24:
        title = title[:23] + "…"
    draw.text((size / 2, 300), title, font=_font(False, 26), fill=white, anchor="mm")
    draw.text((size / 2, 90), host[:22], font=_font(False, 26), fill=white, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def badge_image(certificate: Certificate) -> bytes:
    """Return the badge's PNG, not yet baked."""
    return _badge_image(certificate.jp, certificate.program_title, settings.SINERGI_HOST_SHORT_NAME)


def png_bake(png: bytes, credential: str) -> bytes:
    """Return `png` with an iTXt `openbadgecredential` chunk holding `credential`, before IEND."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    # iTXt: keyword, NUL, compression flag 0, method 0, empty language, NUL, empty
    # translated keyword, NUL, then the UTF-8 text.
    data = BAKING_KEYWORD + b"\x00\x00\x00" + b"\x00" + b"\x00" + credential.encode()
    end = png.rindex(b"IEND") - 4
    return png[:end] + _chunk(b"iTXt", data) + png[end:]


class NotABadge(ValueError):
    """The PNG is damaged or carries no `openbadgecredential` chunk."""


def png_unbake(png: bytes, *, max_chunks: int = 10_000) -> str:
    """Return the text of the first iTXt `openbadgecredential` chunk of `png`; NotABadge if
    none or the file is damaged. Reads chunk headers only until it is found."""
    if not png.startswith(PNG_SIGNATURE):
        raise NotABadge("not a PNG")
    position = len(PNG_SIGNATURE)
    for _index in range(max_chunks):
        if position + 8 > len(png):
            break
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        data = png[position + 8 : position + 8 + length]
        if len(data) != length:
            break
        if kind == b"iTXt" and data.startswith(BAKING_KEYWORD + b"\x00"):
            rest = data[len(BAKING_KEYWORD) + 1 :]
            if len(rest) < 2:
                break
            compressed, rest = rest[0], rest[2:]
            _language, _nul, rest = rest.partition(b"\x00")
            _translated, _nul, text = rest.partition(b"\x00")
            try:
                if compressed:
                    text = zlib.decompressobj().decompress(text, 2 * 1024 * 1024)
                return text.decode("utf-8")
            except (zlib.error, UnicodeDecodeError) as error:
                raise NotABadge("damaged credential chunk") from error
        if kind == b"IEND":
            break
        position += 12 + length
    raise NotABadge("no credential in the PNG")


def badge_png(certificate: Certificate) -> bytes:
    """Return the badge PNG baked with the certificate's VC-JWT."""
    return png_bake(badge_image(certificate), credential_jwt(certificate))


# --- Verification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialVerification:
    """The verdict on an uploaded credential or badge: `state` is one of unreadable,
    unsigned, tampered, untrusted, not_found, revoked, valid."""

    state: str
    certificate: Certificate | None = None
    credential: dict | None = None


def _looks_like_jws(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 3 and all(parts[:2])


def credential_text_from_upload(content: bytes) -> str | None:
    """Return the credential text in an upload (a baked PNG, a JWT, or JSON), or None."""
    if content.startswith(PNG_SIGNATURE):
        try:
            return png_unbake(content).strip()
        except NotABadge:
            return None
    try:
        return content.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        return None


def credential_verify(*, content: bytes) -> CredentialVerification:
    """Judge an uploaded credential: its JWS against the library's published keys, then the
    register for revocation. Never raises on bad input."""
    from .selectors import certificate_verify

    text = credential_text_from_upload(content)
    if not text:
        return CredentialVerification("unreadable")
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            return CredentialVerification("unreadable")
        if not isinstance(document, dict):
            return CredentialVerification("unreadable")
        # Sinergi secures its credentials as VC-JWTs; a bare JSON credential proves nothing.
        return CredentialVerification("unsigned", credential=document)
    if not _looks_like_jws(text):
        return CredentialVerification("unreadable")
    try:
        header = jwt.get_unverified_header(text)
        claims = jwt.decode(text, options={"verify_signature": False})
    except jwt.PyJWTError:
        return CredentialVerification("unreadable")
    credential = claims.get("vc") if isinstance(claims, dict) else None
    if not isinstance(credential, dict):
        return CredentialVerification("unreadable")
    if header.get("alg") != ALGORITHM:
        return CredentialVerification("untrusted", credential=credential)
    ours = claims.get("iss") == issuer_id()
    for key in published_keys():
        try:
            jwt.decode(
                text,
                key,
                algorithms=[ALGORITHM],
                options={"verify_aud": False, "verify_nbf": False, "verify_iat": False},
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError:
            return CredentialVerification("tampered", credential=credential)
        break
    else:
        return CredentialVerification("tampered" if ours else "untrusted", credential=credential)
    issuer = credential.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not ours or issuer != claims.get("iss") or credential.get("id") != claims.get("jti"):
        return CredentialVerification("tampered", credential=credential)
    prefix = settings.SITE_URL + reverse("certificates:verify")
    identifier = str(credential.get("id", ""))
    code = identifier.removeprefix(prefix).strip("/") if identifier.startswith(prefix) else ""
    certificate = certificate_verify(code=code) if code else None
    if certificate is None:
        return CredentialVerification("not_found", credential=credential)
    if not certificate.is_valid:
        return CredentialVerification("revoked", certificate, credential)
    return CredentialVerification("valid", certificate, credential)
