"""Backup and restore: an archive restored into an empty database gives back every file byte
for byte, and the links people hold (calendar feed, password reset) still work."""

import shutil
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sinergi.accounts.models import User
from sinergi.certificates import services
from sinergi.certificates.models import Certificate
from sinergi.learning import ical

from ..certificates.factories import CertificateTemplateFactory, CompletionFactory
from ..learning.factories import SessionFactory


def media_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def without_stamps(ics: bytes) -> list[bytes]:
    """The feed's lines but the time it was made (DTSTAMP)."""
    return [line for line in ics.split(b"\r\n") if not line.startswith(b"DTSTAMP")]


def drop_every_table() -> None:
    """Leave the database as a new one: no table, no migration recorded."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            return
        cursor.execute("PRAGMA foreign_keys=OFF")
        rows = cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        # Full-text tables first: they drop their own shadow tables.
        for name, _sql in sorted(rows, key=lambda row: not (row[1] or "").startswith("CREATE V")):
            cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
        cursor.execute("PRAGMA foreign_keys=ON")
    assert connection.introspection.table_names() == []


@pytest.fixture
def world(settings, tmp_path, reference_data):
    """A participant with a session and a certificate: rows and files in storage."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://sinergi.example.ac.id"
    completion = CompletionFactory(registration__user__full_name="Siti Nur'aini")
    batch = completion.registration.batch
    CertificateTemplateFactory(program=batch.program)
    SessionFactory(batch=batch, title="Katalogisasi RDA")
    services.certificate_issue(registration=completion.registration, notify=False)
    return completion.registration.user


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_gives_everything_back(
    world, client, settings, tmp_path
):
    user = world
    feed = reverse("learning:calendar_feed", args=[ical.feed_token(user)])
    reset = reverse(
        "accounts:password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    feed_before = client.get(feed)
    assert feed_before.status_code == 200
    files_before = media_files(settings.MEDIA_ROOT)
    assert any(name.startswith("certificates/pdf/") for name in files_before)
    counts_before = (User.objects.count(), Certificate.objects.count())
    archive = tmp_path / "backup.tar.gz"

    call_command("backup", "--output", str(archive))

    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", "database.jsonl"} <= names
    assert settings.SECRET_KEY.encode() not in archive.read_bytes()  # gzip: look inside too
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            assert settings.SECRET_KEY.encode() not in tar.extractfile(member).read()

    # The machine is lost: a new, empty database and an empty media folder.
    drop_every_table()
    shutil.rmtree(settings.MEDIA_ROOT)
    settings.MEDIA_ROOT = tmp_path / "new-media"

    call_command("restore", str(archive))

    assert media_files(settings.MEDIA_ROOT) == files_before
    assert (User.objects.count(), Certificate.objects.count()) == counts_before
    certificate = Certificate.objects.get()
    assert certificate.pdf.read() == files_before[certificate.pdf.name]
    feed_after = client.get(feed)
    assert feed_after.status_code == 200
    assert without_stamps(feed_after.content) == without_stamps(feed_before.content)
    assert b"Katalogisasi RDA" in feed_after.content
    # The password-reset link mailed before the loss still opens the set-password form.
    response = client.get(reset)
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_a_restore_with_another_secret_key_is_refused(world, settings, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "--output", str(archive))
    settings.SECRET_KEY = "another-key-" + "x" * 40

    with pytest.raises(CommandError, match="SECRET_KEY is not the one"):
        call_command("restore", str(archive))


@pytest.mark.django_db
def test_a_restore_over_live_data_is_refused(world, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "--output", str(archive))

    with pytest.raises(CommandError, match="already holds accounts"):
        call_command("restore", str(archive))
    assert User.objects.filter(pk=world.pk).exists()


def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz"):
        pass
    with pytest.raises(CommandError, match="not a Sinergi backup"):
        call_command("restore", str(bogus))
