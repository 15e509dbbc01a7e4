from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sinergi.operations.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup` into an empty database and storage, with the "
        "same SECRET_KEY (see docs/OPERATIONS.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--replace", action="store_true", help="Erase the database and files it replaces."
        )
        parser.add_argument(
            "--other-secret-key",
            action="store_true",
            help="Restore although SECRET_KEY differs (feed, sign-in and reset links break).",
        )

    def handle(self, *args, archive: str, replace: bool, other_secret_key: bool, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"no archive at {path}")
        try:
            result = backup_restore(path=path, replace=replace, other_secret_key=other_secret_key)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"restored {result.objects} objects and {result.files} files")
