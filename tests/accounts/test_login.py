import re

import pytest
from django.core import mail
from django.urls import reverse

from ..conftest import PASSWORD, logged_in_user_id, login
from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_with_right_password(client, user):
    response = login(client, user.email.upper())
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert logged_in_user_id(client) == str(user.pk)


def test_login_follows_safe_next_only(client, user):
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example.com/",
        {"username": user.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("core:home")


def test_login_with_wrong_password_says_so(client, user):
    response = login(client, user.email, "salah-sekali-123")
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", code="invalid_login")
    assert logged_in_user_id(client) is None


def test_login_sets_the_account_language(client):
    user = UserFactory(language="en")
    response = login(client, user.email)
    assert response.cookies["django_language"].value == "en"


def test_five_failures_lock_out_even_the_right_password(client, user):
    for _ in range(5):
        response = login(client, user.email, "salah-sekali-123")
        assert logged_in_user_id(client) is None
    # The fifth failure already answers with the lockout page.
    assert response.status_code == 429
    assert "accounts/lockout.html" in [t.name for t in response.templates]

    response = login(client, user.email)

    assert response.status_code == 429
    assert "accounts/lockout.html" in [t.name for t in response.templates]
    assert logged_in_user_id(client) is None


def test_four_failures_do_not_lock_out(client, user):
    for _ in range(4):
        assert login(client, user.email, "salah-sekali-123").status_code == 200
    assert login(client, user.email).status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def test_lockout_is_per_username(client, user):
    other = UserFactory()
    for _ in range(5):
        login(client, user.email, "salah-sekali-123")
    assert login(client, user.email).status_code == 429

    response = login(client, other.email)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(other.pk)


def test_lockout_is_per_address(client, user):
    for _ in range(5):
        login(client, user.email, "salah-sekali-123", REMOTE_ADDR="10.0.0.1")
    assert login(client, user.email, REMOTE_ADDR="10.0.0.1").status_code == 429

    assert login(client, user.email, REMOTE_ADDR="10.0.0.2").status_code == 302


def test_logout_needs_post(user_client):
    assert user_client.get(reverse("accounts:logout")).status_code == 405
    response = user_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert logged_in_user_id(user_client) is None


def test_password_reset_mail_link_sets_a_new_password(client, user):
    response = client.post(reverse("accounts:password_reset"), {"email": user.email.upper()})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/\S+/)", message.body)
    assert link, message.body

    response = client.get(link.group(1))
    assert response.status_code == 302  # Django swaps the token for a session marker
    set_password_url = response.url
    new_password = "sandi-baru-yang-panjang-77"
    response = client.post(
        set_password_url, {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_complete")

    user.refresh_from_db()
    assert user.check_password(new_password)
    assert login(client, user.email, PASSWORD).status_code == 200  # the old one is gone
    assert login(client, user.email, new_password).status_code == 302

    # The link is used up.
    response = client.get(link.group(1), follow=True)
    assert response.context["validlink"] is False


def test_password_reset_for_unknown_address_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "siapa@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_change(user_client, user):
    new_password = "sandi-baru-yang-panjang-77"
    response = user_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert logged_in_user_id(user_client) == str(user.pk)  # still signed in


def test_lockout_cannot_be_dodged_by_changing_the_case_of_the_address(client):
    user = UserFactory(email="siti@example.org")
    for variant in ["siti@example.org", "Siti@example.org", "SITI@example.org", "sItI@example.org"]:
        login(client, variant, "salah-sekali-123")
    login(client, "siti@EXAMPLE.org", "salah-sekali-123")

    response = login(client, "Siti@Example.Org")

    assert response.status_code == 429
    assert logged_in_user_id(client) is None
    assert user.email == "siti@example.org"
