"""Staff pages: programs, batches, the payments finance verifies, participant exports.

Program managers create and edit; finance approves, rejects and refunds; the head reads.
Everyone with a training role sees the batch pages (the head sees phone numbers masked).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.accounts.decorators import role_required
from sinergi.accounts.models import Role
from sinergi.accounts.selectors import user_has_role
from sinergi.core.htmx import wants_fragment
from sinergi.core.params import id_param
from sinergi.core.shortcuts import form_errors_add

from .. import exports, selectors, services
from ..models import (
    ACTIVE_STATES,
    Batch,
    BatchStatus,
    InvoiceStatus,
    Payment,
    Registration,
    RegistrationState,
)
from ..readiness import batch_readiness
from ..staff_forms import BatchForm, CancelForm, ProgramForm, RefundForm, RejectForm

READERS = (Role.PROGRAM_MANAGER, Role.FINANCE, Role.HEAD)
MANAGERS = (Role.PROGRAM_MANAGER,)
CASHIERS = (Role.FINANCE,)
# The export holds phone numbers whole: only the roles that work with them.
EXPORTERS = (Role.PROGRAM_MANAGER, Role.FINANCE)
PAGE_SIZE = 50


def _next_url(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _batch_or_404(request, pk: int) -> Batch:
    try:
        return selectors.batch_get_public(batch_id=pk, user=request.user)
    except Batch.DoesNotExist:
        raise Http404 from None


def _roles(request) -> dict[str, bool]:
    user = request.user
    return {
        "can_manage": user_has_role(user, *MANAGERS),
        "can_review": user_has_role(user, *CASHIERS),
        "can_export": user_has_role(user, *EXPORTERS),
        # The head reads the lists but does not need to phone anyone.
        "show_phone": user_has_role(user, *EXPORTERS),
    }


# --- Dashboard ------------------------------------------------------------------------------


@role_required(*READERS)
def dashboard(request):
    batches = list(selectors.batches_for_dashboard())
    groups = []
    for status, label in BatchStatus.choices:
        members = [batch for batch in batches if batch.status == status]
        if members:
            groups.append({"status": status, "label": label, "batches": members})
    context = {
        "groups": groups,
        "programs": selectors.program_list(user=request.user).annotate(
            batch_count=Count("batches")
        ),
        "queue_count": selectors.verification_queue().count(),
        **_roles(request),
    }
    return render(request, "training/staff/dashboard.html", context)


# --- Programs and batches -------------------------------------------------------------------


@role_required(*MANAGERS)
def program_create(request):
    return _program_form(request, program=None)


@role_required(*MANAGERS)
def program_edit(request, pk: int):
    program = get_object_or_404(selectors.program_list(user=request.user), pk=pk)
    return _program_form(request, program=program)


def _program_form(request, *, program):
    form = ProgramForm(request.POST or None, request.FILES or None, instance=program)
    if request.method == "POST" and form.is_valid():
        try:
            if program is None:
                services.program_create(actor=request.user, **form.cleaned_data)
            else:
                # Validating changed the form's copy in memory; the service compares its
                # changes against the stored row.
                stored = selectors.program_list(user=request.user).get(pk=program.pk)
                services.program_update(program=stored, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The program is saved."))
            return redirect("training:staff_dashboard")
    return render(request, "training/staff/program_form.html", {"form": form, "program": program})


@role_required(*MANAGERS)
def batch_create(request):
    initial = {"status": BatchStatus.DRAFT, "fee": 0}
    program_id = request.GET.get("program", "")
    if id_param(program_id):
        initial["program"] = id_param(program_id)
    return _batch_form(request, batch=None, initial=initial)


@role_required(*MANAGERS)
def batch_edit(request, pk: int):
    return _batch_form(request, batch=_batch_or_404(request, pk), initial=None)


def _batch_form(request, *, batch, initial):
    form = BatchForm(request.POST or None, instance=batch, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            if batch is None:
                batch = services.batch_create(actor=request.user, **fields)
            else:
                batch = services.batch_update(batch=batch, actor=request.user, **fields)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The batch is saved."))
            return redirect("training:batch_manage", pk=batch.pk)
    return render(request, "training/staff/batch_form.html", {"form": form, "batch": batch})


# --- One batch --------------------------------------------------------------------------------


@role_required(*READERS)
def batch_manage(request, pk: int):
    batch = _batch_or_404(request, pk)
    roles = _roles(request)
    if request.method == "POST":
        if not roles["can_manage"]:
            raise PermissionDenied
        return _registration_cancel(request, batch)
    state = request.GET.get("state", "")
    if state not in RegistrationState.values:
        state = ""
    counts = selectors.batch_state_counts(batch=batch)
    page = Paginator(exports.batch_participants(batch=batch, state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    cancelling = None
    cancel_id = request.GET.get("cancel", "")
    if roles["can_manage"] and id_param(cancel_id):
        cancelling = _registration_of_batch(request, batch, id_param(cancel_id))
    context = {
        "batch": batch,
        "availability": selectors.batch_availability(batch=batch),
        "revenue": selectors.batch_revenue(batch=batch),
        "states": [(value, label, counts[value]) for value, label in RegistrationState.choices],
        "total": sum(counts.values()),
        "state": state,
        "page": page,
        "filters": {"state": state} if state else {},
        "payments": list(selectors.verification_queue(batch=batch)),
        "active_states": ACTIVE_STATES,
        "paid": InvoiceStatus.PAID,
        "next": request.get_full_path(),
        "cancelling": cancelling,
        "cancel_form": CancelForm(initial={"registration": cancel_id}) if cancelling else None,
        "readiness": batch_readiness(batch=batch),
        **roles,
    }
    return render(request, "training/staff/batch_manage.html", context)


def _registration_of_batch(request, batch: Batch, registration_id: int):
    try:
        registration = selectors.registration_get_for_user(
            registration_id=registration_id, user=request.user
        )
    except Registration.DoesNotExist:
        raise Http404 from None
    if registration.batch_id != batch.pk:
        raise Http404
    return registration


def _registration_cancel(request, batch: Batch):
    url = reverse("training:batch_manage", args=[batch.pk])
    form = CancelForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        registration_id = request.POST.get("registration", "")
        if id_param(registration_id):
            url = f"{url}?cancel={registration_id}#cancel"
        return redirect(url)
    registration = _registration_of_batch(request, batch, form.cleaned_data["registration"])
    try:
        services.registration_cancel(
            registration=registration, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except services.RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The registration of %(name)s is cancelled.") % {"name": registration.user},
        )
    return redirect(url)


@role_required(*EXPORTERS)
def participants_export(request, pk: int, fmt: str):
    if fmt not in exports.CONTENT_TYPES:
        raise Http404
    batch = _batch_or_404(request, pk)
    content = exports.participants_export(batch=batch, fmt=fmt, actor=request.user)
    filename = f"{_('participants')}-{slugify(batch.code)}.{fmt}"
    return HttpResponse(
        content,
        content_type=exports.CONTENT_TYPES[fmt],
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


# --- Payments ---------------------------------------------------------------------------------


@role_required(*READERS)
def verification_queue(request):
    page = Paginator(selectors.verification_queue(), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "next": request.get_full_path(), "show_batch": True}
    response = render(
        request, "training/staff/verification_queue.html", {**context, **_roles(request)}
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _payment_or_404(request, pk: int) -> Payment:
    try:
        return selectors.payment_get_for_user(payment_id=pk, user=request.user)
    except Payment.DoesNotExist:
        raise Http404 from None


def _payment_reviewed(request, payment: Payment, *, done: str, error: str = "", reject_form=None):
    """Answer a review: the payment's row for HTMX, else back to the page it came from."""
    if wants_fragment(request):
        context = {
            "payment": payment,
            "error": error,
            "reject_form": reject_form,
            "next": _next_url(request, reverse("training:verification_queue")),
            "show_batch": request.POST.get("show_batch") == "1",
            **_roles(request),
        }
        response = render(request, "training/staff/verification_queue.html#payment-row", context)
    else:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, done)
        response = redirect(_next_url(request, reverse("training:verification_queue")))
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(*CASHIERS)
@require_POST
def payment_approve(request, pk: int):
    payment = _payment_or_404(request, pk)
    error = ""
    try:
        payment = services.payment_approve(payment=payment, actor=request.user)
    except services.RegistrationError as refusal:
        error = refusal.message
    done = _("Payment %(number)s approved; the participant is told by e-mail.") % {
        "number": payment.invoice.number
    }
    return _payment_reviewed(request, payment, done=done, error=error)


@role_required(*CASHIERS)
@require_POST
def payment_reject(request, pk: int):
    payment = _payment_or_404(request, pk)
    form = RejectForm(request.POST)
    error = ""
    if not form.is_valid():
        error = form.errors["reason"][0]
    else:
        try:
            payment = services.payment_reject(
                payment=payment, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except services.RegistrationError as refusal:
            error = refusal.message
        except ValidationError as refusal:
            error = refusal.messages[0]
    done = _("Payment %(number)s rejected; the payer is told why by e-mail.") % {
        "number": payment.invoice.number
    }
    return _payment_reviewed(request, payment, done=done, error=error, reject_form=form)


@role_required(*CASHIERS)
def refund(request, pk: int):
    try:
        registration = selectors.registration_get_for_user(registration_id=pk, user=request.user)
    except Registration.DoesNotExist:
        raise Http404 from None
    invoice = registration.invoice
    refundable = (
        registration.state == RegistrationState.CONFIRMED
        and invoice is not None
        and invoice.status == InvoiceStatus.PAID
    )
    fee = invoice.unit_price if invoice else 0
    form = RefundForm(request.POST or None, max_amount=fee, initial={"amount": fee})
    if request.method == "POST" and refundable and form.is_valid():
        try:
            services.refund_create(
                registration=registration,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except services.RegistrationError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The refund is recorded and the seat is freed."))
            return redirect("training:batch_manage", pk=registration.batch_id)
    context = {"registration": registration, "form": form, "refundable": refundable}
    return render(request, "training/staff/refund.html", context)
