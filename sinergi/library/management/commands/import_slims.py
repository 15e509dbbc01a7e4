import json
import time

from django.core.management.base import BaseCommand, CommandError

from sinergi.library.slims import SlimsError, slims_import


class Command(BaseCommand):
    help = (
        "Import (or bring up to date) a SLiMS 9 library's catalogue, copies and, with "
        "--members, its members, reading its MySQL/MariaDB database read-only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database", required=True, help="mysql://user:password@host[:port]/database"
        )
        parser.add_argument(
            "--files",
            default="",
            help="SLiMS's folder with images/docs/ (covers) and repository/ (attachments).",
        )
        parser.add_argument("--members", action="store_true", help="Import members as accounts.")
        parser.add_argument(
            "--notify-members",
            action="store_true",
            help="E-mail each new member the link that verifies their address.",
        )
        parser.add_argument("--json", action="store_true", help="Print the outcome as JSON.")

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            report = slims_import(
                database_url=options["database"],
                files_dir=options["files"],
                members=options["members"] or options["notify_members"],
                notify_members=options["notify_members"],
            )
        except SlimsError as error:
            raise CommandError(str(error)) from None
        seconds = time.monotonic() - started
        if options["json"]:
            self.stdout.write(
                json.dumps({**report.as_json(), "seconds": round(seconds, 2)}, ensure_ascii=False)
            )
            return
        self.stdout.write(
            f"imported {report.imported}, updated {report.updated}, unchanged "
            f"{report.unchanged}, skipped {len(report.skipped)}; copies: "
            f"{report.holdings_imported} new, {report.holdings_updated} kept; files "
            f"{report.files_imported}, covers {report.covers_imported}; members "
            f"{report.members_imported} new, {report.members_updated} known ({seconds:.1f} s)"
        )
        for skipped in report.skipped:
            key = "biblio_id" if "biblio_id" in skipped else "member_id"
            self.stdout.write(f"  skipped {key} {skipped[key]}: {skipped['reason']}")
        for warning in report.warnings:
            self.stdout.write(f"  biblio_id {warning['biblio_id']}: {warning['warning']}")
