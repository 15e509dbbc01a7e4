"""Many members book the last seats of a slot at the same moment: capacity is never oversold.

Real threads, each with its own PostgreSQL connection, start together on a barrier and call
the service. With the slot lock exactly the bookable seats are taken and everyone else hears
"full"; the negative control turns the lock off and must oversell, which proves the test can
see the race it guards against (as pretix's concurrency tests do).
"""

import threading

import pytest
from django.db import connection

from sinergi.visits import services
from sinergi.visits.models import Reservation

from .factories import UserFactory, VisitSlotFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

CAPACITY = 7
WALK_IN = 2  # so 5 seats can be booked online
PEOPLE = 40


def book_all_at_once(slot, users) -> tuple[list[str], list[BaseException]]:
    """Call reservation_create for every user in its own thread, all released together."""
    barrier = threading.Barrier(len(users))
    refusals: list[str] = []
    errors: list[BaseException] = []

    def book(user):
        try:
            barrier.wait(timeout=30)
            services.reservation_create(slot=slot, user=user)
        except services.VisitError as refusal:
            refusals.append(refusal.code)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a booking hung"
    return refusals, errors


def test_parallel_bookings_never_exceed_the_bookable_seats():
    slot = VisitSlotFactory(capacity=CAPACITY, walk_in_seats=WALK_IN)
    # The last seats: three are already taken.
    for user in UserFactory.create_batch(3):
        services.reservation_create(slot=slot, user=user)
    users = UserFactory.create_batch(PEOPLE, roles=["participant"])

    refusals, errors = book_all_at_once(slot, users)

    assert errors == []
    booked = Reservation.objects.filter(slot=slot, state="booked").count()
    assert booked == CAPACITY - WALK_IN
    assert refusals == ["full"] * (PEOPLE - 2)


def test_negative_control_without_the_lock_oversells(monkeypatch):
    monkeypatch.setattr(services, "LOCK_SLOTS", False)
    slot = VisitSlotFactory(capacity=CAPACITY, walk_in_seats=WALK_IN)
    for user in UserFactory.create_batch(3):
        services.reservation_create(slot=slot, user=user)
    users = UserFactory.create_batch(PEOPLE, roles=["participant"])

    _refusals, errors = book_all_at_once(slot, users)

    assert errors == []
    booked = Reservation.objects.filter(slot=slot, state="booked").count()
    assert booked > CAPACITY - WALK_IN, "no race without the lock: the test proves nothing"
