"""Files written for work that may roll back, and the sweep of files no row names.

A PDF is written to storage before the row that names it commits (the row needs the name, and
S3 has no transactions). If the transaction rolls back the file is an orphan: with an error we
remove it at once; with a killed process nothing in it runs, so the name was recorded as a
`PendingFile` (committed first) and the next worker, or the periodic sweep, removes it.
"""

import logging
import os
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models, transaction
from django.utils import timezone

from .models import PendingFile

logger = logging.getLogger(__name__)

# Folders of files Sinergi writes itself (never a person's upload): the only ones swept.
SWEPT_PREFIXES = ("certificates/pdf/", "certificates/zip/")

_worker_id: str | None = None


def owner_set(worker_id: str | None) -> None:
    """Say this process is the worker `worker_id` (its lease then vouches for its files)."""
    global _worker_id
    _worker_id = worker_id


def owner() -> str:
    """Who writes files in this process: the worker's id, or host and process id."""
    return _worker_id or f"{socket.gethostname()}:{os.getpid()}"[:64]


def worker_id() -> str | None:
    return _worker_id


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # a file we cannot delete now is left to the sweep
        logger.exception("could not delete %s", name)


@contextmanager
def files_pending(names: list[str], *, storage: Storage = default_storage) -> Iterator[None]:
    """Record `names` as pending, run the block that writes them, forget them once it commits.

    Wrap the transaction that writes the files and the rows naming them. Outside a transaction
    the record commits at once, so a process killed in the block leaves it for the sweep; an
    error in the block removes the files at once.
    """
    mine = owner()
    PendingFile.objects.bulk_create([PendingFile(name=name, owner=mine) for name in names])
    try:
        yield
    except BaseException:
        for name in names:
            _delete_quietly(storage, name)
        try:
            PendingFile.objects.filter(name__in=names).delete()
        except Exception:  # the connection may be what failed; the sweep forgets them later
            logger.exception("could not forget pending files")
        raise
    transaction.on_commit(lambda: PendingFile.objects.filter(name__in=names).delete())


def _file_fields() -> Iterator[tuple[type[models.Model], str]]:
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field.attname


def name_referenced(name: str) -> bool:
    """Whether any row of any model names the file `name`."""
    return any(
        model._base_manager.filter(**{attname: name}).exists() for model, attname in _file_fields()
    )


def names_referenced(prefix: str) -> set[str]:
    """Every file name under `prefix` that some row names."""
    names: set[str] = set()
    for model, attname in _file_fields():
        names.update(
            model._base_manager.filter(**{f"{attname}__startswith": prefix}).values_list(
                attname, flat=True
            )
        )
    return names


def pending_files_sweep(
    *,
    owners: Iterable[str] | None = None,
    created_before: datetime | None = None,
    storage: Storage = default_storage,
) -> list[str]:
    """Delete the pending files of `owners` (dead) or older than `created_before` that no row
    names; forget their records. Return the names deleted."""
    rows = PendingFile.objects.all()
    if owners is not None:
        rows = rows.filter(owner__in=list(owners))
    if created_before is not None:
        rows = rows.filter(created_at__lt=created_before)
    deleted = []
    for row in rows.order_by("pk"):
        if not name_referenced(row.name):
            _delete_quietly(storage, row.name)
            deleted.append(row.name)
        row.delete()
    return deleted


def _walk(storage: Storage, prefix: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        yield prefix + name
    for folder in folders:
        yield from _walk(storage, f"{prefix}{folder}/")


def orphan_files_sweep(
    *, older_than: timedelta, dry_run: bool = False, storage: Storage = default_storage
) -> list[str]:
    """Delete files under SWEPT_PREFIXES that no row names and nobody touched for `older_than`.

    `older_than` must exceed the longest transaction that writes such files (a chunk of a
    bulk issue takes seconds): a file of work still running is never old enough.
    """
    cutoff = timezone.now() - older_than
    swept = [] if dry_run else pending_files_sweep(created_before=cutoff, storage=storage)
    for prefix in SWEPT_PREFIXES:
        keep = names_referenced(prefix) | set(
            PendingFile.objects.filter(name__startswith=prefix).values_list("name", flat=True)
        )
        for name in _walk(storage, prefix):
            if name in keep or storage.get_modified_time(name) >= cutoff:
                continue
            if not dry_run:
                _delete_quietly(storage, name)
            swept.append(name)
    return swept
