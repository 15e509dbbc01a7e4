from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(*, to: list[str], subject: str, body: str) -> int:
    """Deliver one plain-text e-mail."""
    return send_mail(subject, body, None, to, fail_silently=False)
