from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "sinergi.certificates"
    label = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        # The classroom announces completions; certificates listen (learning never imports us).
        from sinergi.learning.signals import participant_completed
        from sinergi.training.readiness import readiness_check_register

        from .readiness import certificate_readiness
        from .receivers import issue_on_completion

        participant_completed.connect(issue_on_completion, dispatch_uid="certificates.issue")
        readiness_check_register("certificates", certificate_readiness)
