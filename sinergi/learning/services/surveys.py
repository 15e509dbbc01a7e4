"""Evaluation surveys: the usual diklat evaluation of each speaker and of the organisation.

Who filled a survey (SurveyResponse) and what was said (SurveyAnswer) are stored apart, with no
link between them, so neither staff nor speakers can ever tell who said what.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.core.services import log_action
from sinergi.training.models import Registration

from ..models import (
    Session,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
    SurveyScope,
)
from .completion import completion_recompute, item_mark_complete

LIKERT_MIN, LIKERT_MAX = 1, 5
COMMENT_MAX = 2000

# The questions a new survey starts with; staff may change them before the batch runs.
DEFAULT_QUESTIONS = [
    (SurveyScope.SPEAKER, SurveyQuestionKind.LIKERT, gettext_lazy("Mastery of the material")),
    (SurveyScope.SPEAKER, SurveyQuestionKind.LIKERT, gettext_lazy("Clarity of the presentation")),
    (
        SurveyScope.SPEAKER,
        SurveyQuestionKind.LIKERT,
        gettext_lazy("Answers to participants' questions"),
    ),
    (SurveyScope.SPEAKER, SurveyQuestionKind.LIKERT, gettext_lazy("Use of time")),
    (SurveyScope.SPEAKER, SurveyQuestionKind.COMMENT, gettext_lazy("Comments for the speaker")),
    (
        SurveyScope.ORGANISATION,
        SurveyQuestionKind.LIKERT,
        gettext_lazy("The material met my needs at work"),
    ),
    (
        SurveyScope.ORGANISATION,
        SurveyQuestionKind.LIKERT,
        gettext_lazy("Quality of the learning materials"),
    ),
    (
        SurveyScope.ORGANISATION,
        SurveyQuestionKind.LIKERT,
        gettext_lazy("The online classroom and meeting platform worked well"),
    ),
    (SurveyScope.ORGANISATION, SurveyQuestionKind.LIKERT, gettext_lazy("Service of the committee")),
    (
        SurveyScope.ORGANISATION,
        SurveyQuestionKind.COMMENT,
        gettext_lazy("Suggestions for the organisers"),
    ),
]


def survey_add_default_questions(*, survey: Survey) -> None:
    """Give a survey without questions the standard evaluation questions."""
    if survey.questions.exists():
        return
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, scope=scope, kind=kind, text=str(text), position=position)
        for position, (scope, kind, text) in enumerate(DEFAULT_QUESTIONS)
    )


def survey_question_add(
    *, survey: Survey, scope: str, kind: str, text: str, actor
) -> SurveyQuestion:
    text = text.strip()
    if scope not in SurveyScope.values or kind not in SurveyQuestionKind.values or not text:
        raise ValidationError(_("Give the question's text, what it is about and its kind."))
    if len(text) > 300:
        raise ValidationError(_("Keep the question under 300 characters."))
    if SurveyResponse.objects.filter(survey=survey).exists():
        raise ValidationError(_("Questions cannot change once participants have answered."))
    last = survey.questions.order_by("-position").values_list("position", flat=True).first()
    question = SurveyQuestion.objects.create(
        survey=survey, scope=scope, kind=kind, text=text, position=(last or 0) + 1
    )
    log_action(actor, "learning.survey_question_added", survey, {"text": text})
    return question


def survey_question_delete(*, question: SurveyQuestion, actor) -> None:
    if SurveyResponse.objects.filter(survey_id=question.survey_id).exists():
        raise ValidationError(_("Questions cannot change once participants have answered."))
    log_action(actor, "learning.survey_question_deleted", question.survey, {"text": question.text})
    question.delete()


@dataclass(frozen=True)
class Subject:
    """What a group of questions is about: a speaker in a session, or the organisation."""

    session: Session | None
    speaker: object | None

    @property
    def key(self) -> str:
        if self.session is None:
            return "org"
        return f"s{self.session.pk}-u{self.speaker.pk}"


def survey_subjects(*, survey: Survey) -> list[Subject]:
    """Return each (session, speaker) pair of the survey's batch, then the organisation."""
    batch_id = survey.item.module.batch_id
    subjects = [
        Subject(session, speaker)
        for session in Session.objects.filter(batch_id=batch_id).prefetch_related("speakers")
        for speaker in session.speakers.all()
    ]
    subjects.append(Subject(None, None))
    return subjects


def field_name(question: SurveyQuestion, subject: Subject) -> str:
    return f"q{question.pk}-{subject.key}"


def _clean_answers(*, survey: Survey, data) -> list[SurveyAnswer]:
    """Return the answers in `data` (a QueryDict or dict of field names), or raise with errors."""
    questions = list(survey.questions.all())
    errors: dict[str, str] = {}
    answers: list[SurveyAnswer] = []
    for subject in survey_subjects(survey=survey):
        scope = SurveyScope.ORGANISATION if subject.session is None else SurveyScope.SPEAKER
        for question in questions:
            if question.scope != scope:
                continue
            name = field_name(question, subject)
            raw = (data.get(name) or "").strip()
            answer = SurveyAnswer(
                survey=survey, question=question, session=subject.session, speaker=subject.speaker
            )
            if question.kind == SurveyQuestionKind.LIKERT:
                if raw not in {str(value) for value in range(LIKERT_MIN, LIKERT_MAX + 1)}:
                    errors[name] = _("Choose a rating from 1 to 5.")
                    continue
                answer.rating = int(raw)
            else:
                if not raw:
                    continue  # comments are optional
                if len(raw) > COMMENT_MAX:
                    errors[name] = _("Keep the comment under 2,000 characters.")
                    continue
                answer.comment = raw
            answers.append(answer)
    if errors:
        raise ValidationError(errors)
    return answers


def survey_submit(*, survey: Survey, registration: Registration, data) -> SurveyResponse:
    """Store a participant's evaluation once, without linking what was said to who said it."""
    answers = _clean_answers(survey=survey, data=data)
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(survey=survey, registration=registration)
            # Saved in a shuffled order so row ids cannot be matched to the response either.
            answers.sort(
                key=lambda answer: (answer.question_id, answer.rating or 0, answer.comment)
            )
            SurveyAnswer.objects.bulk_create(answers)
            log_action(registration.user, "learning.survey_submitted", survey)
            item_mark_complete(item=survey.item, registration=registration)
            completion_recompute(registration=registration)
    except IntegrityError:
        raise ValidationError(_("You have already filled in this evaluation.")) from None
    return response
