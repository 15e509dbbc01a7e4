"""A worker is killed (SIGKILL) in the middle of a bulk certificate issue; another one finishes it.

Real processes on PostgreSQL: the first worker is killed while a chunk is rendered (its PDFs
are on disk, its transaction not committed). The second worker must see that the first one
stopped beating, take the task over, remove the files of the rolled-back chunk and issue the
rest: every participant gets exactly one certificate, numbers have no gap, and no file on disk
is left that no certificate names.
"""

import os
import signal
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from sinergi.certificates.models import Certificate, NumberSequence
from sinergi.certificates.tasks import issue_for_batch

from ..certificates.factories import CertificateTemplateFactory, CompletionFactory
from .workers import start_worker, stop, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="worker faults are proven on PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

PEOPLE = 8
CHUNK = 4
# Short enough to keep the test to a few seconds, long enough to never expire a live worker.
LEASE = {"SINERGI_WORKER_HEARTBEAT_SECONDS": "0.3", "SINERGI_WORKER_LEASE_SECONDS": "2"}


def pdfs_on_disk(media: Path) -> set[str]:
    root = media / "certificates" / "pdf"
    return (
        {p.relative_to(media).as_posix() for p in root.rglob("*.pdf")} if root.exists() else set()
    )


def pdfs_named() -> set[str]:
    return set(Certificate.objects.values_list("pdf", flat=True))


@pytest.fixture
def media(settings, tmp_path, reference_data):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://sinergi.example.ac.id"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return settings.MEDIA_ROOT


def test_a_killed_worker_s_bulk_issue_is_finished_by_the_next_worker(media, tmp_path):
    first = CompletionFactory()
    batch = first.registration.batch
    CertificateTemplateFactory(program=batch.program)
    CompletionFactory.create_batch(PEOPLE - 1, registration__batch=batch)
    result = issue_for_batch.enqueue(batch_id=batch.pk)
    env = {"SINERGI_CERTIFICATE_ISSUE_CHUNK": str(CHUNK), **LEASE}

    doomed = start_worker(tmp_path / "worker-1.log", **env)
    try:
        # Kill it once the first chunk is committed and the second is half rendered.
        wait_for(
            lambda: Certificate.objects.count() == CHUNK and len(pdfs_on_disk(media)) >= CHUNK + 1,
            timeout=60,
            step=0.005,
            what="the second chunk to be rendered",
        )
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
    finally:
        stop(doomed)
    # The fault really happened mid-chunk: rendered files that no certificate names.
    assert Certificate.objects.count() == CHUNK
    assert pdfs_on_disk(media) - pdfs_named(), "killed between chunks: the test proves nothing"
    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == "RUNNING"

    survivor = start_worker(tmp_path / "worker-2.log", **env)
    try:
        wait_for(
            lambda: DBTaskResult.objects.get(pk=result.id).status in {"SUCCESSFUL", "FAILED"},
            timeout=30,
            step=0.1,
            what="the next worker to finish the task",
        )
    finally:
        stop(survivor)

    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == "SUCCESSFUL", (tmp_path / "worker-2.log").read_text()
    assert len(task.worker_ids) == 2
    assert task.return_value == {"issued": PEOPLE - CHUNK, "already": CHUNK}
    certificates = list(Certificate.objects.all())
    assert len(certificates) == PEOPLE
    assert len({c.registration_id for c in certificates}) == PEOPLE
    numbers = sorted(int(c.number.split("/")[0]) for c in certificates)
    assert numbers == list(range(1, PEOPLE + 1))
    assert NumberSequence.objects.get().last == PEOPLE
    assert pdfs_on_disk(media) == pdfs_named()
