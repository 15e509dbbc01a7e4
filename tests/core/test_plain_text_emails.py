"""Plain-text e-mails are not HTML-escaped: an apostrophe, common in Indonesian names
(Ma'ruf, Qur'ani), arrives as itself and not as &#x27; (issue 16)."""

from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse

from sinergi.accounts import services
from sinergi.core.emails import email_render

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

NAME = "Siti Ma'ruf & \"Qur'ani\" <Pustaka>"


def test_the_verification_mail_keeps_the_name_as_typed():
    services.user_signup(
        email="maruf@example.id", password="kata-sandi-panjang-7", full_name=NAME, language="id"
    )
    body = mail.outbox[-1].body
    assert NAME in body
    assert "&#x27;" not in body and "&amp;" not in body and "&quot;" not in body


def test_the_password_reset_mail_keeps_the_name_as_typed(client):
    UserFactory(email="maruf@example.id", full_name="Ma'ruf Amin")
    client.post(reverse("accounts:password_reset"), {"email": "maruf@example.id"})
    message = mail.outbox[-1]
    assert "&#x27;" not in message.body + message.subject
    assert "Ma'ruf Amin" in message.body and "&amp;" not in message.body


def test_subjects_and_bodies_of_other_apps_too():
    visit = SimpleNamespace(
        institution_name="Perpustakaan Ma'had Al-Qur'an",
        contact_name="Ma'ruf",
        proposed_on=None,
        alternative_on=None,
        visitors=3,
        purpose="Studi banding",
    )
    subject, body = email_render(
        template="partners/email/visit_received", context={"visit": visit}, language="id"
    )
    assert "Ma'ruf" in body and "&#x27;" not in subject + body


def test_pages_are_still_escaped(client):
    user = UserFactory(full_name="<b>Ma'ruf</b>")
    client.force_login(user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "<b>Ma'ruf</b>" not in page and "&lt;b&gt;" in page
