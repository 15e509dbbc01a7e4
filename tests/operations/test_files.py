"""Files of rolled-back work: removed on error, swept when a process died, kept when named."""

import io
import os
import time
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction

from sinergi.certificates import services
from sinergi.certificates.models import Certificate
from sinergi.operations.files import files_pending, orphan_files_sweep
from sinergi.operations.models import PendingFile

from ..certificates.factories import CertificateTemplateFactory, CompletionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path, reference_data):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://sinergi.example.ac.id"
    return settings.MEDIA_ROOT


def files_under(media, folder="certificates/pdf") -> set[str]:
    root = media / folder
    return {p.relative_to(media).as_posix() for p in root.rglob("*") if p.is_file()}


def age(media, name: str, *, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(media / name, (then, then))


def test_an_error_in_the_block_removes_the_files_it_wrote(media):
    with (
        pytest.raises(RuntimeError),
        files_pending(["certificates/pdf/a.pdf"]),
        transaction.atomic(),
    ):
        default_storage.save("certificates/pdf/a.pdf", io.BytesIO(b"%PDF"))
        raise RuntimeError("render failed")
    assert files_under(media) == set()
    assert not PendingFile.objects.exists()


def test_a_chunk_that_fails_half_way_leaves_no_pdf(
    media, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SINERGI_CERTIFICATE_ISSUE_CHUNK = 3
    first = CompletionFactory()
    batch = first.registration.batch
    CertificateTemplateFactory(program=batch.program)
    CompletionFactory.create_batch(5, registration__batch=batch)
    render = services.CertificateRenderer.render
    calls = []

    def render_then_fail(self, data):
        calls.append(data.number)
        if len(calls) == 5:  # the second PDF of the second chunk
            raise RuntimeError("renderer crashed")
        return render(self, data)

    monkeypatch.setattr(services.CertificateRenderer, "render", render_then_fail)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        services.certificates_issue_for_batch(batch=batch, notify=False)

    assert Certificate.objects.count() == 3
    assert files_under(media) == set(Certificate.objects.values_list("pdf", flat=True))
    assert not PendingFile.objects.exists()

    monkeypatch.setattr(services.CertificateRenderer, "render", render)
    result = services.certificates_issue_for_batch(batch=batch, notify=False)
    assert (result.issued, result.already) == (3, 3)
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert [n[:4] for n in numbers] == ["0001", "0002", "0003", "0004", "0005", "0006"]


def test_a_second_run_of_the_same_chunk_issues_nobody_twice(media):
    first = CompletionFactory()
    batch = first.registration.batch
    template = CertificateTemplateFactory(program=batch.program)
    CompletionFactory.create_batch(2, registration__batch=batch)
    registrations = list(batch.registrations.select_related("batch__program", "user", "completion"))

    issued = services._issue_many(
        registrations=registrations, template=template, actor=None, notify=False
    )
    # A run that read the list before the first one committed (a resumed worker, a 2nd click).
    again = services._issue_many(
        registrations=registrations, template=template, actor=None, notify=False
    )

    assert (len(issued), again) == (3, [])
    assert Certificate.objects.count() == 3
    assert files_under(media) == set(Certificate.objects.values_list("pdf", flat=True))


def test_the_sweep_removes_old_orphans_only(media, completion_certificate):
    named = completion_certificate.pdf.name
    for name in ("certificates/pdf/2026/orphan.pdf", "certificates/pdf/2026/young.pdf"):
        default_storage.save(name, io.BytesIO(b"%PDF"))
    default_storage.save("certificates/assets/logo-upload.png", io.BytesIO(b"x"))
    for name in (named, "certificates/pdf/2026/orphan.pdf", "certificates/assets/logo-upload.png"):
        age(media, name, hours=48)

    assert orphan_files_sweep(older_than=timedelta(hours=24), dry_run=True) == [
        "certificates/pdf/2026/orphan.pdf"
    ]
    assert (media / "certificates/pdf/2026/orphan.pdf").exists()
    call_command("sweep_orphan_files", "--min-age-minutes", str(24 * 60))

    assert files_under(media) == {named, "certificates/pdf/2026/young.pdf"}
    assert (media / "certificates/assets/logo-upload.png").exists()  # not ours to sweep


def test_the_sweep_forgets_old_pending_records_and_their_files(media):
    default_storage.save("certificates/pdf/2026/left.pdf", io.BytesIO(b"%PDF"))
    PendingFile.objects.create(name="certificates/pdf/2026/left.pdf", owner="web:123")
    PendingFile.objects.filter().update(
        created_at=PendingFile.objects.get().created_at - timedelta(days=2)
    )

    orphan_files_sweep(older_than=timedelta(hours=24))

    assert files_under(media) == set()
    assert not PendingFile.objects.exists()


@pytest.fixture
def completion_certificate(db):
    completion = CompletionFactory()
    CertificateTemplateFactory(program=completion.registration.batch.program)
    return services.certificate_issue(registration=completion.registration, notify=False)
