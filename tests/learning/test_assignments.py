"""Assignments: submitting text and files, resubmitting until graded, the late policies, grading
by score and by rubric, completion recomputed on grading, and who may see and grade what."""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sinergi.core.models import AuditLog
from sinergi.learning.models import (
    Completion,
    CompletionRules,
    ItemCompletion,
    RubricCriterion,
    Submission,
)
from sinergi.learning.services import assignments as services
from tests.i18n import indonesian

from ..factories import UserFactory
from .factories import (
    AssignmentFactory,
    ItemFactory,
    ModuleFactory,
    ParticipantFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db
PDF = (Path(__file__).parents[1] / "fixtures" / "minimal-document.pdf").read_bytes()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def assignment(participant):
    return AssignmentFactory(
        item=ItemFactory(module=ModuleFactory(batch=participant.batch), kind="assignment")
    )


@pytest.fixture
def speaker(participant):
    speaker = UserFactory(roles=["speaker"])
    started = timezone.now() - timedelta(hours=1)  # completion waits for the last session
    SessionFactory(batch=participant.batch, starts_at=started).speakers.add(speaker)
    return speaker


def pdf():
    return SimpleUploadedFile("rtl.pdf", PDF, content_type="application/pdf")


def test_submit_text_and_resubmit_until_graded(assignment, participant, speaker):
    first = services.submission_submit(
        assignment=assignment, registration=participant, text="Rencana A"
    )
    assert first.state == "submitted" and not first.is_late
    assert ItemCompletion.objects.filter(item=assignment.item, registration=participant).exists()
    second = services.submission_submit(
        assignment=assignment, registration=participant, text="Rencana B"
    )
    assert second.pk == first.pk and Submission.objects.get().text == "Rencana B"
    services.submission_grade(submission=second, actor=speaker, score=Decimal(80), feedback="Baik")
    with pytest.raises(ValidationError, match=re.escape(indonesian("Your work has been graded."))):
        services.submission_submit(
            assignment=assignment, registration=participant, text="Rencana C"
        )
    assert Submission.objects.get().text == "Rencana B"


def test_empty_and_wrong_kind_of_work_is_refused(assignment, participant):
    with pytest.raises(ValidationError):
        services.submission_submit(assignment=assignment, registration=participant)
    with pytest.raises(ValidationError) as error:
        services.submission_submit(
            assignment=assignment,
            registration=participant,
            file=SimpleUploadedFile("rtl.pdf", b"MZ\x90\x00 not a pdf"),
        )
    assert "file" in error.value.error_dict
    assignment.allow_text = False
    assignment.save()
    with pytest.raises(ValidationError):
        services.submission_submit(assignment=assignment, registration=participant, text="teks")
    assert not Submission.objects.exists()


def test_late_policies(assignment, participant, speaker):
    assignment.due_at = timezone.now() - timedelta(hours=1)
    assignment.late_policy = "refuse"
    assignment.save()
    with pytest.raises(ValidationError, match=re.escape(indonesian("The due date has passed."))):
        services.submission_submit(assignment=assignment, registration=participant, text="Telat")
    assignment.late_policy = "accept"
    assignment.save()
    submission = services.submission_submit(
        assignment=assignment, registration=participant, text="Telat"
    )
    assert submission.is_late
    services.submission_grade(submission=submission, actor=speaker, score=Decimal(90))
    assert Submission.objects.get().score == Decimal(90)


def test_penalty_is_taken_off_the_score(assignment, participant, speaker):
    assignment.due_at = timezone.now() - timedelta(minutes=1)
    assignment.late_policy = "penalty"
    assignment.late_penalty_percent = 20
    assignment.save()
    submission = services.submission_submit(
        assignment=assignment, registration=participant, text="Telat"
    )
    graded = services.submission_grade(submission=submission, actor=speaker, score=Decimal(75))
    assert graded.score == Decimal("60.00")
    on_time = ParticipantFactory(batch=participant.batch)
    assignment.due_at = timezone.now() + timedelta(days=1)
    assignment.save()
    submission = services.submission_submit(
        assignment=assignment, registration=on_time, text="Tepat"
    )
    assert (
        services.submission_grade(submission=submission, actor=speaker, score=Decimal(75)).score
        == 75
    )


def test_rubric_grading_sums_the_criteria(assignment, participant, speaker):
    services.rubric_set(assignment=assignment, actor=None, criteria=[("Isi", 60), ("Bahasa", 40)])
    assignment.refresh_from_db()
    assert assignment.max_score == 100
    content, language = RubricCriterion.objects.order_by("position")
    submission = services.submission_submit(
        assignment=assignment, registration=participant, text="RTL"
    )
    with pytest.raises(ValidationError):
        services.submission_grade(
            submission=submission, actor=speaker, rubric_points={content.pk: 61, language.pk: 10}
        )
    graded = services.submission_grade(
        submission=submission, actor=speaker, rubric_points={content.pk: 50, language.pk: 30}
    )
    assert graded.score == 80 and graded.rubric_points == {
        str(content.pk): 50,
        str(language.pk): 30,
    }
    with pytest.raises(ValidationError):
        services.rubric_set(assignment=assignment, actor=None, criteria=[("Baru", 10)])
    assert AuditLog.objects.filter(verb="learning.submission.graded").exists()


def test_grading_recomputes_completion(assignment, participant, speaker):
    CompletionRules.objects.create(
        batch=participant.batch, min_attendance_percent=0, require_survey=False
    )
    submission = services.submission_submit(
        assignment=assignment, registration=participant, text="RTL"
    )
    assert not Completion.objects.exists()
    services.submission_grade(submission=submission, actor=speaker, score=Decimal(40))
    assert not Completion.objects.exists()  # below the pass score
    submission.refresh_from_db()
    services.submission_grade(submission=submission, actor=speaker, score=Decimal(70))
    assert Completion.objects.filter(registration=participant).exists()


# Through the pages ---------------------------------------------------------------------------


def test_participant_submits_a_file_and_sees_grade_and_feedback(
    client, assignment, participant, speaker
):
    client.force_login(participant.user)
    item_url = reverse("learning:item_detail", args=[participant.batch.pk, assignment.item.pk])
    assert "sn-submission-form" in client.get(item_url).content.decode()
    response = client.post(
        reverse("learning:assignment_submit", args=[participant.batch.pk, assignment.item.pk]),
        {"text": "Rencana tindak lanjut saya", "file": pdf()},
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    file_url = reverse("learning:submission_file", args=[participant.batch.pk, submission.pk])
    assert b"".join(client.get(file_url).streaming_content) == PDF

    client.force_login(speaker)
    queue = client.get(
        reverse("learning:grading_queue", args=[participant.batch.pk])
    ).content.decode()
    assert participant.user.full_name in queue
    assert client.get(file_url).status_code == 200
    response = client.post(
        reverse("learning:grade", args=[participant.batch.pk, submission.pk]),
        {"score": "85", "feedback": "Rencana yang realistis."},
    )
    assert response.status_code == 302

    client.force_login(participant.user)
    page = client.get(item_url).content.decode()
    assert "85" in page and "Rencana yang realistis." in page
    assert "sn-submission-form" not in page


def test_others_cannot_grade_or_read_the_work(client, assignment, participant):
    submission = services.submission_submit(
        assignment=assignment, registration=participant, file=pdf()
    )
    grade_url = reverse("learning:grade", args=[participant.batch.pk, submission.pk])
    file_url = reverse("learning:submission_file", args=[participant.batch.pk, submission.pk])
    classmate = ParticipantFactory(batch=participant.batch)
    client.force_login(classmate.user)
    assert client.post(grade_url, {"score": "100"}).status_code == 403
    assert client.get(file_url).status_code == 404
    outsider_speaker = UserFactory(roles=["speaker"])
    SessionFactory().speakers.add(outsider_speaker)  # speaks in another batch
    client.force_login(outsider_speaker)
    assert client.post(grade_url, {"score": "100"}).status_code == 404
    assert Submission.objects.get().state == "submitted"


def test_manager_sets_policy_and_rubric(client, assignment):
    client.force_login(UserFactory(roles=["program_manager"]))
    url = reverse("learning:assignment_settings", args=[assignment.item.pk])
    response = client.post(
        url,
        {
            "settings": "1",
            "instructions": "Tulis RTL",
            "allow_text": "on",
            "allow_file": "on",
            "due_at": "2026-12-05T17:00",
            "late_policy": "penalty",
            "late_penalty_percent": "10",
            "max_score": "100",
            "pass_score": "70",
            "required": "on",
        },
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.late_policy == "penalty" and assignment.due_at.hour == 10  # 17.00 WIB
    response = client.post(url, {"rubric": "1", "criteria": "Isi | 60\nBahasa | 40"})
    assert response.status_code == 302 and assignment.criteria.count() == 2
    response = client.post(url, {"rubric": "1", "criteria": "tanpa poin"})
    assert response.status_code == 200 and assignment.criteria.count() == 2


def test_a_late_grade_saved_again_is_not_penalised_twice(client, assignment, participant, speaker):
    """The grading form shows the grader's own score; saving it unchanged keeps grade and grader."""
    assignment.due_at = timezone.now() - timedelta(minutes=1)
    assignment.late_policy = "penalty"
    assignment.late_penalty_percent = 20
    assignment.save()
    submission = services.submission_submit(
        assignment=assignment, registration=participant, text="Telat"
    )
    services.submission_grade(submission=submission, actor=speaker, score=Decimal(75))
    graded_at = Submission.objects.get().graded_at
    client.force_login(speaker)
    url = reverse("learning:grade", args=[participant.batch.pk, submission.pk])
    form = client.get(url).content.decode()
    assert re.search(r'name="score"[^>]*value="75', form), "the form shows the score before penalty"
    other = UserFactory(roles=["program_manager"])
    client.force_login(other)
    assert client.post(url, {"score": "75", "feedback": ""}).status_code == 302
    stored = Submission.objects.get()
    assert (stored.score, stored.graded_by, stored.graded_at) == (
        Decimal("60.00"),
        speaker,
        graded_at,
    )
