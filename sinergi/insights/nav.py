from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Role
from sinergi.core.navigation import NavItem, register, register_group

FINANCE_READERS = frozenset({Role.FINANCE, Role.HEAD, Role.PROGRAM_MANAGER})
SPEAKER_READERS = frozenset({Role.FINANCE, Role.HEAD, Role.PROGRAM_MANAGER})
SPEAKER = frozenset({Role.SPEAKER})

register_group("insights", _("Finance and reports"), "graph-up")
register_group("speaking", _("Speaking"), "mic")
register(
    NavItem(
        _("Head's dashboard"),
        "insights:dashboard",
        "graph-up",
        50,
        frozenset({Role.HEAD}),
        group="insights",
    ),
    NavItem(
        _("Budgets and profit"), "insights:budgets", "calculator", 51, FINANCE_READERS,
        group="insights",
    ),
    NavItem(
        _("Speakers"), "insights:speakers", "person-video3", 52, SPEAKER_READERS,
        group="insights",
    ),
    NavItem(_("My teaching"), "insights:my_schedule", "mic", 60, SPEAKER, group="speaking"),
    NavItem(
        _("My evaluations"), "insights:my_evaluations", "star-half", 61, SPEAKER,
        group="speaking",
    ),
    NavItem(
        _("Speaker profile"), "insights:my_profile", "person-badge", 62, SPEAKER,
        group="speaking",
    ),
)  # fmt: skip
