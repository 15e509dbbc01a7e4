"""Delivery of printed books and print-and-send: request, quote, proof, shipping."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from sinergi.accounts.decorators import role_required
from sinergi.core.shortcuts import error_report, form_errors_add, get_or_404

from .. import selectors, services
from ..forms import DeliveryForm, MemberDomainForm, ProofForm, QuoteForm, ReasonForm, ShipForm
from ..models import DeliveryState, MemberDomain

delivery_staff = role_required(*selectors.DELIVERY_STAFF)


@login_required
def my_deliveries(request):
    allowed = selectors.may_request_delivery(user=request.user)
    form = DeliveryForm(request.POST or None, initial={"phone": request.user.phone})
    if request.method == "POST" and form.is_valid():
        try:
            delivery = services.delivery_request_create(requester=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        except services.VisitError as error:
            error_report(request, error)
        else:
            messages.success(request, _("Request sent. Staff will tell you the cost."))
            return redirect("visits:delivery_detail", pk=delivery.pk)
    context = {
        "form": form,
        "allowed": allowed,
        "deliveries": selectors.deliveries_of_user(user=request.user),
    }
    return render(request, "visits/my_deliveries.html", context)


def _delivery(request, pk: int):
    return get_or_404(selectors.delivery_get_for_user, delivery_id=pk, user=request.user)


@login_required
def delivery_detail(request, pk: int):
    delivery = _delivery(request, pk)
    is_staff = selectors.is_delivery_staff(request.user)
    proof_form = ProofForm()
    if request.method == "POST":
        if delivery.requester_id != request.user.pk:
            raise Http404
        proof_form = ProofForm(request.POST, request.FILES)
        if proof_form.is_valid():
            try:
                services.delivery_proof_upload(
                    request=delivery, proof=proof_form.cleaned_data["proof"], actor=request.user
                )
            except services.VisitError as error:
                error_report(request, error)
            else:
                messages.success(request, _("Payment proof received; staff will check it."))
            return redirect("visits:delivery_detail", pk=delivery.pk)
    context = {
        "delivery": delivery,
        "is_staff": is_staff,
        "is_owner": delivery.requester_id == request.user.pk,
        "whole_contact": delivery.requester_id == request.user.pk
        or selectors.sees_contact_whole(request.user),
        "proof_form": proof_form,
        "quote_form": QuoteForm(initial={"cost": delivery.cost, "cost_note": delivery.cost_note}),
        "reason_form": ReasonForm(),
        "ship_form": ShipForm(),
        "S": DeliveryState,
        "bank": {
            "name": settings.SINERGI_BANK_NAME,
            "account": settings.SINERGI_BANK_ACCOUNT,
            "holder": settings.SINERGI_BANK_ACCOUNT_NAME,
        },
    }
    return render(request, "visits/delivery_detail.html", context)


@login_required
@require_safe
def delivery_proof(request, pk: int):
    """Stream a payment proof to its uploader or delivery staff; never from MEDIA_URL."""
    delivery = _delivery(request, pk)
    if not delivery.proof:
        raise Http404
    response = FileResponse(
        delivery.proof.open("rb"), filename=delivery.proof.name.rsplit("/", 1)[-1]
    )
    patch_cache_control(response, private=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def delivery_action(request, pk: int, action: str):
    """The member's (cancel, received) and staff's (quote, accept, reject, ship, cancel) steps."""
    delivery = _delivery(request, pk)
    is_staff = selectors.is_delivery_staff(request.user)
    is_owner = delivery.requester_id == request.user.pk
    actor = request.user
    try:
        if action == "cancel" and (is_owner or is_staff):
            services.delivery_cancel(
                request=delivery, actor=actor, by_staff=is_staff and not is_owner
            )
        elif action == "received" and (is_owner or is_staff):
            services.delivery_receive(request=delivery, actor=actor)
        elif action == "quote" and is_staff:
            form = QuoteForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give the cost in whole Rupiah."))
            services.delivery_quote(request=delivery, actor=actor, **form.cleaned_data)
        elif action == "accept" and is_staff:
            services.delivery_payment_accept(request=delivery, actor=actor)
        elif action == "reject" and is_staff:
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Say why the proof is refused."))
            services.delivery_payment_reject(request=delivery, actor=actor, **form.cleaned_data)
        elif action == "ship" and is_staff:
            form = ShipForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give the tracking number."))
            services.delivery_ship(request=delivery, actor=actor, **form.cleaned_data)
        else:
            raise Http404
    except (services.VisitError, ValidationError) as error:
        error_report(request, error)
    else:
        messages.success(request, _("Done."))
    return redirect("visits:delivery_detail", pk=delivery.pk)


@delivery_staff
@require_safe
def staff_deliveries(request):
    state = request.GET.get("state", "")
    if state not in DeliveryState.values:
        state = ""
    context = {
        "deliveries": selectors.deliveries_for_staff(state=state)[:200],
        "state": state,
        "states": DeliveryState.choices,
        "whole_contact": selectors.sees_contact_whole(request.user),
    }
    return render(request, "visits/staff/deliveries.html", context)


@delivery_staff
def member_domains(request):
    """Which e-mail domains have delivery and print rights: the university's and partners'."""
    form = MemberDomainForm(request.POST or None)
    if request.method == "POST":
        if "entry" in request.POST:
            entry_id = request.POST["entry"]
            if not entry_id.isdigit():
                raise Http404
            entry = get_or_404(MemberDomain.objects.get, pk=int(entry_id))
            services.member_domain_set_active(
                entry=entry, active=request.POST.get("active") == "1", actor=request.user
            )
            messages.success(request, _("Saved."))
            return redirect("visits:member_domains")
        if form.is_valid():
            try:
                services.member_domain_add(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Rights granted."))
                return redirect("visits:member_domains")
    context = {"domains": MemberDomain.objects.all(), "form": form}
    return render(request, "visits/staff/member_domains.html", context)
