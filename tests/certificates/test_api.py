"""The certificates API: public verification and the staff list."""

import pytest

from sinergi.certificates import services

from ..factories import UserFactory
from .factories import CompletionFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "valid",
    "status",
    "number",
    "holder",
    "program",
    "batch",
    "jp",
    "issued_on",
    "revoked_reason",
}


@pytest.fixture
def certificate(completion):
    return services.certificate_issue(registration=completion.registration)


def test_verify_without_authentication(client, certificate):
    response = client.get(f"/api/v1/certificates/{certificate.code}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == FIELDS
    assert body["valid"] is True and body["status"] == "valid"
    assert body["number"] == certificate.number
    assert body["holder"] == certificate.holder_name
    assert body["jp"] == certificate.jp
    assert body["revoked_reason"] is None


def test_verify_revoked_and_unknown(client, certificate, admin_user):
    services.certificate_revoke(certificate=certificate, actor=admin_user, reason="Salah data")
    body = client.get(f"/api/v1/certificates/{certificate.code.lower()}").json()
    assert (body["valid"], body["status"], body["revoked_reason"]) == (
        False,
        "revoked",
        "Salah data",
    )
    missing = client.get("/api/v1/certificates/ABCDEFGHJKMN")
    assert missing.status_code == 404
    assert missing.json()["code"] == "certificate_not_found"
    assert missing.json()["details"] == {"valid": False, "status": "not_found"}


def test_verify_api_is_rate_limited(client, settings, certificate):
    settings.SINERGI_CERTIFICATE_VERIFY_PER_MINUTE = 2
    for _ in range(2):
        client.get("/api/v1/certificates/ABCDEFGHJKMN")
    response = client.get(f"/api/v1/certificates/{certificate.code}")
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_requests"


def test_staff_list_by_batch_is_paginated(client, certificate):
    batch = certificate.registration.batch
    CompletionFactory.create_batch(2, registration__batch=batch)
    services.certificates_issue_for_batch(batch=batch)
    client.force_login(UserFactory(roles=["program_manager"]))
    body = client.get(f"/api/v1/certificates?batch={batch.pk}").json()
    assert body["count"] == 3
    item = body["items"][0]
    assert {"number", "code", "holder", "status"} <= set(item)
    assert client.get("/api/v1/certificates").json()["count"] == 3
    assert client.get(f"/api/v1/certificates?batch={batch.pk + 999}").json()["count"] == 0


def test_staff_list_is_forbidden_to_participants(client, certificate):
    client.force_login(certificate.registration.user)
    assert client.get("/api/v1/certificates").status_code == 403
    client.logout()
    assert client.get("/api/v1/certificates").status_code == 401
