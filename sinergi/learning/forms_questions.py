"""Forms of the question bank pages: a bank's name, and a question file to import."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .services.questions import GIFT, MOODLE_XML

MAX_IMPORT_BYTES = 10 * 1024 * 1024
XML_START = (b"<", b"\xef\xbb\xbf<")


class BankForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class BankRenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=200)


class QuestionImportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[(GIFT, "GIFT (.txt, .gift)"), (MOODLE_XML, "Moodle XML (.xml)")],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("Question file"),
        help_text=_("A GIFT or Moodle XML file exported from Moodle, at most 10 MB."),
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None or "format" not in cleaned:
            return cleaned
        upload.seek(0)
        content = upload.read(MAX_IMPORT_BYTES + 1)
        if len(content) > MAX_IMPORT_BYTES:
            raise ValidationError({"file": _("The file is larger than 10 MB.")}, code="too_large")
        if not content.strip():
            raise ValidationError({"file": _("The file is empty.")}, code="empty")
        if b"\x00" in content[:8192]:
            raise ValidationError(
                {"file": _("This is not a text file: GIFT and Moodle XML are text.")},
                code="binary",
            )
        if cleaned["format"] == MOODLE_XML and not content.lstrip().startswith(XML_START):
            raise ValidationError(
                {"file": _("This is not an XML file: a Moodle XML file starts with “<”.")},
                code="not_xml",
            )
        cleaned["content"] = content
        return cleaned
