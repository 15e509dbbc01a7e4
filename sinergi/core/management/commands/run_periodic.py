import time

from django.core.management.base import BaseCommand

from sinergi.core.scheduling import run_due_jobs


class Command(BaseCommand):
    help = "Run the periodic jobs that are due. Call every minute from cron, or use --loop."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep running, checking every --interval seconds."
        )
        parser.add_argument("--interval", type=int, default=60)
        parser.add_argument("--force", action="store_true", help="Run every job now.")

    def handle(self, *args, loop: bool, interval: int, force: bool, **options):
        while True:
            for name, outcome in run_due_jobs(force=force).items():
                self.stdout.write(f"{name}: {outcome}")
            if not loop:
                return
            time.sleep(interval)
