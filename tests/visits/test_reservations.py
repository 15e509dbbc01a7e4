"""Booking a slot: limits, capacity with the walk-in share kept back, check-in, no-shows."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sinergi.core.models import AuditLog
from sinergi.core.scheduling import run_due_jobs
from sinergi.visits import selectors, services
from sinergi.visits.models import Reservation, ServicePoint
from sinergi.visits.selectors import daily_report

from .factories import ServicePointFactory, UserFactory, VisitSlotFactory

pytestmark = pytest.mark.django_db


def book(slot, user=None, **kwargs):
    return services.reservation_create(slot=slot, user=user or UserFactory(), **kwargs)


def reason(slot, user, **kwargs) -> str:
    with pytest.raises(services.VisitError) as error:
        services.reservation_create(slot=slot, user=user, **kwargs)
    return error.value.code


def test_booking_gives_a_ticket_by_e_mail_with_qr_and_pdf(mailoutbox):
    slot = VisitSlotFactory()
    member = UserFactory(email="rina@example.org")

    reservation = book(slot, member)

    assert reservation.state == "booked"
    assert len(reservation.code) == 10 and reservation.code.isalnum()
    assert AuditLog.objects.filter(verb="visits.reservation.booked").count() == 1
    (mail,) = mailoutbox
    assert mail.to == ["rina@example.org"]
    assert reservation.code in mail.subject and reservation.code in mail.body
    names = [name for name, _content, _type in mail.attachments]
    assert names == [f"tiket-{reservation.code}.png", f"tiket-{reservation.code}.pdf"]
    png, pdf = mail.attachments[0][1], mail.attachments[1][1]
    assert png.startswith(b"\x89PNG") and pdf.startswith(b"%PDF-")


def test_walk_in_seats_are_never_booked_online():
    slot = VisitSlotFactory(capacity=5, walk_in_seats=2)
    for _n in range(3):
        book(slot)
    assert reason(slot, UserFactory()) == "full"
    assert Reservation.objects.filter(slot=slot).count() == 3


def test_a_cancelled_seat_can_be_booked_again():
    slot = VisitSlotFactory(capacity=1, walk_in_seats=0)
    first = book(slot)
    services.reservation_cancel(reservation=first, actor=first.user)
    assert book(slot).state == "booked"


def test_daily_limit_counts_across_slots_of_the_point():
    point = ServicePointFactory(max_per_day=1, max_per_week=5)
    morning = VisitSlotFactory(service_point=point)
    afternoon = VisitSlotFactory(
        service_point=point,
        starts_at=morning.starts_at + timedelta(hours=4),
        ends_at=morning.starts_at + timedelta(hours=6),
    )
    member = UserFactory()
    book(morning, member)
    assert reason(afternoon, member) == "limit_reached"
    # Another member is not affected.
    assert book(afternoon).state == "booked"


def test_weekly_limit():
    point = ServicePointFactory(max_per_day=1, max_per_week=2, book_days_ahead=30)
    member = UserFactory()
    # Three days of one week, well ahead: Monday, Tuesday and Wednesday of next-but-one week.
    today = timezone.localdate()
    monday = today + timedelta(days=14 - today.weekday())
    slots = [
        VisitSlotFactory(
            service_point=point,
            starts_at=timezone.make_aware(
                timezone.datetime(monday.year, monday.month, monday.day, 9)
            )
            + timedelta(days=n),
            ends_at=timezone.make_aware(
                timezone.datetime(monday.year, monday.month, monday.day, 11)
            )
            + timedelta(days=n),
        )
        for n in range(3)
    ]
    book(slots[0], member)
    book(slots[1], member)
    assert reason(slots[2], member) == "limit_reached"
    # A cancelled booking no longer counts.
    services.reservation_cancel(
        reservation=Reservation.objects.filter(user=member).first(), actor=member
    )
    assert book(slots[2], member).state == "booked"


def test_same_slot_twice_is_refused():
    point = ServicePointFactory(max_per_day=5)
    slot = VisitSlotFactory(service_point=point)
    member = UserFactory()
    book(slot, member)
    assert reason(slot, member) == "already_booked"


def test_booking_not_open_yet_started_or_too_far_ahead():
    later = VisitSlotFactory(booking_opens_at=timezone.now() + timedelta(hours=1))
    assert reason(later, UserFactory()) == "not_open"
    started = VisitSlotFactory(
        starts_at=timezone.now() - timedelta(minutes=5), ends_at=timezone.now() + timedelta(hours=1)
    )
    assert reason(started, UserFactory()) == "started"
    point = ServicePointFactory(book_days_ahead=3)
    far = VisitSlotFactory(
        service_point=point,
        starts_at=timezone.now() + timedelta(days=10),
        ends_at=timezone.now() + timedelta(days=10, hours=2),
    )
    assert reason(far, UserFactory()) == "not_open"


def test_inactive_point_takes_no_bookings():
    slot = VisitSlotFactory()
    ServicePoint.objects.filter(pk=slot.service_point_id).update(is_active=False)
    assert reason(slot, UserFactory()) == "closed"


def test_cancel_only_before_the_slot_starts():
    slot = VisitSlotFactory()
    reservation = book(slot)
    with pytest.raises(services.VisitError) as error:
        services.reservation_cancel(
            reservation=reservation, actor=None, now=slot.starts_at + timedelta(minutes=1)
        )
    assert error.value.code == "started"


def test_check_in_valid_then_already_used():
    slot = VisitSlotFactory()
    reservation = book(slot)
    desk = UserFactory(roles=["services_desk"])
    on_the_day = slot.starts_at + timedelta(minutes=10)

    first = services.reservation_check_in(code=reservation.code.lower(), actor=desk, now=on_the_day)
    second = services.reservation_check_in(code=reservation.code, actor=desk, now=on_the_day)

    assert first.status == "valid"
    assert second.status == "used"
    reservation.refresh_from_db()
    assert reservation.state == "checked_in"
    assert reservation.checked_in_at == on_the_day
    assert reservation.checked_in_by == desk
    assert AuditLog.objects.filter(verb="visits.reservation.checked_in").count() == 1


def test_check_in_on_the_wrong_day():
    slot = VisitSlotFactory()
    reservation = book(slot)
    result = services.reservation_check_in(
        code=reservation.code, actor=None, now=slot.starts_at - timedelta(days=1)
    )
    assert result.status == "wrong_day"
    reservation.refresh_from_db()
    assert reservation.state == "booked"


def test_check_in_unknown_cancelled_and_wrong_place():
    slot = VisitSlotFactory()
    reservation = book(slot)
    assert services.reservation_check_in(code="NOPE", actor=None).status == "unknown"
    other_point = ServicePointFactory()
    result = services.reservation_check_in(
        code=reservation.code, actor=None, service_point=other_point, now=slot.starts_at
    )
    assert result.status == "wrong_place"
    services.reservation_cancel(reservation=reservation, actor=None)
    result = services.reservation_check_in(code=reservation.code, actor=None, now=slot.starts_at)
    assert result.status == "cancelled"


def test_no_shows_are_marked_after_the_slot_by_the_periodic_job():
    slot = VisitSlotFactory()
    came, stayed_away = book(slot), book(slot)
    services.reservation_check_in(code=came.code, actor=None, now=slot.starts_at)
    # Before the slot ends nothing changes.
    assert services.reservations_mark_no_shows(now=slot.ends_at - timedelta(minutes=1)) == 0
    slot.starts_at -= timedelta(days=2)
    slot.ends_at -= timedelta(days=2)
    slot.save(update_fields=["starts_at", "ends_at"])

    outcomes = run_due_jobs(force=True)

    assert outcomes["visits.jobs.mark_no_shows"] == "marked 1"
    came.refresh_from_db()
    stayed_away.refresh_from_db()
    assert (came.state, stayed_away.state) == ("checked_in", "no_show")
    # Idempotent.
    assert services.reservations_mark_no_shows() == 0
    services.walk_in_record(slot=slot, people=3, actor=None)
    (row,) = daily_report(day=timezone.localtime(slot.starts_at).date())
    assert (row.booked, row.arrived, row.no_shows, row.walk_ins) == (2, 1, 1, 3)


def test_walk_ins_fill_their_share_then_free_seats_never_beyond_capacity():
    slot = VisitSlotFactory(capacity=5, walk_in_seats=2)
    book(slot)
    book(slot)
    # Two walk-ins use the kept seats: the three bookable seats are untouched (one left).
    services.walk_in_record(slot=slot, people=2, actor=None)
    assert selectors.slot_seats(slot=slot).bookable == 1
    # One more walk-in takes the last unbooked seat: online booking is now full.
    services.walk_in_record(slot=slot, people=1, actor=None)
    assert reason(slot, UserFactory()) == "full"
    with pytest.raises(ValidationError) as error:
        services.walk_in_record(slot=slot, people=1, actor=None)
    assert error.value.code == "full"
    seats = selectors.slot_seats(slot=slot)
    assert (seats.booked, seats.walk_ins, seats.for_walk_ins) == (2, 3, 0)
