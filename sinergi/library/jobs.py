from datetime import timedelta

from sinergi.core.scheduling import periodic_job

from .services import holds_expire, loans_expire


@periodic_job(every=timedelta(minutes=5))
def return_ended_loans() -> str:
    """Return e-book loans past their end and pass unclaimed reservations on."""
    return f"returned {loans_expire()}, expired {holds_expire()}"
