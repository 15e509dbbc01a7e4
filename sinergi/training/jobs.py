from datetime import timedelta

from sinergi.core.scheduling import periodic_job

from .services import registrations_expire_due, registrations_warn_expiring


@periodic_job(every=timedelta(minutes=1))
def expire_registrations() -> str:
    """Expire unpaid registrations and lapsed offers; offer their seats to the waiting list."""
    return f"expired {registrations_expire_due()}"


@periodic_job(every=timedelta(minutes=15))
def warn_expiring_registrations() -> str:
    """Remind people whose time to pay runs out within 12 hours."""
    return f"warned {registrations_warn_expiring()}"
