"""A large GIFT or Moodle XML file is imported by a background task: the request that uploads
it returns at once, a status page shows the progress, a broken file imports nothing and names
its line, and a failure while saving takes back the chunks already written."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sinergi.learning.models import Answer, ImportStatus, Question, QuestionImport
from sinergi.learning.services import questions as services

from ..factories import UserFactory
from .factories import QuestionBankFactory

pytestmark = pytest.mark.django_db


def gift(count: int, *, broken_at: int | None = None) -> bytes:
    lines = []
    for n in range(1, count + 1):
        if n == broken_at:
            lines.append(f"::Q{n}:: Pertanyaan rusak {{=jawaban ~tanpa penutup\n")
        else:
            lines.append(
                f"::Q{n}:: Kepanjangan MARC ({n})? "
                "{=Machine-Readable Cataloging ~Manual Record Catalogue ~Machine Record Code}\n"
            )
    return "\n".join(lines).encode()


@pytest.fixture
def manager(settings):
    # The assertions read the English messages.
    settings.LANGUAGE_CODE = "en"
    return UserFactory(roles=["program_manager"], language="en")


@pytest.fixture
def manager_client(client, manager, settings):
    client.force_login(manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def post_file(client, bank, content: bytes, format: str = "gift"):
    return client.post(
        reverse("learning:bank_import", args=[bank.pk]),
        {"format": format, "file": SimpleUploadedFile("bank.gift", content)},
    )


def test_a_large_file_goes_to_the_background_and_its_progress_is_shown(
    manager_client, settings, django_capture_on_commit_callbacks
):
    settings.SINERGI_QUESTION_IMPORT_INLINE_MAX_BYTES = 10_000
    bank = QuestionBankFactory()
    content = gift(3000)
    assert len(content) > 10_000
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post_file(manager_client, bank, content)
    # Nothing is parsed or saved in the request (the first request of a process is slow alone).
    assert time.perf_counter() - started < 10
    job = QuestionImport.objects.get()
    status_url = reverse("learning:bank_import_status", args=[bank.pk, job.pk])
    assert response.status_code == 302 and response["Location"] == status_url
    assert job.status == ImportStatus.QUEUED and not Question.objects.exists()
    page = manager_client.get(status_url)
    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert "HX-Request" in page["Vary"]

    for callback in queued:  # the worker picks the task up (ImmediateBackend runs it now)
        callback()
    job.refresh_from_db()
    assert (job.status, job.total, job.saved) == ("done", 3000, 3000)
    assert job.content == b""  # the file does not stay in the database
    assert bank.questions.count() == 3000 and Answer.objects.count() == 9000
    fragment = manager_client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "hx-trigger" not in fragment  # finished: polling stops
    assert "3000 questions imported." in fragment


def test_the_status_part_shows_the_saving_progress(manager_client):
    bank = QuestionBankFactory()
    job = QuestionImport.objects.create(
        bank=bank, format="gift", filename="besar.gift", status="saving", total=2000, saved=500
    )
    url = reverse("learning:bank_import_status", args=[bank.pk, job.pk])
    fragment = manager_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "500 of 2000 questions saved." in fragment and "25%" in fragment
    assert 'hx-trigger="every 2s"' in fragment


def test_a_broken_large_file_imports_nothing_and_names_its_line(
    manager_client, settings, django_capture_on_commit_callbacks
):
    settings.SINERGI_QUESTION_IMPORT_INLINE_MAX_BYTES = 10_000
    bank = QuestionBankFactory()
    content = gift(2000, broken_at=1500)
    line = (
        content.decode()
        .splitlines()
        .index(next(text for text in content.decode().splitlines() if "rusak" in text))
        + 1
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(manager_client, bank, content)
    job = QuestionImport.objects.get()
    assert job.status == "failed" and not Question.objects.exists()
    page = manager_client.get(response["Location"]).content.decode()
    assert f"line {line}" in page.lower() or f"Line {line}" in page
    assert "nothing was saved" in page


def test_a_failure_while_saving_takes_back_the_chunks_already_written(
    manager, monkeypatch, settings
):
    bank = QuestionBankFactory()
    original = services._create_questions
    calls = []

    def fail_on_the_third_chunk(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return original(*args)

    monkeypatch.setattr(services, "_create_questions", fail_on_the_third_chunk)
    job = QuestionImport.objects.create(
        bank=bank, requested_by=manager, format="gift", content=gift(1200)
    )
    services.question_import_run(job=job)
    job.refresh_from_db()
    assert len(calls) == 3  # two chunks of 500 were committed before the failure
    assert job.status == "failed" and "nothing of the file was kept" in job.error
    assert not Question.objects.exists() and not Answer.objects.exists()


def test_a_job_runs_once(manager):
    bank = QuestionBankFactory()
    job = QuestionImport.objects.create(
        bank=bank, requested_by=manager, format="gift", content=gift(10)
    )
    services.question_import_run(job=job)
    services.question_import_run(job=QuestionImport.objects.get(pk=job.pk))
    assert bank.questions.count() == 10


@pytest.mark.parametrize("roles", [["participant"], ["finance"]])
def test_others_cannot_see_an_import(client, roles):
    bank = QuestionBankFactory()
    job = QuestionImport.objects.create(bank=bank, format="gift", filename="rahasia.gift")
    client.force_login(UserFactory(roles=roles))
    url = reverse("learning:bank_import_status", args=[bank.pk, job.pk])
    assert client.get(url).status_code == 403


def test_an_import_of_another_bank_is_404(manager_client):
    bank, other = QuestionBankFactory(), QuestionBankFactory()
    job = QuestionImport.objects.create(bank=other, format="gift")
    url = reverse("learning:bank_import_status", args=[bank.pk, job.pk])
    assert manager_client.get(url).status_code == 404
