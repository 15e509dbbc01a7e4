"""Invoice and receipt PDFs, protected transfer proofs, and the payment gateway."""

import json
import logging
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from sinergi.core.files import protected_file_response
from sinergi.core.uploads import JPEG, PDF, PNG

from .. import gateway, pdf, services
from ..models import Invoice, InvoiceStatus, Payment
from ..selectors import invoice_get_for_user, payment_get_for_user

logger = logging.getLogger(__name__)

# Transfer proofs (recognised by their bytes, not their name) open in the browser; anything
# else stored there would download.
PROOF_KINDS = frozenset({JPEG, PNG, PDF})


def _invoice_or_404(request, pk: int) -> Invoice:
    try:
        return invoice_get_for_user(invoice_id=pk, user=request.user)
    except Invoice.DoesNotExist:
        raise Http404 from None


def _safe_stem(kind: str, number: str) -> str:
    return f"{kind}-{re.sub(r'[^A-Za-z0-9]+', '-', number).strip('-')}"


def _safe_filename(kind: str, number: str, extension: str) -> str:
    return f"{_safe_stem(kind, number)}.{extension}"


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


@login_required
@require_safe
def invoice_pdf(request, pk: int):
    invoice = _invoice_or_404(request, pk)
    return _pdf_response(pdf.invoice_pdf(invoice), _safe_filename("invoice", invoice.number, "pdf"))


@login_required
@require_safe
def receipt_pdf(request, pk: int):
    invoice = _invoice_or_404(request, pk)
    if invoice.status != InvoiceStatus.PAID:
        raise Http404
    return _pdf_response(
        pdf.receipt_pdf(invoice), _safe_filename("kuitansi", invoice.number, "pdf")
    )


@login_required
@require_safe
def payment_proof(request, pk: int):
    """Stream a transfer proof to its payer or training staff; never from MEDIA_URL."""
    try:
        payment = payment_get_for_user(payment_id=pk, user=request.user)
    except Payment.DoesNotExist:
        raise Http404 from None
    stem = _safe_stem("bukti-transfer", payment.invoice.number)
    return protected_file_response(payment.proof, stem=stem, inline_kinds=PROOF_KINDS)


def _registration_page(invoice: Invoice) -> str:
    registration = invoice.registrations.order_by("id").first()
    if registration is None:
        return reverse("training:my_registrations")
    return reverse("training:registration_detail", args=[registration.pk])


@login_required
@require_POST
def gateway_start(request, pk: int):
    provider = gateway.default_provider()
    invoice = _invoice_or_404(request, pk)
    if provider is None or invoice.buyer_id != request.user.pk:
        raise Http404
    try:
        _payment, target = services.payment_gateway_start(
            invoice=invoice, user=request.user, provider=provider
        )
    except services.RegistrationError as error:
        messages.error(request, error.message)
    except gateway.GatewayError:
        logger.exception("Payment gateway failed to start a transaction for %s", invoice.number)
        messages.error(
            request,
            _(
                "The online payment service cannot be reached right now. Please try again in a "
                "few minutes, or pay by bank transfer."
            ),
        )
    else:
        return redirect(target.url)
    return redirect(_registration_page(invoice))


def _answer(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


@csrf_exempt
@require_POST
def midtrans_notification(request):
    """Receive Midtrans' HTTP notification: 200 once handled (repeats included), else 4xx.

    Midtrans retries anything but a 2xx, so a refusal here is safe: nothing is half done.
    """
    provider = gateway.default_provider()
    if provider is None:
        raise Http404
    try:
        body = json.loads(request.body)
    except (RequestDataTooBig, UnicodeDecodeError, ValueError):
        return _answer(400, "Bad JSON")
    try:
        notification = provider.parse_notification(body)
    except gateway.InvalidNotification as error:
        logger.warning("Midtrans notification refused: %s", error)
        if error.code == "signature":
            return _answer(403, "Bad signature")
        return _answer(400, "Malformed notification")
    try:
        services.payment_gateway_notify(notification=notification)
    except Payment.DoesNotExist:
        return _answer(404, "Unknown order")
    except services.RegistrationError as error:
        logger.warning("Midtrans notification for %s refused: %s", notification.order_id, error)
        return _answer(400, error.code)
    return _answer(200, "OK")
