"""Forms of the quiz pages: the staff's quiz settings and grading an essay; and reading a
participant's answers from a posted form (one question or a whole page).

Answer fields are named after the question's position in the attempt: `q3-kind` (hidden:
"choices", "text", "value" or "pairs"), then `q3-choice` (radio or checkboxes, answer ids),
`q3-text`, `q3-value`, or `q3-pair-<stem id>` (a select of choice ids). The hidden kind lets an
empty set of checkboxes clear a saved answer, and lets the answer be read without asking the
database what type the question is.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.core.forms import DateTimeInput
from sinergi.core.params import id_param

from .models import Question, QuestionBank, QuestionCategory, QuizRole, ReviewOption

RANDOM_ROWS = 3
# Typed in WIB, the site's time zone.
DATETIME_WIDGET = DateTimeInput()


class QuizSettingsForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=QuizRole.choices)
    bank = forms.ModelChoiceField(label=_("Question bank"), queryset=QuestionBank.objects.all())
    questions = forms.ModelMultipleChoiceField(
        label=_("Fixed questions"),
        queryset=Question.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"),
        required=False,
        min_value=1,
        max_value=600,
        help_text=_("Empty: no time limit."),
    )
    attempts_allowed = forms.IntegerField(
        label=_("Attempts allowed"), min_value=0, max_value=20, help_text=_("0 = unlimited")
    )
    opens_at = forms.DateTimeField(label=_("Opens at"), required=False, widget=DATETIME_WIDGET)
    closes_at = forms.DateTimeField(label=_("Closes at"), required=False, widget=DATETIME_WIDGET)
    shuffle_questions = forms.BooleanField(label=_("Shuffle questions"), required=False)
    shuffle_answers = forms.BooleanField(label=_("Shuffle answers"), required=False)
    pass_mark = forms.IntegerField(label=_("Pass mark (%)"), min_value=0, max_value=100)
    review = forms.ChoiceField(
        label=_("After an attempt, participants see"), choices=ReviewOption.choices
    )

    def __init__(self, *args, bank: QuestionBank | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        bank_id = self.data.get("bank") if self.is_bound else None
        if id_param(bank_id) is None:
            bank_id = bank.pk if bank else None
        self.fields["questions"].queryset = Question.objects.filter(bank_id=bank_id).order_by(
            "category__path", "name", "pk"
        )
        categories = QuestionCategory.objects.filter(bank_id=bank_id).order_by("path")
        for n in range(RANDOM_ROWS):
            self.fields[f"random_{n}_category"] = forms.ModelChoiceField(
                label=_("Random questions from category"),
                queryset=categories,
                required=False,
            )
            self.fields[f"random_{n}_count"] = forms.IntegerField(
                label=_("How many"), min_value=1, max_value=200, required=False
            )

    def random_rows(self):
        return [
            (self[f"random_{n}_category"], self[f"random_{n}_count"]) for n in range(RANDOM_ROWS)
        ]

    def clean(self):
        data = super().clean()
        for n in range(RANDOM_ROWS):
            category, count = data.get(f"random_{n}_category"), data.get(f"random_{n}_count")
            if category and not count:
                self.add_error(f"random_{n}_count", _("Say how many questions to draw."))
        return data


class EssayGradeForm(forms.Form):
    points = forms.DecimalField(label=_("Points"), min_value=0, max_digits=6, decimal_places=2)
    comment = forms.CharField(
        label=_("Comment for the participant"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def posted_response(data, position: int):
    """Return the raw response to question `position` in posted form `data`, or None when the
    form does not carry that question. The result is checked by `grading.response_clean`."""
    prefix = f"q{position}-"
    kind = data.get(f"{prefix}kind")
    if kind == "choices":
        return {"choices": [value for value in data.getlist(f"{prefix}choice") if value]}
    if kind == "text":
        return {"text": data.get(f"{prefix}text", "")}
    if kind == "value":
        return {"value": data.get(f"{prefix}value", "")}
    if kind == "pairs":
        stem_prefix = f"{prefix}pair-"
        return {
            "pairs": {
                key.removeprefix(stem_prefix): value
                for key, value in data.items()
                if key.startswith(stem_prefix)
            }
        }
    return None


def posted_positions(data) -> list[int]:
    """Return the positions of the questions a posted form carries."""
    positions = []
    for key in data:
        if key.startswith("q") and key.endswith("-kind") and key[1:-5].isdigit():
            positions.append(int(key[1:-5]))
    return sorted(positions)
