from datetime import timedelta

from sinergi.core.scheduling import periodic_job

from .services import reminders_send_due


@periodic_job(every=timedelta(hours=1))
def send_agreement_reminders() -> str:
    """Remind persons in charge of agreements ending (180/90/30 days) and of overdue steps."""
    return f"sent {reminders_send_due()}"
