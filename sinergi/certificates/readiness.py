"""The certificate item of a batch's readiness checklist (see training.readiness)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from sinergi.training.readiness import ReadinessItem

from .models import CertificateTemplate


def certificate_readiness(batch) -> list[ReadinessItem]:
    own = CertificateTemplate.objects.filter(batch=batch).exists()
    program = CertificateTemplate.objects.filter(
        program_id=batch.program_id, batch__isnull=True
    ).exists()
    if own:
        detail = _("The batch's own template.")
    elif program:
        detail = _("The program's template.")
    else:
        detail = _("No template for the program or the batch.")
    fix = reverse("certificates:batch_template", args=[batch.pk])
    return [
        ReadinessItem(
            "certificate", _("Certificate template"), own or program, detail, fix, order=50
        )
    ]
