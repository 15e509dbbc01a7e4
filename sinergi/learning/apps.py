from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "sinergi.learning"
    label = "learning"
    verbose_name = _("Online classroom")
