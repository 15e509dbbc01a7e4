from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sinergi.certificates.services import CertificateError, certificates_issue_for_batch
from sinergi.training.models import Batch


class Command(BaseCommand):
    help = "Issue certificates to every completed participant of a batch, and report the counts."

    def add_arguments(self, parser):
        parser.add_argument("--batch", required=True, help="the batch's code, e.g. PPS-2026-01")
        parser.add_argument(
            "--no-email", action="store_true", help="do not e-mail the participants"
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=settings.SINERGI_CERTIFICATE_RENDER_PROCESSES,
            help="processes rendering the PDFs (default SINERGI_CERTIFICATE_RENDER_PROCESSES)",
        )

    def handle(self, *args, batch: str, no_email: bool, processes: int, **options):
        try:
            found = Batch.objects.select_related("program").get(code=batch)
        except Batch.DoesNotExist:
            raise CommandError(f"no batch with the code {batch!r}") from None
        try:
            result = certificates_issue_for_batch(
                batch=found, notify=not no_email, processes=processes
            )
        except CertificateError as error:
            raise CommandError(str(error.message)) from None
        self.stdout.write(
            f"{found.code}: issued {result.issued}, already had {result.already}, "
            f"not completed {result.not_completed}"
        )
