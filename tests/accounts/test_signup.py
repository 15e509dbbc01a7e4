import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode

from sinergi.accounts.forms import LoginForm
from sinergi.accounts.models import Role, User
from sinergi.core.models import AuditLog

from ..conftest import PASSWORD, logged_in_user_id, login
from ..factories import UnverifiedUserFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "full_name": "Siti Aminah, S.IP.",
    "email": "Siti.Aminah@Example.org",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "consent": "on",
}


def verification_path(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/verify/[^\s]+/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_sends_verification_and_link_activates_login(client, settings):
    response = client.post(reverse("accounts:signup"), SIGNUP)

    assert response.status_code == 200
    assert "accounts/signup_done.html" in [t.name for t in response.templates]
    user = User.objects.get()
    assert user.email == "siti.aminah@example.org"  # stored lower-case
    assert not user.email_verified
    assert list(user.groups.values_list("name", flat=True)) == [Role.PARTICIPANT]
    assert user.check_password(PASSWORD)
    assert AuditLog.objects.filter(verb="accounts.signup", target_id=str(user.pk)).exists()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["siti.aminah@example.org"]
    assert settings.SITE_URL + "/accounts/verify/" in message.body

    # Not verified yet: the login is refused.
    assert login(client, "siti.aminah@example.org").status_code == 200
    assert logged_in_user_id(client) is None

    response = client.get(verification_path(message))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    user.refresh_from_db()
    assert user.email_verified
    assert AuditLog.objects.filter(verb="accounts.email_verified").count() == 1

    response = login(client, "Siti.Aminah@example.org")
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def test_signup_mail_is_in_the_language_of_the_page(client):
    client.cookies["django_language"] = "en"
    client.post(reverse("accounts:signup"), SIGNUP)
    assert User.objects.get().language == "en"
    with translation.override("en"):
        assert mail.outbox[0].subject == "Verify your e-mail address for Sinergi"


def test_verification_link_works_once(client):
    client.post(reverse("accounts:signup"), SIGNUP)
    path = verification_path(mail.outbox[0])
    assert client.get(path).status_code == 302
    # A second visit is harmless: it says "already verified" and sends to the login page.
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert AuditLog.objects.filter(verb="accounts.email_verified").count() == 1


def test_unverified_login_is_refused_with_the_message(client):
    UnverifiedUserFactory(email="belum@example.org")

    response = login(client, "belum@example.org")

    assert response.status_code == 200
    assert logged_in_user_id(client) is None
    with translation.override("id"):
        expected = str(LoginForm.error_messages["unverified"])
    assert escape(expected) in response.content.decode()
    assert response.context["form"].has_error("__all__", code="unverified")


def test_duplicate_email_is_refused_whatever_the_case(client):
    UserFactory(email="ani@example.org")

    response = client.post(reverse("accounts:signup"), {**SIGNUP, "email": "ANI@Example.ORG"})

    assert response.status_code == 200
    assert response.context["form"].has_error("email", code="duplicate")
    assert User.objects.count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"password2": "something-else-entirely"}, "password2"),
        ({"password1": "12345678", "password2": "12345678"}, "password1"),
        ({"consent": ""}, "consent"),
    ],
)
def test_signup_validation(client, changes, field):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, **changes})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.exists()
    assert mail.outbox == []


def _normalised(response, email: str) -> str:
    text = response.content.decode().replace(email, "EMAIL")
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "", text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def _page_templates(response) -> list[str]:
    return [t.name for t in response.templates if not t.name.startswith("accounts/email/")]


def test_resend_verification_answers_the_same_for_unknown_addresses(client):
    UnverifiedUserFactory(email="belum@example.org")
    url = reverse("accounts:resend_verification")

    known = client.post(url, {"email": "Belum@example.org"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["belum@example.org"]
    unknown = client.post(url, {"email": "siapa@example.org"})
    assert len(mail.outbox) == 1

    assert known.status_code == unknown.status_code == 200
    assert _page_templates(known) == _page_templates(unknown)
    assert _normalised(known, "Belum@example.org") == _normalised(unknown, "siapa@example.org")


def test_resend_verification_sends_nothing_to_verified_accounts(client):
    UserFactory(email="sudah@example.org")
    response = client.post(reverse("accounts:resend_verification"), {"email": "sudah@example.org"})
    assert response.status_code == 200
    assert mail.outbox == []


def test_resent_link_verifies(client):
    user = UnverifiedUserFactory(email="belum@example.org")
    client.post(reverse("accounts:resend_verification"), {"email": "belum@example.org"})
    assert client.get(verification_path(mail.outbox[0])).status_code == 302
    user.refresh_from_db()
    assert user.email_verified


def test_invalid_verification_token_gives_400_page(client):
    user = UnverifiedUserFactory()
    uid = urlsafe_base64_encode(force_bytes(user.pk))

    response = client.get(reverse("accounts:verify_email", args=[uid, "abc-0123456789abcdef"]))

    assert response.status_code == 400
    assert "accounts/verify_failed.html" in [t.name for t in response.templates]
    user.refresh_from_db()
    assert not user.email_verified


@pytest.mark.parametrize("uid", ["not-base64!", urlsafe_base64_encode(b"999999")])
def test_verification_with_unknown_user_gives_400_page(client, uid):
    response = client.get(reverse("accounts:verify_email", args=[uid, "abc-0123456789abcdef"]))
    assert response.status_code == 400


def test_signed_in_user_is_sent_from_signup_to_profile(user_client):
    response = user_client.get(reverse("accounts:signup"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
