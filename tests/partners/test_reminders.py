"""Reminders: at 180, 90 and 30 days before the end (configurable) and when a step is
overdue, by e-mail to the person in charge and on the dashboard; each exactly once."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from sinergi.core.scheduling import registered_jobs, run_due_jobs
from sinergi.partners import services
from sinergi.partners.models import Reminder

from ..factories import UserFactory
from .factories import AgreementFactory, PartnerFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


@pytest.fixture
def officer():
    return UserFactory(roles=["cooperation_officer"], language="en")


def _ending(officer, days: int, **fields):
    """A signed agreement that ends `days` after TODAY."""
    return AgreementFactory(
        person_in_charge=officer,
        signed_on=TODAY - timedelta(days=1000),
        ends_on=TODAY + timedelta(days=days),
        **fields,
    )


def test_end_reminders_go_at_180_90_and_30_days_each_exactly_once(officer):
    agreement = _ending(officer, 200)
    sent_on = []
    for offset in range(0, 200):
        day = TODAY + timedelta(days=offset)
        if services.reminders_send_due(today=day):
            sent_on.append((agreement.ends_on - day).days)
    assert sent_on == [180, 90, 30]
    keys = sorted(Reminder.objects.values_list("key", flat=True))
    assert keys == [f"agreement:{agreement.pk}:end:{days}" for days in (180, 30, 90)]
    assert len(mail.outbox) == 3
    assert mail.outbox[0].to == [officer.email]
    assert "ends in 180 days" in mail.outbox[0].subject
    assert reverse("partners:agreement_detail", args=[agreement.pk]) in mail.outbox[0].body


def test_running_again_sends_nothing_twice(officer):
    _ending(officer, 85)
    assert services.reminders_send_due(today=TODAY) == 1
    assert services.reminders_send_due(today=TODAY) == 0
    assert services.reminders_send_due(today=TODAY + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == 1


def test_an_agreement_entered_late_gets_only_the_nearest_reminder(officer):
    agreement = _ending(officer, 60)
    services.reminders_send_due(today=TODAY)
    assert list(Reminder.objects.values_list("key", flat=True)) == [
        f"agreement:{agreement.pk}:end:90"
    ]


def test_reminder_days_are_configurable(settings, officer):
    settings.SINERGI_AGREEMENT_REMINDER_DAYS = [60, 14]
    _ending(officer, 100)
    sent = sum(services.reminders_send_due(today=TODAY + timedelta(days=d)) for d in range(100))
    assert sent == 2
    assert sorted(k.rsplit(":", 1)[1] for k in Reminder.objects.values_list("key", flat=True)) == [
        "14",
        "60",
    ]


def test_ended_terminated_and_superseded_agreements_get_no_reminder(officer):
    _ending(officer, -1)
    _ending(officer, 20, terminated_on=TODAY, termination_reason="Dibatalkan")
    _ending(officer, 20, superseded_at=timezone.now())
    assert services.reminders_send_due(today=TODAY) == 0
    assert mail.outbox == []


def test_an_overdue_step_is_reminded_once_and_again_after_it_restarts(officer):
    agreement = services.agreement_create(
        actor=officer, kind="mou", partner=PartnerFactory(), title="MoU", person_in_charge=officer
    )
    services.agreement_process_start(agreement=agreement, actor=officer, today=TODAY)
    step = agreement.steps.get(order=1)
    assert services.reminders_send_due(today=step.due_on) == 0
    late = step.due_on + timedelta(days=1)
    assert services.reminders_send_due(today=late) == 1
    assert services.reminders_send_due(today=late + timedelta(days=3)) == 0
    assert len(mail.outbox) == 1
    assert "Step 1 is overdue" in mail.outbox[0].subject
    reminder = Reminder.objects.get()
    assert reminder.step == step and reminder.recipient == officer


def test_the_periodic_job_is_registered_and_shows_on_the_dashboard(client, officer):
    assert "partners.jobs.send_agreement_reminders" in registered_jobs()
    agreement = AgreementFactory(
        person_in_charge=officer, ends_on=timezone.localdate() + timedelta(days=29)
    )
    outcomes = run_due_jobs(force=True)
    assert outcomes["partners.jobs.send_agreement_reminders"] == "sent 1"
    assert run_due_jobs(force=True)["partners.jobs.send_agreement_reminders"] == "sent 0"

    client.force_login(officer)
    page = client.get(reverse("partners:dashboard")).content.decode()
    reminder = Reminder.objects.get(agreement=agreement)
    assert f'id="reminder-{reminder.pk}"' in page
    response = client.post(
        reverse("partners:reminder_dismiss", args=[reminder.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    reminder.refresh_from_db()
    assert reminder.dismissed_at is not None
    assert (
        f'id="reminder-{reminder.pk}"'
        not in client.get(reverse("partners:dashboard")).content.decode()
    )
    # Someone else's reminder cannot be dismissed.
    other = UserFactory(roles=["cooperation_officer"])
    client.force_login(other)
    assert client.post(reverse("partners:reminder_dismiss", args=[reminder.pk])).status_code == 404
