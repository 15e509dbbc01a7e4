"""The desk's side of visits: service points, hours, closures, slots, check-in, the report."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from sinergi.accounts.decorators import role_required
from sinergi.core.htmx import wants_fragment
from sinergi.core.services import log_action
from sinergi.core.shortcuts import error_report, get_or_404

from .. import selectors, services
from ..exports import daily_report_xlsx
from ..forms import (
    CheckInForm,
    ClosureForm,
    GenerateSlotsForm,
    OpeningHoursForm,
    ReportForm,
    ServicePointForm,
    WalkInForm,
)
from ..models import (
    ClearanceState,
    DeliveryState,
    QuestionState,
    ServicePoint,
)
from .common import private_file

visit_staff = role_required(*selectors.VISIT_STAFF)


@role_required(*selectors.DESK_ROLES)
@require_safe
def staff_home(request):
    today = timezone.localdate()
    user = request.user
    context = {
        "is_visit_staff": selectors.is_visit_staff(user),
        "is_reference_staff": selectors.is_reference_staff(user),
        "is_delivery_staff": selectors.is_delivery_staff(user),
        "is_clearance_staff": selectors.is_clearance_staff(user),
        "today_rows": selectors.daily_report(day=today) if selectors.is_visit_staff(user) else [],
        "open_questions": selectors.questions_for_staff(state=QuestionState.OPEN).count(),
        "deliveries_waiting": selectors.deliveries_for_staff()
        .filter(state__in=[DeliveryState.REQUESTED, DeliveryState.PAID, DeliveryState.PROCESSING])
        .count(),
        "clearances_waiting": selectors.clearances_for_staff(
            state=ClearanceState.REQUESTED
        ).count(),
    }
    return render(request, "visits/staff/home.html", context)


@visit_staff
def points(request):
    form = ServicePointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            point = services.service_point_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Service point created. Now set its opening hours."))
            return redirect("visits:point_manage", pk=point.pk)
    context = {"points": ServicePoint.objects.prefetch_related("opening_hours"), "form": form}
    return render(request, "visits/staff/points.html", context)


def _manage_context(point, **forms):
    today = timezone.localdate()
    return {
        "point": point,
        "hours": point.opening_hours.all(),
        "closures": selectors.closures_ahead(service_point=point, today=today),
        "form": ServicePointForm(instance=point),
        "hours_form": OpeningHoursForm(service_point=point),
        "closure_form": ClosureForm(),
        "generate_form": GenerateSlotsForm(
            initial={"start": today, "end": today + timezone.timedelta(days=6)}
        ),
        **forms,
    }


@visit_staff
def point_manage(request, pk: int):
    point = get_or_404(selectors.service_point_get_for_staff, point_id=pk, user=request.user)
    forms = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "edit":
            form = ServicePointForm(request.POST, instance=ServicePoint.objects.get(pk=point.pk))
            if form.is_valid():
                try:
                    services.service_point_update(
                        point=point, actor=request.user, **form.cleaned_data
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("Saved."))
                    return redirect("visits:point_manage", pk=point.pk)
            forms["form"] = form
        elif action == "hours":
            form = OpeningHoursForm(request.POST, service_point=point)
            if form.is_valid():
                try:
                    services.opening_hours_add(
                        service_point=point, actor=request.user, **form.cleaned_data
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("Opening hours added."))
                    return redirect("visits:point_manage", pk=point.pk)
            forms["hours_form"] = form
        elif action == "closure":
            form = ClosureForm(request.POST)
            if form.is_valid():
                closure = services.closure_create(
                    service_point=point, actor=request.user, **form.cleaned_data
                )
                messages.success(
                    request,
                    _("Closed from %(start)s until %(end)s; bookings on those days were cancelled.")
                    % {"start": closure.starts_on, "end": closure.ends_on},
                )
                return redirect("visits:point_manage", pk=point.pk)
            forms["closure_form"] = form
        elif action == "generate":
            form = GenerateSlotsForm(request.POST)
            if form.is_valid():
                try:
                    result = services.slots_generate(
                        service_point=point, actor=request.user, **form.cleaned_data
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        _("%(created)s slots made, %(existing)s already there.")
                        % {"created": result.created, "existing": result.existing},
                    )
                    for day, reason in result.skipped:
                        messages.info(
                            request,
                            _("No slots on %(day)s: %(reason)s") % {"day": day, "reason": reason},
                        )
                    return redirect("visits:point_manage", pk=point.pk)
            forms["generate_form"] = form
    return render(request, "visits/staff/point_manage.html", _manage_context(point, **forms))


@visit_staff
@require_POST
def hours_delete(request, pk: int, hours_id: int):
    point = get_or_404(selectors.service_point_get_for_staff, point_id=pk, user=request.user)
    hours = get_or_404(point.opening_hours.get, pk=hours_id)
    services.opening_hours_remove(hours=hours, actor=request.user)
    messages.success(request, _("Opening hours removed."))
    return redirect("visits:point_manage", pk=point.pk)


@visit_staff
@require_POST
def closure_delete(request, pk: int, closure_id: int):
    point = get_or_404(selectors.service_point_get_for_staff, point_id=pk, user=request.user)
    closure = get_or_404(point.closures.get, pk=closure_id)
    services.closure_delete(closure=closure, actor=request.user)
    messages.success(request, _("Closure removed; those days take bookings again."))
    return redirect("visits:point_manage", pk=point.pk)


def _checkin_context(request, **extra):
    today = timezone.localdate()
    point = None
    point_id = request.GET.get("point") or request.POST.get("point")
    if point_id and point_id.isdigit():
        point = ServicePoint.objects.filter(pk=int(point_id)).first()
    slots = list(selectors.slots_for_day(day=today, service_point=point))
    walk_ins = {
        row.slot.pk: row.walk_ins for row in selectors.daily_report(day=today, service_point=point)
    }
    for slot in slots:
        slot.walk_in_count = walk_ins.get(slot.pk, 0)
    return {
        "form": CheckInForm(),
        "points": selectors.service_points_active(),
        "point": point,
        "slots": slots,
        "today": today,
        **extra,
    }


@visit_staff
def check_in(request):
    """The door: scan a ticket with the phone's camera or type its code."""
    result = None
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        context = _checkin_context(request)
        result = services.reservation_check_in(
            code=form.cleaned_data["code"], actor=request.user, service_point=context["point"]
        )
    context = _checkin_context(request, result=result)
    template = "visits/staff/check_in.html"
    if request.method == "POST" and not form.is_valid():
        context["form"] = form
    if wants_fragment(request) and request.method == "POST":
        # Only the verdict is swapped in, so a refused code says why there.
        context["code_errors"] = form.errors.get("code", [])
        template += "#result"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@visit_staff
@require_POST
def walk_in(request):
    form = WalkInForm(request.POST)
    if form.is_valid():
        slot = get_or_404(selectors.slot_get, slot_id=form.cleaned_data["slot"])
        try:
            services.walk_in_record(
                slot=slot, people=form.cleaned_data["people"], actor=request.user
            )
        except ValidationError as error:
            error_report(request, error)
        else:
            messages.success(request, _("Walk-in recorded."))
    else:
        messages.error(request, _("Give the number of people."))
    point = request.POST.get("point", "")
    return redirect(_checkin_url(point))


def _checkin_url(point: str) -> str:
    url = reverse("visits:check_in")
    return f"{url}?point={point}" if point.isdigit() else url


@visit_staff
@require_safe
def report(request):
    data = request.GET.copy()
    data.setdefault("date", timezone.localdate().isoformat())
    form = ReportForm(data)
    rows = []
    if form.is_valid():
        rows = selectors.daily_report(
            day=form.cleaned_data["date"], service_point=form.cleaned_data["service_point"]
        )
        if request.GET.get("format") == "xlsx":
            day = form.cleaned_data["date"]
            log_action(request.user, "visits.report.exported", None, {"day": day.isoformat()})
            return private_file(
                daily_report_xlsx(rows, day=day),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                f"kunjungan-{day.isoformat()}.xlsx",
            )
    totals = {
        name: sum(getattr(row, name) for row in rows)
        for name in ("capacity", "booked", "arrived", "no_shows", "cancelled", "walk_ins")
    }
    return render(
        request, "visits/staff/report.html", {"form": form, "rows": rows, "totals": totals}
    )
