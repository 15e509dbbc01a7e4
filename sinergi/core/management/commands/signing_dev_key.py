"""Make the development signing key (var/signing/development.p12) when there is none."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sinergi.core.signing import (
    badge_development_key_create,
    badge_development_path,
    development_key_create,
    development_path,
)


class Command(BaseCommand):
    help = (
        "Create a DEVELOPMENT signing key with a self-signed chain in var/signing/ for signed "
        "PDFs under DEBUG. Not trusted by anyone; production configures the library's own key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Replace an existing key.")

    def handle(self, *args, force=False, **options):
        if not (settings.DEBUG or settings.SINERGI_SIGNING_DEVELOPMENT):
            raise CommandError("A development key is for DEBUG (or SINERGI_SIGNING_DEVELOPMENT).")
        badge = badge_development_path()
        if settings.SINERGI_BADGE_KEY:
            self.stdout.write("A badge key is configured; no development badge key made.")
        elif force or not badge.exists():
            badge_development_key_create(path=badge)
            self.stdout.write(f"Development badge key made (DEVELOPMENT, Ed25519): {badge}")
        if settings.SINERGI_SIGNING_PKCS12 or settings.SINERGI_SIGNING_KEY:
            self.stdout.write("A signing key is configured; no development key made.")
            return
        path = development_path()
        if path.exists() and not force:
            self.stdout.write(f"Development signing key: {path}")
            return
        development_key_create(path=path, organisation=settings.SINERGI_HOST_SHORT_NAME)
        self.stdout.write(f"Development signing key made (DEVELOPMENT, not trusted): {path}")
