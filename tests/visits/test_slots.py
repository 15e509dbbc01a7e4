"""Slots come from opening hours; public holidays and closures take days out."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sinergi.core.models import AuditLog
from sinergi.visits import services
from sinergi.visits.models import Reservation, VisitSlot

from .factories import OpeningHoursFactory, ServicePointFactory, UserFactory, VisitSlotFactory

pytestmark = pytest.mark.django_db

# 17 August 2026 (Monday) is Independence Day; 16 and 18 are a Sunday and a Tuesday.
INDEPENDENCE_DAY = date(2026, 8, 17)


def local_days(slots) -> list[date]:
    return sorted({timezone.localtime(slot.starts_at).date() for slot in slots})


def test_generation_skips_a_public_holiday_and_a_closure():
    point = ServicePointFactory(capacity=30, walk_in_percent=20, slot_minutes=120)
    for weekday in range(5):
        OpeningHoursFactory(
            service_point=point, weekday=weekday, opens_at=time(8), closes_at=time(12)
        )
        OpeningHoursFactory(
            service_point=point, weekday=weekday, opens_at=time(13), closes_at=time(16)
        )
    services.closure_create(
        service_point=point,
        starts_on=date(2026, 8, 19),
        ends_on=date(2026, 8, 19),
        reason="Stock opname",
        actor=None,
    )

    result = services.slots_generate(
        service_point=point, start=date(2026, 8, 17), end=date(2026, 8, 23), actor=None
    )

    slots = VisitSlot.objects.filter(service_point=point)
    # Mon 17 holiday, Wed 19 closed, Sat/Sun have no hours: Tue, Thu, Fri remain.
    assert local_days(slots) == [date(2026, 8, 18), date(2026, 8, 20), date(2026, 8, 21)]
    # 08-10, 10-12 and 13-15 (15-17 would run past 16.00): three slots a day.
    assert result.created == 9 == slots.count()
    assert [d for d, _reason in result.skipped] == [INDEPENDENCE_DAY, date(2026, 8, 19)]
    assert result.skipped[1][1] == "Stock opname"
    assert "Kemerdekaan" in result.skipped[0][1]
    first = slots.order_by("starts_at").first()
    assert timezone.localtime(first.starts_at).time() == time(8)
    assert (first.capacity, first.walk_in_seats, first.bookable_seats) == (30, 6, 24)
    assert AuditLog.objects.filter(verb="visits.slots.generated").count() == 1


def test_generation_twice_makes_no_duplicates():
    point = ServicePointFactory()
    OpeningHoursFactory(service_point=point, weekday=1)
    services.slots_generate(
        service_point=point, start=date(2026, 8, 18), end=date(2026, 8, 18), actor=None
    )
    again = services.slots_generate(
        service_point=point, start=date(2026, 8, 18), end=date(2026, 8, 18), actor=None
    )
    assert (again.created, again.existing) == (0, 2)
    assert VisitSlot.objects.filter(service_point=point).count() == 2


def test_generation_refuses_a_backwards_range():
    point = ServicePointFactory()
    with pytest.raises(ValidationError):
        services.slots_generate(
            service_point=point, start=date(2026, 8, 20), end=date(2026, 8, 18), actor=None
        )


def test_closure_closes_existing_slots_cancels_bookings_and_tells_members(mailoutbox):
    slot = VisitSlotFactory()
    member = UserFactory(roles=["participant"])
    reservation = services.reservation_create(slot=slot, user=member)
    mailoutbox.clear()
    day = timezone.localtime(slot.starts_at).date()

    services.closure_create(
        service_point=slot.service_point, starts_on=day, ends_on=day, reason="Banjir", actor=None
    )

    slot.refresh_from_db()
    reservation.refresh_from_db()
    assert slot.closure is not None
    assert reservation.state == "cancelled"
    assert len(mailoutbox) == 1 and "Banjir" in mailoutbox[0].body
    with pytest.raises(services.VisitError) as error:
        services.reservation_create(slot=slot, user=UserFactory())
    assert error.value.code == "closed"
    assert "Banjir" in str(error.value.message)


def test_removing_a_closure_reopens_its_slots():
    slot = VisitSlotFactory()
    day = timezone.localtime(slot.starts_at).date()
    closure = services.closure_create(
        service_point=slot.service_point, starts_on=day, ends_on=day, reason="Rapat", actor=None
    )
    services.closure_delete(closure=closure, actor=None)
    reservation = services.reservation_create(slot=slot, user=UserFactory())
    assert reservation.state == "booked"
    assert Reservation.objects.count() == 1


def test_opening_hours_may_not_overlap():
    point = ServicePointFactory()
    services.opening_hours_add(
        service_point=point, weekday=0, opens_at=time(8), closes_at=time(12), actor=None
    )
    with pytest.raises(ValidationError):
        services.opening_hours_add(
            service_point=point, weekday=0, opens_at=time(11), closes_at=time(14), actor=None
        )


def test_slot_created_by_hand_keeps_the_walk_in_share():
    point = ServicePointFactory(walk_in_percent=25)
    start = timezone.now() + timedelta(days=2)
    slot = services.slot_create(
        service_point=point,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=100,
        actor=None,
    )
    assert (slot.walk_in_seats, slot.bookable_seats) == (25, 75)
