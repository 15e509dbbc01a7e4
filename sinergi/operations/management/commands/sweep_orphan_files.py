from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sinergi.operations.files import SWEPT_PREFIXES, orphan_files_sweep


class Command(BaseCommand):
    help = (
        "Delete files Sinergi wrote (certificate PDFs and ZIPs) that no row names and that are "
        "older than --min-age-minutes: left by work that rolled back or a process that died."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-age-minutes",
            type=int,
            default=settings.SINERGI_ORPHAN_FILE_MINUTES,
            help="Only files untouched this long (default: SINERGI_ORPHAN_FILE_MINUTES).",
        )
        parser.add_argument("--dry-run", action="store_true", help="List, delete nothing.")

    def handle(self, *args, min_age_minutes: int, dry_run: bool, **options):
        if min_age_minutes < 1:
            # Younger files may belong to work still running: never swept.
            raise CommandError("--min-age-minutes must be at least 1.")
        swept = orphan_files_sweep(older_than=timedelta(minutes=min_age_minutes), dry_run=dry_run)
        for name in swept:
            self.stdout.write(name)
        verb = "would delete" if dry_run else "deleted"
        self.stderr.write(f"{verb} {len(swept)} orphan files under {', '.join(SWEPT_PREFIXES)}")
