"""Visit slots and booking limits at every moment of tests/moments.py: slots follow the WIB
calendar (no slot on a public holiday, closure days take no booking), a member never books past
the daily and weekly limits (weeks run Monday to Sunday, WIB), and nothing already started can be
booked."""

from collections import Counter
from datetime import time, timedelta

import pytest
import time_machine
from django.utils import timezone

from sinergi.core.calendar import holiday_name
from sinergi.visits import services
from sinergi.visits.models import VisitSlot
from sinergi.visits.services import VisitError

from ..moments import MOMENTS
from .factories import ServicePointFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("moment", MOMENTS)
def test_slots_and_limits_hold_at_any_moment(moment):
    with time_machine.travel(moment, tick=False):
        today = timezone.localdate()
        point = ServicePointFactory(max_per_day=1, max_per_week=3, book_days_ahead=14)
        for weekday in range(6):  # Monday to Saturday, 08.00-12.00
            services.opening_hours_add(
                service_point=point,
                weekday=weekday,
                opens_at=time(8),
                closes_at=time(16),
                actor=None,
            )
        closed_from = today + timedelta(days=2)
        services.closure_create(
            service_point=point,
            starts_on=closed_from,
            ends_on=closed_from + timedelta(days=2),
            reason="Stock opname",
            actor=None,
        )
        services.slots_generate(
            service_point=point, start=today, end=today + timedelta(days=14), actor=None
        )
        slots = list(VisitSlot.objects.filter(service_point=point).order_by("starts_at"))
        days = {timezone.localtime(s.starts_at).date() for s in slots}
        assert days, "a fortnight of Monday-to-Saturday hours has slots"
        assert not any(holiday_name(day) for day in days)
        assert all(timezone.localtime(s.starts_at).weekday() < 6 for s in slots)
        assert not days & {closed_from + timedelta(days=n) for n in range(3)}

        member = UserFactory()
        booked = []
        for slot in slots:
            try:
                booked.append(services.reservation_create(slot=slot, user=member).slot)
            except VisitError as error:
                assert error.code in {"limit_reached", "started", "not_open"}, error
        assert booked, "the member could book something"
        now = timezone.now()
        assert all(slot.starts_at > now for slot in booked)
        per_day = Counter(timezone.localtime(s.starts_at).date() for s in booked)
        per_week = Counter(day - timedelta(days=day.weekday()) for day in per_day.elements())
        assert max(per_day.values()) <= 1 and max(per_week.values()) <= 3
