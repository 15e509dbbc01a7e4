from django.core.management.base import BaseCommand

from sinergi.lti.services import tool_key_rotate


class Command(BaseCommand):
    help = "Make a new LTI signing key; the old one stays in the JWKS for the grace period."

    def handle(self, *args, **options):
        key = tool_key_rotate(actor=None)
        self.stdout.write(f"new key {key.kid}")
