from datetime import timedelta

from django.conf import settings

from sinergi.core.scheduling import periodic_job

from .ratelimit import login_throttles_purge
from .services import unverified_accounts_purge


@periodic_job(every=timedelta(hours=1))
def purge_unverified_accounts() -> str:
    """Remove sign-ups whose e-mail address was never verified."""
    days = settings.SINERGI_UNVERIFIED_ACCOUNT_DAYS
    return f"purged {unverified_accounts_purge(older_than=timedelta(days=days))}"


@periodic_job(every=timedelta(hours=1))
def purge_login_throttles() -> str:
    """Forget failed log-ins older than the counting window."""
    return f"purged {login_throttles_purge()}"
