"""Background work of LTI: tasks take ids and call a service."""

from django_tasks import task

from . import services


@task()
def send_score(*, score_id: int) -> str:
    """Send one score to the platform's gradebook (never twice; failures are retried)."""
    return services.score_send(score_id=score_id)
