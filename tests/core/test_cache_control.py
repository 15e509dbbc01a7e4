"""Pages shown to a signed-in person are never kept by a shared cache (issue 16: signed-in
pages with personal data sent no Cache-Control); public pages keep their caching."""

import pytest
from django.urls import reverse

from sinergi.accounts.services import api_token_create

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize(
    "name", ["accounts:profile", "core:home", "training:catalogue", "training:my_registrations"]
)
def test_signed_in_pages_are_private_and_not_stored(client, name):
    client.force_login(UserFactory(roles=["participant"]))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert {"private", "no-store"} <= _directives(response)


def test_the_sign_in_answer_that_sets_the_session_is_private(client):
    user = UserFactory(roles=["participant"])
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "private" in _directives(response)


def test_the_api_with_a_token_is_private(client):
    _token, raw = api_token_create(user=UserFactory(), name="t")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert {"private", "no-store"} <= _directives(response)


@pytest.mark.parametrize("name", ["core:home", "training:catalogue", "library:catalogue"])
def test_public_pages_keep_their_caching(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "private" not in _directives(response) and "no-store" not in _directives(response)


def test_a_view_that_sets_its_own_cache_control_keeps_it(client):
    """A certificate's verification page says `no-cache, max-age=0` itself; kept as it is."""
    client.force_login(UserFactory())
    response = client.get(reverse("certificates:verify_code", args=["UNKNOWN"]))
    assert _directives(response) == {"no-cache", "max-age=0"}
