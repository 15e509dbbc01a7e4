"""Survey results, only ever as aggregates: means and counts per question, comments unsigned."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count

from ..models import Survey, SurveyAnswer, SurveyQuestionKind, SurveyResponse


@dataclass
class QuestionResult:
    text: str
    kind: str
    count: int = 0
    mean: Decimal | None = None
    distribution: list[int] = field(default_factory=lambda: [0] * 5)
    comments: list[str] = field(default_factory=list)


@dataclass
class SubjectResult:
    """Results about one speaker in one session, or about the organisation (session None)."""

    session: object | None
    speaker: object | None
    questions: list[QuestionResult]

    @property
    def mean(self) -> Decimal | None:
        means = [q.mean for q in self.questions if q.mean is not None]
        return (sum(means) / len(means)).quantize(Decimal("0.01")) if means else None


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    subjects: list[SubjectResult]
    hidden: bool  # too few responses to show a speaker without revealing who said what


def min_responses_for_speakers() -> int:
    return getattr(settings, "LEARNING_SURVEY_MIN_RESPONSES", 3)


def survey_results(*, survey: Survey, speaker=None) -> SurveyResults:
    """Return the survey's aggregates; with `speaker`, only about that speaker's sessions."""
    responses = SurveyResponse.objects.filter(survey=survey).count()
    if speaker is not None and responses < min_responses_for_speakers():
        return SurveyResults(survey, responses, [], hidden=True)
    questions = list(survey.questions.all())
    answers = SurveyAnswer.objects.filter(survey=survey)
    if speaker is not None:
        answers = answers.filter(speaker=speaker)

    ratings = answers.filter(rating__isnull=False).values(
        "session_id", "speaker_id", "question_id", "rating"
    )
    counts = ratings.annotate(n=Count("id")).order_by()
    per_subject: dict[tuple, dict[int, QuestionResult]] = defaultdict(dict)

    def result_for(key, question) -> QuestionResult:
        bucket = per_subject[key]
        if question.pk not in bucket:
            bucket[question.pk] = QuestionResult(question.text, question.kind)
        return bucket[question.pk]

    by_id = {question.pk: question for question in questions}
    for row in counts:
        key = (row["session_id"], row["speaker_id"])
        result = result_for(key, by_id[row["question_id"]])
        result.distribution[row["rating"] - 1] += row["n"]
        result.count += row["n"]
    for row in (
        answers.filter(rating__isnull=False)
        .values("session_id", "speaker_id", "question_id")
        .annotate(mean=Avg("rating"))
        .order_by()
    ):
        key = (row["session_id"], row["speaker_id"])
        result_for(key, by_id[row["question_id"]]).mean = Decimal(str(row["mean"])).quantize(
            Decimal("0.01")
        )
    for row in (
        answers.exclude(comment="")
        .values("session_id", "speaker_id", "question_id", "comment")
        # Alphabetical, so the order says nothing about when or by whom.
        .order_by("comment")
    ):
        key = (row["session_id"], row["speaker_id"])
        result_for(key, by_id[row["question_id"]]).comments.append(row["comment"])

    sessions = {
        session.pk: session
        for session in survey.item.module.batch.sessions.prefetch_related("speakers")
    }
    subjects: list[SubjectResult] = []
    for session in sessions.values():
        for person in session.speakers.all():
            if speaker is not None and person.pk != speaker.pk:
                continue
            bucket = per_subject.get((session.pk, person.pk), {})
            subjects.append(
                SubjectResult(session, person, _ordered(questions, bucket, organisation=False))
            )
    if speaker is None:
        bucket = per_subject.get((None, None), {})
        subjects.append(SubjectResult(None, None, _ordered(questions, bucket, organisation=True)))
    return SurveyResults(survey, responses, subjects, hidden=False)


def _ordered(questions, bucket, *, organisation: bool) -> list[QuestionResult]:
    scope = "organisation" if organisation else "speaker"
    return [
        bucket.get(question.pk) or QuestionResult(question.text, question.kind)
        for question in questions
        if question.scope == scope
    ]


def surveys_of_batch(*, batch) -> list[Survey]:
    return list(
        Survey.objects.filter(item__module__batch=batch)
        .select_related("item__module__batch")
        .order_by("item__module__position", "item__position")
    )


def speaker_rating_summary(*, batch, speaker) -> Decimal | None:
    """Return the mean of all Likert answers about `speaker` in `batch` (None when hidden)."""
    total = SurveyResponse.objects.filter(survey__item__module__batch=batch).count()
    if total < min_responses_for_speakers():
        return None
    mean = SurveyAnswer.objects.filter(
        survey__item__module__batch=batch,
        speaker=speaker,
        question__kind=SurveyQuestionKind.LIKERT,
    ).aggregate(mean=Avg("rating"))["mean"]
    return Decimal(str(mean)).quantize(Decimal("0.01")) if mean is not None else None
