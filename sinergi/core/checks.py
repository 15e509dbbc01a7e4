"""Deploy checks of the signed documents: `manage.py check --deploy` says when certificates,
clearance letters and receipts would go out unsigned, or signed with the development key."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def signing_key_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn without the library's key; refuse the development key in production."""
    configured = settings.SINERGI_SIGNING_PKCS12 or settings.SINERGI_SIGNING_KEY
    if settings.SINERGI_SIGNING_DEVELOPMENT and not settings.DEBUG:
        return [
            checks.Error(
                "SINERGI_SIGNING_DEVELOPMENT is on: documents are signed with the DEVELOPMENT "
                "key, which nobody trusts.",
                hint="Configure the library's own key (docs/certificates.md) and turn it off.",
                id="core.E101",
            )
        ]
    if configured:
        return []
    return [
        checks.Warning(
            "No signing key is configured: certificates, clearance letters and receipts are "
            "issued without a digital signature.",
            hint="Set SINERGI_SIGNING_PKCS12 (or SINERGI_SIGNING_KEY and SINERGI_SIGNING_CERT); "
            "see docs/certificates.md.",
            id="core.W101",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def badge_key_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when no key signs Open Badges credentials (the badge downloads are then hidden)."""
    if settings.SINERGI_BADGE_KEY or settings.SINERGI_SIGNING_DEVELOPMENT:
        return []
    return [
        checks.Warning(
            "No Open Badges key is configured: certificates are offered without their digital "
            "badge.",
            hint="Set SINERGI_BADGE_KEY to an Ed25519 private key (PEM); see docs/certificates.md.",
            id="core.W102",
        )
    ]
