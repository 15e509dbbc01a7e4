"""Leases: a dead worker's task goes back to the queue, a live one's never does."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from sinergi.operations import files, leases
from sinergi.operations.models import LeasedTaskResult, PendingFile, WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _lease(settings, tmp_path):
    settings.SINERGI_WORKER_LEASE_SECONDS = 30
    settings.SINERGI_TASK_MAX_ATTEMPTS = 3
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    files.owner_set(None)


def running_task(*worker_ids: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now(),
        worker_ids=list(worker_ids),
        args_kwargs={"args": [], "kwargs": {"batch_id": 1}},
        task_path="sinergi.certificates.tasks.issue_for_batch",
        backend_name="default",
    )


def test_the_task_of_a_worker_that_stopped_beating_is_queued_again(tmp_path):
    leases.heartbeat_beat(worker_id="dead", first=True)
    leases.heartbeat_beat(worker_id="alive", first=True)
    orphan = tmp_path / "media" / "certificates" / "pdf" / "x.pdf"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"%PDF-")
    PendingFile.objects.create(name="certificates/pdf/x.pdf", owner="dead")
    task = running_task("dead")
    busy = running_task("alive")

    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        leases.heartbeat_beat(worker_id="alive")
        outcome = leases.workers_recover(worker_id="alive")

    assert outcome == {"requeued": 1, "failed": 0, "files": 1, "workers": 1}
    task.refresh_from_db()
    busy.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    assert busy.status == TaskResultStatus.RUNNING
    assert not orphan.exists()
    assert not PendingFile.objects.exists()
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]


def test_a_live_worker_keeps_its_task_however_long_it_runs():
    leases.heartbeat_beat(worker_id="slow", first=True)
    task = running_task("slow")
    for minutes in (1, 2, 3):
        with time_machine.travel(timezone.now() + timedelta(minutes=minutes)):
            leases.heartbeat_beat(worker_id="slow")
            assert leases.workers_recover(worker_id="other")["requeued"] == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_task_that_killed_every_worker_it_met_fails_instead_of_looping():
    task = running_task("w1", "w2", "w3")  # no heartbeat rows: all three are gone

    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        outcome = leases.workers_recover()

    assert outcome["failed"] == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert "3 workers stopped" in task.traceback
    assert task.finished_at is not None


def test_a_worker_declared_dead_cannot_commit_or_beat():
    files.owner_set("paused")
    leases.heartbeat_beat(worker_id="paused", first=True)
    leases.lease_confirm()  # holds its lease: fine
    WorkerHeartbeat.objects.filter(worker_id="paused").delete()  # what recovery does

    with pytest.raises(leases.LeaseLost):
        leases.lease_confirm()
    with pytest.raises(leases.LeaseLost):
        leases.heartbeat_beat(worker_id="paused")


def test_outside_a_worker_there_is_no_lease_to_confirm():
    leases.lease_confirm()


def test_a_worker_taken_over_does_not_overwrite_the_new_worker_s_record():
    task = running_task("old")
    mine = LeasedTaskResult.objects.get(pk=task.pk)
    DBTaskResult.objects.filter(pk=task.pk).update(worker_ids=["old", "new"])

    mine.set_successful(42)
    mine.set_failed(RuntimeError("late"))

    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING
    assert task.worker_ids == ["old", "new"]

    DBTaskResult.objects.filter(pk=task.pk).update(worker_ids=["old"])
    mine.set_successful(42)
    task.refresh_from_db()
    assert (task.status, task.return_value) == (TaskResultStatus.SUCCESSFUL, 42)
