import importlib
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django_tasks import task_backends
from django_tasks.backends.immediate import ImmediateBackend

from .factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Send e-mail at once into mail.outbox and hash passwords cheaply."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # django_tasks rebuilds its backends on setting_changed; prove it so no test ever queues
    # a mail into the database backend and waits for a worker that never comes.
    assert isinstance(task_backends["default"], ImmediateBackend)
    cache.clear()
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def user(db):
    return UserFactory(roles=["participant"])


@pytest.fixture
def admin_user(db):
    return UserFactory(roles=["admin"], full_name="Admin Sinergi")


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def login(client, email: str, password: str = PASSWORD, **extra):
    """Log in through the login page, as a person does (the pauses after failures need it)."""
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match, "page has no <html lang>"
    return match.group(1)


# Data migrations whose rows the pages need. A transactional test (live server, threads) runs
# outside a transaction, so the database is flushed after it and these rows are gone for the
# next test; load them again.
# (serialized_rollback would restore them too, but leaves the database empty after the test,
# with a stale ContentType cache that breaks later transactional tests.)
REFERENCE_DATA = [
    ("sinergi.accounts.migrations.0003_roles", "create_roles"),
    ("sinergi.core.migrations.0002_reference_data", "load"),
    ("sinergi.partners.migrations.0002_reference_data", "load"),
    ("sinergi.training.migrations.0004_honorarium_defaults", "load"),
]


@pytest.fixture
def reference_data(transactional_db) -> None:
    """Make sure the roles, provinces and institution types from migrations exist."""
    from django.apps import apps

    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(apps, None)
