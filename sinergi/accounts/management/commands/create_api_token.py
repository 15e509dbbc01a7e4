from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sinergi.accounts import services
from sinergi.accounts.models import Role, User


class Command(BaseCommand):
    help = "Create a personal API token for EMAIL and print only the token."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--create", action="store_true", help="Create the user if missing.")
        parser.add_argument("--role", choices=Role.values, help="Give the user this role.")
        parser.add_argument("--name", default="command line", help="A name for the token.")

    def handle(self, *args, email: str, create: bool, role: str | None, name: str, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            if not create:
                raise CommandError(f"No user with e-mail {email}; use --create to make one.")
            user = User.objects.create_user(
                email=email,
                password=None,
                full_name=email.split("@")[0],
                email_verified_at=timezone.now(),
            )
        if role:
            services.user_grant_role(user=user, role=role, actor=None)
        _token, raw = services.api_token_create(user=user, name=name)
        self.stdout.write(raw)
