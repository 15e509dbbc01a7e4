from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.core.forms import DateInput, DateTimeInput, TimeInput
from sinergi.core.uploads import JPEG, PDF, PNG, accept_upload

from .models import DeliveryRequest, MemberDomain, OpeningHours, QuestionCategory, ServicePoint

# The same checks as training's transfer proofs.
PROOF_KINDS = {JPEG, PNG, PDF}
PROOF_MAX_BYTES = 5 * 1024 * 1024


class DayForm(forms.Form):
    date = forms.DateField(label=_("Day"), widget=DateInput())


class ServicePointForm(forms.ModelForm):
    class Meta:
        model = ServicePoint
        fields = [
            "name",
            "slug",
            "location",
            "description",
            "capacity",
            "walk_in_percent",
            "slot_minutes",
            "max_per_day",
            "max_per_week",
            "book_days_ahead",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class OpeningHoursForm(forms.ModelForm):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens_at", "closes_at"]
        widgets = {"opens_at": TimeInput(), "closes_at": TimeInput()}

    def __init__(self, *args, service_point=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.service_point = service_point


class ClosureForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason shown to members"),
        max_length=200,
        help_text=_("e.g. Renovation of the reading room"),
    )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise forms.ValidationError(_("The last day is before the first."))
        return data


class GenerateSlotsForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("Until"), widget=DateInput())
    booking_opens_at = forms.DateTimeField(
        label=_("Booking opens"),
        required=False,
        help_text=_("Empty: members can book at once."),
        widget=DateTimeInput(),
    )


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Ticket code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class WalkInForm(forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput())
    people = forms.IntegerField(label=_("People"), min_value=1, max_value=200, initial=1)


class ReportForm(forms.Form):
    date = forms.DateField(label=_("Day"), widget=DateInput())
    service_point = forms.ModelChoiceField(
        label=_("Service point"),
        queryset=ServicePoint.objects.all(),
        required=False,
        empty_label=_("All service points"),
    )


class QuestionForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=QuestionCategory.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Your question"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class FaqForm(forms.Form):
    title = forms.CharField(
        label=_("Question, as the public will read it"),
        max_length=200,
        help_text=_("Leave out names and anything personal."),
    )
    answer = forms.CharField(
        label=_("Answer"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )


class FaqSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *QuestionCategory.choices],
    )


class DeliveryForm(forms.ModelForm):
    class Meta:
        model = DeliveryRequest
        fields = ["kind", "title", "call_number", "pages", "address", "phone", "note"]
        widgets = {
            "kind": forms.RadioSelect,
            "address": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }


class MemberDomainForm(forms.ModelForm):
    class Meta:
        model = MemberDomain
        fields = ["domain", "institution", "is_partner"]


class QuoteForm(forms.Form):
    cost = forms.IntegerField(label=_("Cost (Rupiah)"), min_value=0, max_value=100_000_000)
    cost_note = forms.CharField(
        label=_("What the cost covers"),
        max_length=300,
        required=False,
        help_text=_("e.g. printing 19 pages and postage by JNE"),
    )


class ProofForm(forms.Form):
    proof = forms.FileField(
        label=_("Payment proof"),
        help_text=_("A photo or screenshot (JPEG, PNG) or a PDF, at most 5 MB."),
        widget=forms.FileInput(
            attrs={"accept": "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"}
        ),
    )

    def clean_proof(self):
        return accept_upload(
            self.cleaned_data["proof"], allowed=PROOF_KINDS, max_bytes=PROOF_MAX_BYTES
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ShipForm(forms.Form):
    courier = forms.CharField(label=_("Courier"), max_length=60, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)


class ClearanceForm(forms.Form):
    student_number = forms.CharField(label=_("Student number (NIM)"), max_length=20)
    study_program = forms.CharField(label=_("Study program"), max_length=150)
