from django import forms
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _textarea_value(self, data, files, name):
    """Read a textarea with the line breaks stored everywhere else (LF).

    Browsers send a textarea's line breaks as CRLF (the HTML standard), so a text typed on one
    machine, imported from a file or entered by the API would otherwise differ from the same text
    saved back unchanged from a form.
    """
    value = data.get(name)
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class CoreConfig(AppConfig):
    name = "sinergi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import checks  # noqa: F401 (registers the deploy checks)

        forms.Textarea.value_from_datadict = _textarea_value
