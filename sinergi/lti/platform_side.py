"""Sinergi as an LTI 1.3 platform: it launches external tools placed in a batch's classroom.

The launch: the classroom's link opens `placement_launch_start`, which sends the browser to the
tool's login initiation URL with Sinergi as issuer; the tool sends it back to Sinergi's
authorisation endpoint with its state and nonce; `tool_launch_authorize` checks the request
(the signed-in person is the one the login named, the client and redirect URI are the tool's,
the person may enter the batch's classroom) and returns a signed id_token with the LTI claims
(resource link, context, roles, custom parameters) that the browser posts to the tool.

Not built yet (docs/lti.md): deep linking from a tool and AGS line items on Sinergi's side.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
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
from .models import Tool, ToolPlacement

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
def tool_place(*, actor, tool: Tool, module, title: str) -> ToolPlacement:
    """Place `tool` in a batch's module: a placement, and an external-link item launching it."""
    if module.batch_id is None:
        raise LtiError(_("Place a tool in a batch's own curriculum."))
    placement = ToolPlacement.objects.create(
        tool=tool, batch_id=module.batch_id, title=title, resource_link_id=secrets.token_hex(16)
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
    placement: ToolPlacement


def tool_launch_authorize(*, user, params: dict) -> ToolLaunch:
    """Answer a tool's authentication request: check it and sign the launch's id_token."""
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
    placement = placement_get_for_user(user=user, placement_id=hint["p"])
    tool = placement.tool
    if params.get("client_id") != tool.client_id:
        raise LtiError(_("The tool's request names another client."), status=403)
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in tool.redirect_url_list():
        raise LtiError(_("The tool asked to be answered at an unregistered address."), status=403)
    access = classroom_get(user=user, batch_id=placement.batch_id)
    teaching = access.registration is None and user_has_role(user, *TEACHING)
    now = timezone.now()
    batch = placement.batch
    claims = {
        "iss": platform_issuer(),
        "aud": tool.client_id,
        "azp": tool.client_id,
        "sub": str(user.pk),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "nonce": params["nonce"],
        "name": user.full_name,
        "email": user.email,
        "email_verified": user.email_verified,
        protocol.CLAIM_MESSAGE_TYPE: protocol.RESOURCE_LINK_REQUEST,
        protocol.CLAIM_VERSION: "1.3.0",
        protocol.CLAIM_DEPLOYMENT: tool.deployment_id,
        protocol.CLAIM_TARGET_LINK_URI: tool.target_link_uri,
        protocol.CLAIM_RESOURCE_LINK: {"id": placement.resource_link_id, "title": placement.title},
        protocol.CLAIM_ROLES: [MEMBERSHIP + ("Instructor" if teaching else "Learner")],
        protocol.CLAIM_CONTEXT: {
            "id": f"batch-{batch.pk}",
            "label": batch.code,
            "title": str(batch),
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        },
        protocol.CLAIM_CUSTOM: tool.custom_dict(),
        protocol.LTI + "launch_presentation": {
            "document_target": "window",
            "return_url": settings.SITE_URL
            + reverse("learning:classroom", args=[placement.batch_id]),
            "locale": user.language,
        },
    }
    log_action(user, "lti.tool_launched", placement, {"tool": tool.pk})
    return ToolLaunch(
        id_token=keys.sign(claims),
        state=params.get("state", ""),
        redirect_uri=redirect_uri,
        placement=placement,
    )
