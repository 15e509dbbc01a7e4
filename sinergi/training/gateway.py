"""Payment gateways: the interface the services speak to, and its Midtrans Snap implementation.

A provider only talks to the gateway and reads the payment it is given; it never writes. The
services decide what a notification means for the invoice and its seats.
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import httpx
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import Payment, RegistrationState

SNAP_SANDBOX_URL = "https://app.sandbox.midtrans.com/snap/v1/transactions"
SNAP_PRODUCTION_URL = "https://app.midtrans.com/snap/v1/transactions"
# Midtrans keeps times in West Indonesia Time whatever the merchant's zone.
MIDTRANS_ZONE = ZoneInfo("Asia/Jakarta")
ORDER_ID_MAX = 50  # Midtrans' limit; the model allows 64


class GatewayError(Exception):
    """The gateway could not start a transaction (unreachable, refused, nonsense answer)."""


class InvalidNotification(Exception):
    """A notification that must not be acted on: `code` is "malformed" or "signature"."""

    def __init__(self, message: str, code: str = "malformed"):
        super().__init__(message)
        self.code = code


class Outcome(StrEnum):
    PAID = "paid"
    PENDING = "pending"
    FAILED = "failed"
    OTHER = "other"  # e.g. refund or chargeback: recorded, never moves the payment


@dataclass(frozen=True)
class GatewayRedirect:
    url: str
    token: str


@dataclass(frozen=True)
class GatewayNotification:
    """A verified notification: what the gateway says happened to one order."""

    order_id: str
    outcome: Outcome
    gross_amount: int
    status: str  # the gateway's own word, e.g. "settlement" or "capture/challenge"
    transaction_id: str = ""


class PaymentProvider(Protocol):
    def create_transaction(self, payment: Payment) -> GatewayRedirect:
        """Open a transaction for `payment` at the gateway; return where to send the payer."""
        ...

    def parse_notification(self, body: dict[str, Any]) -> GatewayNotification:
        """Verify and read a notification, or raise InvalidNotification."""
        ...


def order_id_for(invoice_number: str, suffix: str) -> str:
    """Return a gateway order id: the invoice number in the characters Midtrans allows."""
    base = re.sub(r"[^A-Za-z0-9_.~-]+", "-", invoice_number).strip("-")
    return f"{base[: ORDER_ID_MAX - len(suffix) - 1]}-{suffix}"


def _return_url(payment: Payment) -> str:
    registration = payment.invoice.registrations.order_by("id").first()
    if registration is None:
        path = reverse("training:my_registrations")
    else:
        path = reverse("training:registration_detail", args=[registration.pk])
    return f"{settings.SITE_URL}{path}"


def _pay_before(payment: Payment) -> datetime | None:
    return (
        payment.invoice.registrations.filter(state=RegistrationState.PENDING_PAYMENT)
        .order_by("expires_at")
        .values_list("expires_at", flat=True)
        .first()
    )


class MidtransProvider:
    """Midtrans Snap in redirect mode, and its HTTP notifications.

    `transport` exists for tests (httpx.MockTransport); production uses the network.
    """

    def __init__(
        self,
        *,
        server_key: str,
        is_production: bool = False,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ):
        if not server_key:
            raise ValueError("Midtrans needs a server key.")
        self.server_key = server_key
        self.url = SNAP_PRODUCTION_URL if is_production else SNAP_SANDBOX_URL
        self.timeout = httpx.Timeout(timeout, connect=5.0)
        self.transport = transport

    # --- Snap -----------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        credentials = base64.b64encode(f"{self.server_key}:".encode()).decode()
        return {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": f"Basic {credentials}",
        }

    def transaction_body(self, payment: Payment) -> dict[str, Any]:
        """Return the Snap request for `payment` (item prices add up to the gross amount)."""
        invoice = payment.invoice
        buyer = invoice.buyer
        customer = {"first_name": invoice.buyer_name[:255], "email": buyer.email}
        if buyer.phone:
            customer["phone"] = buyer.phone
        body: dict[str, Any] = {
            "transaction_details": {
                "order_id": payment.gateway_order_id,
                "gross_amount": payment.amount,
            },
            "item_details": [
                {
                    "id": invoice.batch.code[:50],
                    "price": invoice.unit_price,
                    "quantity": invoice.quantity,
                    "name": invoice.batch.program.title[:50],
                    "merchant_name": settings.SINERGI_HOST_SHORT_NAME[:50],
                }
            ],
            "customer_details": customer,
            "callbacks": {"finish": _return_url(payment)},
        }
        pay_before = _pay_before(payment)
        if pay_before is not None:
            now = timezone.now()
            minutes = max(int((pay_before - now).total_seconds() // 60), 1)
            body["expiry"] = {
                "start_time": now.astimezone(MIDTRANS_ZONE).strftime("%Y-%m-%d %H:%M:%S %z"),
                "unit": "minute",
                "duration": minutes,
            }
        return body

    def create_transaction(self, payment: Payment) -> GatewayRedirect:
        body = self.transaction_body(payment)
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(self.url, json=body, headers=self._headers())
        except httpx.HTTPError as error:
            raise GatewayError(f"Midtrans unreachable: {error!r}") from error
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code not in (200, 201) or not isinstance(answer, dict):
            messages = answer.get("error_messages") if isinstance(answer, dict) else None
            raise GatewayError(f"Midtrans refused ({response.status_code}): {messages}")
        url, token = answer.get("redirect_url"), answer.get("token")
        if not isinstance(url, str) or not url.startswith("https://") or not isinstance(token, str):
            raise GatewayError("Midtrans answered without a redirect URL and token.")
        return GatewayRedirect(url=url, token=token)

    # --- Notifications --------------------------------------------------------------------

    def signature(self, order_id: str, status_code: str, gross_amount: str) -> str:
        """Return SHA512(order_id + status_code + gross_amount + server key), in hex."""
        text = f"{order_id}{status_code}{gross_amount}{self.server_key}"
        return hashlib.sha512(text.encode()).hexdigest()

    def parse_notification(self, body: dict[str, Any]) -> GatewayNotification:
        if not isinstance(body, dict):
            raise InvalidNotification("The notification is not a JSON object.")
        fields = {}
        for name in ("order_id", "status_code", "gross_amount", "signature_key"):
            value = body.get(name)
            if not isinstance(value, str) or not value:
                raise InvalidNotification(f"{name} is missing or not a string.")
            fields[name] = value
        expected = self.signature(fields["order_id"], fields["status_code"], fields["gross_amount"])
        if not hmac.compare_digest(expected.encode(), fields["signature_key"].lower().encode()):
            raise InvalidNotification("The signature does not match.", code="signature")

        status = body.get("transaction_status")
        fraud = body.get("fraud_status") or ""
        transaction_id = body.get("transaction_id") or ""
        if not isinstance(status, str) or not isinstance(fraud, str):
            raise InvalidNotification("transaction_status is missing or not a string.")
        if not isinstance(transaction_id, str):
            raise InvalidNotification("transaction_id is not a string.")
        if len(fields["order_id"]) > 64:
            raise InvalidNotification("order_id is too long.")
        return GatewayNotification(
            order_id=fields["order_id"],
            outcome=self.outcome(status, fraud),
            gross_amount=_whole_rupiah(fields["gross_amount"]),
            status=f"{status}/{fraud}"[:32] if fraud else status[:32],
            transaction_id=transaction_id[:64],
        )

    @staticmethod
    def outcome(status: str, fraud: str) -> Outcome:
        """Map Midtrans' transaction_status (and fraud_status for card captures) to ours."""
        if status == "settlement":
            return Outcome.PAID
        if status == "capture":
            if fraud == "accept":
                return Outcome.PAID
            if fraud == "deny":
                return Outcome.FAILED
            return Outcome.PENDING  # "challenge": someone must decide in the Midtrans portal
        if status == "pending":
            return Outcome.PENDING
        if status in ("expire", "cancel", "deny", "failure"):
            return Outcome.FAILED
        return Outcome.OTHER


def _whole_rupiah(text: str) -> int:
    """Read Midtrans' gross_amount ("750000.00") as whole Rupiah, refusing anything else."""
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise InvalidNotification("gross_amount is not a number.") from error
    if not amount.is_finite() or not 0 <= amount < 10**15 or amount != amount.to_integral_value():
        raise InvalidNotification("gross_amount is not a whole amount of Rupiah.")
    return int(amount)


def default_provider() -> PaymentProvider | None:
    """Return the configured gateway, or None when no server key is set."""
    if not settings.MIDTRANS_SERVER_KEY:
        return None
    return MidtransProvider(
        server_key=settings.MIDTRANS_SERVER_KEY, is_production=settings.MIDTRANS_IS_PRODUCTION
    )
