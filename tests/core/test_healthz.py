from unittest import mock

import pytest
from django.db import OperationalError

from sinergi.core import selectors

pytestmark = pytest.mark.django_db


def test_healthz_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_names_the_database_when_it_fails(client):
    with mock.patch.object(
        selectors.connection, "cursor", side_effect=OperationalError("server closed")
    ) as cursor:
        response = client.get("/healthz")

    assert cursor.called, "the health check did not ask the database"
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"].startswith("error")
    assert "OperationalError" in body["database"]
    # The database is usable again once the patch is gone.
    assert client.get("/healthz").status_code == 200


def test_healthz_needs_no_login_and_no_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
