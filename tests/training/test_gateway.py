"""The payment gateway: the Snap request, and Midtrans notifications signed by the test itself.

No test touches the network: Snap is answered by an httpx.MockTransport.
"""

import base64
import hashlib
import io
import json
from datetime import timedelta

import httpx
import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfReader

from sinergi.core.models import AuditLog
from sinergi.training import gateway, services
from sinergi.training.gateway import InvalidNotification, MidtransProvider, Outcome
from sinergi.training.models import Payment

from ..factories import BatchFactory, UserFactory

pytestmark = pytest.mark.django_db

SERVER_KEY = "SB-Mid-server-test-key-0123456789"
SNAP_URL = "https://app.sandbox.midtrans.com/snap/v1/transactions"
REDIRECT = "https://app.sandbox.midtrans.com/snap/v4/redirection/0f1e2d3c"
NOTIFY_URL = "/training/payments/midtrans/notification/"


@pytest.fixture(autouse=True)
def _midtrans(settings):
    settings.MIDTRANS_SERVER_KEY = SERVER_KEY
    settings.MIDTRANS_IS_PRODUCTION = False
    settings.SITE_URL = "https://sinergi.example.org"


class Snap:
    """A stand-in for the Snap API that remembers what it was asked."""

    def __init__(
        self, status: int = 201, answer: dict | None = None, error: Exception | None = None
    ):
        self.requests: list[httpx.Request] = []
        self.status = status
        self.answer = (
            answer if answer is not None else {"token": "0f1e2d3c", "redirect_url": REDIRECT}
        )
        self.error = error

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.error:
            raise self.error
        return httpx.Response(self.status, json=self.answer)

    def provider(self) -> MidtransProvider:
        return MidtransProvider(server_key=SERVER_KEY, transport=httpx.MockTransport(self))


@pytest.fixture
def snap(monkeypatch):
    stand_in = Snap()
    monkeypatch.setattr(gateway, "default_provider", stand_in.provider)
    return stand_in


@pytest.fixture
def registration(db):
    user = UserFactory(roles=["participant"], full_name="Budi Santoso", phone="081234567890")
    batch = BatchFactory(
        fee=750_000, capacity=2, program__title="Otomasi Perpustakaan dengan SLiMS"
    )
    return services.registration_create(batch=batch, user=user, consent=True)


def start(registration) -> Payment:
    payment, _redirect = services.payment_gateway_start(
        invoice=registration.invoice, user=registration.user, provider=Snap().provider()
    )
    return payment


def signed(
    order_id: str,
    *,
    transaction_status: str = "settlement",
    gross_amount: str = "750000.00",
    status_code: str = "200",
    fraud_status: str | None = None,
    key: str = SERVER_KEY,
) -> dict:
    """A notification as Midtrans sends it, signed the way its documentation says."""
    body = {
        "transaction_time": "2026-11-24 10:00:00",
        "transaction_status": transaction_status,
        "transaction_id": "7d2f1c9e-0000-4e5f-a000-1234567890ab",
        "status_message": "midtrans payment notification",
        "status_code": status_code,
        "payment_type": "bank_transfer",
        "order_id": order_id,
        "merchant_id": "G000000000",
        "gross_amount": gross_amount,
        "currency": "IDR",
        "signature_key": hashlib.sha512(
            f"{order_id}{status_code}{gross_amount}{key}".encode()
        ).hexdigest(),
    }
    if fraud_status is not None:
        body["fraud_status"] = fraud_status
    return body


def notify(client, body, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(body)
    return client.post(NOTIFY_URL, data=data, content_type="application/json")


# --- Starting a payment ----------------------------------------------------------------------


def test_pay_online_sends_the_snap_request_and_redirects_to_snap(client, registration, snap):
    client.force_login(registration.user)
    response = client.post(reverse("training:gateway_start", args=[registration.invoice.pk]))

    assert response.status_code == 302
    assert response["Location"] == REDIRECT
    payment = Payment.objects.get(invoice=registration.invoice)
    assert (payment.method, payment.state, payment.amount) == ("gateway", "pending", 750_000)
    assert payment.gateway_order_id.startswith(registration.invoice.number.replace("/", "-") + "-")
    assert len(payment.gateway_order_id) <= 50

    (request,) = snap.requests
    assert request.method == "POST"
    assert str(request.url) == SNAP_URL
    expected_auth = "Basic " + base64.b64encode(f"{SERVER_KEY}:".encode()).decode()
    assert request.headers["Authorization"] == expected_auth
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.content)
    assert body["transaction_details"] == {
        "order_id": payment.gateway_order_id,
        "gross_amount": 750_000,  # the gateway needs no unique code
    }
    assert body["customer_details"] == {
        "first_name": "Budi Santoso",
        "email": registration.user.email,
        "phone": "081234567890",
    }
    (item,) = body["item_details"]
    assert item["price"] * item["quantity"] == body["transaction_details"]["gross_amount"]
    assert item["name"] == "Otomasi Perpustakaan dengan SLiMS"
    assert body["callbacks"]["finish"] == "https://sinergi.example.org" + reverse(
        "training:registration_detail", args=[registration.pk]
    )
    # Snap stops taking money when the seat lapses.
    assert body["expiry"]["unit"] == "minute"
    assert 47 * 60 <= body["expiry"]["duration"] <= 48 * 60
    assert body["expiry"]["start_time"].endswith("+0700")

    registration.refresh_from_db()
    assert registration.state == "pending_payment"  # a gateway payment holds no seat
    assert AuditLog.objects.filter(verb="training.payment.gateway_started").count() == 1


def test_production_uses_the_production_snap_url(settings):
    settings.MIDTRANS_IS_PRODUCTION = True
    assert gateway.default_provider().url == "https://app.midtrans.com/snap/v1/transactions"


def test_pay_online_is_404_without_a_server_key_and_for_others(client, registration, settings):
    url = reverse("training:gateway_start", args=[registration.invoice.pk])
    client.force_login(UserFactory(roles=["finance"]))  # staff may see it, but it is not theirs
    assert client.post(url).status_code == 404
    client.force_login(registration.user)
    assert client.get(url).status_code == 405
    settings.MIDTRANS_SERVER_KEY = ""
    assert client.post(url).status_code == 404


@pytest.mark.parametrize(
    "stand_in",
    [
        Snap(error=httpx.ConnectTimeout("timed out")),
        Snap(status=401, answer={"error_messages": ["Access denied due to unauthorized"]}),
        Snap(status=201, answer={"token": "no-url"}),
    ],
    ids=["unreachable", "refused", "nonsense"],
)
def test_gateway_failure_shows_a_message_and_returns_to_the_registration(
    client, registration, monkeypatch, stand_in
):
    monkeypatch.setattr(gateway, "default_provider", stand_in.provider)
    client.force_login(registration.user)
    response = client.post(reverse("training:gateway_start", args=[registration.invoice.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("training:registration_detail", args=[registration.pk])
    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "error"
    assert Payment.objects.get(invoice=registration.invoice).state == "failed"


def test_an_expired_registration_cannot_start_a_gateway_payment(client, registration, snap):
    registration.expires_at = timezone.now() - timedelta(minutes=1)
    registration.save(update_fields=["expires_at"])
    client.force_login(registration.user)
    response = client.post(reverse("training:gateway_start", args=[registration.invoice.pk]))
    assert response.status_code == 302
    assert not Payment.objects.exists()
    assert snap.requests == []


# --- Notifications ---------------------------------------------------------------------------


def test_settlement_confirms_the_registration_once(client, registration):
    payment = start(registration)
    mails = len(mail.outbox)

    response = notify(client, signed(payment.gateway_order_id))

    assert response.status_code == 200
    payment.refresh_from_db()
    registration.refresh_from_db()
    registration.invoice.refresh_from_db()
    assert payment.state == "approved"
    assert payment.gateway_status == "settlement"
    assert payment.gateway_transaction_id == "7d2f1c9e-0000-4e5f-a000-1234567890ab"
    assert registration.state == "confirmed"
    assert registration.invoice.status == "paid"
    assert len(mail.outbox) == mails + 1
    assert registration.invoice.number in mail.outbox[-1].body

    audit_rows = AuditLog.objects.count()
    again = notify(client, signed(payment.gateway_order_id))
    assert again.status_code == 200
    assert len(mail.outbox) == mails + 1
    assert AuditLog.objects.count() == audit_rows
    assert Payment.objects.filter(invoice=registration.invoice).count() == 1
    assert AuditLog.objects.filter(verb="training.registration.confirmed").count() == 1


def test_pending_then_settlement(client, registration):
    payment = start(registration)
    assert (
        notify(client, signed(payment.gateway_order_id, transaction_status="pending")).status_code
        == 200
    )
    payment.refresh_from_db()
    registration.refresh_from_db()
    assert (payment.state, payment.gateway_status) == ("pending", "pending")
    assert registration.state == "pending_payment"

    assert notify(client, signed(payment.gateway_order_id)).status_code == 200
    payment.refresh_from_db()
    registration.refresh_from_db()
    assert payment.state == "approved"
    assert registration.state == "confirmed"


def test_an_approved_payment_is_never_downgraded(client, registration):
    payment = start(registration)
    notify(client, signed(payment.gateway_order_id))
    for status in ("expire", "pending", "cancel"):
        body = signed(payment.gateway_order_id, transaction_status=status, status_code="407")
        assert notify(client, body).status_code == 200
    payment.refresh_from_db()
    registration.refresh_from_db()
    assert payment.state == "approved"
    assert payment.gateway_status == "settlement"
    assert registration.state == "confirmed"


def test_capture_with_challenge_stays_pending_until_accepted(client, registration):
    payment = start(registration)
    body = signed(payment.gateway_order_id, transaction_status="capture", fraud_status="challenge")
    assert notify(client, body).status_code == 200
    payment.refresh_from_db()
    registration.refresh_from_db()
    assert payment.state == "pending"
    assert payment.gateway_status == "capture/challenge"
    assert registration.state == "pending_payment"

    body = signed(payment.gateway_order_id, transaction_status="capture", fraud_status="accept")
    assert notify(client, body).status_code == 200
    payment.refresh_from_db()
    assert payment.state == "approved"


@pytest.mark.parametrize("status", ["expire", "cancel", "deny"])
def test_expire_cancel_deny_fail_the_payment_and_leave_the_seat_awaiting_payment(
    client, registration, status
):
    payment = start(registration)
    mails = len(mail.outbox)
    body = signed(payment.gateway_order_id, transaction_status=status, status_code="202")
    assert notify(client, body).status_code == 200
    payment.refresh_from_db()
    registration.refresh_from_db()
    assert payment.state == "failed"
    assert registration.state == "pending_payment"
    assert registration.expires_at > timezone.now()
    assert len(mail.outbox) == mails
    assert AuditLog.objects.filter(verb="training.payment.failed").count() == 1

    # A late "pending" does not revive it; the person may start a new payment.
    notify(client, signed(payment.gateway_order_id, transaction_status="pending"))
    payment.refresh_from_db()
    assert payment.state == "failed"
    assert start(registration).state == "pending"


def test_bad_signature_is_403_and_changes_nothing(client, registration):
    payment = start(registration)
    forged = signed(payment.gateway_order_id, key="SB-Mid-server-guessed")
    assert notify(client, forged).status_code == 403

    tampered = signed(payment.gateway_order_id, transaction_status="pending")
    tampered["transaction_status"] = "settlement"  # not signed, but the amount is
    tampered["gross_amount"] = "1.00"
    assert notify(client, tampered).status_code == 403

    payment.refresh_from_db()
    assert payment.state == "pending"


def test_amount_mismatch_is_refused(client, registration):
    payment = start(registration)
    body = signed(payment.gateway_order_id, gross_amount="1000.00")
    response = notify(client, body)
    assert response.status_code == 400
    payment.refresh_from_db()
    registration.refresh_from_db()
    assert payment.state == "pending"
    assert registration.state == "pending_payment"
    assert AuditLog.objects.filter(verb="training.payment.gateway_amount_mismatch").count() == 1


def test_unknown_order_is_404(client, registration):
    assert notify(client, signed("INV-DIKLAT-2026-999999-abcdef01")).status_code == 404


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"\xff\xfe\x00",
        b"[]",
        b"null",
        b'"settlement"',
        b"{}",
        b'{"order_id": 1, "status_code": 200, "gross_amount": 750000, "signature_key": "x"}',
        b'{"order_id": "x", "status_code": "200", "gross_amount": "1", "signature_key": null}',
    ],
)
def test_malformed_notifications_are_400_never_500(client, registration, raw):
    assert notify(client, None, raw=raw).status_code == 400


def test_malformed_but_signed_fields_are_400(client, registration):
    payment = start(registration)
    for gross in ("NaN", "Infinity", "750000.50", "-750000", "1e999999"):
        body = signed(payment.gateway_order_id, gross_amount=gross)
        assert notify(client, body).status_code == 400, gross
    body = signed(payment.gateway_order_id)
    body["transaction_status"] = 7
    assert notify(client, body).status_code in (400, 403)


def test_notifications_are_404_without_a_server_key(client, settings):
    settings.MIDTRANS_SERVER_KEY = ""
    assert notify(client, {}).status_code == 404


def test_notification_endpoint_needs_no_csrf_token(registration):
    payment = start(registration)
    csrf_client = Client(enforce_csrf_checks=True)
    assert notify(csrf_client, signed(payment.gateway_order_id)).status_code == 200


def test_money_for_a_lapsed_seat_that_was_given_away_is_flagged_for_refund(client, registration):
    """The gateway settled after the deadline, and the freed seat went to someone else."""
    batch = registration.batch
    batch.capacity = 1
    batch.save(update_fields=["capacity"])
    payment = start(registration)
    registration.expires_at = timezone.now() - timedelta(minutes=1)
    registration.save(update_fields=["expires_at"])
    other = services.registration_create(batch=batch, user=UserFactory(), consent=True)
    assert other.state == "pending_payment"  # the lapsed seat was free to take
    mails = len(mail.outbox)

    assert notify(client, signed(payment.gateway_order_id)).status_code == 200

    payment.refresh_from_db()
    registration.refresh_from_db()
    assert payment.state == "approved"  # the money did arrive
    assert registration.state == "pending_payment"  # but the batch is not oversold
    assert AuditLog.objects.filter(verb="training.payment.needs_refund").count() == 1
    assert len(mail.outbox) == mails


def test_late_money_still_confirms_when_the_seat_is_free(client, registration):
    payment = start(registration)
    registration.expires_at = timezone.now() - timedelta(minutes=1)
    registration.save(update_fields=["expires_at"])
    assert notify(client, signed(payment.gateway_order_id)).status_code == 200
    registration.refresh_from_db()
    assert registration.state == "confirmed"


# --- The provider on its own -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "fraud", "outcome"),
    [
        ("settlement", "", Outcome.PAID),
        ("capture", "accept", Outcome.PAID),
        ("capture", "challenge", Outcome.PENDING),
        ("capture", "deny", Outcome.FAILED),
        ("pending", "", Outcome.PENDING),
        ("expire", "", Outcome.FAILED),
        ("cancel", "", Outcome.FAILED),
        ("deny", "", Outcome.FAILED),
        ("refund", "", Outcome.OTHER),
    ],
)
def test_status_mapping(status, fraud, outcome):
    assert MidtransProvider.outcome(status, fraud) == outcome


def test_signature_follows_the_documented_formula():
    provider = MidtransProvider(server_key=SERVER_KEY)
    expected = hashlib.sha512(f"ORDER-101200750000.00{SERVER_KEY}".encode()).hexdigest()
    assert provider.signature("ORDER-101", "200", "750000.00") == expected
    parsed = provider.parse_notification(signed("ORDER-101"))
    assert (parsed.order_id, parsed.outcome, parsed.gross_amount) == (
        "ORDER-101",
        Outcome.PAID,
        750_000,
    )


def test_order_ids_use_only_the_characters_midtrans_allows():
    order_id = gateway.order_id_for("INV/DIKLAT/2026/000123", "a1b2c3d4")
    assert order_id == "INV-DIKLAT-2026-000123-a1b2c3d4"
    long = gateway.order_id_for("X" * 80, "a1b2c3d4")
    assert len(long) == 50 and long.endswith("-a1b2c3d4")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)
notification_keys = st.sampled_from(
    [
        "order_id",
        "status_code",
        "gross_amount",
        "signature_key",
        "transaction_status",
        "fraud_status",
        "transaction_id",
    ]
)


@hypothesis_settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(notification_keys, json_values) | json_values)
def test_parse_notification_refuses_anything_unsigned_with_a_clear_error(body):
    provider = MidtransProvider(server_key=SERVER_KEY)
    with pytest.raises(InvalidNotification):
        provider.parse_notification(body)


@hypothesis_settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    gross=st.text(max_size=30),
    status=json_values,
    fraud=json_values,
    transaction_id=json_values,
)
def test_parse_signed_notification_never_fails_unexpectedly(gross, status, fraud, transaction_id):
    provider = MidtransProvider(server_key=SERVER_KEY)
    body = signed("ORDER-1", gross_amount=gross) if gross else signed("ORDER-1")
    body.update(transaction_status=status, fraud_status=fraud, transaction_id=transaction_id)
    try:
        parsed = provider.parse_notification(body)
    except InvalidNotification:
        return
    assert isinstance(parsed.gross_amount, int) and parsed.gross_amount >= 0
    assert len(parsed.status) <= 32 and len(parsed.transaction_id) <= 64


def test_receipt_after_a_gateway_payment_shows_the_amount_paid(client, registration):
    payment = start(registration)
    notify(client, signed(payment.gateway_order_id))
    client.force_login(registration.user)
    response = client.get(reverse("training:receipt_pdf", args=[registration.invoice.pk]))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Rp750.000" in text
    assert "Tujuh ratus lima puluh ribu rupiah" in text
    assert "kode unik" not in text  # the gateway took the plain amount
    assert payment.gateway_order_id in text
