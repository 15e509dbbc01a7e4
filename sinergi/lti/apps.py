from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "sinergi.lti"
    label = "lti"
    verbose_name = _("LTI 1.3 (partners' LMS)")

    def ready(self) -> None:
        # The classroom announces finished attempts and completions; LTI sends them on to the
        # partner's gradebook (learning never imports us).
        from sinergi.learning.signals import attempt_finished, participant_completed

        from .receivers import score_on_attempt, score_on_completion

        attempt_finished.connect(score_on_attempt, dispatch_uid="lti.score_attempt")
        participant_completed.connect(score_on_completion, dispatch_uid="lti.score_completion")
