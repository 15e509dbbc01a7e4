"""Forms of the certificate pages: the template editor, revocation, the public code check."""

from decimal import InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sinergi.core.forms import DateInput
from sinergi.core.uploads import JPEG, PDF, PNG, accept_upload

from .models import CertificateTemplate, Signature, parse_predicates
from .pdf import wording_errors
from .selectors import code_normalise

IMAGE_MAX_BYTES = 2 * 1024 * 1024
BACKGROUND_MAX_BYTES = 5 * 1024 * 1024
IMAGE_KINDS = {PNG, JPEG}


def _checked_image(file, max_bytes: int):
    """Check an uploaded image by its bytes and give it a random name; pass others through."""
    if not file or not hasattr(file, "content_type"):  # unchanged, or cleared
        return file
    return accept_upload(file, allowed=IMAGE_KINDS, max_bytes=max_bytes)


class TemplateForm(forms.ModelForm):
    class Meta:
        model = CertificateTemplate
        fields = [
            "title_id",
            "title_en",
            "body_id",
            "body_en",
            "number_pattern",
            "place",
            "use_predicate",
            "predicates",
            "logo_ours",
            "logo_partner",
            "background",
        ]
        widgets = {
            "body_id": forms.Textarea(attrs={"rows": 3}),
            "body_en": forms.Textarea(attrs={"rows": 3}),
            "predicates": forms.Textarea(attrs={"rows": 4}),
        }

    def _wording(self, field: str) -> str:
        text = self.cleaned_data[field]
        unknown = wording_errors(text)
        if unknown:
            raise ValidationError(
                _("Unknown placeholders: %(names)s."),
                code="placeholder",
                params={"names": ", ".join(unknown)},
            )
        return text

    def clean_body_id(self):
        return self._wording("body_id")

    def clean_body_en(self):
        return self._wording("body_en")

    def clean_number_pattern(self):
        pattern = self.cleaned_data["number_pattern"].strip()
        try:
            sample = pattern.format(seq=1, year=2026)
        except (KeyError, IndexError, ValueError):
            raise ValidationError(
                _("Use only {seq} (with a width such as {seq:04}) and {year}."), code="pattern"
            ) from None
        if "{seq" not in pattern or pattern.format(seq=2, year=2026) == sample:
            raise ValidationError(_("The pattern must contain {seq}."), code="pattern")
        return pattern

    def clean_predicates(self):
        text = self.cleaned_data["predicates"]
        try:
            parse_predicates(text)
        except (InvalidOperation, ValueError):
            raise ValidationError(
                _(
                    "Write one predicate per line: the lowest score, then the words, e.g. "
                    '"90 Sangat Memuaskan".'
                ),
                code="predicates",
            ) from None
        return text

    def clean_logo_ours(self):
        return _checked_image(self.cleaned_data["logo_ours"], IMAGE_MAX_BYTES)

    def clean_logo_partner(self):
        return _checked_image(self.cleaned_data["logo_partner"], IMAGE_MAX_BYTES)

    def clean_background(self):
        return _checked_image(self.cleaned_data["background"], BACKGROUND_MAX_BYTES)


class SignatureForm(forms.ModelForm):
    class Meta:
        model = Signature
        fields = ["name", "position", "image", "order"]

    def clean_image(self):
        return _checked_image(self.cleaned_data["image"], IMAGE_MAX_BYTES)


SignatureFormSet = forms.inlineformset_factory(
    CertificateTemplate,
    Signature,
    form=SignatureForm,
    extra=1,
    max_num=4,
    validate_max=True,
    can_delete=True,
)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class ReissueForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        required=False,
        initial="",
        help_text=_("e.g. the name was corrected in the profile."),
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_("The code printed under the QR code, e.g. 7KQ2M9XHT4PR."),
    )

    def clean_code(self):
        return code_normalise(self.cleaned_data["code"])


class VerifyPdfForm(forms.Form):
    """A certificate PDF to check by its digital signature."""

    MAX_BYTES = 10 * 1024 * 1024

    file = forms.FileField(
        label=_("Certificate PDF"),
        help_text=_("The PDF file of the certificate, as it was downloaded or received."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("This is not a PDF file."))
        return upload


class VerifyCredentialForm(forms.Form):
    """An Open Badges credential to check: a baked PNG badge, a VC-JWT or its JSON."""

    MAX_BYTES = 1024 * 1024

    badge = forms.FileField(
        label=_("Badge or credential"),
        help_text=_("The badge PNG, or the credential file (.jwt or .json), at most 1 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,.png,.jwt,.json,application/json,text/plain"}
        ),
    )

    def clean_badge(self):
        upload = self.cleaned_data["badge"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return upload


class JpDeclarationForm(forms.Form):
    """JP followed outside Sinergi, with its proof (a certificate scan or a letter)."""

    PROOF_MAX_BYTES = 5 * 1024 * 1024

    title = forms.CharField(label=_("Activity"), max_length=200)
    organiser = forms.CharField(label=_("Organiser"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    jp = forms.IntegerField(
        label=_("JP"),
        min_value=1,
        max_value=500,
        help_text=_("As stated on the proof; 1 JP = 45 minutes."),
    )
    proof = forms.FileField(
        label=_("Proof"),
        help_text=_("The certificate or letter, as a PDF, PNG or JPEG of at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def clean_proof(self):
        return accept_upload(
            self.cleaned_data["proof"], allowed={PDF, PNG, JPEG}, max_bytes=self.PROOF_MAX_BYTES
        )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return data


class JpReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    review_note = forms.CharField(
        label=_("Note"), max_length=255, required=False, help_text=_("Required when rejecting.")
    )
