from io import StringIO

import pytest
from django.core.management import call_command

from sinergi.accounts.demo import DEMO_PASSWORD, PEOPLE
from sinergi.accounts.models import Role, User

from ..conftest import logged_in_user_id, login

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", strict=True, stdout=out)
    return out.getvalue()


def test_seed_demo_is_idempotent():
    first = seed()
    users = User.objects.count()
    assert users == len(PEOPLE)
    assert f"People: {len(PEOPLE)} created, 0 already there." in first
    groups = sorted(User.groups.through.objects.values_list("user_id", "group_id"))

    second = seed()

    assert f"People: 0 created, {len(PEOPLE)} already there." in second
    assert User.objects.count() == users
    assert sorted(User.groups.through.objects.values_list("user_id", "group_id")) == groups


def test_seed_demo_has_one_user_per_role():
    seed()
    for role in Role.values:
        assert User.objects.filter(groups__name=role).exists(), role
    assert User.objects.filter(email_verified_at__isnull=True).count() == 0
    assert all(user.email.endswith(".test") for user in User.objects.all())


def test_demo_people_have_profiles_and_can_log_in(client):
    seed()
    participant = User.objects.get(email="peserta2@sinergi.test")
    assert participant.province.name
    assert participant.institution_type.slug == "public-provincial"
    assert participant.phone.startswith("+62")
    response = login(client, "admin@sinergi.test", DEMO_PASSWORD)
    assert response.status_code == 302
    assert logged_in_user_id(client) is not None
    assert client.get("/audit/").status_code == 200
