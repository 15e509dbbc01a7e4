"""Periodic jobs: each app lists its own in `<app>/jobs.py` with `@periodic_job(every=...)`.

`python manage.py run_periodic` (from cron every minute, or `--loop` beside the worker) runs the
jobs that are due. A job is claimed with one conditional UPDATE, so when several machines call
the command at once each due job still runs once. Jobs must be idempotent: a crash half-way
is mended by the next run.
"""

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import PeriodicJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    func: Callable[[], object]


_jobs: dict[str, Job] = {}


def periodic_job(*, every: timedelta, name: str | None = None):
    """Register the decorated function to run every `every`."""

    def register(func: Callable[[], object]) -> Callable[[], object]:
        job_name = name or f"{func.__module__.removeprefix('sinergi.')}.{func.__name__}"
        _jobs[job_name] = Job(name=job_name, every=every, func=func)
        return func

    return register


def registered_jobs() -> dict[str, Job]:
    """Return every job from every installed app's `jobs` module."""
    autodiscover_modules("jobs")
    return dict(_jobs)


def _claim(job: Job, now) -> bool:
    row, _ = PeriodicJob.objects.get_or_create(name=job.name)
    claimed = (
        PeriodicJob.objects.filter(pk=row.pk)
        .filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
        .update(next_run_at=now + job.every, last_started_at=now)
    )
    return claimed == 1


def run_due_jobs(*, force: bool = False) -> dict[str, str]:
    """Run every job that is due (or all, with `force`); return each run job's outcome."""
    outcomes: dict[str, str] = {}
    for job in registered_jobs().values():
        now = timezone.now()
        if not _claim(job, now) and not force:
            continue
        try:
            result = job.func()
        except Exception:
            logger.exception("periodic job %s failed", job.name)
            PeriodicJob.objects.filter(name=job.name).update(
                last_finished_at=timezone.now(), last_error=traceback.format_exc()[-4000:]
            )
            outcomes[job.name] = "error"
            continue
        PeriodicJob.objects.filter(name=job.name).update(
            last_finished_at=timezone.now(), last_error=""
        )
        outcomes[job.name] = "ok" if result is None else str(result)
    return outcomes
