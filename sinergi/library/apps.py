from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "sinergi.library"
    label = "library"
    verbose_name = _("Digital library")

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the deploy checks)
