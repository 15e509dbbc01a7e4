"""Quiz attempts under real concurrency on PostgreSQL: double starts, and saves racing a submit.

Real threads, each with its own connection, released together on a barrier (as in
tests/training/test_concurrency.py).
"""

from sinergi.learning.grading import grade
from sinergi.learning.models import Attempt, AttemptState
from sinergi.learning.services import quizzes
from sinergi.learning.services.quizzes import (
    AttemptClosed,
    attempt_answer_save,
    attempt_start,
    attempt_submit,
)

from ..concurrency import ON_POSTGRESQL, run_together
from .factories import ParticipantFactory
from .quiz_data import bank_with_every_type, make_quiz

pytestmark = ON_POSTGRESQL


def all_at_once(calls) -> tuple[list, list[BaseException]]:
    return run_together(calls)


def test_eight_starts_at_once_make_one_attempt():
    participant = ParticipantFactory()
    quiz = make_quiz(participant.batch, bank_with_every_type(), attempts_allowed=3)
    results, errors = all_at_once([lambda: attempt_start(quiz=quiz, registration=participant)] * 8)
    assert errors == []
    assert len({attempt.pk for attempt in results}) == 1
    assert Attempt.objects.filter(quiz=quiz).count() == 1


def test_negative_control_without_the_lock_double_starts_collide(monkeypatch):
    """Without the lock the eight starts race: the unique constraints refuse all but one, so
    the callers see errors. The test above can therefore see a missing lock."""
    monkeypatch.setattr(quizzes, "LOCK_STARTS", False)
    participant = ParticipantFactory()
    quiz = make_quiz(participant.batch, bank_with_every_type(), attempts_allowed=3)
    _results, errors = all_at_once([lambda: attempt_start(quiz=quiz, registration=participant)] * 8)
    assert errors, "eight unlocked starts at once all succeeded: the race was not seen"
    assert Attempt.objects.filter(quiz=quiz).count() == 1  # the constraint is the last guard


def test_saves_racing_a_submit_are_graded_or_refused_never_lost():
    """Whatever order the database settles on, each stored answer is the one that was graded:
    a save lands before the grading, or is refused after it."""
    participant = ParticipantFactory()
    bank = bank_with_every_type()
    questions = list(bank.questions.filter(qtype="truefalse"))
    quiz = make_quiz(participant.batch, bank, questions=questions)
    attempt = attempt_start(quiz=quiz, registration=participant)
    rows = list(attempt.questions.select_related("question"))
    user = participant.user

    def save(row):
        def call():
            try:
                attempt_answer_save(
                    attempt_id=attempt.pk,
                    user=user,
                    position=row.position,
                    raw={"choices": [row.answer_order[0]]},
                )
                return "saved"
            except AttemptClosed:
                return "refused"

        return call

    calls = [save(row) for row in rows] * 3
    calls.insert(4, lambda: attempt_submit(attempt=attempt, actor=user) and "submitted")
    results, errors = all_at_once(calls)
    assert errors == []
    assert set(results) <= {"refused", "saved", "submitted"} and "submitted" in results
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    total = 0
    for row in attempt.questions.select_related("question").prefetch_related("question__answers"):
        expected = grade(row.question, list(row.question.answers.all()), row.response)
        assert row.points == expected.points(row.max_points), f"question {row.position}"
        total += row.points
    assert attempt.points == total
