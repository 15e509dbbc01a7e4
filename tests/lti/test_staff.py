"""The staff page: the registry, the values to paste into the platform, keys, in both languages."""

import pytest
from django.urls import reverse

from sinergi.core.models import AuditLog
from sinergi.lti.models import Platform, ToolKey
from tests.factories import UserFactory

from .fake_platform import CLIENT_ID, ISSUER

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(roles=["program_manager"], language="en"))
    return client


def test_the_page_shows_the_values_the_platform_needs(staff_client):
    page = staff_client.get(reverse("lti:staff_home")).content.decode()
    for value in (
        "http://127.0.0.1:8000/lti/login/",
        "http://127.0.0.1:8000/lti/launch/",
        "http://127.0.0.1:8000/lti/jwks",
    ):
        assert value in page
    assert "Initiate login URL" in page and "Public keyset URL (JWKS)" in page


def test_the_page_is_in_indonesian_for_an_indonesian_account(client):
    client.force_login(UserFactory(roles=["admin"], language="id"))
    page = client.get(reverse("lti:staff_home")).content.decode()
    assert "URL untuk memulai login" in page
    assert "Daftarkan platform" in page


def test_staff_register_a_platform_with_its_deployments(staff_client, fake):
    data = {**fake.registration(), "deployment_ids": "3\n 7 \n", "is_active": "on"}
    response = staff_client.post(reverse("lti:platform_new"), data)
    assert response.status_code == 302
    platform = Platform.objects.get(issuer=ISSUER, client_id=CLIENT_ID)
    assert sorted(platform.deployments.values_list("deployment_id", flat=True)) == ["3", "7"]
    assert not platform.trust_emails
    data["deployment_ids"] = "7"
    staff_client.post(reverse("lti:platform_edit", args=[platform.pk]), data)
    assert list(platform.deployments.values_list("deployment_id", flat=True)) == ["7"]
    assert AuditLog.objects.filter(verb__startswith="lti.platform_").count() == 2
    page = staff_client.get(reverse("lti:staff_home")).content.decode()
    assert "Moodle Mitra" in page and "<code>7</code>" in page


def test_saving_the_form_unchanged_changes_nothing(staff_client, fake):
    data = {**fake.registration(), "deployment_ids": "3", "is_active": "on"}
    staff_client.post(reverse("lti:platform_new"), data)
    platform = Platform.objects.get()
    staff_client.post(reverse("lti:platform_edit", args=[platform.pk]), data)
    assert AuditLog.objects.filter(verb__startswith="lti.platform_").count() == 1


def test_the_rotate_button_makes_a_new_key_and_never_shows_a_private_one(staff_client):
    staff_client.post(reverse("lti:key_rotate"))
    staff_client.post(reverse("lti:key_rotate"))
    assert ToolKey.objects.count() == 2
    page = staff_client.get(reverse("lti:staff_home")).content.decode()
    for key in ToolKey.objects.all():
        assert key.kid in page
        assert key.private_encrypted[:40] not in page
    assert "PRIVATE" not in page


def test_only_managers_reach_the_page(client):
    client.force_login(UserFactory(roles=["participant"]))
    assert client.get(reverse("lti:staff_home")).status_code == 403
    assert client.post(reverse("lti:key_rotate")).status_code == 403
    client.logout()
    assert client.get(reverse("lti:staff_home")).status_code == 302


def test_the_jwks_is_public_json(client, db):
    response = client.get("/lti/jwks")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert len(response.json()["keys"]) == 1  # the first key is made on first use
