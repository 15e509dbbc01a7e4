"""Completing a batch sends the learning signal; a task issues the certificate."""

import pytest
from django.core import mail
from django.core.management import call_command

from sinergi.certificates.models import Certificate
from sinergi.learning.models import Completion
from sinergi.learning.signals import participant_completed

from .factories import CertificateTemplateFactory, CompletionFactory

pytestmark = pytest.mark.django_db


def test_participant_completed_signal_issues_through_the_task(
    completion, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        participant_completed.send(sender=Completion, completion=completion)
    certificate = Certificate.objects.get(registration=completion.registration)
    assert certificate.holder_name == completion.registration.user.full_name
    assert len(mail.outbox) == 1


def test_completion_recompute_path_reaches_the_certificate(db, django_capture_on_commit_callbacks):
    """The learning service's own completion (rules met) ends in a certificate."""
    from sinergi.learning.models import CompletionRules
    from sinergi.learning.services.completion import completion_recompute

    from ..learning.factories import ParticipantFactory

    registration = ParticipantFactory()
    CompletionRules.objects.create(
        batch=registration.batch,
        min_attendance_percent=0,
        require_posttest_pass=False,
        require_assignments=False,
        require_survey=False,
    )
    CertificateTemplateFactory(program=registration.batch.program)
    with django_capture_on_commit_callbacks(execute=True):
        completion = completion_recompute(registration=registration)
    assert completion is not None, "rules that ask nothing must complete the participant"
    assert Certificate.objects.filter(registration=registration).exists()


def test_signal_without_template_issues_nothing_and_fails_nobody(
    db, django_capture_on_commit_callbacks
):
    completion = CompletionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        participant_completed.send(sender=Completion, completion=completion)
    assert not Certificate.objects.exists()


def test_issue_certificates_command_reports_counts(completion, capsys):
    from ..learning.factories import ParticipantFactory

    batch = completion.registration.batch
    CompletionFactory(registration__batch=batch)
    ParticipantFactory(batch=batch)
    call_command("issue_certificates", "--batch", batch.code)
    assert f"{batch.code}: issued 2, already had 0, not completed 1" in capsys.readouterr().out
    call_command("issue_certificates", "--batch", batch.code)
    assert "issued 0, already had 2, not completed 1" in capsys.readouterr().out
