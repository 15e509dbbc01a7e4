"""Load the demo data: each app's `demo.seed(stdout)`, in INSTALLED_APPS order.

Every seed function is idempotent (it creates only what is missing), so `make run` calls this
on every start and the data is loaded once. The data is placed relative to the moment the
command runs and made through the product's own services, so it obeys the same rules (limits,
opening hours, holidays, windows) on any day.

An app whose demo data cannot be made is rolled back alone and named, with the reason, in one
line on standard error; the other apps are still seeded and the command succeeds, so `make run`
still serves the product. `--strict` (the tests) raises instead.
"""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils.module_loading import module_has_submodule


class Command(BaseCommand):
    help = "Load realistic demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--strict", action="store_true", help="Stop with the error when an app's seed fails."
        )

    def handle(self, *args, strict=False, **options):
        # Before any certificate, letter or receipt is made: they are signed with it.
        if settings.DEBUG or settings.SINERGI_SIGNING_DEVELOPMENT:
            call_command("signing_dev_key", stdout=self.stdout)
        # Demo people live under .test addresses: the notifications their demo registrations
        # would trigger are dropped instead of queued for the worker.
        with override_settings(
            TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        ):
            failed = self._seed(strict=strict)
        if failed:
            self.stderr.write(
                f"Demo data incomplete ({', '.join(failed)}); the rest is ready and Sinergi "
                "runs without it."
            )

    def _seed(self, *, strict: bool) -> list[str]:
        failed = []
        for config in apps.get_app_configs():
            if not config.name.startswith("sinergi.") or not module_has_submodule(
                config.module, "demo"
            ):
                continue
            module = import_module(f"{config.name}.demo")
            try:
                with transaction.atomic():
                    module.seed(self.stdout)
            except Exception as error:
                if strict:
                    raise
                failed.append(config.label)
                reason = " ".join(str(error).split()) or type(error).__name__
                self.stderr.write(f"Demo data for {config.label} not made: {reason}")
        return failed
