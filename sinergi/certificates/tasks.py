"""Background work of certificates: tasks take ids and call a service."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django_tasks import task

from sinergi.core.emails import email_send
from sinergi.training.models import Batch, Registration

from . import services
from .models import Certificate, CertificateArchive

logger = logging.getLogger(__name__)


@task()
def issue_certificate(*, registration_id: int) -> int | None:
    """Issue the certificate of a participant who completed; return its id."""
    registration = Registration.objects.get(pk=registration_id)
    try:
        certificate = services.certificate_issue(registration=registration)
    except services.CertificateError as error:
        # No template yet: staff issue for the batch once it exists (the batch page shows
        # the participants still waiting).
        logger.warning("certificate for registration %s not issued: %s", registration_id, error)
        return None
    return certificate.pk


@task()
def issue_for_batch(*, batch_id: int, actor_id: int | None = None) -> dict:
    """Issue the certificates of a whole batch (large batches are issued here, not in a page)."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    result = services.certificates_issue_for_batch(
        batch=Batch.objects.get(pk=batch_id),
        actor=actor,
        processes=settings.SINERGI_CERTIFICATE_RENDER_PROCESSES,
    )
    return {"issued": result.issued, "already": result.already}


@task()
def send_issued_emails(*, certificate_ids: list[int]) -> int:
    """Tell each holder their certificate is ready, in their language."""
    certificates = Certificate.objects.filter(pk__in=certificate_ids).select_related(
        "registration__user"
    )
    for certificate in certificates:
        user = certificate.registration.user
        email_send(
            to=[user.email],
            template="certificates/email/issued",
            context={"certificate": certificate, "user": user},
            language=user.language,
        )
    return len(certificates)


@task()
def build_archive(*, archive_id: int) -> str:
    archive = services.archive_build(archive=CertificateArchive.objects.get(pk=archive_id))
    return archive.status
