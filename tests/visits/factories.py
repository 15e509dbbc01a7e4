from datetime import time, timedelta

import factory
from django.utils import timezone

from sinergi.visits.models import OpeningHours, ServicePoint, VisitSlot

from ..factories import UserFactory

__all__ = ["OpeningHoursFactory", "ServicePointFactory", "UserFactory", "VisitSlotFactory"]


class ServicePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePoint

    name = factory.Sequence(lambda n: f"Ruang Baca Lantai {n}")
    slug = factory.Sequence(lambda n: f"ruang-baca-{n}")
    location = "Gedung Perpustakaan UPI"
    capacity = 10
    walk_in_percent = 20
    slot_minutes = 120
    max_per_day = 1
    max_per_week = 3
    book_days_ahead = 14


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    service_point = factory.SubFactory(ServicePointFactory)
    weekday = 0
    opens_at = time(8, 0)
    closes_at = time(12, 0)


def _tomorrow_at(hour: int):
    day = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(timezone.datetime.combine(day, time(hour, 0)))


class VisitSlotFactory(factory.django.DjangoModelFactory):
    """A slot tomorrow morning, bookable now: 10 seats, 2 kept for walk-ins."""

    class Meta:
        model = VisitSlot

    service_point = factory.SubFactory(ServicePointFactory)
    starts_at = factory.LazyFunction(lambda: _tomorrow_at(9))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    capacity = 10
    walk_in_seats = 2
