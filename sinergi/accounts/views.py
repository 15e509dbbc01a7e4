import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sinergi.core.shortcuts import form_errors_add

from . import ratelimit, services
from .forms import (
    ApiTokenForm,
    LoginForm,
    ProfileForm,
    QueuedPasswordResetForm,
    ResendVerificationForm,
    SignupForm,
)
from .models import ApiToken, Role, User
from .selectors import api_token_get_for_user, api_tokens_for_user, user_roles
from .tokens import email_verification_token


def set_language_cookie(response, language: str) -> None:
    """Remember the interface language in the browser, with the cookie settings of the site."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )


def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            email = form.cleaned_data["email"]
            return render(request, "accounts/signup_done.html", {"email": email})
    return render(request, "accounts/signup.html", {"form": form})


def verify_email(request, uidb64: str, token: str):
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        user = None
    if user is not None and user.email_verified:
        messages.info(request, _("Your e-mail address is already verified. Please log in."))
        return redirect("accounts:login")
    if user is None or not email_verification_token.check_token(user, token):
        return render(request, "accounts/verify_failed.html", status=400)
    services.user_verify_email(user=user)
    messages.success(request, _("Thank you, your e-mail address is verified. Please log in."))
    return redirect("accounts:login")


def resend_verification(request):
    form = ResendVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(
            email__iexact=form.cleaned_data["email"], email_verified_at__isnull=True, is_active=True
        ).first()
        if user is not None:
            services.email_verification_send(user=user)
        # The same answer whether or not the account exists, so addresses cannot be probed.
        return render(request, "accounts/signup_done.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/resend_verification.html", {"form": form})


def paused_response(request, pause):
    """Answer a log-in attempt that must wait, saying how long."""
    response = render(
        request,
        "accounts/lockout.html",
        {"minutes": ratelimit.pause_minutes(pause)},
        status=429,
    )
    response["Retry-After"] = str(math.ceil(pause.total_seconds()))
    return response


class LoginView(auth_views.LoginView):
    """Log in, with pauses after failures (accounts/ratelimit.py): a paused attempt is refused
    before the password is checked, and is not counted."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        self.attempt = ratelimit.login_attempt_from_request(
            request, username=request.POST.get("username")
        )
        pause = ratelimit.login_pause_remaining(attempt=self.attempt)
        if pause:
            return paused_response(request, pause)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("__all__", code="invalid_login"):
            pause = ratelimit.login_failure_record(attempt=self.attempt)
            if pause:
                return paused_response(self.request, pause)
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        ratelimit.login_success_record(attempt=self.attempt, user=user, response=response)
        # The account's language wins over whatever the anonymous visitor had chosen.
        set_language_cookie(response, user.language)
        return response


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.PROFILE_FIELDS}
        # The form has already written its values onto the instance; start from the stored row.
        user = User.objects.get(pk=request.user.pk)
        try:
            services.user_update_profile(
                user=user, actor=user, nik=form.cleaned_data.get("nik", ""), **data
            )
        except ValidationError as error:
            form_errors_add(form, error)
            # The form wrote its values onto the signed-in user; show the stored ones elsewhere.
            request.user.refresh_from_db()
        else:
            messages.success(request, _("Your profile has been saved."))
            response = redirect("accounts:profile")
            set_language_cookie(response, user.language)
            return response
    context = {
        "form": form,
        "roles": sorted(str(Role(role).label) for role in user_roles(request.user)),
        "tokens": api_tokens_for_user(user=request.user),
        "token_form": ApiTokenForm(),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def token_create(request):
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name."))
        return redirect("accounts:profile")
    token, raw = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
    return render(request, "accounts/token_created.html", {"token": token, "raw": raw})


@login_required
@require_POST
def token_revoke(request, token_id: int):
    try:
        token = api_token_get_for_user(user=request.user, token_id=token_id)
    except ApiToken.DoesNotExist:
        return render(request, "404.html", status=404)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:profile")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = QueuedPasswordResetForm
    email_template_name = "accounts/email/password_reset_body.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=form.user, actor=form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        revoked = services.user_password_changed(user=form.user, actor=form.user)
        messages.success(self.request, _("Your password has been changed."))
        if revoked:
            messages.info(
                self.request,
                ngettext(
                    "%(count)d API token was revoked with the old password; "
                    "create a new one if you need it.",
                    "%(count)d API tokens were revoked with the old password; "
                    "create new ones if you need them.",
                    revoked,
                )
                % {"count": revoked},
            )
        return response


@require_POST
def set_language(request):
    """Switch the interface language; works as a plain form post, for visitors and members."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        set_language_cookie(response, language)
    return response
