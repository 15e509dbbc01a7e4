"""Quizzes: configuring a quiz item, and a participant's attempts from start to grade.

An attempt draws its questions when it starts (fixed ones, or N at random from a category),
shuffles them and their answers if the quiz says so, and fixes its deadline then:
start + time limit, or the quiz's closing time if that comes first. Resuming never moves the
deadline. Each answer is saved on its own as the participant goes, by one conditional UPDATE
that also checks, in the database, that the attempt is still open and its time not up; a
save that comes too late closes the attempt. Submitting grades at once (`sinergi.learning.
grading`); essays wait in a grading queue, and the attempt is finished when the last is graded.
An attempt whose time is up is submitted as it stands when next touched, or by the periodic job
`learning.jobs.close_overdue_attempts`.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.core.exceptions import ServiceError
from sinergi.core.services import log_action
from sinergi.training.models import Registration, RegistrationState

from .. import grading
from ..models import (
    Attempt,
    AttemptQuestion,
    AttemptState,
    Item,
    ItemKind,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionType,
    Quiz,
    QuizRole,
    QuizSlot,
    ReviewOption,
)
from ..selectors.quizzes import answers_by_question
from ..signals import attempt_finished
from .completion import completion_recompute, item_mark_complete

# The concurrency tests' negative control turns this off and must see the race.
LOCK_STARTS = True

# The answers of these types are shown in an order kept on the attempt (`answer_order`).
ORDERED_TYPES = (QuestionType.MULTICHOICE, QuestionType.TRUEFALSE, QuestionType.MATCHING)
SHUFFLED_TYPES = (QuestionType.MULTICHOICE, QuestionType.MATCHING)


class QuizError(ServiceError):
    """A rule of the quiz refuses the action; `message` says which, for the participant."""

    default_code = "quiz_rule"


class AttemptClosed(QuizError):
    """The attempt is no longer open for answers (submitted, or its time is up)."""


@dataclass(frozen=True)
class SlotSpec:
    """A fixed `question`, or `count` questions from `category` (with its subcategories)."""

    question: Question | None = None
    category: QuestionCategory | None = None
    count: int = 1
    include_subcategories: bool = True


# --- Configuring -----------------------------------------------------------------------------


def _category_questions(category: QuestionCategory, *, subcategories: bool):
    questions = Question.objects.filter(bank_id=category.bank_id).exclude(
        qtype=QuestionType.DESCRIPTION
    )
    if subcategories:
        return questions.filter(
            Q(category=category) | Q(category__path__startswith=f"{category.path}/")
        )
    return questions.filter(category=category)


def _curriculum_scope(item: Item) -> Q:
    """The items of the same curriculum (the batch's copy, or the program's template)."""
    if item.module.batch_id:
        return Q(item__module__batch_id=item.module.batch_id)
    return Q(item__module__program_id=item.module.program_id)


def quiz_configure(
    *,
    actor,
    item: Item,
    role: str,
    bank: QuestionBank,
    slots: list[SlotSpec],
    time_limit_minutes: int | None = None,
    attempts_allowed: int = 1,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    shuffle_questions: bool = True,
    shuffle_answers: bool = True,
    pass_mark: int = 70,
    review: str = ReviewOption.AFTER_SUBMIT,
) -> Quiz:
    """Create or change the quiz of a quiz item: its settings and its questions."""
    errors: dict[str, list] = {}
    if item.kind != ItemKind.QUIZ:
        errors.setdefault("__all__", []).append(_("This item is not a quiz."))
    if role not in QuizRole.values:
        errors.setdefault("role", []).append(_("Choose a role."))
    if review not in ReviewOption.values:
        errors.setdefault("review", []).append(_("Choose a review option."))
    if opens_at and closes_at and closes_at <= opens_at:
        errors.setdefault("closes_at", []).append(_("The quiz must close after it opens."))
    if not 0 <= pass_mark <= 100:
        errors.setdefault("pass_mark", []).append(_("The pass mark is a percentage, 0 to 100."))
    if time_limit_minutes is not None and time_limit_minutes < 1:
        errors.setdefault("time_limit_minutes", []).append(_("Give at least one minute."))
    if not slots:
        errors.setdefault("slots", []).append(_("Add at least one question."))
    seen: set[int] = set()
    for spec in slots:
        if (spec.question is None) == (spec.category is None):
            errors.setdefault("slots", []).append(_("A slot is one question or one category."))
        elif spec.question is not None:
            if spec.question.bank_id != bank.pk:
                errors.setdefault("slots", []).append(_("A question is not in this bank."))
            elif spec.question.pk in seen:
                errors.setdefault("slots", []).append(_("A question is chosen twice."))
            seen.add(spec.question.pk)
        else:
            if spec.category.bank_id != bank.pk:
                errors.setdefault("slots", []).append(_("A category is not in this bank."))
                continue
            available = _category_questions(
                spec.category, subcategories=spec.include_subcategories
            ).count()
            if spec.count < 1 or spec.count > available:
                errors.setdefault("slots", []).append(
                    _("Category “%(category)s” has %(available)d questions; choose 1 to that many.")
                    % {"category": spec.category.path, "available": available}
                )
    if role in (QuizRole.PRETEST, QuizRole.POSTTEST):
        other = Quiz.objects.filter(_curriculum_scope(item), role=role).exclude(item=item)
        if other.exists():
            errors.setdefault("role", []).append(
                _("This curriculum already has a quiz in this role.")
            )
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        quiz = Quiz.objects.select_for_update().filter(item=item).first()
        created = quiz is None
        if created:
            quiz = Quiz(item=item)
        quiz.role = role
        quiz.bank = bank
        quiz.time_limit_minutes = time_limit_minutes
        quiz.attempts_allowed = attempts_allowed
        quiz.opens_at = opens_at
        quiz.closes_at = closes_at
        quiz.shuffle_questions = shuffle_questions
        quiz.shuffle_answers = shuffle_answers
        quiz.pass_mark = pass_mark
        quiz.review = review
        quiz.save()
        wanted = [
            QuizSlot(
                quiz=quiz,
                question=spec.question,
                category=spec.category,
                count=1 if spec.question is not None else spec.count,
                include_subcategories=spec.include_subcategories,
                position=position,
            )
            for position, spec in enumerate(slots)
        ]
        # Slots are replaced only when they differ: a form saved unchanged keeps its rows.
        if [_slot_key(s) for s in quiz.slots.all()] != [_slot_key(s) for s in wanted]:
            QuizSlot.objects.filter(quiz=quiz).delete()
            QuizSlot.objects.bulk_create(wanted)
        log_action(
            actor,
            "learning.quiz_created" if created else "learning.quiz_changed",
            quiz,
            {"role": role, "slots": len(slots)},
        )
    return quiz


def _slot_key(slot: QuizSlot) -> tuple:
    return (slot.question_id, slot.category_id, slot.count, slot.include_subcategories)


# --- Attempts --------------------------------------------------------------------------------


def attempts_used(*, quiz: Quiz, registration: Registration) -> int:
    return Attempt.objects.filter(quiz=quiz, registration=registration).count()


def quiz_window_problem(quiz: Quiz, now: datetime):
    """Return why the quiz cannot be started now (a message), or None."""
    if quiz.opens_at and now < quiz.opens_at:
        return _("The quiz is not open yet.")
    if quiz.closes_at and now >= quiz.closes_at:
        return _("The quiz has closed.")
    return None


def _draw(quiz: Quiz, rng: random.Random) -> list[Question]:
    drawn: list[Question] = []
    taken: set[int] = set()
    for slot in quiz.slots.select_related("question", "category"):
        if slot.question_id:
            if slot.question_id not in taken:
                drawn.append(slot.question)
                taken.add(slot.question_id)
            continue
        pool = list(
            _category_questions(slot.category, subcategories=slot.include_subcategories).exclude(
                pk__in=taken
            )
        )
        chosen = rng.sample(pool, min(slot.count, len(pool)))
        drawn.extend(chosen)
        taken.update(question.pk for question in chosen)
    if quiz.shuffle_questions:
        rng.shuffle(drawn)
    return drawn


def _answer_order(question: Question, answer_ids: list[int], shuffle: bool, rng) -> list[int]:
    if question.qtype not in ORDERED_TYPES:
        return []
    order = list(answer_ids)
    if shuffle and question.shuffle_answers and question.qtype in SHUFFLED_TYPES:
        rng.shuffle(order)
    return order


def _deadline(quiz: Quiz, started: datetime) -> datetime | None:
    ends = [quiz.closes_at] if quiz.closes_at else []
    if quiz.time_limit_minutes:
        ends.append(started + timedelta(minutes=quiz.time_limit_minutes))
    return min(ends) if ends else None


def attempt_is_overdue(attempt: Attempt, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        attempt.state == AttemptState.IN_PROGRESS
        and attempt.deadline is not None
        and attempt.deadline <= now
    )


def attempt_start(
    *, quiz: Quiz, registration: Registration, now: datetime | None = None, seed=None
) -> Attempt:
    """Return the participant's open attempt, or start a new one if the quiz allows it.

    An open attempt whose time is up is submitted first. Raises QuizError when the quiz is not
    open, or no attempts are left.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # One start at a time per participant (double clicks, two tabs): lock → re-check → write.
        # The partial unique constraint "one open attempt" stays the last guard.
        if LOCK_STARTS:
            Registration.objects.select_for_update().filter(pk=registration.pk).first()
        attempts = list(Attempt.objects.filter(quiz=quiz, registration=registration))
        current = next((a for a in attempts if a.state == AttemptState.IN_PROGRESS), None)
        if current is None:
            return _attempt_create(quiz, registration, attempts, now, seed)
        if not attempt_is_overdue(current, now):
            return current
    attempt_submit(attempt=current, actor=None, now=now, automatic=True)
    return attempt_start(quiz=quiz, registration=registration, now=now, seed=seed)


def _attempt_create(quiz, registration, attempts, now, seed) -> Attempt:
    """Draw the questions and create the attempt (under the caller's lock)."""
    problem = quiz_window_problem(quiz, now)
    if problem:
        raise QuizError(problem)
    used = max((a.number for a in attempts), default=0)
    if quiz.attempts_allowed and used >= quiz.attempts_allowed:
        raise QuizError(_("You have used all your attempts at this quiz."))
    rng = random.Random(seed)  # noqa: S311 - shuffling questions, not secrets
    questions = _draw(quiz, rng)
    if not questions:
        raise QuizError(_("This quiz has no questions yet."))
    answers = answers_by_question([q.pk for q in questions])
    rows = []
    for position, question in enumerate(questions, start=1):
        max_points = (
            Decimal(0) if question.qtype == QuestionType.DESCRIPTION else question.default_mark
        )
        rows.append(
            AttemptQuestion(
                question=question,
                position=position,
                max_points=max_points,
                answer_order=_answer_order(
                    question,
                    [a.id for a in answers.get(question.pk, ())],
                    quiz.shuffle_answers,
                    rng,
                ),
            )
        )
    attempt = Attempt.objects.create(
        quiz=quiz,
        registration=registration,
        number=used + 1,
        started_at=now,
        deadline=_deadline(quiz, now),
        max_points=sum((row.max_points for row in rows), Decimal(0)),
    )
    for row in rows:
        row.attempt = attempt
    AttemptQuestion.objects.bulk_create(rows)
    log_action(registration.user, "learning.attempt_started", attempt, {"number": attempt.number})
    # What was drawn, as written: the first page of a new attempt is made from it, not read back.
    attempt.drawn = (rows, answers)
    return attempt


def attempt_answer_save(
    *, attempt_id: int, user, position: int, raw, now: datetime | None = None
) -> datetime:
    """Save the participant's answer to question `position` of their open attempt.

    Two queries: one read of the question (for the shape of its answer), one UPDATE that
    writes only if the attempt belongs to `user`, is in progress and its deadline has not
    passed. Raises AttemptQuestion.DoesNotExist for someone else's attempt (the view answers
    404), grading.ResponseError for a malformed answer, AttemptClosed when too late.
    `attempt_answer_save_keyed` does the same in one query for the attempt page's autosave.
    """
    now = now or timezone.now()
    slot = _slot_of(attempt_id=attempt_id, position=position, user_id=user.pk)
    response = grading.response_clean(slot.question, _answer_stubs(slot.answer_order), raw)
    if not _answer_write(attempt_id, position, user.pk, response=response, now=now):
        _refuse(slot.attempt, now)
    return now


def attempt_answer_save_keyed(*, shape: "AnswerShape", raw, now: datetime | None = None):
    """Save an answer to the question that `shape` (read from an answer key) describes.

    One query, the conditional UPDATE: the key already says whose attempt it is and what a
    valid answer to the question looks like, so nothing needs reading first. The UPDATE still
    checks in the database that the person's registration is confirmed, the attempt in
    progress and its time not up. Raises as `attempt_answer_save`.
    """
    now = now or timezone.now()
    response = grading.response_clean(shape, _answer_stubs(shape.answer_ids), raw)
    if not _answer_write(
        shape.attempt_id, shape.position, shape.user_id, response=response, now=now
    ):
        # Why not: another person's attempt (DoesNotExist), or closed, or out of time.
        slot = _slot_of(attempt_id=shape.attempt_id, position=shape.position, user_id=shape.user_id)
        _refuse(slot.attempt, now)
    return now


def _slot_of(*, attempt_id: int, position: int, user_id: int) -> AttemptQuestion:
    return (
        AttemptQuestion.objects.select_related("question", "attempt")
        .only(
            "id",
            "answer_order",
            "question__qtype",
            "question__single",
            "attempt__state",
            "attempt__deadline",
        )
        .get(
            attempt_id=attempt_id,
            position=position,
            attempt__registration__user_id=user_id,
            attempt__registration__state=RegistrationState.CONFIRMED,
        )
    )


# The busiest statement of a test, written out: Django spends longer building this UPDATE
# (about a millisecond) than PostgreSQL spends running it. The same conditions as
#   AttemptQuestion.objects.filter(attempt_id=…, position=…, points__isnull=True,
#       needs_grading=False, attempt__in=Attempt.objects.filter(pk=…, state=IN_PROGRESS,
#       deadline is null or after now, registration__user_id=…, registration__state=CONFIRMED))
#   .update(response=…, saved_at=now)
# `tests/learning/test_quiz_services.py` runs both and checks they agree.
_ANSWER_WRITE_SQL = """
UPDATE {slot} SET response = %s, saved_at = %s
WHERE attempt_id = %s AND position = %s AND points IS NULL AND needs_grading = %s
  AND attempt_id IN (
    SELECT attempt.id FROM {attempt} attempt
    JOIN {registration} registration ON registration.id = attempt.registration_id
    WHERE attempt.id = %s AND attempt.state = %s
      AND (attempt.deadline IS NULL OR attempt.deadline > %s)
      AND registration.user_id = %s AND registration.state = %s
  )
"""


def _answer_write(attempt_id: int, position: int, user_id: int, *, response, now) -> bool:
    """The conditional UPDATE of an answer; whether it was written.

    A graded row has points (or waits for a grader): that condition is on the row itself, so a
    save racing a submit is re-checked by PostgreSQL after the submit's row lock is released and
    refused, instead of slipping in after the grades were computed.
    """
    connection = connections[router.db_for_write(AttemptQuestion)]
    sql = _ANSWER_WRITE_SQL.format(
        slot=connection.ops.quote_name(AttemptQuestion._meta.db_table),
        attempt=connection.ops.quote_name(Attempt._meta.db_table),
        registration=connection.ops.quote_name(Registration._meta.db_table),
    )
    stored = AttemptQuestion._meta.get_field("response").get_db_prep_save(response, connection)
    at = connection.ops.adapt_datetimefield_value(now)
    params = [stored, at, attempt_id, position, False]
    params += [attempt_id, AttemptState.IN_PROGRESS.value, at, user_id]
    params += [RegistrationState.CONFIRMED.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


def _refuse(attempt: Attempt, now: datetime):
    """Raise AttemptClosed for a save the UPDATE refused; submit the attempt if time is up."""
    if attempt_is_overdue(attempt, now):
        attempt_submit(attempt=attempt, actor=None, now=now, automatic=True)
        raise AttemptClosed(
            _("Time is up: the attempt was submitted with the answers saved before.")
        )
    raise AttemptClosed(_("This attempt has been submitted; answers can no longer change."))


# --- Answer keys: the attempt page's signed word for its autosave ------------------------------
#
# The attempt page gives each question's autosave URL a key, signed with the site's secret and
# bound to the participant's session cookie. It carries what a save would otherwise read from
# the database (whose attempt, the question's type and the answer ids shown), so the autosave,
# the busiest request of a test, needs neither the session, nor the user, nor the question: one
# UPDATE. A key is worthless without the session cookie it was made for, and it changes nothing
# that the UPDATE does not check again (registration confirmed, attempt open, time not up).
# A request without a valid key (a new session, a script) takes the signed-in path instead.


@dataclass(frozen=True)
class AnswerShape:
    """What an answer key says: the question `position` of `attempt_id`, owned by `user_id`,
    of type `qtype` (`single` answer or several), offering the answers `answer_ids`."""

    attempt_id: int
    position: int
    user_id: int
    qtype: str
    single: bool
    answer_ids: tuple[int, ...]


def _key_signer(session_key: str) -> signing.Signer:
    return signing.Signer(salt=f"sinergi.learning.answer-key:{session_key}")


def answer_key(*, row: AttemptQuestion, user_id: int, session_key: str) -> str:
    """The key for saving answers to `row` from the session `session_key`."""
    question = row.question
    shape = [row.attempt_id, row.position, user_id, question.qtype, question.single]
    return _key_signer(session_key).sign_object([*shape, list(row.answer_order or [])])


def answer_key_read(
    key: str | None, *, session_key: str | None, attempt_id: int, position: int
) -> AnswerShape | None:
    """The shape in `key` if it is valid for this session, attempt and position, else None."""
    if not key or not session_key:
        return None
    try:
        data = _key_signer(session_key).unsign_object(key)
        attempt, slot, user_id, qtype, single, answer_ids = data
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if (attempt, slot) != (attempt_id, position):
        return None
    return AnswerShape(attempt, slot, user_id, qtype, bool(single), tuple(answer_ids))


@dataclass(frozen=True)
class _AnswerStub:
    """What validation needs of an answer: its id, and for matching whether it is a stem or a
    choice. Matching stems and choices are told apart at start (see `_answer_stubs`)."""

    id: int
    text: str = "x"
    match: str = "x"


def _answer_stubs(answer_order) -> list[_AnswerStub]:
    # The ids a response may name are the ones shown to the participant: `answer_order`. For
    # matching, any of them may be offered as a stem or a choice; grading compares the texts.
    return [_AnswerStub(id=answer_id) for answer_id in answer_order or []]


def _grade_rows(attempt: Attempt) -> list[AttemptQuestion]:
    rows = list(
        # Locked: a save in flight finishes first, and later ones see the grade and stop.
        AttemptQuestion.objects.filter(attempt=attempt)
        .select_for_update(of=("self",))
        .select_related("question")
    )
    answers = answers_by_question([row.question_id for row in rows])
    for row in rows:
        result = grading.grade(row.question, answers.get(row.question_id, []), row.response)
        row.points = result.points(row.max_points)
        row.needs_grading = result.needs_grading
    return rows


def _store_grades(rows: list[AttemptQuestion]) -> None:
    """Write each row's points: one UPDATE per distinct grade (a test has few: 0, 1, halves),
    far cheaper to build than bulk_update's CASE over every row."""
    groups: dict[tuple, list[int]] = {}
    for row in rows:
        groups.setdefault((row.points, row.needs_grading), []).append(row.pk)
    for (points, needs_grading), ids in groups.items():
        AttemptQuestion.objects.filter(pk__in=ids).update(
            points=points, needs_grading=needs_grading
        )


def _totals(attempt: Attempt, rows: list[AttemptQuestion]) -> None:
    attempt.max_points = sum((row.max_points for row in rows), Decimal(0))
    if any(row.points is None for row in rows):
        attempt.points = None
        attempt.score = None
        return
    attempt.points = sum((row.points for row in rows), Decimal(0))
    if attempt.max_points:
        attempt.score = (attempt.points * 100 / attempt.max_points).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
    else:
        attempt.score = Decimal(100)


def _after_finish(attempt: Attempt) -> None:
    registration = attempt.registration
    item_mark_complete(item=attempt.quiz.item, registration=registration)
    # Announced before the completion it may cause, so listeners see the events in order.
    if attempt.state == AttemptState.FINISHED:
        transaction.on_commit(lambda: attempt_finished.send(sender=Attempt, attempt=attempt))
    completion_recompute(registration=registration)


def attempt_submit(
    *, attempt: Attempt, actor, now: datetime | None = None, automatic: bool = False
) -> Attempt:
    """Grade the attempt and close it: finished, or waiting for essays to be graded.

    Submitting an attempt that is already closed returns it unchanged.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz__item", "registration")
            .get(pk=attempt.pk)
        )
        if attempt.state != AttemptState.IN_PROGRESS:
            return attempt
        rows = _grade_rows(attempt)
        _store_grades(rows)
        _totals(attempt, rows)
        waiting = any(row.needs_grading for row in rows)
        attempt.state = AttemptState.NEEDS_GRADING if waiting else AttemptState.FINISHED
        # Time up: the attempt ends at its deadline, whenever the server noticed.
        overdue = attempt.deadline is not None and attempt.deadline <= now
        attempt.submitted_at = attempt.deadline if overdue else now
        attempt.save(update_fields=["state", "submitted_at", "points", "max_points", "score"])
        log_action(
            actor,
            "learning.attempt_submitted",
            attempt,
            {
                "automatic": automatic or overdue,
                "score": str(attempt.score),
                "state": attempt.state,
            },
        )
        _after_finish(attempt)
    return attempt


def attempts_close_overdue(*, now: datetime | None = None, limit: int = 500) -> int:
    """Submit attempts whose time is up and that nobody touched since; return how many."""
    now = now or timezone.now()
    overdue = list(
        Attempt.objects.filter(state=AttemptState.IN_PROGRESS, deadline__lte=now).values_list(
            "pk", flat=True
        )[:limit]
    )
    closed = 0
    for pk in overdue:
        attempt = Attempt(pk=pk)
        if attempt_submit(attempt=attempt, actor=None, now=now, automatic=True).submitted_at:
            closed += 1
    return closed


def essay_grade(
    *, actor, attempt_question: AttemptQuestion, points: Decimal, comment: str = ""
) -> Attempt:
    """Give points to an essay answer; finish the attempt when no essay is left to grade."""
    points = Decimal(points)
    if points < 0 or points > attempt_question.max_points:
        raise ValidationError(
            {
                "points": _("Give between 0 and %(max)s points.")
                % {"max": attempt_question.max_points.normalize()}
            }
        )
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz__item", "registration")
            .get(pk=attempt_question.attempt_id)
        )
        if attempt.state == AttemptState.IN_PROGRESS:
            raise QuizError(_("The attempt has not been submitted yet."))
        row = AttemptQuestion.objects.select_for_update().get(pk=attempt_question.pk)
        if row.question.qtype != QuestionType.ESSAY:
            raise QuizError(_("Only essays are graded by hand."))
        row.points = points.quantize(Decimal("0.01"), ROUND_HALF_UP)
        row.needs_grading = False
        row.grader_comment = comment
        row.graded_by = actor
        row.save(update_fields=["points", "needs_grading", "grader_comment", "graded_by"])
        rows = list(AttemptQuestion.objects.filter(attempt=attempt))
        waiting = any(r.needs_grading for r in rows)
        if not waiting:
            _totals(attempt, rows)
            attempt.state = AttemptState.FINISHED
            attempt.save(update_fields=["state", "points", "max_points", "score"])
        log_action(
            actor,
            "learning.essay_graded",
            attempt,
            {"question": row.position, "points": str(row.points), "finished": not waiting},
        )
        if not waiting:
            _after_finish(attempt)
    return attempt
