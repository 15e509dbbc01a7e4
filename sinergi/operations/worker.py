"""The background worker with a lease: django-tasks-db's worker, plus a heartbeat thread."""

import logging
import os
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from . import files, leases
from .models import LeasedTaskResult

logger = logging.getLogger(__name__)

# Exit status of a worker that lost its lease (the supervisor starts a fresh one).
LEASE_LOST_EXIT = 75


class Heartbeat(threading.Thread):
    """Beat for the worker and recover the tasks of dead ones, every few seconds."""

    def __init__(self, worker_id: str):
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()

    def run(self) -> None:
        interval = settings.SINERGI_WORKER_HEARTBEAT_SECONDS
        try:
            while not self.stopping.wait(interval):
                self.beat()
        finally:
            connection.close()

    def beat(self) -> None:
        try:
            close_old_connections()
            leases.heartbeat_beat(worker_id=self.worker_id)
            outcome = leases.workers_recover(worker_id=self.worker_id)
        except leases.LeaseLost:
            # The others took this worker for dead and gave its task away: stop at once, so
            # that nothing it is doing commits (the transaction dies with the connection).
            logger.error("worker %s lost its lease; exiting", self.worker_id)
            os._exit(LEASE_LOST_EXIT)
        except Exception:  # a busy or lost database: try again at the next beat
            logger.exception("heartbeat of worker %s failed", self.worker_id)
            return
        if any(outcome.values()):
            logger.warning("recovered from dead workers: %s", outcome)


class LeasedWorker(Worker):
    def run(self) -> None:
        files.owner_set(self.worker_id)
        leases.heartbeat_beat(worker_id=self.worker_id, first=True)
        outcome = leases.workers_recover(worker_id=self.worker_id)
        if any(outcome.values()):
            logger.warning("recovered from dead workers: %s", outcome)
        heartbeat = Heartbeat(self.worker_id)
        heartbeat.start()
        try:
            super().run()
        finally:
            heartbeat.stopping.set()
            heartbeat.join(timeout=10)
            leases.heartbeat_end(worker_id=self.worker_id)
            files.owner_set(None)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        db_task_result.__class__ = LeasedTaskResult
        super().run_task(db_task_result)
