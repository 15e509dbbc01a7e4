import re

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sinergi.core.emails import text_render
from sinergi.core.tasks import send_email
from sinergi.core.text import phone_clean

from .models import User


def normalise_phone(value: str) -> str:
    """Return a phone number in its stored form (+62...), or raise ValidationError."""
    return phone_clean(value)


class SignupForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("With academic titles, exactly as it must appear on certificates."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not only digits and not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_("I agree that my personal data is processed as described in the privacy notice."),
        error_messages={"required": _("Sign-up needs your consent to process your data.")},
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("An account with this e-mail address already exists."),
                    reverse("accounts:password_reset"),
                    _("Forgot your password?"),
                ),
                code="duplicate",
            )
        return email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _("The e-mail address or the password is wrong."),
        "inactive": _("This account has been deactivated."),
        "unverified": _("Please verify your e-mail address first; we sent you a link."),
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user.email_verified:
            raise ValidationError(self.error_messages["unverified"], code="unverified")


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class ProfileForm(forms.ModelForm):
    nik = forms.RegexField(
        label=_("NIK"),
        regex=r"^[0-9]{16}$",
        required=False,
        help_text=_("Optional, 16 digits. Only a masked form is kept."),
        error_messages={"invalid": _("A NIK has exactly 16 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    # Longer than the 18 digits it stores: people write a NIP in groups ("19870512 201001 2 003"),
    # and clean_nip() takes the spaces out before checking the digits.
    nip = forms.CharField(
        label=_("NIP"),
        max_length=24,
        required=False,
        help_text=_("Civil servants only: 18 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = User
        fields = [
            "full_name",
            "institution_name",
            "institution_type",
            "position",
            "province",
            "phone",
            "nip",
            "language",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "institution_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "position": forms.TextInput(attrs={"autocomplete": "organization-title"}),
        }

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        return normalise_phone(phone) if phone else ""

    def clean_nip(self) -> str:
        nip = re.sub(r"\s", "", self.cleaned_data["nip"])
        if nip and not re.fullmatch(r"[0-9]{18}", nip):
            raise ValidationError(_("A NIP has exactly 18 digits."), code="nip")
        return nip


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the partner system that uses it."),
    )


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the e-mail goes out through the background worker."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        subject = "".join(text_render(subject_template_name, context).splitlines())
        body = text_render(email_template_name, context)
        send_email.enqueue(to=[to_email], subject=subject, body=body)
