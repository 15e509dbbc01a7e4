"""Sign-up mail through a real SMTP server (aiosmtpd on localhost), not Django's test outbox."""

import re
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.urls import reverse

from sinergi.accounts.models import User

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


class _Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield inbox
    finally:
        controller.stop()


def test_signup_mail_reaches_the_smtp_server(client, smtp_server, settings):
    response = client.post(
        reverse("accounts:signup"),
        {
            "full_name": "Teuku Fadli, S.IP.",
            "email": "teuku@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent": "on",
        },
    )
    assert response.status_code == 200

    assert mail.outbox == []  # it went through SMTP, not the test outbox
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["teuku@example.org"]
    assert envelope.mail_from == "no-reply@localhost"
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert message["To"] == "teuku@example.org"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(re.escape(settings.SITE_URL) + r"(/accounts/verify/\S+/\S+/)", body)
    assert link, body

    # The link that travelled through SMTP verifies the account.
    assert client.get(link.group(1)).status_code == 302
    assert User.objects.get(email="teuku@example.org").email_verified
