"""Reads of quizzes: a participant's own attempts, the grading queue, and the quiz reports.

Reports
-------
*Learning gain.* For each participant, the pre-test and post-test scores are their best
finished attempts (0-100). The normalised gain (Hake 1998) is g = (post - pre) / (100 - pre).
When pre = 100 nothing is left to gain and g is undefined: that participant has no individual g
and is left out of the average of individual g's (they still count in the score averages).
Two batch figures are shown, labelled apart, because they differ when pre-test scores vary:

- the mean of individual gains, ḡ = mean over participants with both scores of g_i;
- the class gain, ⟨g⟩ = (mean post - mean pre) / (100 - mean pre), Hake's "average
  normalised gain", from the means of the participants who have both scores.

*Item analysis* of a quiz, from each participant's first finished attempt (later attempts have
seen the questions), per question drawn at least once:

- difficulty: the facility index, the mean fraction of the question's marks earned (0 hard,
  1 easy), as Moodle's "facility index";
- discrimination: the point-biserial correlation between the question's fraction and the rest
  of the attempt's score (the attempt's total without this question, so a question is not
  correlated with itself; Moodle's "discrimination index" is computed the same way), from -1
  to 1; None when fewer than two attempts or either side has no variance.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from math import sqrt
from statistics import fmean

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from sinergi.training.models import Batch, Registration, RegistrationState

from ..formats.render import render_text
from ..models import (
    Answer,
    Attempt,
    AttemptQuestion,
    AttemptState,
    Item,
    Quiz,
    QuizRole,
    ReviewOption,
)
from .progress import learning_gain


def attempt_get_for_participant(*, user, attempt_id: int) -> Attempt:
    """Return `user`'s own attempt, or 404 (another person's attempt does not exist for them)."""
    attempt = (
        Attempt.objects.select_related("quiz__item__module__batch__program", "registration")
        .filter(
            pk=attempt_id,
            registration__user=user,
            registration__state=RegistrationState.CONFIRMED,
        )
        .first()
    )
    if attempt is None or not user.is_authenticated:
        raise Http404
    return attempt


def _question_file_url(question_id: int, name: str) -> str:
    return reverse("learning:question_file", args=[question_id, name])


def attempt_questions(attempt: Attempt, *, texts: bool = True) -> list[AttemptQuestion]:
    """Return the attempt's questions with their answers, in the participant's order.

    With `texts`, each row's question, answers and feedback are rendered to HTML
    (`text_html`, `answer.html`, `feedback_html`); without, `attempt_row_texts` renders a row's
    question and answers when needed (the attempt page renders only what it has not cached).
    An attempt just started carries what was drawn for it (`drawn`), which is used as it is.
    """
    drawn = getattr(attempt, "drawn", None)
    if drawn is not None:
        rows, answers = drawn
    else:
        rows = list(
            AttemptQuestion.objects.filter(attempt=attempt)
            .select_related("question")
            .order_by("position")
        )
        answers = answers_by_question([row.question_id for row in rows])
    for row in rows:
        question = row.question
        by_id = {answer.id: answer for answer in answers.get(question.pk, [])}
        ordered = [by_id[i] for i in row.answer_order if i in by_id]
        row.shown_answers = ordered or list(by_id.values())
        if texts:
            attempt_row_texts(row, feedback=True)
        if row.question.qtype == "matching":
            row.stems = [a for a in row.shown_answers if a.text.strip()]
            pairs = (row.response or {}).get("pairs", {})
            for stem in row.stems:
                stem.selected = pairs.get(str(stem.id))
            choices: dict[str, int] = {}
            for answer in sorted(row.shown_answers, key=lambda a: a.match.strip().casefold()):
                if answer.match.strip():
                    choices.setdefault(answer.match.strip(), answer.id)
            row.choices = [(answer_id, text) for text, answer_id in choices.items()]
    return rows


def attempt_question_count(attempt: Attempt) -> int:
    return AttemptQuestion.objects.filter(attempt=attempt).count()


def answers_by_question(question_ids) -> dict[int, list[Answer]]:
    """The answers of these questions in their order, by question id: one query, and none of
    the per-row querysets `prefetch_related` builds (a page of 20 questions cost 2 ms in them)."""
    grouped: dict[int, list[Answer]] = {}
    for answer in Answer.objects.filter(question_id__in=question_ids).order_by(
        "question_id", "position", "id"
    ):
        grouped.setdefault(answer.question_id, []).append(answer)
    return grouped


def attempt_row_texts(row: AttemptQuestion, *, feedback: bool = False) -> None:
    """Render a row's question text and answers (and with `feedback`, the feedback) to HTML."""
    question = row.question
    file_url = partial(_question_file_url, question.pk)
    row.text_html = render_text(question.text, question.text_format, file_url)
    if feedback:
        row.feedback_html = render_text(question.general_feedback, question.text_format, file_url)
    for answer in row.shown_answers:
        answer.html = render_text(answer.text, answer.text_format, file_url)
        if feedback:
            answer.feedback_html = render_text(answer.feedback, answer.text_format, file_url)


def attempts_of(*, quiz: Quiz, registration: Registration) -> list[Attempt]:
    return list(Attempt.objects.filter(quiz=quiz, registration=registration).order_by("number"))


def quiz_for_item(item: Item) -> Quiz | None:
    return Quiz.objects.filter(item=item).select_related("bank").first()


def review_allowed(attempt: Attempt, now) -> bool:
    """Whether the participant may see answers and feedback (not only the score)."""
    if attempt.state == AttemptState.IN_PROGRESS:
        return False
    review = attempt.quiz.review
    if review == ReviewOption.AFTER_SUBMIT:
        return True
    if review == ReviewOption.AFTER_CLOSE:
        return attempt.quiz.closes_at is not None and now >= attempt.quiz.closes_at
    return False


def grading_queue(*, batch: Batch) -> QuerySet[AttemptQuestion]:
    """Essay answers of the batch's quizzes that wait for a grader, oldest first."""
    return (
        AttemptQuestion.objects.filter(
            needs_grading=True,
            attempt__state=AttemptState.NEEDS_GRADING,
            attempt__quiz__item__module__batch=batch,
        )
        .select_related("attempt__quiz__item", "attempt__registration__user", "question")
        .order_by("attempt__submitted_at", "attempt_id", "position")
    )


def attempt_question_for_grader(*, batch: Batch, pk: int) -> AttemptQuestion:
    row = (
        AttemptQuestion.objects.select_related("attempt", "question")
        .filter(pk=pk, attempt__quiz__item__module__batch=batch)
        .first()
    )
    if row is None:
        raise Http404
    return row


def quizzes_of_batch(batch: Batch) -> list[Quiz]:
    return list(
        Quiz.objects.filter(item__module__batch=batch)
        .select_related("item__module")
        .annotate(
            finished=Count("attempts", filter=Q(attempts__state=AttemptState.FINISHED)),
            waiting=Count("attempts", filter=Q(attempts__state=AttemptState.NEEDS_GRADING)),
        )
        .order_by("item__module__position", "item__position", "item_id")
    )


# --- Learning gain ---------------------------------------------------------------------------


@dataclass
class GainRow:
    registration: Registration
    pre: Decimal | None
    post: Decimal | None
    gain: float | None


@dataclass
class GainReport:
    rows: list[GainRow]
    pretest: Quiz | None
    posttest: Quiz | None
    paired: int = 0
    mean_pre: float | None = None
    mean_post: float | None = None
    mean_individual_gain: float | None = None
    class_gain: float | None = None
    undefined_gain: int = 0
    passed: int = 0
    notes: list = field(default_factory=list)


def _role_quiz(batch: Batch, role: str) -> Quiz | None:
    return (
        Quiz.objects.filter(item__module__batch=batch, role=role)
        .order_by("item__module__position", "item__position")
        .first()
    )


def _best_scores(quiz: Quiz | None) -> dict[int, Decimal]:
    if quiz is None:
        return {}
    return dict(
        Attempt.objects.filter(quiz=quiz, state=AttemptState.FINISHED)
        .values("registration_id")
        .annotate(best=Max("score"))
        .values_list("registration_id", "best")
    )


def learning_gain_report(*, batch: Batch) -> GainReport:
    """Return each participant's pre and post score and gain, and the batch figures."""
    pretest, posttest = _role_quiz(batch, QuizRole.PRETEST), _role_quiz(batch, QuizRole.POSTTEST)
    pre, post = _best_scores(pretest), _best_scores(posttest)
    registrations = (
        Registration.objects.filter(batch=batch, state=RegistrationState.CONFIRMED)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )
    rows = [
        GainRow(r, pre.get(r.pk), post.get(r.pk), learning_gain(pre.get(r.pk), post.get(r.pk)))
        for r in registrations
    ]
    report = GainReport(rows=rows, pretest=pretest, posttest=posttest)
    paired = [row for row in rows if row.pre is not None and row.post is not None]
    report.paired = len(paired)
    if posttest is not None:
        report.passed = sum(
            1 for row in rows if row.post is not None and row.post >= posttest.pass_mark
        )
    if paired:
        report.mean_pre = fmean(float(row.pre) for row in paired)
        report.mean_post = fmean(float(row.post) for row in paired)
        gains = [row.gain for row in paired if row.gain is not None]
        report.undefined_gain = len(paired) - len(gains)
        report.mean_individual_gain = fmean(gains) if gains else None
        report.class_gain = learning_gain(report.mean_pre, report.mean_post)
    return report


# --- Item analysis ---------------------------------------------------------------------------


@dataclass
class ItemStats:
    question_id: int
    name: str
    qtype: str
    attempts: int
    facility: float | None
    discrimination: float | None
    mean_points: float | None
    max_points: float


def point_biserial(item: list[float], rest: list[float]) -> float | None:
    """Return the Pearson correlation of `item` and `rest` (point-biserial for 0/1 items)."""
    n = len(item)
    if n < 2:
        return None
    mean_i, mean_r = fmean(item), fmean(rest)
    cov = sum((a - mean_i) * (b - mean_r) for a, b in zip(item, rest, strict=True))
    var_i = sum((a - mean_i) ** 2 for a in item)
    var_r = sum((b - mean_r) ** 2 for b in rest)
    if var_i == 0 or var_r == 0:
        return None
    return cov / sqrt(var_i * var_r)


def item_analysis(*, quiz: Quiz) -> list[ItemStats]:
    """Return difficulty and discrimination of each question of `quiz` (see the module doc)."""
    first_attempts = Attempt.objects.filter(quiz=quiz, state=AttemptState.FINISHED).order_by(
        "registration_id", "number"
    )
    firsts: dict[int, int] = {}
    for attempt_id, registration_id in first_attempts.values_list("pk", "registration_id"):
        firsts.setdefault(registration_id, attempt_id)
    rows = AttemptQuestion.objects.filter(attempt_id__in=firsts.values()).values_list(
        "attempt_id",
        "question_id",
        "question__name",
        "question__qtype",
        "points",
        "max_points",
    )
    totals: dict[int, float] = {}
    per_question: dict[int, dict] = {}
    for attempt_id, question_id, name, qtype, points, max_points in rows:
        if not max_points:
            continue  # descriptions carry no marks
        points = float(points or 0)
        totals[attempt_id] = totals.get(attempt_id, 0.0) + points
        entry = per_question.setdefault(
            question_id,
            {"name": name, "qtype": qtype, "max": float(max_points), "answers": []},
        )
        entry["answers"].append((attempt_id, points, float(max_points)))
    stats = []
    for question_id, entry in per_question.items():
        fractions = [points / maximum for _a, points, maximum in entry["answers"]]
        rest = [totals[attempt_id] - points for attempt_id, points, _m in entry["answers"]]
        stats.append(
            ItemStats(
                question_id=question_id,
                name=entry["name"],
                qtype=entry["qtype"],
                attempts=len(fractions),
                facility=fmean(fractions) if fractions else None,
                discrimination=point_biserial(fractions, rest),
                mean_points=fmean(p for _a, p, _m in entry["answers"]),
                max_points=entry["max"],
            )
        )
    stats.sort(key=lambda s: s.name)
    return stats
