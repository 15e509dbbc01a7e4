"""The LTI 1.3 wire: claims, the platform's JWKS, id_token verification, and the OAuth2
client-credentials calls of NRPS and AGS. Every network call goes through `http_client()`
(bounded timeouts); every failure becomes an `LtiError` with a message a person can act on."""

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx
import jwt
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import keys
from .errors import LtiError
from .models import Platform

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
CLAIM_MESSAGE_TYPE = LTI + "message_type"
CLAIM_VERSION = LTI + "version"
CLAIM_DEPLOYMENT = LTI + "deployment_id"
CLAIM_TARGET_LINK_URI = LTI + "target_link_uri"
CLAIM_RESOURCE_LINK = LTI + "resource_link"
CLAIM_ROLES = LTI + "roles"
CLAIM_CONTEXT = LTI + "context"
CLAIM_CUSTOM = LTI + "custom"
CLAIM_DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
CLAIM_DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
CLAIM_DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
CLAIM_AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CLAIM_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"

SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
NRPS_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"

# Seconds of clock difference allowed between Sinergi and a platform.
LEEWAY = 60
MAX_ROSTER_PAGES = 200


def http_client() -> httpx.Client:
    """Return the client for calls to platforms (tests swap in a fake platform's transport)."""
    return httpx.Client(timeout=settings.SINERGI_LTI_HTTP_TIMEOUT, follow_redirects=False)


# --- The platform's keys ---------------------------------------------------------------------


def _jwks_cache_key(url: str) -> str:
    return "lti:jwks:" + hashlib.sha256(url.encode()).hexdigest()


def _jwks_unreadable(url: str, error: str, *, tool: bool) -> LtiError:
    if tool:
        message = _("The tool's JWKS could not be read (%(url)s): %(error)s")
    else:
        message = _("The platform's JWKS could not be read (%(url)s): %(error)s")
    return LtiError(message % {"url": url, "error": error}, status=502)


def _jwks_fetch(url: str, *, tool: bool) -> dict:
    try:
        with http_client() as client:
            response = client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
        if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
            raise ValueError("no keys")
    except (httpx.HTTPError, ValueError) as error:
        raise _jwks_unreadable(url, error.__class__.__name__, tool=tool) from error
    cache.set(_jwks_cache_key(url), data, settings.SINERGI_LTI_JWKS_CACHE_SECONDS)
    return data


def remote_key(url: str, kid: str | None, *, tool: bool = False):
    """Return the public key `kid` of the JWKS at `url` (a platform's, or a tool's), from the
    cached copy or, when it is not there (the other side rotated), from a fresh one."""
    if not url:
        raise _jwks_unreadable("-", "no URL", tool=tool)
    cached = cache.get(_jwks_cache_key(url))
    for data in (cached, None):
        if data is None:
            data = _jwks_fetch(url, tool=tool)
        for jwk in data["keys"]:
            if not isinstance(jwk, dict) or jwk.get("kty") != "RSA":
                continue
            if kid is None or jwk.get("kid") == kid:
                try:
                    return jwt.PyJWK.from_dict(jwk, algorithm=keys.ALGORITHM).key
                except jwt.PyJWKError:
                    continue
        if cached is None:
            break
    raise LtiError(
        _("The platform's JWKS has no key %(kid)s: check the public keyset URL.")
        % {"kid": kid or "-"}
    )


def platform_key(platform: Platform, kid: str | None):
    return remote_key(platform.jwks_url, kid)


# --- The id_token -----------------------------------------------------------------------------


def token_unverified(token: str) -> tuple[dict, dict]:
    """Return the header and claims of `token` without checking them (to find the platform)."""
    try:
        return jwt.get_unverified_header(token), jwt.decode(
            token, options={"verify_signature": False}
        )
    except jwt.PyJWTError as error:
        raise LtiError(_("The launch is not a readable JWT.")) from error


def id_token_verify(*, platform: Platform, token: str, nonce: str) -> dict:
    """Verify the id_token's signature against the platform's JWKS and check iss, aud, azp,
    exp, iat and nonce; return its claims."""
    header, _claims = token_unverified(token)
    if header.get("alg") != keys.ALGORITHM:
        raise LtiError(_("The launch is not signed with RS256."))
    key = platform_key(platform, header.get("kid"))
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[keys.ALGORITHM],
            audience=platform.client_id,
            issuer=platform.issuer,
            leeway=LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise LtiError(_("The launch has expired: open the activity again.")) from error
    except jwt.InvalidAudienceError as error:
        raise LtiError(_("The launch is meant for another tool (wrong audience).")) from error
    except jwt.InvalidIssuerError as error:
        raise LtiError(_("The launch comes from another platform (wrong issuer).")) from error
    except jwt.InvalidSignatureError as error:
        raise LtiError(_("The launch's signature does not match the platform's keys.")) from error
    except jwt.PyJWTError as error:
        raise LtiError(_("The launch was refused: %(reason)s") % {"reason": str(error)}) from error
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and "azp" not in claims:
        raise LtiError(_("The launch names several audiences but no authorised party (azp)."))
    if "azp" in claims and claims["azp"] != platform.client_id:
        raise LtiError(_("The launch is meant for another tool (wrong authorised party)."))
    if not secrets.compare_digest(str(claims["nonce"]), nonce):
        raise LtiError(_("The launch's nonce does not match its login."))
    if claims.get(CLAIM_VERSION) != "1.3.0":
        raise LtiError(_("Only LTI 1.3.0 launches are accepted."))
    return claims


# --- OAuth2 client credentials (NRPS, AGS) ---------------------------------------------------


def client_assertion(platform: Platform) -> str:
    """A JWT signed with Sinergi's key that proves to the platform's token URL who asks."""
    now = timezone.now()
    return keys.sign(
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.auth_token_url,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=5)).timestamp()),
            "jti": secrets.token_urlsafe(16),
        }
    )


def access_token(platform: Platform, scopes: list[str]) -> str:
    """Return a bearer token for `scopes`, cached until shortly before it expires."""
    scope = " ".join(sorted(scopes))
    cache_key = "lti:token:" + hashlib.sha256(f"{platform.pk}|{scope}".encode()).hexdigest()
    token = cache.get(cache_key)
    if token:
        return token
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": client_assertion(platform),
        "scope": scope,
    }
    try:
        with http_client() as client:
            response = client.post(platform.auth_token_url, data=form)
        response.raise_for_status()
        data = response.json()
        token = data["access_token"]
        expires_in = int(data.get("expires_in", 3600))
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        raise LtiError(
            _("The platform did not give an access token (%(url)s): %(error)s")
            % {"url": platform.auth_token_url, "error": _describe(error)},
            status=502,
        ) from error
    cache.set(cache_key, token, max(expires_in - 60, 1))
    return token


def _describe(error: Exception) -> str:
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code}"
    return error.__class__.__name__


def roster_pages(platform: Platform, url: str):
    """Yield the member lists of a course roster, following `Link: rel="next"`."""
    token = access_token(platform, [SCOPE_NRPS])
    headers = {"Authorization": f"Bearer {token}", "Accept": NRPS_MEDIA_TYPE}
    seen = set()
    with http_client() as client:
        while url and url not in seen and len(seen) < MAX_ROSTER_PAGES:
            seen.add(url)
            try:
                response = client.get(url, headers=headers)
                response.raise_for_status()
                members = response.json().get("members", [])
            except (httpx.HTTPError, ValueError, AttributeError) as error:
                raise LtiError(
                    _("The platform's roster could not be read: %(error)s")
                    % {"error": _describe(error)},
                    status=502,
                ) from error
            yield [m for m in members if isinstance(m, dict)]
            url = response.links.get("next", {}).get("url")


def scores_url(lineitem_url: str) -> str:
    """Return the line item's scores endpoint: `/scores` added to its path, query kept."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def score_post(platform: Platform, lineitem_url: str, body: dict) -> None:
    token = access_token(platform, [SCOPE_SCORE])
    try:
        with http_client() as client:
            response = client.post(
                scores_url(lineitem_url),
                json=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": SCORE_MEDIA_TYPE},
            )
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise LtiError(
            _("The platform did not accept the score: %(error)s") % {"error": _describe(error)},
            status=502,
        ) from error
