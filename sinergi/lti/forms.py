from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Platform


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
