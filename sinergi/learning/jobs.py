from datetime import timedelta

from sinergi.core.scheduling import periodic_job

from .services.quizzes import attempts_close_overdue


@periodic_job(every=timedelta(minutes=1))
def close_overdue_attempts() -> str:
    """Submit quiz attempts whose time ran out while nobody was looking."""
    return f"closed {attempts_close_overdue()}"
