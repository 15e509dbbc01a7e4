from datetime import timedelta

from sinergi.core.scheduling import periodic_job

from .services.completion import completions_recompute_due
from .services.quizzes import attempts_close_overdue


@periodic_job(every=timedelta(minutes=1))
def close_overdue_attempts() -> str:
    """Submit quiz attempts whose time ran out while nobody was looking."""
    return f"closed {attempts_close_overdue()}"


@periodic_job(every=timedelta(minutes=10))
def record_due_completions() -> str:
    """Record completions that waited for their batch's last session to start."""
    return f"completed {completions_recompute_due()}"
