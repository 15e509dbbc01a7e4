from datetime import timedelta

from django.utils import timezone

from sinergi.core.scheduling import periodic_job

from .models import LoginRequest
from .services import scores_due
from .tasks import send_score


@periodic_job(every=timedelta(minutes=1))
def send_due_scores() -> str:
    """Queue the scores whose (next) try is due: new ones a worker missed, failed ones again."""
    due = scores_due()
    for score_id in due:
        send_score.enqueue(score_id=score_id)
    return f"queued {len(due)}"


@periodic_job(every=timedelta(days=1))
def purge_login_requests() -> str:
    """Delete login states older than a day (a launch uses them within minutes)."""
    deleted, _ = LoginRequest.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=1)
    ).delete()
    return f"deleted {deleted}"
