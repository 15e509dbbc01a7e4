import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sinergi.library.marc import MarcFileError, marc_import


class Command(BaseCommand):
    help = "Import MARC 21 records (ISO 2709 in MARC-8 or UTF-8, or MARCXML) into the catalogue."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="Print the outcome as JSON.")

    def handle(self, *args, file: str, json: bool = False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            report = marc_import(data=path.read_bytes())
        except MarcFileError as error:
            raise CommandError(str(error)) from None
        if json:
            self.stdout.write(_dumps(report.as_dict()))
            return
        self.stdout.write(
            f"imported {report.imported}, updated {report.updated}, skipped {len(report.skipped)}"
        )
        for skipped in report.skipped:
            self.stdout.write(f"  record {skipped['record']}: {skipped['reason']}")
        for warning in report.warnings:
            self.stdout.write(f"  record {warning['record']}: {warning['warning']}")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
