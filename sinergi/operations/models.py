import logging

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult, TaskResultStatus

logger = logging.getLogger(__name__)


class WorkerHeartbeat(models.Model):
    """A running background worker; it beats every few seconds while it lives.

    A worker whose last beat is older than the lease is taken for dead: the tasks it was
    running go back to the queue and the files it left half-written are removed.
    """

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), null=True)
    started_at = models.DateTimeField(_("started at"))
    beat_at = models.DateTimeField(_("last beat"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class PendingFile(models.Model):
    """A file written to storage for a transaction that has not committed yet.

    Recorded (and committed) before the file is written; removed once the transaction that
    names the file in a row commits. A row left behind means the transaction never committed:
    the file is an orphan unless some row names it, and the sweep removes it.
    """

    name = models.CharField(_("file"), max_length=255, unique=True)
    owner = models.CharField(_("owner"), max_length=64, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("pending file")
        verbose_name_plural = _("pending files")

    def __str__(self) -> str:
        return self.name


class LeasedTaskResult(DBTaskResult):
    """A task result that records its outcome only while it still belongs to this worker.

    A worker declared dead may finish after its task was given to another one: then the
    other worker's record wins.
    """

    class Meta:
        proxy = True

    def _still_ours(self) -> bool:
        current = (
            DBTaskResult.objects.filter(pk=self.pk).values_list("status", "worker_ids").first()
        )
        return (
            current is not None
            and current[0] == TaskResultStatus.RUNNING
            and current[1][-1:] == self.worker_ids[-1:]
        )

    def set_successful(self, return_value) -> None:
        if self._still_ours():
            super().set_successful(return_value)
        else:
            logger.warning("task %s finished here after another worker took it over", self.pk)

    def set_failed(self, exc: BaseException) -> None:
        if self._still_ours():
            super().set_failed(exc)
        else:
            logger.warning("task %s failed here after another worker took it over", self.pk)
