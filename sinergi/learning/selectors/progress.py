"""A participant's progress towards completing a batch, computed from the rows, never stored."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max

from sinergi.training.models import Registration, RegistrationState

from ..models import (
    Assignment,
    Attempt,
    AttemptState,
    Attendance,
    AttendanceStatus,
    CompletionRules,
    CompletionTest,
    Item,
    ItemCompletion,
    Quiz,
    QuizRole,
    Session,
    Submission,
    SubmissionState,
    Survey,
    SurveyResponse,
)

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


@dataclass
class Requirement:
    """One rule of completion: what it asks, whether it is met, and a short status."""

    key: str
    met: bool
    detail: dict = field(default_factory=dict)


@dataclass
class TestRule:
    """A test that must be passed, and the mark it needs."""

    quiz: Quiz
    pass_mark: int

    @property
    def key(self) -> str:
        return "posttest" if self.quiz.role == QuizRole.POSTTEST else "test"


@dataclass
class RuleSet:
    """The rules of completion as they apply to a batch: saved, the defaults, or proposed on
    the rules page (for the preview, before anything is saved)."""

    min_attendance_percent: int
    tests: list[TestRule]
    # The assignments that must be passed; None when assignments do not count.
    assignment_ids: set[int] | None
    require_survey: bool
    saved: bool = False


@dataclass
class Progress:
    registration: Registration
    rules: RuleSet
    attendance_percent: Decimal
    sessions_total: int
    sessions_attended: int
    pretest_score: Decimal | None
    posttest_score: Decimal | None
    posttest_pass_mark: int | None
    assignments: list[dict]
    surveys_total: int
    surveys_filled: int
    items_total: int
    items_done: int
    requirements: list[Requirement]
    completed_at: object = None

    @property
    def complete(self) -> bool:
        return all(requirement.met for requirement in self.requirements)

    @property
    def missing(self) -> list[Requirement]:
        return [requirement for requirement in self.requirements if not requirement.met]


def completion_rules_for(batch) -> CompletionRules:
    """Return the batch's rules, or the defaults (unsaved) when none were set."""
    rules = CompletionRules.objects.filter(batch=batch).first()
    return rules or CompletionRules(batch=batch)


def batch_quizzes(batch) -> list[Quiz]:
    """Return the batch's quizzes in curriculum order."""
    return list(
        Quiz.objects.filter(item__module__batch=batch)
        .select_related("item__module")
        .order_by("item__module__position", "item__position", "pk")
    )


def batch_assignments(batch) -> list[Assignment]:
    return list(
        Assignment.objects.filter(item__module__batch=batch)
        .select_related("item__module")
        .order_by("item__module__position", "item__position", "pk")
    )


def rule_set_for(batch) -> RuleSet:
    """Return the rules that apply to `batch` now (its own, or the defaults)."""
    rules = completion_rules_for(batch)
    quizzes = batch_quizzes(batch)
    tests = []
    if rules.pk:
        chosen = {
            test.quiz_id: test.pass_mark for test in CompletionTest.objects.filter(rules=rules)
        }
        tests = [TestRule(quiz, chosen[quiz.pk]) for quiz in quizzes if quiz.pk in chosen]
    if rules.require_posttest_pass:
        posttest = next((quiz for quiz in quizzes if quiz.role == QuizRole.POSTTEST), None)
        if posttest is not None and all(test.quiz.pk != posttest.pk for test in tests):
            tests.append(TestRule(posttest, posttest.pass_mark))
    assignment_ids = None
    if rules.require_assignments:
        assignment_ids = {
            assignment.pk for assignment in batch_assignments(batch) if assignment.required
        }
    return RuleSet(
        min_attendance_percent=rules.min_attendance_percent,
        tests=tests,
        assignment_ids=assignment_ids,
        require_survey=rules.require_survey,
        saved=rules.pk is not None,
    )


def attendance_percent(*, registration: Registration) -> tuple[Decimal, int, int]:
    """Return (percent, sessions counted, sessions attended). Excused sessions are not counted."""
    sessions = Session.objects.filter(batch_id=registration.batch_id).count()
    statuses = list(
        Attendance.objects.filter(registration=registration).values_list("status", flat=True)
    )
    excused = statuses.count(AttendanceStatus.EXCUSED)
    attended = sum(1 for status in statuses if status in ATTENDED)
    counted = sessions - excused
    if counted <= 0:
        return Decimal(100), 0, 0
    percent = (Decimal(attended) * 100 / counted).quantize(Decimal("0.01"))
    return percent, counted, attended


def best_score(*, registration: Registration, role: str) -> tuple[Decimal | None, Quiz | None]:
    """Return the best finished score on the batch's quiz with `role`, and that quiz."""
    quiz = (
        Quiz.objects.filter(item__module__batch_id=registration.batch_id, role=role)
        .order_by("item__module__position", "item__position")
        .first()
    )
    if quiz is None:
        return None, None
    score = Attempt.objects.filter(
        quiz=quiz, registration=registration, state=AttemptState.FINISHED
    ).aggregate(best=Max("score"))["best"]
    if score is not None:
        score = Decimal(score).quantize(Decimal("0.01"))
    return score, quiz


def _assignments_of(registration: Registration, required_ids: set[int] | None) -> list[dict]:
    submissions = {
        submission.assignment_id: submission
        for submission in Submission.objects.filter(registration=registration)
    }
    assignments = []
    for assignment in Assignment.objects.filter(
        item__module__batch_id=registration.batch_id
    ).select_related("item"):
        submission = submissions.get(assignment.pk)
        graded = submission is not None and submission.state == SubmissionState.GRADED
        assignments.append(
            {
                "assignment": assignment,
                "title": assignment.item.title,
                "required": required_ids is not None and assignment.pk in required_ids,
                "submitted": submission is not None,
                "graded": graded,
                "score": submission.score if graded else None,
                "passed": graded and submission.score >= assignment.pass_score,
            }
        )
    return assignments


def _surveys_of(registration: Registration) -> tuple[int, int]:
    """Return (surveys of the batch, those the participant filled)."""
    survey_ids = set(
        Survey.objects.filter(item__module__batch_id=registration.batch_id).values_list(
            "pk", flat=True
        )
    )
    filled = SurveyResponse.objects.filter(
        registration=registration, survey_id__in=survey_ids
    ).count()
    return len(survey_ids), filled


def _attendance_requirement(rules: RuleSet, percent: Decimal) -> Requirement:
    return Requirement(
        "attendance",
        percent >= rules.min_attendance_percent,
        {"percent": percent, "minimum": rules.min_attendance_percent},
    )


def _best_on(quiz: Quiz, registration: Registration) -> Decimal | None:
    score = Attempt.objects.filter(
        quiz=quiz, registration=registration, state=AttemptState.FINISHED
    ).aggregate(best=Max("score"))["best"]
    return Decimal(score).quantize(Decimal("0.01")) if score is not None else None


def _test_requirement(test: TestRule, registration: Registration) -> Requirement:
    score = _best_on(test.quiz, registration)
    return Requirement(
        test.key,
        score is not None and score >= test.pass_mark,
        {
            "title": test.quiz.item.title,
            "role": test.quiz.role,
            "score": score,
            "pass_mark": test.pass_mark,
        },
    )


def _assignments_requirement(rules: RuleSet, assignments: list[dict]) -> Requirement | None:
    if not rules.assignment_ids:
        return None
    required = [entry for entry in assignments if entry["required"]]
    if not required:
        return None
    return Requirement(
        "assignments",
        all(entry["passed"] for entry in required),
        {"passed": sum(1 for entry in required if entry["passed"]), "required": len(required)},
    )


def _survey_requirement(rules: RuleSet, total: int, filled: int) -> Requirement | None:
    if not rules.require_survey or not total:
        return None
    return Requirement("survey", filled >= total, {"filled": filled, "total": total})


def completion_rules_met(*, registration: Registration, rules: RuleSet | None = None) -> bool:
    """Whether every rule of completion is met: `progress_for(...).complete`, but stopping at
    the first rule that is not (a post-test submit asks this of every participant at once)."""
    rules = rules or rule_set_for(registration.batch)
    percent, _counted, _attended = attendance_percent(registration=registration)
    if not _attendance_requirement(rules, percent).met:
        return False
    for test in rules.tests:
        if not _test_requirement(test, registration).met:
            return False
    if rules.assignment_ids:
        assignments = _assignments_of(registration, rules.assignment_ids)
        requirement = _assignments_requirement(rules, assignments)
        if requirement is not None and not requirement.met:
            return False
    if not rules.require_survey:
        return True
    survey = _survey_requirement(rules, *_surveys_of(registration))
    return survey is None or survey.met


def progress_for(*, registration: Registration, rules: RuleSet | None = None) -> Progress:
    """Return what `registration` has done and what is still missing (under `rules`, by
    default the batch's own)."""
    batch_id = registration.batch_id
    rules = rules or rule_set_for(registration.batch)
    percent, counted, attended = attendance_percent(registration=registration)
    pretest, _ = best_score(registration=registration, role=QuizRole.PRETEST)
    posttest, posttest_quiz = best_score(registration=registration, role=QuizRole.POSTTEST)
    assignments = _assignments_of(registration, rules.assignment_ids)
    surveys_total, filled = _surveys_of(registration)
    items_total = Item.objects.filter(module__batch_id=batch_id).count()
    items_done = ItemCompletion.objects.filter(
        registration=registration, item__module__batch_id=batch_id
    ).count()
    requirements = [
        requirement
        for requirement in (
            _attendance_requirement(rules, percent),
            *(_test_requirement(test, registration) for test in rules.tests),
            _assignments_requirement(rules, assignments),
            _survey_requirement(rules, surveys_total, filled),
        )
        if requirement is not None
    ]
    posttest_rule = next(
        (t for t in rules.tests if t.quiz.pk == getattr(posttest_quiz, "pk", 0)), None
    )
    completion = getattr(registration, "completion", None) if registration.pk else None
    return Progress(
        registration=registration,
        rules=rules,
        attendance_percent=percent,
        sessions_total=counted,
        sessions_attended=attended,
        pretest_score=pretest,
        posttest_score=posttest,
        posttest_pass_mark=(
            posttest_rule.pass_mark
            if posttest_rule
            else (posttest_quiz.pass_mark if posttest_quiz else None)
        ),
        assignments=assignments,
        surveys_total=surveys_total,
        surveys_filled=filled,
        items_total=items_total,
        items_done=items_done,
        requirements=requirements,
        completed_at=completion.completed_at if completion else None,
    )


@dataclass
class PreviewRow:
    registration: Registration
    progress: Progress
    completed_at: object  # already completed (a completion is never taken back)

    @property
    def would_complete(self) -> bool:
        return self.completed_at is None and self.progress.complete


def completion_preview(*, batch, rules: RuleSet) -> list[PreviewRow]:
    """Return, for each confirmed participant, what the given rules would make of them."""
    registrations = (
        Registration.objects.filter(batch=batch, state=RegistrationState.CONFIRMED)
        .select_related("user", "batch", "completion")
        .order_by("user__full_name", "pk")
    )
    rows = []
    for registration in registrations:
        completion = getattr(registration, "completion", None)
        rows.append(
            PreviewRow(
                registration=registration,
                progress=progress_for(registration=registration, rules=rules),
                completed_at=completion.completed_at if completion else None,
            )
        )
    return rows


def learning_gain(pre: Decimal | None, post: Decimal | None) -> float | None:
    """Return the normalised gain g = (post - pre) / (100 - pre), or None when undefined.

    A participant who scored 100 on the pre-test has nothing left to gain: g is undefined there
    (not 0, not 1), and such a participant is left out of averages of g.
    """
    if pre is None or post is None or pre >= 100:
        return None
    return round(float((post - pre) / (100 - pre)), 3)
