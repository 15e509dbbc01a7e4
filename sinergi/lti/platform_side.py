"""Sinergi as an LTI 1.3 platform: it launches external tools placed in a batch's classroom.

The launch: the classroom's link opens `placement_launch_start`, which sends the browser to the
tool's login initiation URL with Sinergi as issuer; the tool sends it back to Sinergi's
authorisation endpoint with its state and nonce; `tool_launch_authorize` checks the request
(the signed-in person is the one the login named, the client and redirect URI are the tool's,
the person may enter the batch's classroom) and returns a signed id_token with the LTI claims
(resource link, context, roles, custom parameters) that the browser posts to the tool.

A tool sends scores back through AGS: it gets a token at `token_issue` (client credentials with
a JWT assertion verified against the tool's JWKS) and posts to the placement's one line item;
a completed, fully graded score marks the classroom's link item done.

Staff may also let the tool choose: a deep-linking request to the tool, whose signed answer
(verified against the tool's JWKS) becomes placements.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

import jwt
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Role
from sinergi.accounts.selectors import user_has_role
from sinergi.core.services import log_action
from sinergi.learning.selectors.access import classroom_get
from sinergi.learning.services.content import item_create

from . import keys, protocol
from .errors import LtiError
from .models import Tool, ToolPlacement, ToolScore

HINT_SALT = "sinergi.lti.platform-hint"
HINT_MAX_AGE = 10 * 60
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
TEACHING = (Role.SPEAKER, Role.PROGRAM_MANAGER, Role.ADMIN)


def platform_issuer() -> str:
    return settings.SITE_URL


def platform_urls() -> dict[str, str]:
    """The values a tool's administrator needs to register Sinergi as a platform."""
    site = settings.SITE_URL
    return {
        "issuer": platform_issuer(),
        "auth_url": site + reverse("lti:platform_auth"),
        "token_url": site + reverse("lti:platform_token"),
        "jwks_url": site + reverse("lti:jwks"),
    }


@transaction.atomic
def tool_save(*, actor, tool: Tool | None = None, **fields) -> Tool:
    """Register a tool (its client and deployment ids are made here) or change it."""
    created = tool is None
    if created:
        tool = Tool(client_id=secrets.token_hex(12), deployment_id=secrets.token_hex(4))
    changed = [name for name, value in fields.items() if getattr(tool, name) != value]
    for name in changed:
        setattr(tool, name, fields[name])
    if created:
        tool.save()
    elif changed:
        tool.save(update_fields=changed)
    if created or changed:
        log_action(actor, "lti.tool_saved", tool, {"fields": changed})
    return tool


@transaction.atomic
def tool_place(
    *, actor, tool: Tool, module, title: str, target_link_uri: str = "", custom=None
) -> ToolPlacement:
    """Place `tool` in a batch's module: a placement, and an external-link item launching it."""
    if module.batch_id is None:
        raise LtiError(_("Place a tool in a batch's own curriculum."))
    placement = ToolPlacement.objects.create(
        tool=tool,
        batch_id=module.batch_id,
        title=title,
        resource_link_id=secrets.token_hex(16),
        target_link_uri=target_link_uri,
        custom=custom or {},
    )
    placement.item = item_create(
        module=module,
        kind="link",
        actor=actor,
        title=title,
        url=settings.SITE_URL + reverse("lti:placement_launch", args=[placement.pk]),
    )
    placement.save(update_fields=["item"])
    log_action(actor, "lti.tool_placed", placement, {"tool": tool.pk, "batch": module.batch_id})
    return placement


def placement_get_for_user(*, user, placement_id: int) -> ToolPlacement:
    """Return the placement if `user` may enter its batch's classroom; 404 otherwise."""
    placement = (
        ToolPlacement.objects.select_related("tool", "batch")
        .filter(pk=placement_id, tool__is_active=True)
        .first()
    )
    if placement is None:
        raise Http404
    classroom_get(user=user, batch_id=placement.batch_id)
    return placement


def placement_launch_start(*, user, placement: ToolPlacement) -> str:
    """Return the tool's login initiation URL for `user` (the third-party login's step 1)."""
    tool = placement.tool
    hint = signing.dumps({"p": placement.pk, "u": user.pk}, salt=HINT_SALT)
    query = {
        "iss": platform_issuer(),
        "login_hint": str(user.pk),
        "target_link_uri": tool.target_link_uri,
        "lti_message_hint": hint,
        "client_id": tool.client_id,
        "lti_deployment_id": tool.deployment_id,
    }
    separator = "&" if "?" in tool.login_url else "?"
    return tool.login_url + separator + urlencode(query)


@dataclass(frozen=True)
class ToolLaunch:
    id_token: str
    state: str
    redirect_uri: str
    title: str


def _authorize_common(*, user, params: dict) -> dict:
    """Check what every authentication request must carry; return its message hint."""
    if params.get("scope") != "openid" or params.get("response_type") != "id_token":
        raise LtiError(_("The tool's request is not an OpenID Connect id_token request."))
    if not params.get("nonce"):
        raise LtiError(_("The tool's request has no nonce."))
    try:
        hint = signing.loads(
            params.get("lti_message_hint", ""), salt=HINT_SALT, max_age=HINT_MAX_AGE
        )
    except signing.BadSignature as error:
        raise LtiError(_("The launch has expired: open the activity again.")) from error
    if str(hint["u"]) != str(user.pk) or params.get("login_hint") != str(user.pk):
        raise LtiError(_("The launch was started by another account."), status=403)
    return hint


def _check_tool_request(tool: Tool, params: dict) -> str:
    if params.get("client_id") != tool.client_id:
        raise LtiError(_("The tool's request names another client."), status=403)
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in tool.redirect_url_list():
        raise LtiError(_("The tool asked to be answered at an unregistered address."), status=403)
    return redirect_uri


def _base_claims(*, user, tool: Tool, nonce: str, batch, message_type: str, role: str) -> dict:
    now = timezone.now()
    return {
        "iss": platform_issuer(),
        "aud": tool.client_id,
        "azp": tool.client_id,
        "sub": str(user.pk),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "nonce": nonce,
        "name": user.full_name,
        "email": user.email,
        "email_verified": user.email_verified,
        protocol.CLAIM_MESSAGE_TYPE: message_type,
        protocol.CLAIM_VERSION: "1.3.0",
        protocol.CLAIM_DEPLOYMENT: tool.deployment_id,
        protocol.CLAIM_ROLES: [MEMBERSHIP + role],
        protocol.CLAIM_CONTEXT: {
            "id": f"batch-{batch.pk}",
            "label": batch.code,
            "title": str(batch),
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        },
        protocol.LTI + "launch_presentation": {
            "document_target": "window",
            "return_url": settings.SITE_URL + reverse("learning:classroom", args=[batch.pk]),
            "locale": user.language,
        },
    }


def tool_launch_authorize(*, user, params: dict) -> "ToolLaunch":
    """Answer a tool's authentication request: check it and sign the launch's id_token (a
    resource-link launch, or a deep-linking request that staff started)."""
    hint = _authorize_common(user=user, params=params)
    if "dl" in hint:
        return _deep_linking_authorize(user=user, params=params, hint=hint)
    placement = placement_get_for_user(user=user, placement_id=hint["p"])
    tool = placement.tool
    redirect_uri = _check_tool_request(tool, params)
    access = classroom_get(user=user, batch_id=placement.batch_id)
    teaching = access.registration is None and user_has_role(user, *TEACHING)
    target = placement.target_link_uri or tool.target_link_uri
    claims = _base_claims(
        user=user,
        tool=tool,
        nonce=params["nonce"],
        batch=placement.batch,
        message_type=protocol.RESOURCE_LINK_REQUEST,
        role="Instructor" if teaching else "Learner",
    )
    claims.update(
        {
            protocol.CLAIM_TARGET_LINK_URI: target,
            protocol.CLAIM_RESOURCE_LINK: {
                "id": placement.resource_link_id,
                "title": placement.title,
            },
            protocol.CLAIM_CUSTOM: {**tool.custom_dict(), **(placement.custom or {})},
            protocol.CLAIM_AGS: ags_claim(placement),
        }
    )
    log_action(user, "lti.tool_launched", placement, {"tool": tool.pk})
    return ToolLaunch(
        id_token=keys.sign(claims),
        state=params.get("state", ""),
        redirect_uri=redirect_uri,
        title=placement.title,
    )


# --- Deep linking from a tool ----------------------------------------------------------------

DEEP_LINK_DATA_SALT = "sinergi.lti.platform-deep-link"
DEEP_LINK_DATA_MAX_AGE = 60 * 60


def deep_linking_start(*, user, tool: Tool, module) -> str:
    """Return the tool's login initiation URL for choosing its content for `module`."""
    if module.batch_id is None:
        raise LtiError(_("Place a tool in a batch's own curriculum."))
    hint = signing.dumps({"dl": module.pk, "t": tool.pk, "u": user.pk}, salt=HINT_SALT)
    query = {
        "iss": platform_issuer(),
        "login_hint": str(user.pk),
        "target_link_uri": tool.target_link_uri,
        "lti_message_hint": hint,
        "client_id": tool.client_id,
        "lti_deployment_id": tool.deployment_id,
    }
    separator = "&" if "?" in tool.login_url else "?"
    return tool.login_url + separator + urlencode(query)


def _deep_linking_authorize(*, user, params: dict, hint: dict) -> "ToolLaunch":
    from sinergi.learning.models import Module

    if not user_has_role(user, Role.PROGRAM_MANAGER, Role.ADMIN):
        raise LtiError(_("Only staff choose a tool's content."), status=403)
    tool = Tool.objects.filter(pk=hint["t"], is_active=True).first()
    module = Module.objects.select_related("batch").filter(pk=hint["dl"]).first()
    if tool is None or module is None or module.batch is None:
        raise LtiError(_("The launch has expired: open the activity again."))
    redirect_uri = _check_tool_request(tool, params)
    claims = _base_claims(
        user=user,
        tool=tool,
        nonce=params["nonce"],
        batch=module.batch,
        message_type=protocol.DEEP_LINKING_REQUEST,
        role="Instructor",
    )
    data = signing.dumps({"m": module.pk, "t": tool.pk, "u": user.pk}, salt=DEEP_LINK_DATA_SALT)
    claims[protocol.CLAIM_TARGET_LINK_URI] = tool.target_link_uri
    claims[protocol.CLAIM_DEEP_LINKING] = {
        "deep_link_return_url": settings.SITE_URL + reverse("lti:platform_deep_link_return"),
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["window"],
        "accept_multiple": True,
        "auto_create": True,
        "title": str(module),
        "data": data,
    }
    return ToolLaunch(
        id_token=keys.sign(claims),
        state=params.get("state", ""),
        redirect_uri=redirect_uri,
        title=str(tool),
    )


def deep_linking_receive(*, token: str) -> list[ToolPlacement]:
    """Verify a tool's LtiDeepLinkingResponse (signed with the key in its JWKS, for Sinergi,
    carrying the data Sinergi signed) and place each resource link it returns."""
    from sinergi.accounts.models import User
    from sinergi.learning.models import Module

    header, unverified = protocol.token_unverified(token)
    tool = Tool.objects.filter(client_id=str(unverified.get("iss")), is_active=True).first()
    if tool is None:
        raise LtiError(_("This tool is not registered in Sinergi."), status=403)
    key = protocol.remote_key(tool.jwks_url, header.get("kid"), tool=True)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[keys.ALGORITHM],
            audience=platform_issuer(),
            issuer=tool.client_id,
            leeway=protocol.LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
        )
    except jwt.PyJWTError as error:
        raise LtiError(
            _("The tool's answer was refused: %(reason)s") % {"reason": str(error)}
        ) from error
    if claims.get(protocol.CLAIM_MESSAGE_TYPE) != protocol.DEEP_LINKING_RESPONSE:
        raise LtiError(_("The tool's answer is not a deep-linking response."))
    if claims.get(protocol.CLAIM_DEPLOYMENT) != tool.deployment_id:
        raise LtiError(_deployment_unknown(claims.get(protocol.CLAIM_DEPLOYMENT)), status=403)
    try:
        data = signing.loads(
            claims.get(protocol.CLAIM_DL_DATA, ""),
            salt=DEEP_LINK_DATA_SALT,
            max_age=DEEP_LINK_DATA_MAX_AGE,
        )
    except signing.BadSignature as error:
        raise LtiError(_("The content choice has expired: start it again.")) from error
    if data["t"] != tool.pk:
        raise LtiError(_("The tool's answer belongs to another tool."), status=403)
    module = Module.objects.filter(pk=data["m"], batch__isnull=False).first()
    actor = User.objects.filter(pk=data["u"]).first()
    if module is None:
        raise LtiError(_("The content choice has expired: start it again."))
    placements = []
    with transaction.atomic():
        for item in claims.get(protocol.CLAIM_DL_CONTENT_ITEMS) or []:
            if not isinstance(item, dict) or item.get("type") != "ltiResourceLink":
                continue
            custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
            placements.append(
                tool_place(
                    actor=actor,
                    tool=tool,
                    module=module,
                    title=str(item.get("title") or tool.name)[:200],
                    target_link_uri=str(item.get("url") or "")[:500],
                    custom={str(k): str(v) for k, v in custom.items()},
                )
            )
    return placements


def _deployment_unknown(deployment_id):
    return _("Deployment %(id)s is not this tool's.") % {"id": deployment_id or "-"}


# --- AGS on Sinergi's side: the tool's token and its scores ---------------------------------

TOKEN_SECONDS = 3600
SCOPES_OFFERED = {protocol.SCOPE_SCORE, protocol.SCOPE_LINEITEM_READONLY}


def lineitem_url(placement: ToolPlacement) -> str:
    return settings.SITE_URL + reverse("lti:platform_lineitem", args=[placement.pk])


def ags_claim(placement: ToolPlacement) -> dict:
    return {"scope": sorted(SCOPES_OFFERED), "lineitem": lineitem_url(placement)}


def token_issue(*, params: dict) -> dict:
    """OAuth2 client credentials for a tool: verify its client assertion (signed with the key
    in its JWKS, for Sinergi's token URL, used once) and return a bearer token."""
    if params.get("grant_type") != "client_credentials" or params.get("client_assertion_type") != (
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    ):
        raise LtiError(_("Only client credentials with a JWT assertion are accepted."))
    assertion = params.get("client_assertion", "")
    header, unverified = protocol.token_unverified(assertion)
    tool = Tool.objects.filter(client_id=str(unverified.get("iss")), is_active=True).first()
    if tool is None:
        raise LtiError(_("This tool is not registered in Sinergi."), status=401)
    key = protocol.remote_key(tool.jwks_url, header.get("kid"), tool=True)
    token_url = settings.SITE_URL + reverse("lti:platform_token")
    try:
        claims = jwt.decode(
            assertion,
            key,
            algorithms=[keys.ALGORITHM],
            audience=token_url,
            issuer=tool.client_id,
            leeway=protocol.LEEWAY,
            options={"require": ["exp", "iat", "iss", "sub", "aud", "jti"]},
        )
    except jwt.PyJWTError as error:
        raise LtiError(
            _("The tool's assertion was refused: %(reason)s") % {"reason": str(error)}, status=401
        ) from error
    if claims["sub"] != tool.client_id:
        raise LtiError(_("The tool's assertion names another subject."), status=401)
    jti_key = "lti:jti:" + hashlib.sha256(f"{tool.pk}|{claims['jti']}".encode()).hexdigest()
    if not cache.add(jti_key, 1, TOKEN_SECONDS):
        raise LtiError(_("The tool's assertion was already used."), status=401)
    scopes = set(str(params.get("scope", "")).split()) & SCOPES_OFFERED
    if not scopes:
        raise LtiError(_("The tool asked for no scope Sinergi offers."))
    token = secrets.token_urlsafe(32)
    cache.set("lti:ptoken:" + token, {"tool": tool.pk, "scopes": sorted(scopes)}, TOKEN_SECONDS)
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": TOKEN_SECONDS,
        "scope": " ".join(sorted(scopes)),
    }


def token_check(*, authorization: str, scope: str, placement_id: int) -> ToolPlacement:
    """Return the placement if the bearer token is a tool's, for `scope`, and the placement is
    that tool's."""
    token = authorization.removeprefix("Bearer ").strip()
    grant = cache.get("lti:ptoken:" + token) if token else None
    if grant is None or scope not in grant["scopes"]:
        raise LtiError(_("A valid access token for this service is needed."), status=401)
    placement = ToolPlacement.objects.filter(pk=placement_id, tool_id=grant["tool"]).first()
    if placement is None:
        raise LtiError(_("This line item is not the tool's."), status=404)
    return placement


def lineitem_read(*, placement: ToolPlacement) -> dict:
    return {
        "id": lineitem_url(placement),
        "label": placement.title,
        "scoreMaximum": 100,
        "resourceLinkId": placement.resource_link_id,
    }


def tool_score_receive(*, placement: ToolPlacement, body) -> ToolScore | None:
    """Keep a score a tool posted (the newest by its timestamp wins; an older one is ignored).
    A fully graded, completed score marks the classroom's link item done for the participant
    and recomputes their completion."""
    from django.utils.dateparse import parse_datetime

    from sinergi.learning.services.completion import completion_recompute, item_mark_complete
    from sinergi.training.models import Registration, RegistrationState

    if not isinstance(body, dict):
        raise LtiError(_("The score is not a JSON object."))
    timestamp = parse_datetime(str(body.get("timestamp", "")))
    if timestamp is None or timezone.is_naive(timestamp):
        raise LtiError(_("The score needs a timestamp with its time zone."))
    registration = (
        Registration.objects.select_related("user")
        .filter(
            batch_id=placement.batch_id,
            user_id=str(body.get("userId", "")) if str(body.get("userId", "")).isdigit() else 0,
            state=RegistrationState.CONFIRMED,
        )
        .first()
    )
    if registration is None:
        raise LtiError(_("This person is not a participant of the batch."), status=404)
    try:
        given = None if body.get("scoreGiven") is None else Decimal(str(body["scoreGiven"]))
        maximum = None if body.get("scoreMaximum") is None else Decimal(str(body["scoreMaximum"]))
    except (InvalidOperation, ValueError) as error:
        raise LtiError(_("The score's numbers cannot be read.")) from error
    if given is not None and (maximum is None or maximum <= 0 or given < 0):
        raise LtiError(_("A score needs a positive scoreMaximum."))
    activity = str(body.get("activityProgress", ""))[:20]
    grading = str(body.get("gradingProgress", ""))[:20]
    with transaction.atomic():
        current = (
            ToolScore.objects.select_for_update()
            .filter(placement=placement, user=registration.user)
            .first()
        )
        if current is not None and current.timestamp >= timestamp:
            return None
        fields = {
            "score_given": given,
            "score_maximum": maximum,
            "activity_progress": activity,
            "grading_progress": grading,
            "timestamp": timestamp,
            "received_at": timezone.now(),
        }
        score, _created = ToolScore.objects.update_or_create(
            placement=placement, user=registration.user, defaults=fields
        )
        log_action(
            None,
            "lti.tool_score",
            placement,
            {
                "user": registration.user_id,
                **{k: str(v) for k, v in fields.items() if k != "received_at"},
            },
        )
        if activity == "Completed" and grading == "FullyGraded" and placement.item_id:
            item_mark_complete(item=placement.item, registration=registration)
            completion_recompute(registration=registration)
    return score
