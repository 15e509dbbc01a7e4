"""Worker leases: a task whose worker stopped beating goes back to the queue.

Each worker (`manage.py run_worker`) beats every SINERGI_WORKER_HEARTBEAT_SECONDS. A worker
whose last beat is older than SINERGI_WORKER_LEASE_SECONDS is dead to the others: any live
worker puts the tasks it was running back in the queue (or fails them after
SINERGI_TASK_MAX_ATTEMPTS workers died on them: a task that kills its worker must not kill
every worker in turn), deletes the files it left pending and forgets it.

A worker that was only paused (not dead) may wake after being declared dead. It is fenced:
`lease_confirm()`, called inside a transaction just before it commits, refuses to commit work
of a worker that no longer holds its lease, and the worker stops.
"""

import logging
import os
import socket
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from . import files
from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


class LeaseLost(Exception):
    """This worker was declared dead by the others; its work must not be committed."""


def _lease() -> timedelta:
    return timedelta(seconds=settings.SINERGI_WORKER_LEASE_SECONDS)


def heartbeat_beat(*, worker_id: str, first: bool = False) -> None:
    """Record that `worker_id` is alive; raise LeaseLost if the others took it for dead."""
    now = timezone.now()
    if first:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": now,
                "beat_at": now,
            },
        )
        return
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now):
        raise LeaseLost(worker_id)


def heartbeat_end(*, worker_id: str) -> None:
    """Forget a worker that stops cleanly."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def lease_confirm() -> None:
    """Inside a transaction: hold this worker's lease until commit, or raise LeaseLost.

    Outside a worker (a web request, a command) there is no lease and nothing to check.
    """
    worker_id = files.worker_id()
    if worker_id is None:
        return
    if not WorkerHeartbeat.objects.select_for_update().filter(worker_id=worker_id).exists():
        raise LeaseLost(worker_id)


def _task_requeue(task_id, *, live: set[str]) -> str | None:
    """Put one RUNNING task of a dead worker back in the queue (or fail it); say which."""
    with transaction.atomic():
        task = (
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(pk=task_id, status=TaskResultStatus.RUNNING)
            .first()
        )
        if task is None or (task.worker_ids and task.worker_ids[-1] in live):
            return None
        if len(task.worker_ids) >= settings.SINERGI_TASK_MAX_ATTEMPTS:
            task.status = TaskResultStatus.FAILED
            task.finished_at = timezone.now()
            task.exception_class_path = f"{__name__}.{LeaseLost.__qualname__}"
            task.traceback = (
                f"{LeaseLost.__qualname__}: {len(task.worker_ids)} workers stopped while "
                f"running this task ({', '.join(task.worker_ids)}); it is not tried again.\n"
            )
            task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            logger.error("task %s failed: its workers %s died", task.pk, task.worker_ids)
            return "failed"
        task.status = TaskResultStatus.READY
        task.save(update_fields=["status"])
        logger.warning("task %s requeued: worker %s stopped", task.pk, task.worker_ids[-1:])
        return "requeued"


def workers_recover(*, worker_id: str | None = None) -> dict[str, int]:
    """Requeue the tasks of dead workers, delete their pending files and forget them.

    `worker_id` is the caller, never taken for dead. Safe to run in every worker at once.
    """
    cutoff = timezone.now() - _lease()
    outcome = {"requeued": 0, "failed": 0, "files": 0, "workers": 0}
    live = set(
        WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    if worker_id:
        live.add(worker_id)
    # A task whose worker has no heartbeat at all (killed before this code, or restored from
    # a backup) counts once it has run longer than a lease.
    running = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
    for task_id, worker_ids in running.values_list("pk", "worker_ids"):
        if worker_ids and worker_ids[-1] in live:
            continue
        done = _task_requeue(task_id, live=live)
        if done:
            outcome[done] += 1
    dead = WorkerHeartbeat.objects.filter(beat_at__lt=cutoff).exclude(worker_id__in=live)
    for dead_id in dead.values_list("worker_id", flat=True):
        with transaction.atomic():
            # Locked while its files go: a paused worker waking now waits in lease_confirm()
            # and then finds its lease gone, so it never commits rows naming deleted files.
            row = (
                WorkerHeartbeat.objects.select_for_update(skip_locked=True)
                .filter(worker_id=dead_id, beat_at__lt=cutoff)
                .first()
            )
            if row is None:
                continue
            outcome["files"] += len(files.pending_files_sweep(owners=[dead_id]))
            row.delete()
            outcome["workers"] += 1
    return outcome
