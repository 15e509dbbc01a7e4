"""The rules-of-completion page: tests with their marks, assignments, the evaluation, a
preview that saves nothing, and saving that re-checks every participant."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sinergi.core.models import AuditLog
from sinergi.learning.models import (
    Assignment,
    Attempt,
    Attendance,
    Completion,
    CompletionRules,
    Quiz,
    Submission,
)
from sinergi.learning.selectors.progress import progress_for, rule_set_for
from sinergi.learning.services.completion import completion_rules_save
from tests.i18n import indonesian

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
def classroom(db):
    """Three participants of a running batch whose only session started an hour ago: one
    scored 60 on the post-test, one 80, one did nothing. Nobody filled the evaluation."""
    first = ParticipantFactory()
    batch = first.batch
    people = [first, ParticipantFactory(batch=batch), ParticipantFactory(batch=batch)]
    session = SessionFactory(batch=batch, starts_at=timezone.now() - timedelta(hours=1))
    module = ModuleFactory(batch=batch)
    bank = QuestionBankFactory()
    pretest = Quiz.objects.create(
        item=ItemFactory(module=module, kind="quiz", title="Pre-test"),
        role="pretest",
        bank=bank,
        pass_mark=0,
    )
    posttest = Quiz.objects.create(
        item=ItemFactory(module=module, kind="quiz", title="Post-test"),
        role="posttest",
        bank=bank,
        pass_mark=70,
    )
    assignment = AssignmentFactory(item__module=module, item__title="RTL", pass_score=60)
    SurveyFactory(item__module=module)
    for registration, score in zip(people[:2], (60, 80), strict=True):
        Attendance.objects.create(
            session=session, registration=registration, status="present", method="code"
        )
        Attempt.objects.create(
            quiz=posttest,
            registration=registration,
            number=1,
            state="finished",
            score=score,
            submitted_at=timezone.now(),
            max_points=20,
            points=score / 5,
        )
        Submission.objects.create(
            assignment=assignment, registration=registration, state="graded", score=75
        )
    return {
        "batch": batch,
        "people": people,
        "pretest": pretest,
        "posttest": posttest,
        "assignment": assignment,
    }


@pytest.fixture
def manager_client(client):
    client.force_login(UserFactory(roles=["program_manager"]))
    return client


def test_the_defaults_are_the_programs_rules(classroom):
    rules = rule_set_for(classroom["batch"])
    assert not rules.saved
    assert rules.min_attendance_percent == 80
    assert [(t.quiz, t.pass_mark) for t in rules.tests] == [(classroom["posttest"], 70)]
    assert rules.assignment_ids == {classroom["assignment"].pk}
    assert rules.require_survey


def test_preview_shows_who_would_complete_and_saves_nothing(classroom, manager_client):
    batch, posttest = classroom["batch"], classroom["posttest"]
    url = reverse("learning:completion_rules", args=[batch.pk])
    page = manager_client.get(url)
    assert page.status_code == 200
    assert "0 peserta akan lulus" in " ".join(page.content.decode().split())
    data = {
        "min_attendance_percent": "50",
        f"test_{posttest.pk}": "on",
        f"mark_{posttest.pk}": "55",
        "assignments": [classroom["assignment"].pk],
        "action": "preview",
    }
    preview = manager_client.post(url, data)
    assert preview.status_code == 200
    text = " ".join(preview.content.decode().split())
    assert "2 peserta akan lulus" in text
    assert text.count("sn-would-complete") == 2
    assert not CompletionRules.objects.exists()
    assert not Completion.objects.exists()
    assert not AuditLog.objects.filter(verb="learning.completion_rules.saved").exists()


def test_saving_rechecks_the_participants(classroom, manager_client):
    batch, posttest = classroom["batch"], classroom["posttest"]
    url = reverse("learning:completion_rules", args=[batch.pk])
    response = manager_client.post(
        url,
        {
            "min_attendance_percent": "50",
            f"test_{posttest.pk}": "on",
            f"mark_{posttest.pk}": "75",
            "action": "save",
        },
        follow=True,
    )
    assert response.status_code == 200
    # Only the one who scored 80 passes a mark of 75; the assignment no longer counts.
    done = Completion.objects.values_list("registration", flat=True)
    assert list(done) == [classroom["people"][1].pk]
    assert "1 peserta lulus sekarang" in response.content.decode()
    assert not Assignment.objects.get(pk=classroom["assignment"].pk).required
    rules = rule_set_for(batch)
    assert rules.saved and [(t.quiz, t.pass_mark) for t in rules.tests] == [(posttest, 75)]
    assert not rules.require_survey
    assert AuditLog.objects.get(verb="learning.completion_rules.saved").data["tests"] == {
        str(posttest.pk): 75
    }
    # The participant sees the batch's rules on the progress page.
    manager_client.force_login(classroom["people"][0].user)
    page = manager_client.get(reverse("learning:progress", args=[batch.pk]))
    text = " ".join(page.content.decode().split())
    assert "Post-test lulus dengan nilai minimal 75" in text
    assert "Kehadiran minimal 50%" in text


def test_a_required_test_needs_a_pass_mark_and_bad_input_is_a_clear_error(
    classroom, manager_client
):
    pretest = classroom["pretest"]
    url = reverse("learning:completion_rules", args=[classroom["batch"].pk])
    response = manager_client.post(
        url,
        {
            "min_attendance_percent": "140",
            f"test_{pretest.pk}": "on",
            f"mark_{pretest.pk}": "",
            "action": "save",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert indonesian("Give the pass mark of a required test.") in text
    assert not CompletionRules.objects.exists()


def test_a_completion_is_never_taken_back_by_stricter_rules(classroom):
    batch, posttest = classroom["batch"], classroom["posttest"]
    lenient = completion_rules_save(
        batch=batch,
        actor=None,
        min_attendance_percent=0,
        tests=[(posttest, 50)],
        assignments=[],
        require_survey=False,
    )
    assert lenient.completed == 2
    strict = completion_rules_save(
        batch=batch,
        actor=None,
        min_attendance_percent=100,
        tests=[(posttest, 90), (classroom["pretest"], 10)],
        assignments=[classroom["assignment"]],
        require_survey=True,
    )
    assert strict.completed == 0
    assert Completion.objects.count() == 2
    progress = progress_for(registration=classroom["people"][0])
    # In curriculum order: the pre-test comes first.
    assert [r.key for r in progress.missing] == ["test", "posttest", "survey"]


def test_only_managers_set_rules(classroom, client):
    url = reverse("learning:completion_rules", args=[classroom["batch"].pk])
    client.force_login(classroom["people"][0].user)
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(roles=["speaker"]))
    assert client.get(url).status_code in (403, 404)
