"""The member's side of visits: service points, booking a slot, tickets."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from sinergi.core.calendar import holiday_name
from sinergi.core.shortcuts import error_report, get_or_404

from .. import selectors, services
from ..forms import DayForm
from ..models import ReservationState
from ..pdf import ticket_pdf, ticket_qr_png
from .common import private_file


@require_safe
def home(request):
    points = selectors.service_points_active().prefetch_related("opening_hours")
    context = {"points": points, "desk": selectors.is_desk_staff(request.user)}
    return render(request, "visits/home.html", context)


def _days(point, today):
    """The days a member may pick, each with why it is closed (if it is)."""
    closures = list(selectors.closures_ahead(service_point=point, today=today))
    open_weekdays = {hours.weekday for hours in point.opening_hours.all()}
    days = []
    for offset in range(point.book_days_ahead + 1):
        day = today + timedelta(days=offset)
        closure = next((c for c in closures if c.starts_on <= day <= c.ends_on), None)
        reason = holiday_name(day) or (closure.reason if closure else "")
        if not reason and day.weekday() not in open_weekdays:
            reason = _("Closed")
        days.append({"date": day, "closed_reason": reason})
    return days


@require_safe
def point_detail(request, slug: str):
    point = get_or_404(selectors.service_point_get, slug=slug, user=request.user)
    today = timezone.localdate()
    form = DayForm(request.GET or None)
    day = form.cleaned_data["date"] if form.is_valid() else today
    now = timezone.now()
    slots = list(selectors.slots_for_day(day=day, service_point=point))
    mine = set()
    if request.user.is_authenticated:
        mine = set(
            selectors.reservations_of_user(user=request.user)
            .filter(
                slot__in=slots, state__in=[ReservationState.BOOKED, ReservationState.CHECKED_IN]
            )
            .values_list("slot_id", flat=True)
        )
    for slot in slots:
        slot.free = max(slot.bookable_seats - slot.booked, 0)
        slot.mine = slot.pk in mine
        slot.past = slot.starts_at <= now
        slot.not_yet = bool(slot.booking_opens_at and slot.booking_opens_at > now)
    context = {
        "point": point,
        "day": day,
        "days": _days(point, today),
        "slots": slots,
        "holiday": holiday_name(day),
        "closure": selectors.closure_on(service_point=point, day=day),
        "form": form,
    }
    return render(request, "visits/point_detail.html", context)


@login_required
@require_POST
def slot_book(request, slot_id: int):
    slot = get_or_404(selectors.slot_get, slot_id=slot_id)
    try:
        reservation = services.reservation_create(slot=slot, user=request.user)
    except services.VisitError as error:
        error_report(request, error)
        day = timezone.localtime(slot.starts_at).date().isoformat()
        return redirect(f"{slot.service_point.get_absolute_url()}?date={day}")
    messages.success(request, _("Booked. Your ticket is below and on its way to your e-mail."))
    return redirect("visits:ticket_detail", pk=reservation.pk)


@login_required
@require_safe
def my_tickets(request):
    now = timezone.now()
    reservations = selectors.reservations_of_user(user=request.user)
    context = {
        "upcoming": reservations.filter(slot__ends_at__gt=now).order_by("slot__starts_at"),
        "past": reservations.filter(slot__ends_at__lte=now).order_by("-slot__starts_at")[:20],
    }
    return render(request, "visits/my_tickets.html", context)


def _reservation(request, pk: int):
    return get_or_404(selectors.reservation_get_for_user, reservation_id=pk, user=request.user)


@login_required
@require_safe
def ticket_detail(request, pk: int):
    reservation = _reservation(request, pk)
    now = timezone.now()
    context = {
        "reservation": reservation,
        "slot": reservation.slot,
        "cancellable": reservation.state == ReservationState.BOOKED
        and reservation.slot.starts_at > now,
    }
    return render(request, "visits/ticket_detail.html", context)


@login_required
@require_safe
def ticket_qr(request, pk: int):
    reservation = _reservation(request, pk)
    return private_file(
        ticket_qr_png(reservation), "image/png", f"tiket-{reservation.code}.png", inline=True
    )


@login_required
@require_safe
def ticket_download(request, pk: int):
    reservation = _reservation(request, pk)
    return private_file(ticket_pdf(reservation), "application/pdf", f"tiket-{reservation.code}.pdf")


@login_required
@require_POST
def ticket_email(request, pk: int):
    reservation = _reservation(request, pk)
    services.ticket_resend(reservation=reservation, actor=request.user)
    messages.success(
        request, _("The ticket has been sent to %(email)s.") % {"email": reservation.user.email}
    )
    return redirect("visits:ticket_detail", pk=pk)


@login_required
@require_POST
def ticket_cancel(request, pk: int):
    reservation = _reservation(request, pk)
    try:
        services.reservation_cancel(reservation=reservation, actor=request.user)
    except services.VisitError as error:
        error_report(request, error)
    else:
        messages.success(request, _("Your visit is cancelled; the seat is free for someone else."))
    return redirect("visits:ticket_detail", pk=pk)
