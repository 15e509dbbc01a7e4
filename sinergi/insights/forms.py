from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Role, User
from sinergi.training.models import HonorariumClass

from .models import ENTERED_CATEGORIES, CostCategory, PartnerShareKind

MAX_AMOUNT = 2_000_000_000


def _amount(label, required=False):
    return forms.IntegerField(
        label=label, required=required, min_value=0, max_value=MAX_AMOUNT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )  # fmt: skip


class BudgetForm(forms.Form):
    """The plan and the actual costs of a batch; an empty actual means not spent yet."""

    planned_participants = forms.IntegerField(
        label=_("Planned paying participants"), min_value=0, max_value=100_000
    )
    partner_share_kind = forms.ChoiceField(
        label=_("Partner's share (from the PKS)"), choices=PartnerShareKind.choices
    )
    partner_share_amount = _amount(_("Fixed share (Rupiah)"))
    partner_share_percent = forms.DecimalField(
        label=_("Share of revenue (%)"), required=False, min_value=0, max_value=100,
        decimal_places=2,
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for category in ENTERED_CATEGORIES:
            label = CostCategory(category).label
            self.fields[f"{category}_planned"] = _amount(
                _("%(category)s, planned") % {"category": label}
            )
            self.fields[f"{category}_actual"] = _amount(
                _("%(category)s, actual") % {"category": label}
            )
            self.fields[f"{category}_description"] = forms.CharField(
                label=_("%(category)s, description") % {"category": label},
                required=False,
                max_length=200,
            )

    def category_fields(self):
        return [
            (
                CostCategory(category).label,
                self[f"{category}_planned"],
                self[f"{category}_actual"],
                self[f"{category}_description"],
            )
            for category in ENTERED_CATEGORIES
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("partner_share_kind")
        if kind == PartnerShareKind.FIXED and not data.get("partner_share_amount"):
            self.add_error("partner_share_amount", _("Give the fixed amount the partner receives."))
        if kind == PartnerShareKind.PERCENT and not data.get("partner_share_percent"):
            self.add_error("partner_share_percent", _("Give the partner's percentage."))
        return data

    def lines(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {
            category: {
                "planned": data.get(f"{category}_planned") or 0,
                "actual": data.get(f"{category}_actual"),
                "description": data.get(f"{category}_description") or "",
            }
            for category in ENTERED_CATEGORIES
        }


class SpeakerProfileForm(forms.Form):
    name_with_title = forms.CharField(label=_("Name with academic titles"), max_length=200)
    institution = forms.CharField(label=_("Institution"), max_length=200)
    expertise = forms.CharField(label=_("Expertise"), max_length=300, required=False)
    bio = forms.CharField(
        label=_("Short biography"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    photo = forms.ImageField(
        label=_("Photo"), required=False, help_text=_("JPEG or PNG, up to 2 MB.")
    )
    npwp = forms.CharField(
        label=_("Tax number (NPWP)"), max_length=25, required=False,
        help_text=_("Leave empty to keep the number on file."),
    )  # fmt: skip
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    bank_account_number = forms.CharField(
        label=_("Account number"), max_length=34, required=False,
        help_text=_("Leave empty to keep the number on file."),
    )  # fmt: skip
    bank_account_holder = forms.CharField(label=_("Account holder"), max_length=200, required=False)


class StaffSpeakerForm(SpeakerProfileForm):
    honorarium_class = forms.ModelChoiceField(
        label=_("Honorarium class"), queryset=HonorariumClass.objects.all(), required=False
    )


class InviteForm(forms.Form):
    speaker = forms.ModelChoiceField(
        label=_("Speaker"),
        queryset=User.objects.filter(groups__name=Role.SPEAKER).order_by("full_name").distinct(),
    )
    message = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=255)


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), help_text=_("PDF, Word or PowerPoint."))
