"""One archive holds everything Sinergi needs back after a loss: the database and the files.

The archive is a .tar.gz with `manifest.json` (format, time, version, migrations applied, the
fingerprint of the SECRET_KEY, every file's size and SHA-256), `database.jsonl` (Django's
dumpdata, one object a line) and `media/<name>` for each file in the default storage.

The database is written with dumpdata, not pg_dump: the same archive restores into PostgreSQL or
SQLite, needs no client tools of the server's version on the app machine, and records which
migrations made it, so a restore with newer code loads the rows into the schema they came from
and then migrates forward. See docs/OPERATIONS.md.

The SECRET_KEY is not in the archive (whoever has the archive would have it): only a
fingerprint, so that a restore refuses a different key, which would silently break every
calendar feed address, sign-in and password-reset link and session.
"""

import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.crypto import salted_hmac

import sinergi

FORMAT = 1
# Runtime state of this installation's processes, meaningless elsewhere.
EXCLUDED = ["operations.workerheartbeat", "operations.pendingfile"]
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The archive cannot be made or restored; the message says why."""


def secret_key_fingerprint(key: str | None = None) -> str:
    """A fingerprint of the SECRET_KEY that tells keys apart without revealing them."""
    key = settings.SECRET_KEY if key is None else key
    return salted_hmac("sinergi.operations.backup", "fingerprint", secret=key).hexdigest()[:32]


def _walk(storage: Storage, prefix: str = "") -> Iterator[str]:
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield prefix + name
    for folder in sorted(folders):
        yield from _walk(storage, f"{prefix}{folder}/")


def _applied_migrations(using: str) -> list[list[str]]:
    recorder = MigrationRecorder(connections[using])
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _dump(path: Path, using: str) -> None:
    """Dump every row as seen at one moment (one read-only snapshot on PostgreSQL)."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        call_command(
            "dumpdata",
            format="jsonl",
            output=str(path),
            exclude=EXCLUDED,
            use_base_manager=True,
            database=using,
            verbosity=0,
        )


@dataclass
class BackupResult:
    path: Path
    files: int
    bytes: int


def backup_write(
    *, path: Path, storage: Storage = default_storage, using: str = DEFAULT_DB_ALIAS
) -> BackupResult:
    """Write the database and every stored file into one archive at `path`."""
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "database.jsonl"
        migrations = _applied_migrations(using)
        # The database first: every file a row names already exists when it is copied.
        _dump(dump, using)
        files = []
        part = path.with_name(path.name + ".part")
        with tarfile.open(part, "w:gz") as archive:
            archive.add(dump, arcname="database.jsonl")
            for name in _walk(storage):
                digest = hashlib.sha256()
                with storage.open(name, "rb") as source, tempfile.TemporaryFile() as copy:
                    while block := source.read(CHUNK):
                        digest.update(block)
                        copy.write(block)
                    size = copy.tell()
                    copy.seek(0)
                    info = tarfile.TarInfo(f"media/{name}")
                    info.size = size
                    info.mtime = int(storage.get_modified_time(name).timestamp())
                    archive.addfile(info, copy)
                files.append({"name": name, "size": size, "sha256": digest.hexdigest()})
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "sinergi_version": sinergi.__version__,
                "database_vendor": connections[using].vendor,
                "migrations": migrations,
                "secret_key_fingerprint": secret_key_fingerprint(),
                "files": files,
            }
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, fileobj=io.BytesIO(data))
        part.replace(path)
    return BackupResult(path=path, files=len(files), bytes=sum(f["size"] for f in files))


def manifest_read(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile("manifest.json"))
    except (KeyError, ValueError) as error:
        raise BackupError(f"not a Sinergi backup (no readable manifest.json): {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    return manifest


def _targets(executor: MigrationExecutor, applied: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """The latest applied migration of each app: migrating to these rebuilds the schema."""
    graph = executor.loader.graph
    unknown = sorted(node for node in applied if node not in graph.nodes)
    if unknown:
        raise BackupError(
            "the backup was made by a newer Sinergi (migrations this code does not have: "
            + ", ".join(f"{app}.{name}" for app, name in unknown[:5])
            + "); restore it with that version"
        )
    targets = []
    for app in sorted({app for app, _name in applied}):
        nodes = [node for node in applied if node[0] == app]
        for node in nodes:
            # A node no other applied node of the app comes after.
            if not any(node in graph.forwards_plan(other) for other in nodes if other != node):
                targets.append(node)
    return targets


def _has_data(using: str) -> bool:
    connection = connections[using]
    if "accounts_user" not in connection.introspection.table_names():
        return False
    from django.contrib.auth import get_user_model

    return get_user_model()._base_manager.using(using).exists()


@dataclass
class RestoreResult:
    files: int
    objects: int


def backup_restore(
    *,
    path: Path,
    replace: bool = False,
    other_secret_key: bool = False,
    storage: Storage = default_storage,
    using: str = DEFAULT_DB_ALIAS,
) -> RestoreResult:
    """Restore the archive at `path` into this database and storage.

    The database must be empty (no account) unless `replace`; the SECRET_KEY must be the one
    the backup was made with unless `other_secret_key`.
    """
    with tarfile.open(path, "r:gz") as archive:
        manifest = manifest_read(archive)
        if manifest["secret_key_fingerprint"] != secret_key_fingerprint() and not other_secret_key:
            raise BackupError(
                "SECRET_KEY is not the one this backup was made with: calendar feed addresses, "
                "sign-in and password-reset links and sessions would stop working. Set the "
                "original SECRET_KEY, or restore anyway with --other-secret-key."
            )
        if _has_data(using) and not replace:
            raise BackupError(
                "the database already holds accounts; restore into an empty database, or "
                "erase it with --replace"
            )
        connection = connections[using]
        executor = MigrationExecutor(connection)
        targets = _targets(executor, {tuple(node) for node in manifest["migrations"]})
        executor.migrate(targets)
        call_command(
            "flush", interactive=False, inhibit_post_migrate=True, database=using, verbosity=0
        )
        with tempfile.TemporaryDirectory() as work:
            dump = Path(work) / "database.jsonl"
            with archive.extractfile("database.jsonl") as source, dump.open("wb") as target:
                shutil.copyfileobj(source, target, CHUNK)
            objects = sum(1 for _line in dump.open("rb"))
            call_command("loaddata", str(dump), database=using, verbosity=0)
        # Then the migrations this code has beyond the backup's (none with the same version).
        call_command("migrate", database=using, interactive=False, verbosity=0)
        for entry in manifest["files"]:
            _restore_file(archive, entry, storage=storage, replace=replace)
    return RestoreResult(files=len(manifest["files"]), objects=objects)


def _restore_file(archive: tarfile.TarFile, entry: dict, *, storage: Storage, replace: bool):
    name = entry["name"]
    source = archive.extractfile(f"media/{name}")
    if source is None:
        raise BackupError(f"the archive lacks the file {name}")
    with source, tempfile.TemporaryFile() as copy:
        digest = hashlib.sha256()
        while block := source.read(CHUNK):
            digest.update(block)
            copy.write(block)
        if digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"{name} in the archive is damaged (SHA-256 differs)")
        copy.seek(0)
        if storage.exists(name):
            if not replace:
                raise BackupError(f"{name} exists in the storage already; use --replace")
            storage.delete(name)
        stored = storage.save(name, copy)
    if stored != name:
        raise BackupError(f"{name} was stored as {stored}")
