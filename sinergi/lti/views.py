"""LTI's pages: the public protocol endpoints (JWKS, login, launch, deep-linking return) and
the staff registry. Protocol errors become a page saying what to do, never a 500."""

import json
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.accounts.decorators import role_required
from sinergi.accounts.models import Role

from . import keys, platform_side, protocol, selectors, services
from .errors import LtiError
from .forms import PlacementForm, PlatformForm, ToolForm
from .models import Platform, Tool

MANAGERS = (Role.ADMIN, Role.PROGRAM_MANAGER)
STATE_COOKIE = "lti1p3-state-"
DEEP_LINK_SALT = "sinergi.lti.deep-link"
DEEP_LINK_MAX_AGE = 60 * 60


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _error(request, error: LtiError):
    return render(request, "lti/error.html", {"message": error.message}, status=error.status)


def _framable(response, platform: Platform, *, posts_to: str | None = None):
    """Let the platform show this page in its frame (Moodle's content picker), and post to it."""
    response._csp_replace = {"frame-ancestors": [_origin(platform.issuer)]}
    if posts_to:
        response._csp_update = {"form-action": [_origin(posts_to)]}
    return response


@require_GET
def jwks(request):
    response = JsonResponse(keys.jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def login_initiation(request):
    params = request.POST if request.method == "POST" else request.GET
    try:
        target = services.login_initiate(params=params.dict())
    except LtiError as error:
        return _error(request, error)
    response = redirect(target.url)
    # The launch comes back as a cross-site POST from the platform: only SameSite=None cookies
    # travel with it, and browsers accept those only when Secure.
    response.set_cookie(
        STATE_COOKIE + target.state,
        target.state,
        max_age=int(services.LOGIN_VALID.total_seconds()),
        secure=True,
        httponly=True,
        samesite="None",
    )
    return response


@csrf_exempt
@never_cache
@xframe_options_exempt
@require_POST
def launch(request):
    state = request.POST.get("state", "")
    try:
        result = services.launch_accept(
            id_token=request.POST.get("id_token", ""),
            state=state,
            state_cookie=request.COOKIES.get(STATE_COOKIE + state),
        )
    except LtiError as error:
        return _error(request, error)
    login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
    if result.deep_linking is not None:
        token = signing.dumps(
            {**result.deep_linking, "user_id": result.user.pk}, salt=DEEP_LINK_SALT
        )
        response = render(
            request,
            "lti/deep_link_pick.html",
            {"choices": selectors.deep_link_choices(), "token": token, **result.deep_linking},
        )
        response = _framable(response, result.platform)
    else:
        landing = selectors.landing_for(link=result.link, user=result.user)
        if landing.url:
            response = redirect(landing.url)
        else:
            response = render(request, "lti/not_registered.html", {"batch": landing.batch})
    response.delete_cookie(STATE_COOKIE + state, samesite="None")
    return response


@csrf_exempt
@never_cache
@xframe_options_exempt
@require_POST
def deep_link_return(request):
    """Sign the teacher's choice and post it back to the platform. The signed token from the
    launch stands for the session and the CSRF token, which a platform's frame may not carry."""
    try:
        deep_linking = signing.loads(
            request.POST.get("token", ""), salt=DEEP_LINK_SALT, max_age=DEEP_LINK_MAX_AGE
        )
    except signing.BadSignature:
        return _error(request, LtiError(_("The content choice has expired: start it again.")))
    platform = Platform.objects.filter(pk=deep_linking["platform_id"], is_active=True).first()
    choice = selectors.deep_link_choice_get(request.POST.get("choice", ""))
    if platform is None or choice is None:
        return _error(request, LtiError(_("Choose one of the listed items.")))
    kind, target = services.target_parse(choice.value)
    item = services.content_item(kind=kind, target_id=target, title=choice.title)
    jwt_value, return_url = services.deep_link_response(deep_linking=deep_linking, items=[item])
    response = render(
        request, "lti/deep_link_return.html", {"jwt": jwt_value, "return_url": return_url}
    )
    return _framable(response, platform, posts_to=return_url)


# --- Staff -----------------------------------------------------------------------------------


@role_required(*MANAGERS)
def staff_home(request):
    context = {
        "platforms": selectors.platforms_for_staff(),
        "urls": selectors.tool_urls(),
        "keys": selectors.keys_for_staff(),
        "scores": selectors.recent_scores(),
        "tools": Tool.objects.prefetch_related("placements__batch"),
        "platform_urls": platform_side.platform_urls(),
    }
    return render(request, "lti/staff/home.html", context)


@role_required(*MANAGERS)
def platform_edit(request, platform_id: int | None = None):
    platform = selectors.platform_get_for_staff(platform_id=platform_id) if platform_id else None
    form = PlatformForm(request.POST or None, instance=platform)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PlatformForm.Meta.fields}
        services.platform_save(
            actor=request.user,
            platform=platform,
            deployment_ids=form.deployment_list(),
            **fields,
        )
        messages.success(request, _("The platform is saved."))
        return redirect("lti:staff_home")
    return render(
        request,
        "lti/staff/platform_form.html",
        {"form": form, "platform": platform, "urls": selectors.tool_urls()},
    )


@require_POST
@role_required(*MANAGERS)
def key_rotate(request):
    key = services.tool_key_rotate(actor=request.user)
    messages.success(
        request,
        _("New signing key %(kid)s. The old one stays published for a while.") % {"kid": key.kid},
    )
    return redirect("lti:staff_home")


@require_POST
@role_required(*MANAGERS)
def roster_read(request, context_id: int):
    context = selectors.context_get_for_staff(context_id=context_id)
    try:
        result = services.roster_sync(context=context, actor=request.user)
    except LtiError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Roster read: %(members)s members, %(matched)s matched, %(created)s new "
                "accounts, %(skipped)s skipped."
            )
            % result.__dict__,
        )
    return redirect("lti:staff_home")


# --- Sinergi as a platform ---------------------------------------------------------------------


@login_required
@require_GET
def placement_launch(request, placement_id: int):
    """Start a launch of the tool placed in a classroom (the login initiation's step 1)."""
    placement = platform_side.placement_get_for_user(user=request.user, placement_id=placement_id)
    return redirect(platform_side.placement_launch_start(user=request.user, placement=placement))


@csrf_exempt
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def platform_auth(request):
    """The tool's authentication request: answer with a signed launch posted to the tool."""
    params = request.POST if request.method == "POST" else request.GET
    try:
        launch_data = platform_side.tool_launch_authorize(user=request.user, params=params.dict())
    except LtiError as error:
        return _error(request, error)
    response = render(
        request,
        "lti/tool_launch.html",
        {
            "id_token": launch_data.id_token,
            "state": launch_data.state,
            "redirect_uri": launch_data.redirect_uri,
            "title": launch_data.title,
        },
    )
    response._csp_update = {"form-action": [_origin(launch_data.redirect_uri)]}
    return response


@role_required(*MANAGERS)
def tool_edit(request, tool_id: int | None = None):
    tool = get_object_or_404(Tool, pk=tool_id) if tool_id else None
    form = ToolForm(request.POST or None, instance=tool)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ToolForm.Meta.fields}
        platform_side.tool_save(actor=request.user, tool=tool, **fields)
        messages.success(request, _("The tool is saved."))
        return redirect("lti:staff_home")
    return render(
        request,
        "lti/staff/tool_form.html",
        {"form": form, "tool": tool, "platform_urls": platform_side.platform_urls()},
    )


@role_required(*MANAGERS)
def placement_new(request):
    form = PlacementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            platform_side.tool_place(actor=request.user, **form.cleaned_data)
        except LtiError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The tool is placed in the classroom."))
            return redirect("lti:staff_home")
    return render(request, "lti/staff/placement_form.html", {"form": form})


def _json_error(error: LtiError):
    code = {401: "invalid_client", 404: "not_found"}.get(error.status, "invalid_request")
    return JsonResponse(
        {"error": code, "error_description": str(error.message)}, status=error.status
    )


@csrf_exempt
@require_POST
def platform_token(request):
    """OAuth2 token endpoint for tools (client credentials with a JWT assertion)."""
    try:
        return JsonResponse(platform_side.token_issue(params=request.POST.dict()))
    except LtiError as error:
        return _json_error(error)


@require_GET
def platform_lineitem(request, placement_id: int):
    try:
        placement = platform_side.token_check(
            authorization=request.headers.get("Authorization", ""),
            scope=protocol.SCOPE_LINEITEM_READONLY,
            placement_id=placement_id,
        )
    except LtiError as error:
        return _json_error(error)
    response = JsonResponse(platform_side.lineitem_read(placement=placement))
    response["Content-Type"] = "application/vnd.ims.lis.v2.lineitem+json"
    return response


@csrf_exempt
@require_POST
def platform_scores(request, placement_id: int):
    """AGS scores from a tool, for the line item of its placement."""
    try:
        placement = platform_side.token_check(
            authorization=request.headers.get("Authorization", ""),
            scope=protocol.SCOPE_SCORE,
            placement_id=placement_id,
        )
        try:
            body = json.loads(request.body or b"null")
        except ValueError as error:
            raise LtiError(_("The score is not a JSON object.")) from error
        platform_side.tool_score_receive(placement=placement, body=body)
    except LtiError as error:
        return _json_error(error)
    return HttpResponse(status=204)


@role_required(*MANAGERS)
def tool_deep_link(request):
    """Let a tool choose its content for a module (a deep-linking request to the tool)."""
    form = PlacementForm(request.POST or None)
    form.fields["title"].required = False
    if request.method == "POST" and form.is_valid():
        try:
            url = platform_side.deep_linking_start(
                user=request.user,
                tool=form.cleaned_data["tool"],
                module=form.cleaned_data["module"],
            )
        except LtiError as error:
            messages.error(request, error.message)
        else:
            return redirect(url)
    return render(request, "lti/staff/placement_form.html", {"form": form, "deep_link": True})


@csrf_exempt
@never_cache
@require_POST
def platform_deep_link_return(request):
    """The tool posts its deep-linking answer here (a cross-site POST: no session needed, the
    answer carries the data Sinergi signed)."""
    try:
        placements = platform_side.deep_linking_receive(token=request.POST.get("JWT", ""))
    except LtiError as error:
        return _error(request, error)
    return render(request, "lti/tool_placed.html", {"placements": placements})
