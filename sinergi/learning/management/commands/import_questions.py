"""Import a GIFT or Moodle XML question file into a bank (created if it does not exist)."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sinergi.learning.formats import QuestionFormatError
from sinergi.learning.services.questions import FORMATS, questions_import


class Command(BaseCommand):
    help = "Import questions from a GIFT or Moodle XML file into a question bank."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("--bank", required=True, help="Name of the bank (created if new).")
        parser.add_argument("file", help="The question file.")
        parser.add_argument(
            "--json", action="store_true", help="Print the result as one JSON object."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from None
        try:
            result = questions_import(
                format=options["format"], content=content, bank_name=options["bank"], actor=None
            )
        except QuestionFormatError as error:
            raise CommandError(f"{path}: {error.message} Nothing was imported.") from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        types = ", ".join(f"{qtype} {count}" for qtype, count in result.by_type.items())
        self.stdout.write(
            f"Imported {result.imported} question(s) into “{result.bank}” "
            f"({types or 'none'}; {result.categories} categor(y/ies))."
        )
        for skipped in result.skipped:
            self.stdout.write(f"Skipped “{skipped['question']}”: {skipped['reason']}")
