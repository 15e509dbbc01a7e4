"""The one place certificates hear from the classroom."""

from .tasks import issue_certificate


def issue_on_completion(sender, *, completion, **kwargs) -> None:
    """Queue the certificate of a participant who has just completed (sent after commit)."""
    issue_certificate.enqueue(registration_id=completion.registration_id)
