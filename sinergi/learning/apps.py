from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "sinergi.learning"
    label = "learning"
    verbose_name = _("Online classroom")

    def ready(self) -> None:
        # Training's readiness checklist asks the classroom (training never imports us).
        from sinergi.training.readiness import readiness_check_register

        from .readiness import classroom_readiness

        readiness_check_register("learning", classroom_readiness)
