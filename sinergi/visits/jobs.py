from datetime import timedelta

from sinergi.core.scheduling import periodic_job

from .services import reservations_mark_no_shows


@periodic_job(every=timedelta(minutes=15))
def mark_no_shows() -> str:
    """Mark booked visits whose slot has ended without an arrival as no-shows."""
    return f"marked {reservations_mark_no_shows()}"
