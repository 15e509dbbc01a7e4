import re
from dataclasses import dataclass
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.forms import normalise_phone
from sinergi.core.models import Province
from sinergi.core.uploads import JPEG, PDF, PNG, accept_upload

from .models import CompetencyUnit, Mode

PROOF_MAX_BYTES = 5 * 1024 * 1024
PROOF_KINDS = {JPEG, PNG, PDF}
CATALOGUE_MONTHS = 12
GROUP_MAX_MEMBERS = 100

CONSENT_LABEL = _(
    "I agree that my personal data is used to run this training, as described in the "
    "privacy notice (Law 27/2022 on Personal Data Protection)."
)
CONSENT_REQUIRED = _("Registration needs your consent to the use of your personal data.")


def upcoming_months(today: date, count: int = CATALOGUE_MONTHS) -> list[tuple[str, str]]:
    """Return (YYYY-MM, "May 2026") for this month and the next `count - 1`, in the language
    of the request."""
    months = []
    year, month = today.year, today.month
    for _index in range(count):
        months.append((f"{year:04d}-{month:02d}", date_format(date(year, month, 1), "F Y")))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters; every field is optional and an odd value is simply dropped."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Title or topic"), "autocomplete": "off"}),
    )
    mode = forms.ChoiceField(label=_("Mode"), required=False)
    month = forms.ChoiceField(label=_("Month"), required=False)
    competency = forms.ChoiceField(label=_("Competency"), required=False)
    price = forms.ChoiceField(
        label=_("Fee"),
        required=False,
        choices=[("", _("All")), ("free", _("Free")), ("paid", _("Paid"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = [("", _("All")), *Mode.choices]
        self.fields["month"].choices = [
            ("", _("All")),
            *upcoming_months(timezone.localdate()),
        ]
        units = CompetencyUnit.objects.filter(is_active=True).values_list("code", "title")
        self.fields["competency"].choices = [
            ("", _("All")),
            *((code, f"{code} {title}") for code, title in units),
        ]

    def filters(self) -> dict[str, str]:
        """Return the valid filters as keyword arguments for `catalogue_batches`."""
        if not self.is_bound:
            return {}
        self.is_valid()
        cleaned = self.cleaned_data
        return {
            "mode": cleaned.get("mode", ""),
            "month": cleaned.get("month", ""),
            "competency": cleaned.get("competency", ""),
            "price": cleaned.get("price", ""),
            "query": cleaned.get("q", "").strip(),
        }


def _institution_field() -> forms.CharField:
    return forms.CharField(
        label=_("Institution"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )


def _province_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), empty_label=_("Choose a province")
    )


class RegistrationForm(forms.Form):
    """One person's registration: what the batch needs to know of them, prefilled from the
    profile, and their consent."""

    institution_name = _institution_field()
    position = forms.CharField(
        label=_("Position"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    province = _province_field()
    phone = forms.CharField(
        label=_("Phone (WhatsApp)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(label=CONSENT_LABEL, error_messages={"required": CONSENT_REQUIRED})

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"].strip())

    @classmethod
    def initial_for(cls, user) -> dict:
        return {
            "institution_name": user.institution_name,
            "position": user.position,
            "province": user.province_id,
            "phone": user.phone,
        }


@dataclass(frozen=True)
class MemberLine:
    email: str
    full_name: str
    position: str
    phone: str


class GroupRegistrationForm(forms.Form):
    """An institution's contact registers several staff: one line per participant."""

    institution_name = _institution_field()
    province = _province_field()
    members = forms.CharField(
        label=_("Participants"),
        help_text=_(
            "One participant per line: e-mail; full name; position; phone. Position and "
            "phone may be left out. You can also paste the four columns from a spreadsheet."
        ),
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "spellcheck": "false",
                "autocapitalize": "off",
                "placeholder": _(
                    "siti@perpus.example.id; Siti Rahma, S.IP.; Librarian; 0812 3456 7890"
                ),
            }
        ),
    )
    consent = forms.BooleanField(
        label=_(
            "The people listed agree that their personal data is used to run this training, "
            "as described in the privacy notice (Law 27/2022 on Personal Data Protection)."
        ),
        error_messages={"required": CONSENT_REQUIRED},
    )

    def clean_members(self) -> list[MemberLine]:
        lines = [
            (number, line.strip())
            for number, line in enumerate(self.cleaned_data["members"].splitlines(), start=1)
            if line.strip()
        ]
        if len(lines) > GROUP_MAX_MEMBERS:
            raise ValidationError(
                _("At most %(max)s participants can be registered at once."),
                code="too_many",
                params={"max": GROUP_MAX_MEMBERS},
            )
        errors: list[ValidationError] = []
        members: list[MemberLine] = []
        first_line_of: dict[str, int] = {}
        for number, line in lines:
            try:
                member = _parse_member_line(line)
            except ValidationError as error:
                errors.extend(_on_line(number, message) for message in error.messages)
                continue
            if member.email in first_line_of:
                errors.append(
                    _on_line(
                        number,
                        _("this e-mail is already on line %(other)s.")
                        % {"other": first_line_of[member.email]},
                    )
                )
                continue
            first_line_of[member.email] = number
            members.append(member)
        if errors:
            raise ValidationError(errors)
        if not members:
            raise ValidationError(_("Add at least one participant."), code="empty")
        return members


def _on_line(number: int, message) -> ValidationError:
    return ValidationError(
        _("Line %(line)s: %(error)s"), code="line", params={"line": number, "error": message}
    )


def _parse_member_line(line: str) -> MemberLine:
    parts = [part.strip() for part in re.split(r"[;\t]", line)]
    if len(parts) < 2 or len(parts) > 4:
        raise ValidationError(
            _("write e-mail; full name; position; phone, separated by semicolons."),
            code="format",
        )
    email, full_name, position, phone = [*parts, "", ""][:4]
    email = email.lower()
    problems = []
    try:
        validate_email(email)
    except ValidationError:
        problems.append(_("“%(email)s” is not a valid e-mail address.") % {"email": email})
    if not full_name:
        problems.append(_("the full name is missing."))
    elif len(full_name) > 150:
        problems.append(_("the full name is longer than 150 characters."))
    if len(position) > 150:
        problems.append(_("the position is longer than 150 characters."))
    if phone:
        try:
            phone = normalise_phone(phone)
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError(problems)
    return MemberLine(email=email, full_name=full_name, position=position, phone=phone)


class TransferProofForm(forms.Form):
    proof = forms.FileField(
        label=_("Transfer proof"),
        help_text=_("A photo or screenshot (JPEG, PNG) or a PDF, at most 5 MB."),
        widget=forms.FileInput(
            attrs={"accept": "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"}
        ),
    )
    note = forms.CharField(
        label=_("Note for finance"),
        required=False,
        max_length=255,
        help_text=_("Optional, e.g. the name of the account the money came from."),
    )

    def clean_proof(self):
        return accept_upload(
            self.cleaned_data["proof"], allowed=PROOF_KINDS, max_bytes=PROOF_MAX_BYTES
        )
