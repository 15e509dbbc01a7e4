import pytest
from django.contrib.contenttypes.models import ContentType

from sinergi.accounts.models import User
from sinergi.core.models import AuditLog, Province
from sinergi.core.services import log_action

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_log_action_records_actor_verb_target_and_data():
    actor = UserFactory(email="pelaku@example.org")
    target = Province.objects.get(code="32")

    row = log_action(actor, "core.test", target, {"why": "uji"})

    assert row.actor == actor
    assert row.actor_repr == "pelaku@example.org"
    assert row.verb == "core.test"
    assert row.target_type == ContentType.objects.get_for_model(Province)
    assert row.target_id == str(target.pk)
    assert row.target_repr == str(target)
    assert row.data == {"why": "uji"}
    assert row.created_at is not None


def test_log_action_by_the_system():
    row = log_action(None, "core.system")
    assert row.actor is None
    assert row.actor_repr == ""
    assert row.target_type is None
    assert row.target_id == ""
    assert row.data == {}


def test_audit_row_survives_the_actor():
    actor = UserFactory(email="pergi@example.org")
    row = log_action(actor, "core.test")
    User.objects.filter(pk=actor.pk).delete()
    row.refresh_from_db()
    assert row.actor is None
    assert row.actor_repr == "pergi@example.org"


def test_audit_log_page_lists_and_filters(admin_client):
    user = UserFactory(email="budi@example.org")
    log_action(user, "accounts.profile_updated", user, {"fields": ["phone"]})
    log_action(None, "training.batch_created", Province.objects.get(code="11"))

    page = admin_client.get("/audit/").content.decode()
    assert "accounts.profile_updated" in page
    assert "training.batch_created" in page

    page = admin_client.get("/audit/", {"verb": "accounts."}).content.decode()
    assert "accounts.profile_updated" in page
    assert "training.batch_created" not in page

    page = admin_client.get("/audit/", {"actor": "BUDI"}).content.decode()
    assert "accounts.profile_updated" in page
    assert "training.batch_created" not in page

    page = admin_client.get("/audit/", {"target": "aceh"}).content.decode()
    assert "training.batch_created" in page
    assert "accounts.profile_updated" not in page


def test_audit_log_page_is_paginated(admin_client):
    AuditLog.objects.bulk_create(AuditLog(verb=f"core.bulk_{i:03}") for i in range(60))
    first = admin_client.get("/audit/").content.decode()
    second = admin_client.get("/audit/", {"page": 2}).content.decode()
    assert first.count("core.bulk_") == 50
    assert second.count("core.bulk_") == 10
    assert admin_client.get("/audit/", {"page": "xyz"}).status_code == 200


def test_audit_log_page_query_count_does_not_grow_with_rows(
    admin_client, django_assert_max_num_queries
):
    types = [Province.objects.get(code="32"), UserFactory()]
    for i in range(40):
        log_action(None, "core.test", types[i % 2])
    with django_assert_max_num_queries(AUDIT_PAGE_QUERIES):
        assert admin_client.get("/audit/").status_code == 200


# Session, user, permissions (2), count, roles, one page of rows with their types.
AUDIT_PAGE_QUERIES = 7
