from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Keeping Sinergi running: worker leases, files of rolled-back work, backup and restore."""

    name = "sinergi.operations"
    verbose_name = _("Operations")
