"""The catalogue and the participant's pages: register, pay by transfer, cancel, take an offer."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from sinergi.core.formatting import format_datetime
from sinergi.core.htmx import wants_fragment
from sinergi.core.shortcuts import form_errors_add

from .. import services
from ..forms import CatalogueFilterForm, GroupRegistrationForm, RegistrationForm, TransferProofForm
from ..models import (
    ACTIVE_STATES,
    Batch,
    BatchStatus,
    Invoice,
    InvoiceStatus,
    Registration,
    RegistrationState,
)
from ..selectors import (
    batch_availability,
    batch_get_public,
    catalogue_batches,
    group_registrations_of_contact,
    invoice_get_for_user,
    registration_get_for_user,
    registrations_of_user,
)

S = RegistrationState
CATALOGUE_PAGE_SIZE = 12


def _batch_or_404(batch_id: int, user) -> Batch:
    try:
        return batch_get_public(batch_id=batch_id, user=user)
    except Batch.DoesNotExist:
        raise Http404 from None


def _registration_or_404(pk: int, user, *, owner_only: bool = False) -> Registration:
    try:
        registration = registration_get_for_user(registration_id=pk, user=user)
    except Registration.DoesNotExist:
        raise Http404 from None
    if owner_only and registration.user_id != user.pk:
        raise Http404
    return registration


def _active_registration(user, batch: Batch) -> Registration | None:
    if not user.is_authenticated:
        return None
    return registrations_of_user(user=user).filter(batch=batch, state__in=ACTIVE_STATES).first()


# --- Catalogue -----------------------------------------------------------------------------


def catalogue(request):
    form = CatalogueFilterForm(request.GET or None)
    filters = form.filters()
    batches = catalogue_batches(**filters)
    page = Paginator(batches, CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    for batch in page:
        batch.seats_left = max(batch.capacity - batch.seats_taken, 0)
    query = {name: value for name, value in request.GET.items() if name != "page" and value}
    template = "training/catalogue.html"
    if wants_fragment(request):
        template += "#results"
    response = render(
        request,
        template,
        {"form": form, "page": page, "filters": query, "filtered": any(filters.values())},
    )
    patch_vary_headers(response, ("HX-Request",))
    return response


def batch_detail(request, batch_id: int):
    batch = _batch_or_404(batch_id, request.user)
    now = timezone.now()
    context = {
        "batch": batch,
        "program": batch.program,
        "units": batch.program.competency_units.all(),
        "availability": batch_availability(batch=batch, now=now),
        "is_open": batch.registration_is_open(now),
        "opens_later": batch.status == BatchStatus.OPEN and now < batch.registration_opens,
        "registration": _active_registration(request.user, batch),
    }
    return render(request, "training/batch_detail.html", context)


# --- Registering ---------------------------------------------------------------------------


def _registered_message(request, registration: Registration) -> None:
    if registration.state == S.WAITLISTED:
        messages.info(
            request,
            _(
                "The batch is full, so you are on the waiting list. If a seat becomes free we "
                "will e-mail you an offer."
            ),
        )
    elif registration.state == S.CONFIRMED:
        messages.success(request, _("You are registered and your seat is confirmed."))
    else:
        messages.success(
            request,
            _("You are registered. Please pay before %(deadline)s to keep your seat.")
            % {"deadline": format_datetime(registration.expires_at)},
        )


@login_required
def register(request, batch_id: int):
    batch = _batch_or_404(batch_id, request.user)
    existing = _active_registration(request.user, batch)
    if existing is not None:
        messages.info(request, _("You are already registered for this batch."))
        return redirect("training:registration_detail", pk=existing.pk)
    form = RegistrationForm(
        request.POST or None, initial=RegistrationForm.initial_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        participant = services.Participant(
            institution_name=data["institution_name"],
            position=data["position"],
            province_id=data["province"].pk,
            phone=data["phone"],
        )
        try:
            registration = services.registration_create(
                batch=batch, user=request.user, participant=participant, consent=data["consent"]
            )
        except (services.RegistrationError, ValidationError) as error:
            form_errors_add(form, error)
        else:
            _registered_message(request, registration)
            return redirect("training:registration_detail", pk=registration.pk)
    return render(request, "training/register.html", _form_context(batch, form))


def _form_context(batch: Batch, form) -> dict:
    return {
        "batch": batch,
        "form": form,
        "availability": batch_availability(batch=batch),
        "is_open": batch.registration_is_open(),
        "payment_window_hours": settings.SINERGI_PAYMENT_WINDOW_HOURS,
    }


@login_required
def group_register(request, batch_id: int):
    batch = _batch_or_404(batch_id, request.user)
    form = GroupRegistrationForm(
        request.POST or None,
        initial={
            "institution_name": request.user.institution_name,
            "province": request.user.province_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        members = [
            services.GroupMember(
                email=m.email, full_name=m.full_name, position=m.position, phone=m.phone
            )
            for m in data["members"]
        ]
        try:
            group = services.group_registration_create(
                batch=batch,
                contact=request.user,
                institution_name=data["institution_name"],
                province_id=data["province"].pk,
                members=members,
                consent=data["consent"],
            )
        except services.RegistrationError as error:
            field = "members" if error.code == "already_registered" else None
            form.add_error(field, error.message)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            seated = sum(1 for r in group.registrations.all() if r.state != S.WAITLISTED)
            messages.success(
                request,
                _(
                    "%(total)s participants registered: %(seated)s with a seat, %(waiting)s "
                    "on the waiting list."
                )
                % {"total": len(members), "seated": seated, "waiting": len(members) - seated},
            )
            return redirect("training:my_registrations")
    return render(request, "training/group_register.html", _form_context(batch, form))


# --- The participant's registrations -----------------------------------------------------------


@login_required
def my_registrations(request):
    registrations = list(registrations_of_user(user=request.user))
    groups = list(group_registrations_of_contact(user=request.user))
    for group in groups:
        members = list(group.registrations.all())
        group.members = members
        group.invoice = next((m.invoice for m in members if m.invoice_id), None)
        # The page that shows the invoice box and its upload form.
        group.pay_registration = next((m for m in members if m.invoice_id), None)
    context = {"registrations": registrations, "groups": groups}
    return render(request, "training/my_registrations.html", context)


def _registration_page(request, registration: Registration, *, transfer_form=None):
    user = request.user
    invoice: Invoice | None = registration.invoice
    payments = list(invoice.payments.all()) if invoice else []
    is_buyer = invoice is not None and invoice.buyer_id == user.pk
    can_pay = (
        is_buyer
        and invoice.status == InvoiceStatus.OPEN
        and registration.state == S.PENDING_PAYMENT
    )
    is_owner = registration.user_id == user.pk
    context = {
        "registration": registration,
        "batch": registration.batch,
        "invoice": invoice,
        "payments": payments,
        "is_owner": is_owner,
        "is_buyer": is_buyer,
        "can_pay": can_pay,
        "can_cancel": is_owner and registration.state in ACTIVE_STATES,
        "can_accept": is_owner and registration.state == S.OFFERED,
        "gateway_enabled": bool(settings.MIDTRANS_SERVER_KEY),
        "offer_window_hours": settings.SINERGI_OFFER_WINDOW_HOURS,
        "transfer_form": transfer_form or TransferProofForm(),
        "bank": {
            "name": settings.SINERGI_BANK_NAME,
            "account": settings.SINERGI_BANK_ACCOUNT,
            "holder": settings.SINERGI_BANK_ACCOUNT_NAME,
        },
    }
    return render(request, "training/registration_detail.html", context)


@login_required
def registration_detail(request, pk: int):
    return _registration_page(request, _registration_or_404(pk, request.user))


@login_required
@require_POST
def registration_cancel(request, pk: int):
    registration = _registration_or_404(pk, request.user, owner_only=True)
    try:
        services.registration_cancel(registration=registration, actor=request.user)
    except services.RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your registration has been cancelled."))
    return redirect("training:registration_detail", pk=registration.pk)


@login_required
@require_POST
def offer_accept(request, pk: int):
    registration = _registration_or_404(pk, request.user, owner_only=True)
    try:
        registration = services.registration_accept_offer(
            registration=registration, actor=request.user
        )
    except services.RegistrationError as error:
        messages.error(request, error.message)
    else:
        _registered_message(request, registration)
    return redirect("training:registration_detail", pk=registration.pk)


@login_required
@require_POST
def transfer_upload(request, pk: int):
    try:
        invoice = invoice_get_for_user(invoice_id=pk, user=request.user)
    except Invoice.DoesNotExist:
        raise Http404 from None
    # The page to come back to: the buyer's own seat on this invoice, or (for a group's
    # contact) the first seat it pays for.
    mine = invoice.registrations.filter(user=request.user).values_list("pk", flat=True)
    first = invoice.registrations.order_by("created_at", "id").values_list("pk", flat=True)
    registration_id = mine.first() or first.first()
    if registration_id is None:
        raise Http404
    form = TransferProofForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.payment_submit_transfer(
                invoice=invoice,
                user=request.user,
                proof=form.cleaned_data["proof"],
                note=form.cleaned_data["note"],
            )
        except services.RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _(
                    "Thank you, we have received your transfer proof. We will e-mail you when "
                    "finance has checked it."
                ),
            )
        return redirect("training:registration_detail", pk=registration_id)
    registration = _registration_or_404(registration_id, request.user)
    return _registration_page(request, registration, transfer_form=form)
