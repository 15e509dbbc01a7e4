"""Online clearance (bebas pustaka): request, blockers, approval, the letter and its check."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from sinergi.accounts.decorators import role_required
from sinergi.core.shortcuts import error_report, get_or_404

from .. import selectors, services
from ..clearance import clearance_blockers
from ..forms import ClearanceForm, ReasonForm
from ..models import ClearanceState
from ..pdf import clearance_letter_pdf
from .common import private_file

clearance_staff = role_required(*selectors.CLEARANCE_STAFF)


@login_required
def clearance(request):
    form = ClearanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.clearance_request(student=request.user, **form.cleaned_data)
        except services.VisitError as error:
            error_report(request, error)
        else:
            messages.success(request, _("Clearance requested."))
            return redirect("visits:clearance_detail", pk=created.pk)
    requests = selectors.clearances_of_user(user=request.user)
    waiting = requests.filter(
        state__in=[ClearanceState.REQUESTED, ClearanceState.APPROVED]
    ).exists()
    return render(
        request,
        "visits/clearance.html",
        {"form": form, "requests": requests, "may_request": not waiting},
    )


def _clearance(request, pk: int):
    return get_or_404(selectors.clearance_get_for_user, clearance_id=pk, user=request.user)


@login_required
@require_safe
def clearance_detail(request, pk: int):
    item = _clearance(request, pk)
    context = {
        "clearance": item,
        "blockers": clearance_blockers(item) if item.state == ClearanceState.REQUESTED else [],
        "is_staff": selectors.is_clearance_staff(request.user),
        "reason_form": ReasonForm(),
    }
    return render(request, "visits/clearance_detail.html", context)


@login_required
@require_safe
def clearance_letter(request, pk: int):
    item = _clearance(request, pk)
    if item.state != ClearanceState.APPROVED:
        raise Http404
    filename = "bebas-pustaka-" + item.number.replace("/", "-") + ".pdf"
    return private_file(clearance_letter_pdf(item), "application/pdf", filename)


@clearance_staff
@require_POST
def clearance_action(request, pk: int, action: str):
    item = _clearance(request, pk)
    actor = request.user
    try:
        if action == "approve":
            services.clearance_approve(clearance=item, actor=actor)
        elif action == "reject":
            form = ReasonForm(request.POST)
            note = form.cleaned_data["reason"] if form.is_valid() else ""
            services.clearance_reject(clearance=item, note=note, actor=actor)
        elif action in ("thesis", "no-thesis"):
            services.clearance_set_thesis(clearance=item, deposited=action == "thesis", actor=actor)
        else:
            raise Http404
    except services.VisitError as error:
        error_report(request, error)
    else:
        messages.success(request, _("Done."))
    return redirect("visits:clearance_detail", pk=item.pk)


@clearance_staff
@require_safe
def staff_clearances(request):
    state = request.GET.get("state", ClearanceState.REQUESTED)
    if state not in ClearanceState.values:
        state = ""
    context = {
        "requests": selectors.clearances_for_staff(state=state)[:200],
        "state": state,
        "states": ClearanceState.choices,
    }
    return render(request, "visits/staff/clearances.html", context)


@require_safe
def clearance_verify(request, code: str):
    """Anyone who scans the letter's QR code sees whether it is genuine."""
    item = selectors.clearance_by_code(code=code)
    response = render(
        request, "visits/clearance_verify.html", {"clearance": item}, status=200 if item else 404
    )
    return response
