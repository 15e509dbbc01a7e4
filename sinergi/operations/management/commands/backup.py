from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from sinergi.operations.backup import backup_write


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) with the database and every stored file; the SECRET_KEY "
        "is not in it, only its fingerprint (see docs/OPERATIONS.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", help="Archive to write (default: var/backups/sinergi-<time>.tar.gz)."
        )

    def handle(self, *args, output: str | None, **options):
        if output:
            path = Path(output)
        else:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            path = Path(settings.VAR_DIR) / "backups" / f"sinergi-{stamp}.tar.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        result = backup_write(path=path)
        self.stderr.write(f"{result.files} files, {result.bytes} bytes of files and the database")
        self.stdout.write(str(result.path))
