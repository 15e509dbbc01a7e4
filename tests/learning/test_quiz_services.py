"""Quiz rules through the services: configuring, starting, saving, submitting, grading essays."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sinergi.core.scheduling import registered_jobs
from sinergi.learning.grading import ResponseError
from sinergi.learning.models import (
    AttemptQuestion,
    AttemptState,
    Completion,
    CompletionRules,
    ItemCompletion,
    QuestionCategory,
)
from sinergi.learning.selectors.quizzes import grading_queue
from sinergi.learning.services.quizzes import (
    AttemptClosed,
    QuizError,
    SlotSpec,
    attempt_answer_save,
    attempt_start,
    attempt_submit,
    attempts_close_overdue,
    essay_grade,
    quiz_configure,
)

from .factories import ItemFactory, ParticipantFactory, UserFactory
from .quiz_data import (
    answer_everything_right,
    bank_with_every_type,
    english_messages,
    make_quiz,
    quiz_item,
)

pytestmark = pytest.mark.django_db

_english = english_messages  # autouse: messages are matched in English


@pytest.fixture
def bank(db):
    return bank_with_every_type()


@pytest.fixture
def posttest_only(participant):
    """Completion rules under which the post-test alone decides."""
    return CompletionRules.objects.create(
        batch=participant.batch,
        min_attendance_percent=0,
        require_assignments=False,
        require_survey=False,
    )


def question(bank, name):
    return bank.questions.get(name=name)


# --- Configuring ------------------------------------------------------------------------------


def test_configure_a_quiz_with_fixed_and_random_questions(participant, bank):
    item = quiz_item(participant.batch)
    tf = QuestionCategory.objects.get(bank=bank, path="Dasar/TF")
    quiz = quiz_configure(
        actor=None,
        item=item,
        role="pretest",
        bank=bank,
        slots=[SlotSpec(question=question(bank, "MC satu")), SlotSpec(category=tf, count=3)],
        time_limit_minutes=30,
        attempts_allowed=2,
        pass_mark=60,
    )
    assert [(s.question_id, s.category_id, s.count) for s in quiz.slots.all()] == [
        (question(bank, "MC satu").pk, None, 1),
        (None, tf.pk, 3),
    ]
    # Configuring again replaces the questions.
    quiz_configure(
        actor=None, item=item, role="pretest", bank=bank, slots=[SlotSpec(category=tf, count=5)]
    )
    assert quiz.slots.count() == 1


def test_configure_refuses_what_cannot_work(participant, bank):
    item = quiz_item(participant.batch)
    other_bank = bank_with_every_type("Bank lain")
    base = QuestionCategory.objects.get(bank=bank, path="Dasar")
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        quiz_configure(
            actor=None,
            item=item,
            role="posttest",
            bank=bank,
            slots=[
                SlotSpec(question=question(other_bank, "MC satu")),
                # 11 questions in Dasar and below, the description does not count: 11 at most.
                SlotSpec(category=base, count=12),
            ],
            opens_at=now,
            closes_at=now,
            pass_mark=101,
        )
    assert set(error.value.message_dict) == {"slots", "closes_at", "pass_mark"}
    with pytest.raises(ValidationError, match="not a quiz"):
        quiz_configure(
            actor=None,
            item=ItemFactory(module=item.module, kind="page"),
            role="quiz",
            bank=bank,
            slots=[SlotSpec(question=question(bank, "Isian"))],
        )


def test_a_batch_has_one_post_test(participant, bank):
    make_quiz(participant.batch, bank, role="posttest")
    with pytest.raises(ValidationError, match="already has a quiz in this role"):
        make_quiz(participant.batch, bank, role="posttest")
    make_quiz(participant.batch, bank, role="quiz")
    make_quiz(participant.batch, bank, role="quiz")


# --- Starting and resuming ----------------------------------------------------------------------


def test_start_draws_the_questions_and_random_ones_from_subcategories(participant, bank):
    base = QuestionCategory.objects.get(bank=bank, path="Dasar")
    quiz = quiz_configure(
        actor=None,
        item=quiz_item(participant.batch),
        role="quiz",
        bank=bank,
        slots=[SlotSpec(question=question(bank, "Isian")), SlotSpec(category=base, count=10)],
        shuffle_questions=False,
    )
    attempt = attempt_start(quiz=quiz, registration=participant, seed=1)
    rows = list(attempt.questions.order_by("position"))
    assert len(rows) == 11
    assert rows[0].question.name == "Isian"
    names = [row.question.name for row in rows]
    assert len(set(names)) == 11, "a question is never drawn twice"
    assert "Petunjuk" not in names, "descriptions are not drawn at random"
    assert attempt.max_points == 11
    assert attempt.number == 1 and attempt.state == AttemptState.IN_PROGRESS


def test_answers_are_shuffled_per_attempt_but_true_false_keeps_its_order(participant, bank):
    quiz = make_quiz(participant.batch, bank, shuffle_answers=True, shuffle_questions=True)
    attempt = attempt_start(quiz=quiz, registration=participant, seed=7)
    for row in attempt.questions.select_related("question"):
        ids = sorted(row.question.answers.values_list("pk", flat=True))
        if row.question.qtype in ("multichoice", "truefalse", "matching"):
            assert sorted(row.answer_order) == ids
        else:
            assert row.answer_order == []
        if row.question.qtype == "truefalse":
            assert row.answer_order == ids


def test_deadline_is_the_time_limit_or_the_close_whichever_comes_first(participant, bank):
    now = timezone.now()
    quiz = make_quiz(participant.batch, bank, time_limit_minutes=60)
    assert attempt_start(quiz=quiz, registration=participant, now=now).deadline == now + (
        timezone.timedelta(minutes=60)
    )
    other = ParticipantFactory(batch=participant.batch)
    quiz.closes_at = now + timezone.timedelta(minutes=20)
    quiz.save()
    assert attempt_start(quiz=quiz, registration=other, now=now).deadline == quiz.closes_at


def test_resuming_returns_the_same_attempt_and_the_timer_runs_on(participant, bank):
    quiz = make_quiz(participant.batch, bank, time_limit_minutes=30)
    start = timezone.now()
    first = attempt_start(quiz=quiz, registration=participant, now=start)
    again = attempt_start(
        quiz=quiz, registration=participant, now=start + timezone.timedelta(minutes=10)
    )
    assert again.pk == first.pk
    assert again.deadline == start + timezone.timedelta(minutes=30)
    assert again.questions.count() == first.questions.count()


def test_the_window_is_kept(participant, bank):
    now = timezone.now()
    quiz = make_quiz(
        participant.batch,
        bank,
        opens_at=now + timezone.timedelta(hours=1),
        closes_at=now + timezone.timedelta(hours=2),
    )
    with pytest.raises(QuizError, match="not open yet"):
        attempt_start(quiz=quiz, registration=participant, now=now)
    with pytest.raises(QuizError, match="closed"):
        attempt_start(quiz=quiz, registration=participant, now=now + timezone.timedelta(hours=2))
    attempt_start(quiz=quiz, registration=participant, now=now + timezone.timedelta(minutes=61))


def test_attempts_allowed(participant, bank):
    quiz = make_quiz(participant.batch, bank, attempts_allowed=2)
    for number in (1, 2):
        attempt = attempt_start(quiz=quiz, registration=participant)
        assert attempt.number == number
        attempt_submit(attempt=attempt, actor=participant.user)
    with pytest.raises(QuizError, match="used all your attempts"):
        attempt_start(quiz=quiz, registration=participant)
    quiz.attempts_allowed = 0  # unlimited
    quiz.save()
    assert attempt_start(quiz=quiz, registration=participant).number == 3


# --- Saving answers -----------------------------------------------------------------------------


def test_an_answer_save_is_two_queries_whatever_the_type(
    participant, bank, django_assert_num_queries
):
    quiz = make_quiz(participant.batch, bank)
    attempt = attempt_start(quiz=quiz, registration=participant)
    rows = {row.question.qtype: row for row in attempt.questions.select_related("question")}
    responses = {
        "multichoice": {"choices": rows["multichoice"].answer_order[:1]},
        "truefalse": {"choices": rows["truefalse"].answer_order[:1]},
        "shortanswer": {"text": "Perpusnas"},
        "numerical": {"value": "8"},
        "matching": {
            "pairs": {str(rows["matching"].answer_order[0]): rows["matching"].answer_order[1]}
        },
    }
    for qtype, raw in responses.items():
        with django_assert_num_queries(2):
            attempt_answer_save(
                attempt_id=attempt.pk, user=participant.user, position=rows[qtype].position, raw=raw
            )
        rows[qtype].refresh_from_db()
        assert rows[qtype].response is not None and rows[qtype].saved_at is not None


def test_a_bad_answer_is_refused_and_the_saved_one_kept(participant, bank):
    quiz = make_quiz(participant.batch, bank, questions=[question(bank, "Angka")])
    attempt = attempt_start(quiz=quiz, registration=participant)
    save = dict(attempt_id=attempt.pk, user=participant.user, position=1)
    attempt_answer_save(**save, raw={"value": "8"})
    with pytest.raises(ResponseError, match="Enter a number"):
        attempt_answer_save(**save, raw={"value": "delapan"})
    assert attempt.questions.get().response == {"value": "8"}


def test_nobody_saves_into_another_persons_attempt(participant, bank):
    quiz = make_quiz(participant.batch, bank)
    attempt = attempt_start(quiz=quiz, registration=participant)
    stranger = ParticipantFactory(batch=participant.batch)
    with pytest.raises(AttemptQuestion.DoesNotExist):
        attempt_answer_save(
            attempt_id=attempt.pk, user=stranger.user, position=1, raw={"choices": []}
        )


def test_saving_after_the_deadline_is_refused_and_submits_the_attempt(participant, bank):
    quiz = make_quiz(
        participant.batch, bank, questions=[question(bank, "Isian")], time_limit_minutes=5
    )
    start = timezone.now() - timezone.timedelta(minutes=6)
    attempt = attempt_start(quiz=quiz, registration=participant, now=start)
    with pytest.raises(AttemptClosed, match="Time is up"):
        attempt_answer_save(
            attempt_id=attempt.pk, user=participant.user, position=1, raw={"text": "Perpusnas"}
        )
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.submitted_at == attempt.deadline
    assert attempt.score == 0
    assert attempt.questions.get().response is None


def test_saving_into_a_submitted_attempt_is_refused(participant, bank):
    quiz = make_quiz(participant.batch, bank, questions=[question(bank, "Isian")])
    attempt = attempt_start(quiz=quiz, registration=participant)
    attempt_submit(attempt=attempt, actor=participant.user)
    with pytest.raises(AttemptClosed, match="submitted"):
        attempt_answer_save(
            attempt_id=attempt.pk, user=participant.user, position=1, raw={"text": "Perpusnas"}
        )


SITUATIONS = {
    "open": lambda attempt, row, registration: None,
    "submitted": lambda attempt, row, registration: (
        type(attempt).objects.filter(pk=attempt.pk).update(state=AttemptState.FINISHED)
    ),
    "time up": lambda attempt, row, registration: (
        type(attempt)
        .objects.filter(pk=attempt.pk)
        .update(deadline=timezone.now() - timezone.timedelta(seconds=1))
    ),
    "no time limit": lambda attempt, row, registration: (
        type(attempt).objects.filter(pk=attempt.pk).update(deadline=None)
    ),
    "graded row": lambda attempt, row, registration: AttemptQuestion.objects.filter(
        pk=row.pk
    ).update(points=1),
    "row waits for a grader": lambda attempt, row, registration: AttemptQuestion.objects.filter(
        pk=row.pk
    ).update(needs_grading=True),
    "registration cancelled": lambda attempt, row, registration: (
        type(registration).objects.filter(pk=registration.pk).update(state="cancelled")
    ),
}


@pytest.mark.parametrize("situation", SITUATIONS)
@pytest.mark.parametrize("whose", ["own", "stranger"])
def test_the_written_out_answer_update_agrees_with_the_orm(participant, bank, situation, whose):
    """`_answer_write` spells its UPDATE out for speed; the ORM says what it must match."""
    from sinergi.learning.models import Attempt
    from sinergi.learning.services.quizzes import _answer_write
    from sinergi.training.models import RegistrationState

    quiz = make_quiz(participant.batch, bank, questions=[question(bank, "Isian")])
    attempt = attempt_start(quiz=quiz, registration=participant)
    row = attempt.questions.get()
    SITUATIONS[situation](attempt, row, participant)
    user = participant.user if whose == "own" else ParticipantFactory(batch=participant.batch).user
    now = timezone.now()
    orm = AttemptQuestion.objects.filter(
        attempt_id=attempt.pk,
        position=row.position,
        points__isnull=True,
        needs_grading=False,
        attempt__in=Attempt.objects.filter(
            pk=attempt.pk,
            state=AttemptState.IN_PROGRESS,
            registration__user=user,
            registration__state=RegistrationState.CONFIRMED,
        ).exclude(deadline__lte=now),
    )
    expected = orm.count() == 1
    assert expected == (situation in ("open", "no time limit") and whose == "own")
    written = _answer_write(attempt.pk, row.position, user.pk, response={"text": "é"}, now=now)
    assert written == expected
    row.refresh_from_db()
    assert (row.response == {"text": "é"}) == expected
    assert (row.saved_at == now) == expected


# --- Submitting -------------------------------------------------------------------------------


def test_submit_grades_at_once_and_completes_the_item(participant, bank):
    quiz = make_quiz(participant.batch, bank)
    attempt = attempt_start(quiz=quiz, registration=participant)
    answer_everything_right(attempt, participant.user)
    attempt = attempt_submit(attempt=attempt, actor=participant.user)
    assert attempt.state == AttemptState.FINISHED
    # Ten marked questions of one point each (no essay) and a description of none.
    assert (attempt.points, attempt.max_points, attempt.score) == (10, 10, 100)
    assert ItemCompletion.objects.filter(item=quiz.item, registration=participant).exists()
    # Submitting twice changes nothing.
    assert attempt_submit(attempt=attempt, actor=participant.user).submitted_at == (
        attempt.submitted_at
    )


def test_partial_credit_adds_up(participant, bank):
    quiz = make_quiz(
        participant.batch, bank, questions=[question(bank, "MC banyak"), question(bank, "Isian")]
    )
    attempt = attempt_start(quiz=quiz, registration=participant)
    oai = question(bank, "MC banyak").answers.get(text="OAI-PMH")
    attempt_answer_save(
        attempt_id=attempt.pk, user=participant.user, position=1, raw={"choices": [oai.pk]}
    )
    attempt = attempt_submit(attempt=attempt, actor=participant.user)
    assert (attempt.points, attempt.score) == (Decimal("0.50"), Decimal("25.00"))


def test_a_passed_post_test_completes_the_batch_at_once(participant, bank, posttest_only):
    quiz = make_quiz(participant.batch, bank, pass_mark=70)
    attempt = attempt_start(quiz=quiz, registration=participant)
    answer_everything_right(attempt, participant.user)
    attempt_submit(attempt=attempt, actor=participant.user)
    completion = Completion.objects.get(registration=participant)
    assert completion.posttest_score == 100


def test_a_failed_post_test_does_not_complete(participant, bank, posttest_only):
    quiz = make_quiz(participant.batch, bank, pass_mark=70)
    attempt_submit(attempt=attempt_start(quiz=quiz, registration=participant), actor=None)
    assert not Completion.objects.filter(registration=participant).exists()


def test_overdue_attempts_are_closed_by_the_periodic_job(participant, bank):
    quiz = make_quiz(participant.batch, bank, time_limit_minutes=10)
    late = attempt_start(
        quiz=quiz, registration=participant, now=timezone.now() - timezone.timedelta(minutes=11)
    )
    running = attempt_start(quiz=quiz, registration=ParticipantFactory(batch=participant.batch))
    assert "learning.jobs.close_overdue_attempts" in registered_jobs()
    assert attempts_close_overdue() == 1
    late.refresh_from_db()
    running.refresh_from_db()
    assert late.state == AttemptState.FINISHED and running.state == AttemptState.IN_PROGRESS


def test_an_overdue_attempt_is_submitted_when_the_participant_comes_back(participant, bank):
    quiz = make_quiz(participant.batch, bank, time_limit_minutes=10, attempts_allowed=2)
    late = attempt_start(
        quiz=quiz, registration=participant, now=timezone.now() - timezone.timedelta(minutes=11)
    )
    fresh = attempt_start(quiz=quiz, registration=participant)
    late.refresh_from_db()
    assert late.state == AttemptState.FINISHED
    assert fresh.pk != late.pk and fresh.number == 2


# --- Essays -----------------------------------------------------------------------------------


def test_essays_wait_in_the_queue_until_graded(participant, bank, posttest_only):
    quiz = make_quiz(
        participant.batch,
        bank,
        questions=[question(bank, "Isian"), question(bank, "Esai")],
        pass_mark=70,
    )
    attempt = attempt_start(quiz=quiz, registration=participant)
    answer_everything_right(attempt, participant.user)
    attempt = attempt_submit(attempt=attempt, actor=participant.user)
    assert attempt.state == AttemptState.NEEDS_GRADING and attempt.score is None
    queue = list(grading_queue(batch=participant.batch))
    assert [row.question.name for row in queue] == ["Esai"]

    grader = UserFactory(roles=["program_manager"])
    with pytest.raises(ValidationError):
        essay_grade(actor=grader, attempt_question=queue[0], points=Decimal("1.5"))
    attempt = essay_grade(
        actor=grader, attempt_question=queue[0], points=Decimal("0.5"), comment="Cukup baik."
    )
    assert attempt.state == AttemptState.FINISHED
    assert (attempt.points, attempt.score) == (Decimal("1.50"), Decimal("75.00"))
    assert not grading_queue(batch=participant.batch).exists()
    assert Completion.objects.filter(registration=participant).exists()
