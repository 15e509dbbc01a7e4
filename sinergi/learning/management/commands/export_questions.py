"""Write a question bank to stdout as Moodle XML."""

from django.core.management.base import BaseCommand, CommandError

from sinergi.learning.models import QuestionBank
from sinergi.learning.selectors.questions import bank_export_moodle_xml


class Command(BaseCommand):
    help = "Export a question bank as Moodle XML (to stdout)."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=["moodlexml"])
        parser.add_argument("--bank", required=True, help="Name of the bank.")

    def handle(self, *args, **options):
        bank = QuestionBank.objects.filter(name=options["bank"]).first()
        if bank is None:
            raise CommandError(f"No question bank is called “{options['bank']}”.")
        self.stdout.write(bank_export_moodle_xml(bank=bank).decode("utf-8"), ending="")
