from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.learning.models import Module

from .models import Platform, Tool


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class PlatformForm(forms.ModelForm):
    deployment_ids = forms.CharField(
        label=_("Deployment IDs"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, as the platform shows them (Moodle: the tool's deployment ID)."),
    )

    class Meta:
        model = Platform
        formfield_callback = _formfield
        fields = [
            "name",
            "issuer",
            "client_id",
            "auth_login_url",
            "auth_token_url",
            "jwks_url",
            "trust_emails",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["deployment_ids"].initial = "\n".join(
                self.instance.deployments.values_list("deployment_id", flat=True)
            )

    def deployment_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["deployment_ids"].splitlines()]


class ToolForm(forms.ModelForm):
    class Meta:
        model = Tool
        fields = [
            "name",
            "login_url",
            "redirect_urls",
            "target_link_uri",
            "jwks_url",
            "custom",
            "is_active",
        ]
        formfield_callback = _formfield
        widgets = {
            "redirect_urls": forms.Textarea(attrs={"rows": 2}),
            "custom": forms.Textarea(attrs={"rows": 2}),
        }


class ModuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.batch} — {obj.title}"


class PlacementForm(forms.Form):
    tool = forms.ModelChoiceField(label=_("Tool"), queryset=Tool.objects.filter(is_active=True))
    module = ModuleChoiceField(
        label=_("Module"),
        queryset=Module.objects.filter(batch__isnull=False).select_related("batch"),
        help_text=_("The batch module where the tool appears as a link."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
