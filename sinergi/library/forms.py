from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sinergi.core.forms import DateInput

from .isbn import isbn_to_13
from .models import ContributorKind, ContributorRole, EResource, LicensePool
from .services import ContributorData, TitleData


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    subject = forms.CharField(required=False, max_length=200)
    language = forms.CharField(required=False, max_length=3)
    year = forms.CharField(required=False, max_length=4)
    availability = forms.ChoiceField(
        required=False,
        choices=[("", ""), ("open", ""), ("available", ""), ("licensed", "")],
    )
    format = forms.ChoiceField(required=False, choices=[("", ""), ("epub", ""), ("pdf", "")])

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if k != "q" and v}


# The contributor line's third part: how a librarian marks a corporate name or a meeting.
KIND_WORDS = {
    "": ContributorKind.PERSON,
    "org": ContributorKind.ORGANIZATION,
    "organisasi": ContributorKind.ORGANIZATION,
    "lembaga": ContributorKind.ORGANIZATION,
    "meeting": ContributorKind.MEETING,
    "pertemuan": ContributorKind.MEETING,
}
KIND_LABELS = {ContributorKind.ORGANIZATION: "org", ContributorKind.MEETING: "meeting"}


class TitleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    subtitle = forms.CharField(label=_("Subtitle"), max_length=500, required=False)
    authors = forms.CharField(
        label=_("Contributors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line; add the role after a bar, and “org” after a second bar for an "
            "organisation: Ani Suryani | edt, or Perpustakaan Nasional | aut | org"
        ),
    )
    publisher = forms.CharField(label=_("Publisher"), max_length=255, required=False)
    place = forms.CharField(label=_("Place of publication"), max_length=255, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1450, max_value=2100, required=False)
    edition = forms.CharField(label=_("Edition"), max_length=100, required=False)
    isbn = forms.CharField(label=_("ISBN"), max_length=20, required=False)
    language = forms.CharField(
        label=_("Language"), max_length=3, required=False, help_text=_("ISO 639-2: ind, eng")
    )
    subjects = forms.CharField(
        label=_("Subjects"), required=False, help_text=_("Separated by semicolons.")
    )
    ddc = forms.CharField(label=_("DDC class"), max_length=30, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    open_access = forms.BooleanField(label=_("Open access"), required=False)
    withdrawn = forms.BooleanField(label=_("Withdrawn"), required=False)

    def clean_isbn(self):
        value = self.cleaned_data["isbn"].strip()
        return isbn_to_13(value) if value else ""

    def clean_authors(self):
        contributors = []
        for line in self.cleaned_data["authors"].splitlines():
            name, _bar, rest = line.partition("|")
            role, _bar, kind = rest.partition("|")
            role = role.strip() or ContributorRole.AUTHOR
            if role not in ContributorRole.values:
                raise ValidationError(
                    _("Unknown role %(role)s; use one of %(roles)s."),
                    params={"role": role, "roles": ", ".join(ContributorRole.values)},
                )
            kind = KIND_WORDS.get(kind.strip().lower())
            if kind is None:
                raise ValidationError(_("After the role, write only “org” or “meeting”."))
            if name.strip():
                contributors.append(ContributorData(name=name.strip(), role=role, kind=kind))
        return contributors

    def title_data(self) -> TitleData:
        data = dict(self.cleaned_data)
        contributors = data.pop("authors")
        subjects = [s.strip() for s in data.pop("subjects").split(";") if s.strip()]
        return TitleData(**data, contributors=contributors, subjects=subjects)

    @classmethod
    def initial_for(cls, title) -> dict:
        initial = {f: getattr(title, f) for f in cls.base_fields if hasattr(title, f)}
        initial["authors"] = "\n".join(
            " | ".join([c.name, c.role, *([KIND_LABELS[c.kind]] if c.kind in KIND_LABELS else [])])
            for c in title.contributors.all()
        )
        initial["subjects"] = "; ".join(s.name for s in title.subjects.all())
        return initial


class PoolForm(forms.ModelForm):
    class Meta:
        model = LicensePool
        fields = ["copies", "expires_on", "checkouts_limit", "loan_days"]
        widgets = {"expires_on": DateInput()}


class UploadForm(forms.Form):
    file = forms.FileField(label=_("EPUB or PDF file"))


class EResourceForm(forms.ModelForm):
    url = forms.URLField(label=_("Link"), max_length=500, assume_scheme="https")

    class Meta:
        model = EResource
        fields = [
            "name",
            "provider",
            "subjects",
            "access_route",
            "instructions",
            "url",
            "is_active",
        ]


class PositionForm(forms.Form):
    position = forms.CharField(max_length=500)


class SlimsImportForm(forms.Form):
    database = forms.CharField(
        label=_("SLiMS database"),
        max_length=500,
        help_text=_(
            "mysql://user:password@host/database — an account that may read the database is "
            "enough; Sinergi opens it read-only."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    files_dir = forms.CharField(
        label=_("SLiMS files folder"),
        max_length=500,
        required=False,
        help_text=_(
            "Optional: the folder on this server holding SLiMS's images/docs/ (covers) and "
            "repository/ (attachments), inside the folder the administrator set for imports."
        ),
    )
    members = forms.BooleanField(
        label=_("Also import members (they get an e-mail to verify their address)"),
        required=False,
    )

    def clean_database(self):
        from .slims import SlimsError, database_parse

        value = self.cleaned_data["database"].strip()
        try:
            database_parse(value)
        except SlimsError:
            raise ValidationError(
                _("Give the database as mysql://user:password@host/database."), code="database"
            ) from None
        return value

    def clean_files_dir(self):
        from pathlib import Path

        from django.conf import settings

        value = self.cleaned_data["files_dir"].strip()
        if not value:
            return ""
        root = settings.SINERGI_IMPORT_ROOT
        if not root:
            raise ValidationError(
                _("The administrator has set no folder for imports (SINERGI_IMPORT_ROOT)."),
                code="no_root",
            )
        path = Path(value).resolve()
        root_path = Path(root).resolve()
        if path != root_path and root_path not in path.parents:
            raise ValidationError(
                _("The folder must be inside %(root)s."), code="outside", params={"root": root}
            )
        if not path.is_dir():
            raise ValidationError(_("No such folder on the server."), code="missing")
        return str(path)
