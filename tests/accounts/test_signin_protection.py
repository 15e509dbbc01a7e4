"""Sign-in protection that an attacker cannot turn against the person they attack.

Behind the reverse proxy every request comes from the proxy's address; the real client's is
in X-Forwarded-For, trusted only through the hops named in TRUSTED_PROXIES.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from sinergi.accounts import services
from sinergi.accounts.models import ApiToken
from sinergi.core.clientip import client_address

from ..conftest import PASSWORD, logged_in_user_id, login
from ..factories import UserFactory

pytestmark = pytest.mark.django_db

WRONG = "salah-sekali-123"
PROXY = "10.1.0.5"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.1.0.0/24", "127.0.0.1"]


def via_proxy(address: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address}


def _address(remote: str, forwarded: str | None = None) -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


# --- the client's address ------------------------------------------------------------------------


def test_forwarded_header_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []
    assert _address("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_forwarded_header_is_ignored_from_an_untrusted_peer(behind_proxy):
    assert _address("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_forwarded_header_is_read_right_to_left_through_trusted_hops(behind_proxy):
    # The client may write anything at the left; only what our proxies appended counts.
    assert _address(PROXY, "1.1.1.1, 198.51.100.7") == "198.51.100.7"
    assert _address(PROXY, "1.1.1.1, 198.51.100.7, 10.1.0.9") == "198.51.100.7"
    assert _address(PROXY, "2001:db8::5") == "2001:db8::5"
    assert _address(PROXY, " 198.51.100.7 ,10.1.0.9") == "198.51.100.7"


def test_a_forged_or_broken_forwarded_header_stops_at_the_last_trusted_hop(behind_proxy):
    assert _address(PROXY, "198.51.100.7, not-an-address") == PROXY
    assert _address(PROXY, "") == PROXY
    assert _address(PROXY, "10.1.0.9") == "10.1.0.9"  # every hop trusted: the farthest one
    assert _address(PROXY) == PROXY


# --- back-off instead of a lock ------------------------------------------------------------------


def test_failures_through_the_proxy_do_not_lock_out_a_person_elsewhere(client, user, behind_proxy):
    attacker = Client()
    for _ in range(8):
        login(attacker, user.email, WRONG, **via_proxy("203.0.113.66"))
    assert login(attacker, user.email, WRONG, **via_proxy("203.0.113.66")).status_code == 429

    response = login(client, user.email, **via_proxy("198.51.100.7"))

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def test_a_known_browser_signs_in_while_its_account_is_attacked_from_many_places(
    client, user, behind_proxy
):
    assert login(client, user.email, **via_proxy("198.51.100.7")).status_code == 302
    client.post(reverse("accounts:logout"))
    for number in range(40):
        login(Client(), user.email, WRONG, **via_proxy(f"203.0.113.{number}"))
    # A new browser now waits (the account is under attack) ...
    assert login(Client(), user.email, **via_proxy("198.51.100.8")).status_code == 429

    # ... but the browser the person signed in with before is not held back.
    response = login(client, user.email, **via_proxy("198.51.100.7"))

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def test_back_off_doubles_and_the_right_password_does_not_extend_it(client, user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            response = login(client, user.email, WRONG)
        assert response.status_code == 429  # the fifth failure: a pause of one minute

        clock.shift(timedelta(seconds=30))
        assert login(client, user.email).status_code == 429  # right password, still paused
        clock.shift(timedelta(seconds=31))
        # The right password during the pause did not make it longer.
        assert login(client, user.email, WRONG).status_code == 429  # sixth: two minutes
        clock.shift(timedelta(seconds=119))
        assert login(client, user.email).status_code == 429
        clock.shift(timedelta(seconds=2))
        assert login(client, user.email, WRONG).status_code == 429  # seventh: four minutes
        clock.shift(timedelta(minutes=3, seconds=59))
        assert login(client, user.email).status_code == 429
        clock.shift(timedelta(seconds=2))

        response = login(client, user.email)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def test_the_pause_page_says_how_long(client, user):
    for _ in range(5):
        response = login(client, user.email, WRONG)
    assert response.status_code == 429
    assert "accounts/lockout.html" in [t.name for t in response.templates]
    assert response["Retry-After"] == "60"
    assert "1 menit" in response.content.decode()


def test_a_success_clears_the_count(client, user):
    for _ in range(4):
        login(client, user.email, WRONG)
    assert login(client, user.email).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert login(client, user.email, WRONG).status_code == 200


def test_one_address_is_limited_across_accounts(client, settings):
    settings.SINERGI_LOGIN_ADDRESS_FAILURES = 12
    victims = UserFactory.create_batch(6)
    for victim in victims:
        for _ in range(2):
            login(client, victim.email, WRONG, REMOTE_ADDR="203.0.113.66")
    fresh = UserFactory()

    response = login(client, fresh.email, REMOTE_ADDR="203.0.113.66")

    assert response.status_code == 429
    assert logged_in_user_id(client) is None
    assert login(Client(), fresh.email, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_the_admin_log_in_is_the_same_door(client, user):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "next=/admin/" in response.url


# --- password reset and change -------------------------------------------------------------------


def _reset_password(client, email: str, new_password: str) -> None:
    assert client.post(reverse("accounts:password_reset"), {"email": email}).status_code == 302
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/\S+/)", mail.outbox[-1].body)
    response = client.get(link.group(1))
    response = client.post(
        response.url, {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.url == reverse("accounts:password_reset_complete")


def test_a_password_reset_lifts_the_pause(client, user):
    for _ in range(8):
        login(client, user.email, WRONG)
    assert login(client, user.email).status_code == 429

    _reset_password(Client(), user.email, "sandi-baru-yang-panjang-77")

    response = login(client, user.email, "sandi-baru-yang-panjang-77")
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def test_a_password_reset_revokes_api_tokens(client, user):
    token, raw = services.api_token_create(user=user, name="SLiMS")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200

    _reset_password(Client(), user.email, "sandi-baru-yang-panjang-77")

    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_password_change_revokes_api_tokens(user_client, user):
    _token, raw = services.api_token_create(user=user, name="SLiMS")
    new_password = "sandi-baru-yang-panjang-77"
    response = user_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302

    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()
