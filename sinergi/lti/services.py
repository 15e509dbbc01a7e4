"""Every write of LTI: the registry, Sinergi's keys, logins and launches, deep linking, the
roster and the scores sent back.

Accounts (the rule, also in docs/lti.md): a launch is matched first by the platform's user id
(`sub`) already linked to an account. Otherwise by e-mail, but only an e-mail the platform
vouches for: the id_token's `email_verified` is true, or staff marked the platform as one that
verifies e-mail addresses. An unknown vouched-for address gets a new account (verified, no
password; the person may set one with "forgot password"). Anything else is refused, so that
nobody can take over an account by typing someone's address into their own LMS profile.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Role, User
from sinergi.accounts.selectors import user_has_role
from sinergi.core.services import log_action

from . import keys, protocol
from .errors import LtiError
from .models import (
    Context,
    Deployment,
    GradeLink,
    LoginRequest,
    Platform,
    PlatformAccount,
    ResourceLink,
    ScorePost,
    ScoreState,
    TargetKind,
    ToolKey,
)

LOGIN_VALID = timedelta(minutes=10)
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
# LTI membership roles → Sinergi roles. Nothing above participant and speaker is ever granted.
ROLE_MAP = {"Learner": Role.PARTICIPANT, "Instructor": Role.SPEAKER}
TEACHING_ROLES = {"Instructor", "ContentDeveloper", "Administrator"}
SCORE_MAX_TRIES = 6


def tool_url(name: str) -> str:
    return settings.SITE_URL + reverse(name)


# --- The registry -----------------------------------------------------------------------------


@transaction.atomic
def platform_save(
    *, actor, platform: Platform | None = None, deployment_ids: list[str], **fields
) -> Platform:
    """Create or change a platform and set its deployment ids to exactly `deployment_ids`."""
    created = platform is None
    platform = platform or Platform()
    changed = [name for name, value in fields.items() if getattr(platform, name) != value]
    for name in changed:
        setattr(platform, name, fields[name])
    if created:
        platform.save()
    elif changed:
        platform.save(update_fields=changed)
    wanted = {d.strip() for d in deployment_ids if d.strip()}
    existing = set(platform.deployments.values_list("deployment_id", flat=True))
    platform.deployments.filter(deployment_id__in=existing - wanted).delete()
    Deployment.objects.bulk_create(
        Deployment(platform=platform, deployment_id=d) for d in sorted(wanted - existing)
    )
    if created or changed or wanted != existing:
        log_action(
            actor,
            "lti.platform_created" if created else "lti.platform_changed",
            platform,
            {"fields": changed, "deployments": sorted(wanted)},
        )
    return platform


# --- Sinergi's keys --------------------------------------------------------------------------


@transaction.atomic
def tool_key_rotate(*, actor) -> ToolKey:
    """Make a new signing key and retire the current one; the retired key stays in the JWKS
    for SINERGI_LTI_KEY_GRACE_DAYS so that platforms can still verify what it signed."""
    now = timezone.now()
    retired = list(
        ToolKey.objects.select_for_update()
        .filter(retired_at__isnull=True)
        .values_list("kid", flat=True)
    )
    ToolKey.objects.filter(kid__in=retired).update(retired_at=now)
    kid, public_pem, private_encrypted = keys.key_material_new()
    key = ToolKey.objects.create(
        kid=kid, public_pem=public_pem, private_encrypted=private_encrypted, created_at=now
    )
    log_action(actor, "lti.key_rotated", key, {"retired": retired})
    return key


def tool_key_current() -> ToolKey:
    """Return the key Sinergi signs with, making the first one when there is none."""
    key = ToolKey.objects.filter(retired_at__isnull=True).first()
    return key or tool_key_rotate(actor=None)


# --- Login initiation and launch -------------------------------------------------------------


def _platform_for(*, issuer: str, client_id: str | None) -> Platform:
    platforms = Platform.objects.filter(issuer=issuer, is_active=True)
    if client_id:
        platforms = platforms.filter(client_id=client_id)
    found = list(platforms[:2])
    if not found:
        raise LtiError(
            _("This platform is not registered in Sinergi (issuer %(iss)s, client %(client)s).")
            % {"iss": issuer, "client": client_id or "-"},
            status=403,
        )
    if len(found) > 1:
        raise LtiError(_("Several registrations share this issuer: the login must name a client."))
    return found[0]


@dataclass(frozen=True)
class LoginRedirect:
    url: str
    state: str


def login_initiate(*, params: dict) -> LoginRedirect:
    """Answer a platform's third-party login initiation: remember a state and a nonce and
    return the platform's authorisation URL to send the browser to."""
    issuer = params.get("iss", "")
    login_hint = params.get("login_hint", "")
    if not issuer or not login_hint:
        raise LtiError(_("The login initiation lacks iss or login_hint."))
    platform = _platform_for(issuer=issuer, client_id=params.get("client_id"))
    deployment_id = params.get("lti_deployment_id")
    if deployment_id and not platform.deployments.filter(deployment_id=deployment_id).exists():
        raise LtiError(_deployment_message(deployment_id), status=403)
    now = timezone.now()
    login = LoginRequest.objects.create(
        platform=platform,
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        target_link_uri=params.get("target_link_uri", "")[:1000],
        created_at=now,
        expires_at=now + LOGIN_VALID,
    )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": tool_url("lti:launch"),
        "login_hint": login_hint,
        "state": login.state,
        "nonce": login.nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return LoginRedirect(
        url=platform.auth_login_url + separator + urlencode(query), state=login.state
    )


def _deployment_message(deployment_id: str):
    return _(
        "Deployment %(id)s is not registered for this platform: staff add it on Sinergi's LTI page."
    ) % {"id": deployment_id}


@dataclass
class Launch:
    user: User
    platform: Platform
    claims: dict
    message_type: str
    link: ResourceLink | None = None
    deep_linking: dict | None = None


def _roles(claims: dict) -> set[str]:
    """The course (membership) roles of the launch, short names ("Learner", "Instructor").
    Institution and system roles (an LMS's site administrator) give nothing in Sinergi."""
    short = set()
    for role in claims.get(protocol.CLAIM_ROLES) or []:
        if not isinstance(role, str):
            continue
        if role.startswith(MEMBERSHIP):
            short.add(role.removeprefix(MEMBERSHIP))
        elif role.startswith(MEMBERSHIP.rstrip("#") + "/"):
            short.add(role.rsplit("#", 1)[-1])  # a sub-role: "…/Instructor#TeachingAssistant"
        elif "://" not in role:
            short.add(role)  # the short names NRPS may use
    return short


def launch_accept(*, id_token: str, state: str, state_cookie: str | None) -> Launch:
    """Verify a launch (state cookie, signature, claims, nonce used once, deployment) and
    return its account, ready to be signed in."""
    if not id_token or not state:
        raise LtiError(_("The launch lacks its id_token or state."))
    if not state_cookie or not secrets.compare_digest(state_cookie, state):
        raise LtiError(
            _(
                "The launch's state does not match this browser. Open the activity again; if "
                "it keeps failing, let Moodle open Sinergi in a new window."
            )
        )
    login = LoginRequest.objects.select_related("platform").filter(state=state).first()
    if login is None or login.expires_at <= timezone.now():
        raise LtiError(_("The login has expired: open the activity again."))
    if not login.platform.is_active:
        raise LtiError(
            _("This platform is not registered in Sinergi (issuer %(iss)s, client %(client)s).")
            % {"iss": login.platform.issuer, "client": login.platform.client_id},
            status=403,
        )
    claims = protocol.id_token_verify(platform=login.platform, token=id_token, nonce=login.nonce)
    # A nonce is used once: the conditional update lets only the first launch through.
    if not LoginRequest.objects.filter(pk=login.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    ):
        raise LtiError(_("This launch was already used (replayed nonce)."), status=403)
    platform = login.platform
    deployment_id = claims.get(protocol.CLAIM_DEPLOYMENT)
    deployment = platform.deployments.filter(deployment_id=deployment_id or "").first()
    if deployment is None:
        raise LtiError(_deployment_message(deployment_id or "-"), status=403)
    message_type = claims.get(protocol.CLAIM_MESSAGE_TYPE)
    if message_type not in (protocol.RESOURCE_LINK_REQUEST, protocol.DEEP_LINKING_REQUEST):
        raise LtiError(_("Sinergi does not handle this kind of LTI message."))
    roles = _roles(claims)
    with transaction.atomic():
        user = account_for_launch(platform=platform, claims=claims, roles=roles)
        context = _context_record(platform, deployment, claims)
        launch = Launch(user=user, platform=platform, claims=claims, message_type=message_type)
        if message_type == protocol.DEEP_LINKING_REQUEST:
            if not roles & TEACHING_ROLES:
                raise LtiError(
                    _("Only a teacher of the course can choose Sinergi content."), status=403
                )
            settings_claim = claims.get(protocol.CLAIM_DEEP_LINKING) or {}
            if not settings_claim.get("deep_link_return_url"):
                raise LtiError(_("The deep-linking request has no return URL."))
            launch.deep_linking = {
                "platform_id": platform.pk,
                "deployment_id": deployment.deployment_id,
                "return_url": settings_claim["deep_link_return_url"],
                "data": settings_claim.get("data"),
                "title": (claims.get(protocol.CLAIM_CONTEXT) or {}).get("title", ""),
            }
        else:
            launch.link = _link_record(platform, context, claims, user, roles)
        log_action(
            user,
            "lti.launched",
            platform,
            {"message": message_type, "roles": sorted(roles), "sub": claims["sub"]},
        )
    return launch


def account_for_launch(*, platform: Platform, claims: dict, roles: set[str]) -> User:
    """Return the account of the launch's person by the rule in this module's docstring, with
    the Sinergi roles their LTI roles map to."""
    subject = str(claims["sub"])
    vouched = bool(claims.get("email_verified")) or platform.trust_emails
    user = _account_by_subject(
        platform=platform,
        subject=subject,
        email=claims.get("email") or "",
        name=claims.get("name") or "",
        vouched=vouched,
    )
    for lti_role, role in ROLE_MAP.items():
        if lti_role in roles and not user.groups.filter(name=role).exists():
            user.groups.add(Group.objects.get(name=role))
            log_action(None, "accounts.role_granted", user, {"role": role, "via": "lti"})
    return user


def _account_by_subject(
    *, platform: Platform, subject: str, email: str, name: str, vouched: bool
) -> User:
    linked = (
        PlatformAccount.objects.select_related("user")
        .filter(platform=platform, subject=subject)
        .first()
    )
    if linked is not None:
        if not linked.user.is_active:
            raise LtiError(_("This Sinergi account is deactivated."), status=403)
        return linked.user
    email = email.strip().lower()
    if not email:
        raise LtiError(
            _(
                "The platform sent no e-mail address, so Sinergi cannot find your account. "
                "Ask the platform's administrator to share e-mail addresses with the tool."
            ),
            status=403,
        )
    if not vouched:
        raise LtiError(
            _(
                "The platform did not confirm your e-mail address. Sinergi's staff can mark "
                "this platform as one that verifies e-mail addresses."
            ),
            status=403,
        )
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=None,
            full_name=(name or email.split("@")[0])[:150],
            email_verified_at=timezone.now(),
        )
        log_action(None, "lti.account_created", user, {"platform": platform.pk})
    elif not user.is_active:
        raise LtiError(_("This Sinergi account is deactivated."), status=403)
    try:
        with transaction.atomic():
            PlatformAccount.objects.create(platform=platform, subject=subject, user=user)
    except IntegrityError:  # the same person's other launch linked them a moment ago
        return PlatformAccount.objects.get(platform=platform, subject=subject).user
    return user


def _context_record(platform: Platform, deployment: Deployment, claims: dict) -> Context | None:
    context_claim = claims.get(protocol.CLAIM_CONTEXT) or {}
    if not context_claim.get("id"):
        return None
    memberships = (claims.get(protocol.CLAIM_NRPS) or {}).get("context_memberships_url", "")
    context, created = Context.objects.get_or_create(
        platform=platform,
        context_id=str(context_claim["id"]),
        defaults={
            "deployment": deployment,
            "title": str(context_claim.get("title", ""))[:255],
            "memberships_url": memberships,
        },
    )
    if not created and memberships and context.memberships_url != memberships:
        context.memberships_url = memberships
        context.save(update_fields=["memberships_url"])
    return context


def target_parse(value) -> tuple[str, int | None] | None:
    """Read "quiz:12" (a deep-linked item's custom parameter) into its kind and id."""
    if not isinstance(value, str) or ":" not in value:
        return None
    kind, _sep, ident = value.partition(":")
    if kind not in TargetKind.values:
        return None
    if kind == TargetKind.CERTIFICATE_CHECK:
        return kind, None
    return (kind, int(ident)) if ident.isdigit() else None


def _link_record(platform, context, claims, user, roles) -> ResourceLink:
    link_claim = claims.get(protocol.CLAIM_RESOURCE_LINK) or {}
    if not link_claim.get("id"):
        raise LtiError(_("The launch names no resource link."))
    link, _created = ResourceLink.objects.get_or_create(
        platform=platform,
        resource_link_id=str(link_claim["id"]),
        defaults={"context": context, "title": str(link_claim.get("title", ""))[:255]},
    )
    changed = []
    target = target_parse((claims.get(protocol.CLAIM_CUSTOM) or {}).get("sinergi_target"))
    if target and (link.target_kind, link.target_id) != target:
        link.target_kind, link.target_id = target
        changed += ["target_kind", "target_id"]
    ags = claims.get(protocol.CLAIM_AGS) or {}
    if ags.get("lineitem") and link.lineitem_url != ags["lineitem"]:
        link.lineitem_url = ags["lineitem"]
        changed.append("lineitem_url")
    if ags.get("scope") and link.ags_scopes != ags["scope"]:
        link.ags_scopes = list(ags["scope"])
        changed.append("ags_scopes")
    if changed:
        link.save(update_fields=changed)
    if "Learner" in roles:
        GradeLink.objects.get_or_create(
            link=link, user=user, defaults={"subject": str(claims["sub"])}
        )
    return link


# --- Deep linking ----------------------------------------------------------------------------


def deep_link_response(*, deep_linking: dict, items: list[dict]) -> tuple[str, str]:
    """Return the signed LtiDeepLinkingResponse JWT and the URL it is posted to."""
    platform = Platform.objects.get(pk=deep_linking["platform_id"], is_active=True)
    now = timezone.now()
    claims = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "nonce": secrets.token_urlsafe(16),
        protocol.CLAIM_DEPLOYMENT: deep_linking["deployment_id"],
        protocol.CLAIM_MESSAGE_TYPE: protocol.DEEP_LINKING_RESPONSE,
        protocol.CLAIM_VERSION: "1.3.0",
        protocol.CLAIM_DL_CONTENT_ITEMS: items,
    }
    if deep_linking.get("data") is not None:
        claims[protocol.CLAIM_DL_DATA] = deep_linking["data"]
    return keys.sign(claims), deep_linking["return_url"]


def content_item(*, kind: str, target_id: int | None, title: str) -> dict:
    """The ltiResourceLink content item that launches `kind:target_id`; graded kinds carry a
    line item so the platform makes a gradebook column."""
    item = {
        "type": "ltiResourceLink",
        "title": title,
        "url": tool_url("lti:launch"),
        "custom": {"sinergi_target": f"{kind}:{target_id or ''}"},
    }
    if kind in (TargetKind.BATCH, TargetKind.QUIZ):
        item["lineItem"] = {"scoreMaximum": 100, "label": title}
    return item


# --- The roster (NRPS) -----------------------------------------------------------------------


@dataclass
class RosterResult:
    members: int = 0
    matched: int = 0
    created: int = 0
    skipped: int = 0


def roster_sync(*, context: Context, actor) -> RosterResult:
    """Read the course roster from the platform, page by page, and match or create the
    accounts of its active members (by the same rule as a launch)."""
    if not context.memberships_url:
        raise LtiError(_("The platform offers no roster for this course."))
    platform = context.platform
    result = RosterResult()
    for page in protocol.roster_pages(platform, context.memberships_url):
        for member in page:
            result.members += 1
            if member.get("status", "Active") != "Active" or not member.get("user_id"):
                result.skipped += 1
                continue
            roles = _roles({protocol.CLAIM_ROLES: member.get("roles") or []})
            existed = (
                PlatformAccount.objects.filter(
                    platform=platform, subject=str(member["user_id"])
                ).exists()
                or User.objects.filter(email__iexact=member.get("email") or "-").exists()
            )
            try:
                with transaction.atomic():
                    account_for_launch(
                        platform=platform,
                        claims={
                            "sub": member["user_id"],
                            "email": member.get("email"),
                            "name": member.get("name"),
                        },
                        roles=roles,
                    )
            except (LtiError, IntegrityError):
                result.skipped += 1
                continue
            if existed:
                result.matched += 1
            else:
                result.created += 1
    context.roster_read_at = timezone.now()
    context.save(update_fields=["roster_read_at"])
    log_action(actor, "lti.roster_read", context, result.__dict__)
    return result


# --- Scores (AGS) ----------------------------------------------------------------------------


def score_record(
    *, grade_link: GradeLink, timestamp, score: Decimal, activity_progress: str
) -> ScorePost | None:
    """Record a score to send, once per timestamp and progress; return it when it is new."""
    try:
        with transaction.atomic():
            return ScorePost.objects.create(
                grade_link=grade_link,
                timestamp=timestamp,
                score_given=score,
                activity_progress=activity_progress,
                next_try_at=timezone.now(),
            )
    except IntegrityError:
        return None


def score_send(*, score_id: int) -> str:
    """Send one recorded score to the platform's line item; return its state. A sent score
    is never sent again; a failure is tried again later with a growing pause. The error is
    kept in the site's language, for the staff page."""
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        score = (
            ScorePost.objects.select_for_update()
            .select_related("grade_link__link__platform")
            .get(pk=score_id)
        )
        if score.state == ScoreState.SENT:
            return score.state
        link = score.grade_link.link
        now = timezone.now()
        body = {
            "userId": score.grade_link.subject,
            "scoreGiven": float(score.score_given),
            "scoreMaximum": float(score.score_maximum),
            "activityProgress": score.activity_progress,
            "gradingProgress": score.grading_progress,
            "timestamp": score.timestamp.isoformat(timespec="milliseconds"),
        }
        score.tries += 1
        try:
            if not link.lineitem_url:
                raise LtiError(_("The platform gave no gradebook column for this link."))
            protocol.score_post(link.platform, link.lineitem_url, body)
        except LtiError as error:
            score.state = ScoreState.FAILED
            score.last_error = str(error.message)
            score.next_try_at = (
                now + timedelta(minutes=2**score.tries) if score.tries < SCORE_MAX_TRIES else None
            )
        else:
            score.state = ScoreState.SENT
            score.sent_at = now
            score.last_error = ""
            score.next_try_at = None
        score.save(update_fields=["state", "tries", "last_error", "next_try_at", "sent_at"])
    return score.state


def scores_due(*, now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        ScorePost.objects.filter(
            state__in=[ScoreState.PENDING, ScoreState.FAILED], next_try_at__lte=now
        ).values_list("pk", flat=True)[:500]
    )


def is_lti_manager(user) -> bool:
    return user_has_role(user, Role.ADMIN, Role.PROGRAM_MANAGER)
