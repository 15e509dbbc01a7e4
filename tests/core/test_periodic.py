from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from sinergi.accounts.jobs import purge_unverified_accounts
from sinergi.accounts.models import User
from sinergi.accounts.services import unverified_accounts_purge
from sinergi.core import scheduling
from sinergi.core.models import AuditLog, PeriodicJob
from sinergi.core.scheduling import registered_jobs, run_due_jobs

from ..factories import UnverifiedUserFactory, UserFactory

pytestmark = pytest.mark.django_db

EXPECTED_JOBS = {
    "core.jobs.clear_expired_sessions",
    "core.jobs.prune_task_results",
    "accounts.jobs.purge_unverified_accounts",
}


def test_jobs_of_every_app_are_registered():
    assert set(registered_jobs()) >= EXPECTED_JOBS


def test_each_due_job_runs_once_then_is_claimed():
    first = run_due_jobs()
    assert set(first) == set(registered_jobs())
    assert "error" not in first.values()
    for row in PeriodicJob.objects.all():
        assert row.last_started_at is not None
        assert row.last_finished_at is not None
        assert row.next_run_at > timezone.now()
        assert row.last_error == ""

    assert run_due_jobs() == {}

    forced = run_due_jobs(force=True)
    assert set(forced) == set(registered_jobs())


def test_a_job_runs_again_when_due(monkeypatch):
    run_due_jobs()
    name = "accounts.jobs.purge_unverified_accounts"
    PeriodicJob.objects.filter(name=name).update(next_run_at=timezone.now() - timedelta(seconds=1))
    assert set(run_due_jobs()) == {name}


def test_a_claimed_job_is_not_run_by_a_second_caller():
    """Two machines calling at once: the conditional UPDATE lets only one of them run a job."""
    job = registered_jobs()["accounts.jobs.purge_unverified_accounts"]
    now = timezone.now()
    assert scheduling._claim(job, now) is True
    assert scheduling._claim(job, now) is False


def test_a_failing_job_records_the_error_and_others_still_run(monkeypatch):
    def broken():
        raise RuntimeError("rusak")

    jobs = dict(scheduling._jobs)
    jobs["test.broken"] = scheduling.Job("test.broken", timedelta(hours=1), broken)
    monkeypatch.setattr(scheduling, "_jobs", jobs)

    outcomes = run_due_jobs()

    assert outcomes["test.broken"] == "error"
    assert "RuntimeError: rusak" in PeriodicJob.objects.get(name="test.broken").last_error
    assert set(outcomes) >= EXPECTED_JOBS


def test_run_periodic_command(capsys):
    out = StringIO()
    call_command("run_periodic", stdout=out)
    assert "accounts.jobs.purge_unverified_accounts: purged 0" in out.getvalue()
    out = StringIO()
    call_command("run_periodic", stdout=out)
    assert out.getvalue() == ""
    out = StringIO()
    call_command("run_periodic", "--force", stdout=out)
    assert "accounts.jobs.purge_unverified_accounts" in out.getvalue()


def test_prune_task_results_skips_without_database_backend():
    assert run_due_jobs()["core.jobs.prune_task_results"].startswith("skipped")


def test_prune_task_results_runs_with_database_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert run_due_jobs()["core.jobs.prune_task_results"] == "ok"


def _joined(user, days):
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=days))


def test_purge_deletes_only_old_unverified_accounts(settings):
    settings.SINERGI_UNVERIFIED_ACCOUNT_DAYS = 7
    old_unverified = UnverifiedUserFactory(email="lama@example.org")
    _joined(old_unverified, 8)
    new_unverified = UnverifiedUserFactory()
    _joined(new_unverified, 6)
    old_verified = UserFactory()
    _joined(old_verified, 400)
    old_unverified_but_used = UnverifiedUserFactory(last_login=timezone.now())
    _joined(old_unverified_but_used, 30)

    assert purge_unverified_accounts() == "purged 1"

    remaining = set(User.objects.values_list("pk", flat=True))
    assert remaining == {new_unverified.pk, old_verified.pk, old_unverified_but_used.pk}
    row = AuditLog.objects.get(verb="accounts.unverified_purged")
    assert row.data == {"email": "lama@example.org"}
    assert row.actor is None

    assert purge_unverified_accounts() == "purged 0"


def test_purge_respects_the_setting(settings):
    user = UnverifiedUserFactory()
    _joined(user, 3)
    settings.SINERGI_UNVERIFIED_ACCOUNT_DAYS = 7
    assert purge_unverified_accounts() == "purged 0"
    settings.SINERGI_UNVERIFIED_ACCOUNT_DAYS = 2
    assert purge_unverified_accounts() == "purged 1"


def test_purge_service_returns_the_count():
    for _ in range(3):
        _joined(UnverifiedUserFactory(), 10)
    assert unverified_accounts_purge(older_than=timedelta(days=7)) == 3
    assert not User.objects.exists()
