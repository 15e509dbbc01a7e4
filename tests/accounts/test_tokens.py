import hashlib
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from sinergi.accounts import services
from sinergi.accounts.models import ApiToken, Role, User
from sinergi.core.models import AuditLog

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"
TOKEN_RE = re.compile(r"sng_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_created_token_is_shown_once_and_stored_only_as_digest(user_client, user):
    response = user_client.post(reverse("accounts:token_create"), {"name": "SLiMS sekolah"})

    assert response.status_code == 200
    found = TOKEN_RE.findall(response.content.decode())
    assert found, "the page does not show the new token"
    raw = found[0]
    token = ApiToken.objects.get()
    assert token.user == user
    assert token.name == "SLiMS sekolah"
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(f"sng_{token.prefix}_")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not [name for name, value in stored.items() if raw in str(value)]
    secret_part = raw.rsplit("_", 1)[1]
    assert not [name for name, value in stored.items() if secret_part in str(value)]
    assert AuditLog.objects.filter(verb="accounts.api_token_created").exists()
    assert raw not in str([model_to_dict(row) for row in AuditLog.objects.all()])

    # Never shown again: the profile lists only the prefix.
    page = user_client.get(reverse("accounts:profile")).content.decode()
    assert "SLiMS sekolah" in page
    assert raw not in page
    assert secret_part not in page


def test_token_needs_a_name(user_client):
    response = user_client.post(reverse("accounts:token_create"), {"name": ""})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()


def test_token_create_needs_post_and_login(user_client):
    anonymous = Client()
    assert anonymous.post(reverse("accounts:token_create"), {"name": "x"}).status_code == 302
    assert user_client.get(reverse("accounts:token_create")).status_code == 405
    assert not ApiToken.objects.exists()


def test_bearer_token_works_on_me_and_is_touched(client, user):
    token, raw = services.api_token_create(user=user, name="test")

    response = client.get(ME, **bearer(raw))

    assert response.status_code == 200
    assert response.json()["email"] == user.email
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer sng_00000000_tidak-ada", "Bearer ", "Token x", "Basic dXNlcjpwYXNz"],
)
def test_bad_authorization_is_401(client, user, header):
    services.api_token_create(user=user, name="test")
    assert client.get(ME, HTTP_AUTHORIZATION=header).status_code == 401


def test_revoked_token_is_401(user_client, user):
    token, raw = services.api_token_create(user=user, name="test")
    anonymous = Client()
    assert anonymous.get(ME, **bearer(raw)).status_code == 200

    response = user_client.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditLog.objects.filter(verb="accounts.api_token_revoked").count() == 1
    assert anonymous.get(ME, **bearer(raw)).status_code == 401


def test_token_of_inactive_user_is_401(client, user):
    _token, raw = services.api_token_create(user=user, name="test")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(ME, **bearer(raw)).status_code == 401


def test_someone_elses_token_cannot_be_revoked(user_client):
    other = UserFactory()
    token, _raw = services.api_token_create(user=other, name="bukan milikmu")

    response = user_client.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditLog.objects.filter(verb="accounts.api_token_revoked").exists()


def test_revoke_needs_post(user_client, user):
    token, _raw = services.api_token_create(user=user, name="test")
    assert user_client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_create_api_token_command_creates_user_and_prints_only_the_token(client):
    out, err = StringIO(), StringIO()

    call_command(
        "create_api_token",
        "--create",
        "--role",
        "participant",
        "x@example.org",
        stdout=out,
        stderr=err,
    )

    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert TOKEN_RE.fullmatch(lines[0])
    assert err.getvalue() == ""
    user = User.objects.get(email="x@example.org")
    assert user.email_verified
    assert not user.has_usable_password()

    response = client.get(ME, **bearer(lines[0]))
    assert response.status_code == 200
    assert response.json()["email"] == "x@example.org"
    assert response.json()["roles"] == [Role.PARTICIPANT]


def test_create_api_token_for_existing_user(client, user):
    out = StringIO()
    call_command("create_api_token", user.email.upper(), stdout=out)
    raw = out.getvalue().strip()
    assert client.get(ME, **bearer(raw)).json()["email"] == user.email
    assert User.objects.count() == 1


def test_create_api_token_refuses_unknown_user_without_create():
    with pytest.raises(CommandError, match="--create"):
        call_command("create_api_token", "siapa@example.org", stdout=StringIO())
    assert not User.objects.exists()
    assert not ApiToken.objects.exists()


def test_token_use_is_recorded_at_most_once_a_minute(client, user):
    token, raw = services.api_token_create(user=user, name="test")
    client.get(ME, **bearer(raw))
    token.refresh_from_db()
    first_use = token.last_used_at
    client.get(ME, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == first_use

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    client.get(ME, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at > first_use
