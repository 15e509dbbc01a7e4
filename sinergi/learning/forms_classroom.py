"""Forms of the classroom pages: curriculum editing, sessions, attendance and assignments.

They validate input only; the services decide the rules. Times are typed in WIB (the site's
time zone) and stored as aware datetimes.
"""

from datetime import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Role
from sinergi.core.forms import DateInput, DateTimeInput, TimeInput

from .models import (
    Assignment,
    AttendanceStatus,
    Item,
    ItemKind,
    Module,
    QuestionBank,
    QuizRole,
    Session,
)

DATETIME_WIDGET = DateTimeInput()


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ItemForm(forms.Form):
    """One form for every kind of item; the fields a kind does not use are hidden."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("HTML is allowed: headings, paragraphs, lists, tables, links and images."),
    )
    file = forms.FileField(
        label=_("File"), required=False, help_text=_("PDF, Word or PowerPoint, at most 20 MB.")
    )
    url = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("For a video: a YouTube or Vimeo link."),
    )
    jp = forms.IntegerField(label=_("Length in JP"), required=False, min_value=1, max_value=40)
    session = forms.ModelChoiceField(
        label=_("Session"), queryset=Session.objects.none(), required=False
    )
    bank = forms.ModelChoiceField(
        label=_("Question bank"), queryset=QuestionBank.objects.all(), required=False
    )
    role = forms.ChoiceField(label=_("Role"), choices=QuizRole.choices, required=False)
    available_from = forms.DateTimeField(
        label=_("Available from"), required=False, widget=DATETIME_WIDGET
    )
    requires = forms.ModelChoiceField(
        label=_("Available after completing"), queryset=Item.objects.none(), required=False
    )

    FIELDS_BY_KIND = {
        ItemKind.PAGE: {"body"},
        ItemKind.FILE: {"file"},
        ItemKind.VIDEO: {"url"},
        ItemKind.LINK: {"url"},
        ItemKind.SESSION: {"jp", "session"},
        ItemKind.QUIZ: {"bank", "role"},
        ItemKind.ASSIGNMENT: set(),
        ItemKind.SURVEY: set(),
    }
    COMMON = {"title", "available_from", "requires"}

    def __init__(self, *args, kind: str, module: Module, item: Item | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = self.COMMON | self.FIELDS_BY_KIND[kind]
        if item is not None:
            keep.discard("bank")  # the quizzes page changes the bank
        if module.batch_id is None:
            keep.discard("session")  # a template has no sessions; the copy makes them
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        owner = {"module__batch_id": module.batch_id, "module__program_id": module.program_id}
        if "requires" in self.fields:
            others = Item.objects.filter(**owner).select_related("module")
            if item is not None:
                others = others.exclude(pk=item.pk)
            self.fields["requires"].queryset = others.order_by("module__position", "position")
        if "session" in self.fields:
            self.fields["session"].queryset = Session.objects.filter(batch_id=module.batch_id)
            self.fields["session"].help_text = _("Empty: a new session is created.")
        if "bank" in self.fields:
            self.fields["bank"].required = True

    def service_fields(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items() if name in self.fields}
        if "jp" in data and data["jp"] is None:
            data["jp"] = 1
        if not data.get("file"):
            data.pop("file", None)
        return data


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    time = forms.TimeField(
        label=_("Starts at (WIB)"),
        required=False,
        widget=TimeInput(),
    )
    jp = forms.IntegerField(label=_("Length in JP"), min_value=1, max_value=40, initial=2)
    speakers = forms.ModelMultipleChoiceField(
        label=_("Speakers"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    meeting_url = forms.URLField(
        label=_("Meeting link"), required=False, max_length=500, assume_scheme="https"
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speakers"].queryset = (
            get_user_model()
            .objects.filter(groups__name=Role.SPEAKER, is_active=True)
            .order_by("full_name")
        )

    @classmethod
    def initial_for(cls, session: Session) -> dict:
        local = timezone.localtime(session.starts_at) if session.starts_at else None
        return {
            "title": session.title,
            "date": local.date() if local else None,
            "time": local.time().replace(second=0, microsecond=0) if local else None,
            "jp": session.jp,
            "speakers": list(session.speakers.all()),
            "meeting_url": session.meeting_url,
            "place": session.place,
        }

    def clean(self):
        data = super().clean()
        if bool(data.get("date")) != bool(data.get("time")):
            raise forms.ValidationError(_("Give both the date and the time, or neither."))
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        date, time = data.pop("date"), data.pop("time")
        data["starts_at"] = (
            timezone.make_aware(datetime.combine(date, time)) if date and time else None
        )
        return data


class CheckinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}
        ),
    )


class AttendanceMarkForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=AttendanceStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class AssignmentSettingsForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = [
            "instructions",
            "allow_text",
            "allow_file",
            "due_at",
            "late_policy",
            "late_penalty_percent",
            "max_score",
            "pass_score",
            "required",
        ]
        widgets = {
            "instructions": forms.Textarea(attrs={"rows": 5}),
            "due_at": DATETIME_WIDGET,
        }


class RubricForm(forms.Form):
    """Criteria, one per line: "title | points"."""

    criteria = forms.CharField(
        label=_("Rubric"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_('One criterion per line, as "criterion | points". Empty: grade by score.'),
    )

    def clean_criteria(self) -> list[tuple[str, int]]:
        criteria = []
        for number, line in enumerate(self.cleaned_data["criteria"].splitlines(), start=1):
            if not line.strip():
                continue
            title, _bar, points = line.rpartition("|")
            if not title.strip() or not points.strip().isdigit():
                raise forms.ValidationError(
                    _('Line %(number)s: write "criterion | points".') % {"number": number}
                )
            criteria.append((title.strip()[:200], int(points)))
        return criteria


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    file = forms.FileField(
        label=_("File"), required=False, help_text=_("PDF, Word, JPEG or PNG, at most 10 MB.")
    )

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        if not assignment.allow_text:
            del self.fields["text"]
        if not assignment.allow_file:
            del self.fields["file"]


class GradeForm(forms.Form):
    score = forms.DecimalField(label=_("Score"), required=False, min_value=0, decimal_places=2)
    feedback = forms.CharField(
        label=_("Feedback"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(assignment.criteria.all())
        if self.criteria:
            del self.fields["score"]
            for criterion in self.criteria:
                self.fields[f"criterion_{criterion.pk}"] = forms.IntegerField(
                    label=f"{criterion.title} (0–{criterion.max_points})",
                    min_value=0,
                    max_value=criterion.max_points,
                )
        else:
            self.fields["score"].required = True
            self.fields["score"].help_text = _("Out of %(max)s.") % {"max": assignment.max_score}

    def rubric_points(self) -> dict[int, int] | None:
        if not self.criteria:
            return None
        return {c.pk: self.cleaned_data[f"criterion_{c.pk}"] for c in self.criteria}
