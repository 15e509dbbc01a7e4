from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from sinergi.learning.models import (
    Attempt,
    Attendance,
    CompletionRules,
    Quiz,
    Submission,
)
from sinergi.learning.selectors.progress import (
    completion_rules_met,
    learning_gain,
    progress_for,
)
from sinergi.learning.services.completion import completion_recompute
from sinergi.learning.services.surveys import survey_add_default_questions
from sinergi.learning.signals import participant_completed

from ..factories import UserFactory
from .factories import (
    AssignmentFactory,
    ItemFactory,
    ModuleFactory,
    ParticipantFactory,
    QuestionBankFactory,
    SessionFactory,
    SurveyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def classroom(participant):
    """A batch with two sessions, a post-test, a required assignment and an evaluation."""
    batch = participant.batch
    module = ModuleFactory(batch=batch)
    started = timezone.now() - timedelta(hours=3)  # completion waits for the last session
    sessions = [SessionFactory(batch=batch, starts_at=started) for _ in range(2)]
    posttest = Quiz.objects.create(
        item=ItemFactory(module=module, kind="quiz", title="Post-test"),
        role="posttest",
        bank=QuestionBankFactory(),
        pass_mark=70,
    )
    assignment = AssignmentFactory(item__module=module, pass_score=60)
    survey = SurveyFactory(item__module=module)
    survey_add_default_questions(survey=survey)
    return {
        "registration": participant,
        "sessions": sessions,
        "posttest": posttest,
        "assignment": assignment,
        "survey": survey,
    }


def attend(registration, session, status="present"):
    Attendance.objects.create(
        session=session, registration=registration, status=status, method="code"
    )


def finish_attempt(quiz, registration, score, number=1):
    Attempt.objects.create(
        quiz=quiz,
        registration=registration,
        number=number,
        state="finished",
        submitted_at=timezone.now(),
        score=Decimal(score),
        max_points=20,
        points=Decimal(score) / 5,
    )


def grade(assignment, registration, score):
    Submission.objects.create(
        assignment=assignment, registration=registration, text="RTL", state="graded", score=score
    )


def fill_survey(survey, registration):
    survey.responses.create(registration=registration)


def test_progress_lists_what_is_missing(classroom):
    registration = classroom["registration"]
    progress = progress_for(registration=registration)
    assert not progress.complete
    assert [r.key for r in progress.missing] == ["attendance", "posttest", "assignments", "survey"]


def test_completes_when_every_rule_is_met_and_fires_the_event_once(classroom):
    registration = classroom["registration"]
    received = []

    def listener(sender, completion, **kwargs):
        received.append(completion)

    participant_completed.connect(listener)
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):
            attend(registration, classroom["sessions"][0])
            attend(registration, classroom["sessions"][1], "late")
            finish_attempt(classroom["posttest"], registration, 65)
            grade(classroom["assignment"], registration, 80)
            fill_survey(classroom["survey"], registration)
            assert completion_recompute(registration=registration) is None  # post-test 65 < 70
            finish_attempt(classroom["posttest"], registration, 85, number=2)
            completion = completion_recompute(registration=registration)
            assert completion is not None
            assert completion.posttest_score == Decimal(85)
            assert completion.attendance_percent == Decimal(100)
            assert completion_recompute(registration=registration) == completion
    finally:
        participant_completed.disconnect(listener)
    assert received == [completion]


@pytest.mark.parametrize("rules", range(16))
# Nothing done, everything done, and everything but one thing (the first unmet rule decides).
@pytest.mark.parametrize("done", [0, 15, 14, 13, 11, 7])
def test_the_quick_check_agrees_with_the_progress_page(classroom, rules, done):
    """`completion_rules_met` stops at the first unmet rule; it must say what the page says,
    for every set of rules (4 switches) and the participant's states that tell them apart."""
    registration = classroom["registration"]
    CompletionRules.objects.create(
        batch=registration.batch,
        min_attendance_percent=100,
        require_posttest_pass=bool(rules & 1),
        require_assignments=bool(rules & 2),
        require_survey=bool(rules & 4),
    )
    if rules & 8:
        CompletionRules.objects.filter(batch=registration.batch).update(min_attendance_percent=0)
    if done & 1:
        for session in classroom["sessions"]:
            attend(registration, session)
    finish_attempt(classroom["posttest"], registration, 85 if done & 2 else 40)
    grade(classroom["assignment"], registration, 80 if done & 4 else 30)
    if done & 8:
        fill_survey(classroom["survey"], registration)
    registration.refresh_from_db()
    expected = progress_for(registration=registration).complete
    assert completion_rules_met(registration=registration) == expected
    all_rules_and_all_done = (rules & 7 == 7) and not rules & 8 and done == 15
    if all_rules_and_all_done:
        assert expected


def test_excused_sessions_do_not_count_against_attendance(classroom):
    registration = classroom["registration"]
    attend(registration, classroom["sessions"][0])
    attend(registration, classroom["sessions"][1], "excused")
    assert progress_for(registration=registration).attendance_percent == Decimal(100)


def test_absent_lowers_attendance_below_the_minimum(classroom):
    registration = classroom["registration"]
    attend(registration, classroom["sessions"][0])
    attend(registration, classroom["sessions"][1], "absent")
    progress = progress_for(registration=registration)
    assert progress.attendance_percent == Decimal(50)
    assert "attendance" in [r.key for r in progress.missing]


def test_rules_can_be_relaxed_per_batch(classroom):
    registration = classroom["registration"]
    CompletionRules.objects.create(
        batch=registration.batch,
        min_attendance_percent=50,
        require_posttest_pass=False,
        require_assignments=False,
        require_survey=False,
    )
    attend(registration, classroom["sessions"][0])
    assert completion_recompute(registration=registration) is not None


def test_a_cancelled_registration_never_completes(classroom):
    registration = classroom["registration"]
    CompletionRules.objects.create(
        batch=registration.batch,
        min_attendance_percent=0,
        require_posttest_pass=False,
        require_assignments=False,
        require_survey=False,
    )
    registration.state = "cancelled"
    registration.save(update_fields=["state"])
    assert completion_recompute(registration=registration) is None


@pytest.mark.parametrize(
    ("pre", "post", "gain"),
    [(40, 70, 0.5), (0, 100, 1.0), (50, 40, -0.2), (100, 100, None), (None, 80, None)],
)
def test_learning_gain(pre, post, gain):
    def as_decimal(v):
        return None if v is None else Decimal(v)

    assert learning_gain(as_decimal(pre), as_decimal(post)) == gain


def test_progress_page_and_staff_completion_table(client, classroom):
    registration = classroom["registration"]
    client.force_login(registration.user)
    page = client.get(reverse("learning:progress", args=[registration.batch_id]))
    assert page.status_code == 200
    assert "sn-requirement-posttest" in page.content.decode()
    table_url = reverse("learning:completion", args=[registration.batch_id])
    assert client.get(table_url).status_code == 403
    client.force_login(UserFactory(roles=["program_manager"]))
    assert registration.user.full_name in client.get(table_url).content.decode()
    xlsx = client.get(table_url, {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"


def test_completion_table_queries_do_not_grow_per_row_beyond_progress(client, classroom):
    """Adding participants adds a fixed number of queries each (progress is per participant)."""
    registration = classroom["registration"]
    client.force_login(UserFactory(roles=["program_manager"]))
    url = reverse("learning:completion", args=[registration.batch_id])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    ParticipantFactory(batch=registration.batch)
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    ParticipantFactory(batch=registration.batch)
    with CaptureQueriesContext(connection) as three:
        client.get(url)
    assert len(three) - len(two) == len(two) - len(one)


def test_progress_api(client, classroom):
    registration = classroom["registration"]
    url = f"/api/v1/registrations/{registration.pk}/progress"
    client.force_login(registration.user)
    body = client.get(url).json()
    assert body["complete"] is False
    assert body["missing"] == ["attendance", "posttest", "assignments", "survey"]
    assert body["registration"] == registration.pk
    client.force_login(ParticipantFactory(batch=registration.batch).user)
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(roles=["head"]))
    assert client.get(url).status_code == 200


def test_the_rules_link_is_offered_only_to_who_may_open_them(client, classroom):
    """The head reads the completion table but may not change the rules: no link that 403s."""
    batch_id = classroom["registration"].batch_id
    table_url = reverse("learning:completion", args=[batch_id])
    rules_url = reverse("learning:completion_rules", args=[batch_id])
    for role, offered in [("head", False), ("program_manager", True)]:
        client.force_login(UserFactory(roles=[role]))
        assert (rules_url in client.get(table_url).content.decode()) is offered, role
        assert client.get(rules_url).status_code == (200 if offered else 403), role
