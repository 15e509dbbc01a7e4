"""The rules-of-completion page: minimum attendance, which tests with what mark, which
assignments, and whether the evaluation counts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Assignment, Quiz
from .selectors.progress import RuleSet, TestRule


class CompletionRulesForm(forms.Form):
    min_attendance_percent = forms.IntegerField(
        label=_("Minimum attendance (%)"),
        min_value=0,
        max_value=100,
        help_text=_("Of the sessions counted; excused sessions are not counted."),
    )
    assignments = forms.ModelMultipleChoiceField(
        label=_("Assignments that must be passed"),
        queryset=Assignment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each at its own pass score."),
    )
    require_survey = forms.BooleanField(label=_("The evaluation must be filled in"), required=False)

    def __init__(self, *args, quizzes: list[Quiz], assignments: list[Assignment], **kwargs):
        super().__init__(*args, **kwargs)
        self.quizzes = quizzes
        self.fields["assignments"].queryset = Assignment.objects.filter(
            pk__in=[assignment.pk for assignment in assignments]
        ).select_related("item")
        self.fields["assignments"].label_from_instance = lambda assignment: assignment.item.title
        for quiz in quizzes:
            self.fields[f"test_{quiz.pk}"] = forms.BooleanField(
                label=_("%(test)s must be passed") % {"test": quiz.item.title}, required=False
            )
            self.fields[f"mark_{quiz.pk}"] = forms.IntegerField(
                label=_("Pass mark of %(test)s (%%)") % {"test": quiz.item.title},
                min_value=0,
                max_value=100,
                required=False,
            )

    @classmethod
    def initial_for(cls, rules: RuleSet, quizzes: list[Quiz]) -> dict:
        chosen = {test.quiz.pk: test.pass_mark for test in rules.tests}
        initial = {
            "min_attendance_percent": rules.min_attendance_percent,
            "assignments": sorted(rules.assignment_ids or ()),
            "require_survey": rules.require_survey,
        }
        for quiz in quizzes:
            initial[f"test_{quiz.pk}"] = quiz.pk in chosen
            initial[f"mark_{quiz.pk}"] = chosen.get(quiz.pk, quiz.pass_mark)
        return initial

    def clean(self):
        data = super().clean()
        for quiz in self.quizzes:
            if data.get(f"test_{quiz.pk}") and data.get(f"mark_{quiz.pk}") is None:
                self.add_error(f"mark_{quiz.pk}", _("Give the pass mark of a required test."))
        return data

    def test_rows(self) -> list[dict]:
        """The quizzes with their two fields, for the template's table."""
        return [
            {"quiz": quiz, "test": self[f"test_{quiz.pk}"], "mark": self[f"mark_{quiz.pk}"]}
            for quiz in self.quizzes
        ]

    def chosen_tests(self) -> list[tuple[Quiz, int]]:
        data = self.cleaned_data
        return [
            (quiz, data[f"mark_{quiz.pk}"]) for quiz in self.quizzes if data.get(f"test_{quiz.pk}")
        ]

    def rule_set(self) -> RuleSet:
        """The rules as proposed, for the preview (nothing is saved)."""
        data = self.cleaned_data
        return RuleSet(
            min_attendance_percent=data["min_attendance_percent"],
            tests=[TestRule(quiz, mark) for quiz, mark in self.chosen_tests()],
            assignment_ids={assignment.pk for assignment in data["assignments"]},
            require_survey=data["require_survey"],
        )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "min_attendance_percent": data["min_attendance_percent"],
            "tests": self.chosen_tests(),
            "assignments": list(data["assignments"]),
            "require_survey": data["require_survey"],
        }
