from datetime import timedelta

from django.core.management import call_command
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend

from .scheduling import periodic_job


@periodic_job(every=timedelta(days=1))
def clear_expired_sessions() -> None:
    """Delete expired sessions from the session store."""
    call_command("clearsessions")


@periodic_job(every=timedelta(days=1))
def prune_task_results() -> str | None:
    """Delete background-task results that finished more than 14 days ago."""
    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        return "skipped: tasks are not kept in the database"
    call_command("prune_db_task_results", "--queue-name", "*", "--min-age-days", "14", verbosity=0)
