"""Load the demo data: each app's `demo.seed(stdout)`, in INSTALLED_APPS order.

Every seed function is idempotent (it creates only what is missing), so `make run` calls this
on every start and the data is loaded once.
"""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils.module_loading import module_has_submodule


class Command(BaseCommand):
    help = "Load realistic demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        # Demo people live under .test addresses: the notifications their demo registrations
        # would trigger are dropped instead of queued for the worker.
        with override_settings(
            TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        ):
            self._seed()

    def _seed(self):
        for config in apps.get_app_configs():
            if not config.name.startswith("sinergi.") or not module_has_submodule(
                config.module, "demo"
            ):
                continue
            module = import_module(f"{config.name}.demo")
            with transaction.atomic():
                module.seed(self.stdout)
