"""System checks of the library's standards: `manage.py check --deploy` refuses what would
make the OAI-PMH endpoint answer outside its schema."""

import re

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# OAI-PMH.xsd's emailType: the Identify answer fails the schema without a dot in the domain.
_OAI_EMAIL = re.compile(r"\S+@(\S+\.)+\S+")


@checks.register(checks.Tags.compatibility, deploy=True)
def oai_admin_email_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse an OAI-PMH adminEmail that is not a deliverable-looking address."""
    email = settings.SINERGI_OAI_ADMIN_EMAIL
    try:
        validate_email(email)
    except ValidationError:
        valid = False
    else:
        valid = bool(_OAI_EMAIL.fullmatch(email))
    if valid:
        return []
    return [
        checks.Error(
            f"SINERGI_OAI_ADMIN_EMAIL {email!r} is not an e-mail address OAI-PMH.xsd accepts "
            "(user@domain.tld); OAI-PMH harvesters would reject the Identify answer.",
            hint="Set SINERGI_OAI_ADMIN_EMAIL (or SINERGI_SUPPORT_EMAIL) to the address of "
            "the person who runs the repository.",
            id="library.E001",
        )
    ]
