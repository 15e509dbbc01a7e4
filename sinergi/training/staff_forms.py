"""Forms of the staff pages: programs, batches, cancellations, rejections and refunds."""

import re
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.core.forms import DateInput, DateTimeInput
from sinergi.partners.models import Agreement
from sinergi.partners.selectors import active_implementing_agreements, agreements_with_status

from .models import Batch, CompetencyUnit, Program

COVER_MAX_BYTES = 2 * 1024 * 1024
COVER_MAX_PIXELS = 40_000_000
COVER_FORMATS = {"JPEG", "PNG", "WEBP"}
# Whole Rupiah as people type them: 750000, 750.000, Rp750.000, Rp 750 000.
RUPIAH_RE = re.compile(r"^[0-9]{1,3}([. ][0-9]{3})*$|^[0-9]+$")
REASON_MAX = 255


class RupiahField(forms.Field):
    """A whole amount of Rupiah. Dots separate thousands (750.000 is seven hundred and fifty
    thousand, never 750); decimals are refused."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    default_error_messages = {
        "invalid": _("Enter a whole amount in Rupiah, such as 750000 or 750.000."),
    }

    def __init__(self, *, min_value: int = 0, max_value: int = 2_000_000_000, **kwargs):
        super().__init__(**kwargs)
        self.validators += [MinValueValidator(min_value), MaxValueValidator(max_value)]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text[:2].lower() == "rp":
            text = text[2:].strip()
        if not RUPIAH_RE.match(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text.replace(".", "").replace(" ", ""))


class CoverImageField(forms.ImageField):
    """A cover picture: JPEG, PNG or WebP that Pillow can read, at most 2 MB."""

    def to_python(self, data):
        if data not in self.empty_values and getattr(data, "size", 0) > COVER_MAX_BYTES:
            raise ValidationError(_("The image must be at most 2 MB."), code="too_large")
        upload = super().to_python(data)  # opens and verifies the content with Pillow
        if upload is None:
            return None
        image = upload.image
        if image.format not in COVER_FORMATS:
            raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="format")
        width, height = image.size
        if width * height > COVER_MAX_PIXELS:
            raise ValidationError(_("The image has too many pixels."), code="too_big")
        return upload


class ProgramForm(forms.ModelForm):
    competency_units = forms.ModelMultipleChoiceField(
        label=_("Competency units"),
        queryset=CompetencyUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    cover = CoverImageField(
        label=_("Cover image"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = Program
        fields = [
            "title",
            "summary",
            "description",
            "learning_outcomes",
            "competency_units",
            "total_jp",
            "level",
            "mode",
            "organisers",
            "cover",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "learning_outcomes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Retired units stay ticked on the programs that already name them.
        units = Q(is_active=True)
        if self.instance.pk:
            units |= Q(programs=self.instance)
        self.fields["competency_units"].queryset = CompetencyUnit.objects.filter(units).distinct()
        self.fields["total_jp"].min_value = 1
        self.fields["total_jp"].widget.attrs["min"] = 1
        self.fields["total_jp"].validators.append(MinValueValidator(1))


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


class BatchForm(forms.ModelForm):
    capacity = forms.IntegerField(
        label=_("Capacity"), min_value=1, max_value=100_000, help_text=_("Seats in the batch.")
    )
    fee = RupiahField(label=_("Fee (Rupiah)"), help_text=_("Whole Rupiah; 0 = free."))

    class Meta:
        model = Batch
        fields = [
            "program",
            "code",
            "status",
            "starts_on",
            "ends_on",
            "registration_opens",
            "registration_closes",
            "capacity",
            "fee",
            "place",
            "agreement",
            "agreement_number",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "registration_opens": DateTimeInput(),
            "registration_closes": DateTimeInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only an active PKS or IA may carry a batch; the one a batch already names stays.
        agreements = active_implementing_agreements()
        if self.instance.pk and self.instance.agreement_id:
            agreements = agreements | agreements_with_status(
                Agreement.objects.filter(pk=self.instance.agreement_id)
            )
        self.fields["agreement"].queryset = agreements.distinct()
        self.fields["agreement"].label_from_instance = lambda a: (
            f"{a.get_kind_display()} {a.our_number or ''} — {a.partner}: {a.title}"
        )
        self.fields["agreement_number"].help_text = _(
            "Only for an agreement not kept in Sinergi; filled from the agreement otherwise."
        )

    def clean(self):
        cleaned = super().clean()
        agreement = cleaned.get("agreement")
        if agreement is not None and agreement.our_number:
            cleaned["agreement_number"] = agreement.our_number
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        opens, closes = cleaned.get("registration_opens"), cleaned.get("registration_closes")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The batch cannot end before it starts."))
        if opens and closes:
            if closes <= opens:
                self.add_error("registration_closes", _("Registration must close after it opens."))
            elif starts and closes > _start_of(starts):
                self.add_error(
                    "registration_closes", _("Registration must close before the batch starts.")
                )
        return cleaned


class ReasonField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", REASON_MAX)
        super().__init__(**kwargs)


class CancelForm(forms.Form):
    registration = forms.IntegerField(widget=forms.HiddenInput)
    reason = ReasonField(
        label=_("Reason for the cancellation"),
        error_messages={"required": _("Give the reason for the cancellation.")},
    )


class RejectForm(forms.Form):
    reason = ReasonField(
        label=_("Reason for the rejection"),
        help_text=_("The payer reads this in the e-mail."),
        error_messages={"required": _("Give the reason for the rejection.")},
    )


class RefundForm(forms.Form):
    amount = RupiahField(label=_("Amount to pay back (Rupiah)"), min_value=1)
    reason = ReasonField(
        label=_("Reason for the refund"),
        error_messages={"required": _("Give the reason for the refund.")},
    )

    def __init__(self, *args, max_amount: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_amount = max_amount

    def clean_amount(self) -> int:
        amount = self.cleaned_data["amount"]
        if amount > self.max_amount:
            raise ValidationError(
                _("The refund cannot be more than the fee paid."), code="too_much"
            )
        return amount
