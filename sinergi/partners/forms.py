"""Input validation for the partnership pages. Files are judged by the services
(core.uploads.validate_upload), so a form only checks that one was sent."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Role, User
from sinergi.core.forms import DateInput, DateTimeInput
from sinergi.core.uploads import JPEG, PNG, validate_upload

from .models import (
    ActivityKind,
    Agreement,
    AgreementKind,
    AgreementStatus,
    DocumentKind,
    IkuCriterion,
    InstitutionalVisit,
    Partner,
    PartnershipForm,
    ScopeItem,
)

DOCUMENT_ACCEPT = (
    "application/pdf,.pdf,.docx,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)


class RupiahInput(forms.TextInput):
    def __init__(self):
        super().__init__(attrs={"inputmode": "numeric", "autocomplete": "off"})


LOGO_MAX_BYTES = 1024 * 1024


class PartnerForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG or JPEG, at most 1 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    class Meta:
        model = Partner
        fields = [
            "name",
            "short_name",
            "type",
            "address",
            "province",
            "country",
            "website",
            "logo",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):  # a new upload, not the stored file
            validate_upload(logo, allowed={JPEG, PNG}, max_bytes=LOGO_MAX_BYTES)
        return logo


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    position = forms.CharField(label=_("Position"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


class OfficerForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail of the officer's account"),
        help_text=_("The person signs up first; they get the partner role here."),
    )

    def clean_email(self) -> User:
        user = User.objects.filter(email__iexact=self.cleaned_data["email"]).first()
        if user is None:
            raise forms.ValidationError(_("No account uses this e-mail address."))
        return user


def _lookup_field(model, label):
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=model.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class AgreementForm(forms.ModelForm):
    scope_items = _lookup_field(ScopeItem, _("Scope"))
    iku_criteria = _lookup_field(IkuCriterion, _("IKU partner criteria"))
    partnership_forms = _lookup_field(PartnershipForm, _("Forms of partnership"))

    class Meta:
        model = Agreement
        fields = [
            "kind",
            "partner",
            "parent",
            "title",
            "scope_items",
            "our_number",
            "partner_number",
            "our_signatory",
            "partner_signatory",
            "signed_on",
            "starts_on",
            "ends_on",
            "unit",
            "person_in_charge",
            "value",
            "iku_criteria",
            "partnership_forms",
        ]
        widgets = {
            "signed_on": DateInput(),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }
        help_texts = {
            "ends_on": _("Empty for an MoU: five years from the start."),
            "parent": _("A PKS or IA names its MoU; an addendum the agreement it amends."),
            "signed_on": _("Only for an agreement signed before it was entered here."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, model in (
            ("scope_items", ScopeItem),
            ("iku_criteria", IkuCriterion),
            ("partnership_forms", PartnershipForm),
        ):
            # Retired entries stay ticked on the agreements that already name them.
            chosen = Q(is_active=True)
            if self.instance.pk:
                chosen |= Q(pk__in=getattr(self.instance, name).all())
            self.fields[name].queryset = model.objects.filter(chosen).distinct()
        self.fields["parent"].queryset = Agreement.objects.select_related("partner").filter(
            terminated_on__isnull=True, superseded_at__isnull=True
        )
        self.fields["person_in_charge"].queryset = User.objects.filter(
            groups__name__in=[Role.COOPERATION_OFFICER, Role.HEAD, Role.ADMIN], is_active=True
        ).distinct()
        self.fields["value"].widget = RupiahInput()
        if self.instance.pk:
            # The kind and the partner define the agreement; a different one is a new one.
            del self.fields["kind"]
            del self.fields["partner"]

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The agreement cannot end before it starts."))
        return cleaned


class DistinctIds:
    """Several small forms share one page: each gives its fields ids of its own."""

    id_prefix = "id"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class StepCompleteForm(DistinctIds, forms.Form):
    id_prefix = "complete"
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SigningForm(StepCompleteForm):
    """Closing the signing step: each party's number, the date and the term."""

    our_number = forms.CharField(label=_("Our number"), max_length=100)
    partner_number = forms.CharField(label=_("Partner's number"), max_length=100)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DateInput())
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty for an MoU: five years from the start."),
    )

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on > timezone.localdate():
            raise forms.ValidationError(_("The signing date cannot be in the future."))
        return signed_on


class StepReturnForm(DistinctIds, forms.Form):
    id_prefix = "return"
    note = forms.CharField(
        label=_("What must change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what must change: the note goes with it.")},
    )


class DocumentForm(DistinctIds, forms.Form):
    id_prefix = "document"
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF or DOCX, at most 20 MB; a signed scan must be a PDF."),
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
    document = forms.IntegerField(required=False, widget=forms.HiddenInput)


class TerminateForm(DistinctIds, forms.Form):
    id_prefix = "terminate"
    terminated_on = forms.DateField(label=_("Terminated on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=255)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": DOCUMENT_ACCEPT + ",image/jpeg,image/png"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[c for c in ActivityKind.choices if c[0] != ActivityKind.TRAINING],
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    participants = forms.IntegerField(
        label=_("Participants"), min_value=0, max_value=100_000, required=False
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=_("PDF, DOCX, JPEG or PNG, at most 10 MB each."),
    )


class VisitRequestForm(forms.ModelForm):
    class Meta:
        model = InstitutionalVisit
        fields = [
            "institution_name",
            "contact_name",
            "contact_email",
            "contact_phone",
            "proposed_on",
            "alternative_on",
            "visitors",
            "purpose",
            "topics",
        ]
        widgets = {
            "proposed_on": DateInput(),
            "alternative_on": DateInput(),
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "topics": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visitors"].min_value = 1
        self.fields["visitors"].widget.attrs["min"] = 1

    def clean_visitors(self):
        visitors = self.cleaned_data["visitors"]
        if visitors < 1:
            raise forms.ValidationError(_("At least one visitor."))
        return visitors

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        for name in ("proposed_on", "alternative_on"):
            day = cleaned.get(name)
            if day and day <= today:
                self.add_error(name, _("Choose a date after today."))
        return cleaned


class VisitScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Date and time (WIB)"),
        widget=DateTimeInput(),
    )
    hosts = forms.ModelMultipleChoiceField(
        label=_("Hosts"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Partner.objects.all(), required=False
    )
    agreement = forms.ModelChoiceField(
        label=_("Agreement"),
        queryset=Agreement.objects.select_related("partner"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = [r for r in Role.values if r not in (Role.PARTICIPANT, Role.SPEAKER, Role.PARTNER)]
        self.fields["hosts"].queryset = (
            User.objects.filter(groups__name__in=staff, is_active=True)
            .distinct()
            .order_by("full_name")
        )


class VisitOutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 4}))
    follow_ups = forms.CharField(
        label=_("Follow-ups"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class VisitDeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class AgreementFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Partner.objects.none(), required=False
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *AgreementStatus.choices]
        self.fields["kind"].choices = [("", _("Any kind")), *AgreementKind.choices]
        self.fields["partner"].queryset = partners
