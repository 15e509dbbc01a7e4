"""The batch readiness checklist: each item, its link to where it is fixed, and the rule that a
batch cannot open for registration while a blocking item is missing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sinergi.learning.models import Quiz, Session
from sinergi.training import services
from sinergi.training.readiness import batch_readiness, readiness_blockers

from ..factories import BatchFactory, UserFactory
from .readiness_data import ready_batch

pytestmark = pytest.mark.django_db
BANK = {"SINERGI_BANK_NAME": "Bank Negara Indonesia (BNI)", "SINERGI_BANK_ACCOUNT": "1234567890"}


@pytest.fixture(autouse=True)
def _bank(settings):
    for name, value in BANK.items():
        setattr(settings, name, value)


def items(batch) -> dict:
    return {item.key: item for item in batch_readiness(batch=batch)}


def test_a_ready_batch_opens(db):
    batch = ready_batch()
    checklist = items(batch)
    assert [key for key, item in checklist.items() if not item.ok] == ["rules"]  # defaults
    assert not checklist["rules"].blocking
    assert checklist["fee"].detail == "Rp750.000 ke Bank Negara Indonesia (BNI) 1234567890"
    services.batch_update(batch=batch, actor=None, status="open")
    batch.refresh_from_db()
    assert batch.status == "open"


def test_an_empty_batch_lists_every_missing_item_with_its_fix(db):
    batch = BatchFactory(status="draft")
    checklist = items(batch)
    blocking = [item.key for item in readiness_blockers(batch=batch)]
    assert blocking == ["schedule", "sessions", "posttest", "certificate"]
    assert checklist["schedule"].fix_url == reverse("learning:session_list", args=[batch.pk])
    assert checklist["posttest"].fix_url == reverse("learning:batch_curriculum", args=[batch.pk])
    assert checklist["certificate"].fix_url == reverse(
        "certificates:batch_template", args=[batch.pk]
    )
    assert checklist["rules"].fix_url == reverse("learning:completion_rules", args=[batch.pk])


def test_a_missing_post_test_keeps_the_batch_closed(db):
    batch = ready_batch(posttest=False)
    with pytest.raises(ValidationError) as refused:
        services.batch_update(batch=batch, actor=None, status="open")
    assert refused.value.message_dict["status"] == [
        "Angkatan belum dapat dibuka untuk pendaftaran. Yang kurang: Post-test."
    ]
    batch.refresh_from_db()
    assert batch.status == "draft"


def test_a_quiz_without_questions_or_time_limit_is_not_ready(db):
    batch = ready_batch()
    posttest = Quiz.objects.get(item__module__batch=batch, role="posttest")
    posttest.slots.all().delete()
    Quiz.objects.filter(pk=posttest.pk).update(time_limit_minutes=None)
    item = items(batch)["posttest"]
    assert not item.ok
    assert item.fix_url == reverse("learning:quiz_settings", args=[posttest.item_id])
    assert "soal, batas waktu" in item.detail


def test_sessions_outside_the_dates_or_without_speaker_block(db):
    batch = ready_batch()
    # Dates moved after the sessions were planned: the second session is now outside.
    type(batch).objects.filter(pk=batch.pk).update(ends_on=batch.starts_on)
    batch.refresh_from_db()
    Session.objects.filter(batch=batch, title="Sesi 1").update(meeting_url="")
    checklist = items(batch)
    assert not checklist["schedule"].ok and "Sesi 2" in checklist["schedule"].detail
    assert not checklist["sessions"].ok and "Sesi 1" in checklist["sessions"].detail


def test_a_placeholder_bank_account_blocks_a_paid_batch_not_a_free_one(settings, db):
    settings.SINERGI_BANK_ACCOUNT = "0000000000"
    paid, free = ready_batch(), ready_batch(fee=0)
    assert [item.key for item in readiness_blockers(batch=paid)] == ["fee"]
    assert readiness_blockers(batch=free) == []


def test_the_batch_page_shows_the_checklist(client, db):
    batch = ready_batch(posttest=False)
    client.force_login(UserFactory(roles=["program_manager"]))
    page = client.get(reverse("training:batch_manage", args=[batch.pk]))
    text = page.content.decode()
    assert "sn-readiness-posttest" in text and "sn-blocking" in text
    assert reverse("learning:batch_curriculum", args=[batch.pk]) in text
