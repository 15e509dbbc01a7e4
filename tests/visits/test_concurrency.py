"""Many members book the last seats of a slot at the same moment: capacity is never oversold.

Real threads, each with its own PostgreSQL connection, start together on a barrier and call
the service. With the slot lock exactly the bookable seats are taken and everyone else hears
"full"; the negative control turns the lock off and must oversell, which proves the test can
see the race it guards against (as pretix's concurrency tests do).
"""

from functools import partial

from sinergi.core import locking
from sinergi.visits import services
from sinergi.visits.models import Reservation

from ..concurrency import ON_POSTGRESQL, refusal_code, run_together
from .factories import UserFactory, VisitSlotFactory

pytestmark = ON_POSTGRESQL

CAPACITY = 7
WALK_IN = 2  # so 5 seats can be booked online
PEOPLE = 40


def book_all_at_once(slot, users) -> tuple[list[str], list[BaseException]]:
    """Call reservation_create for every user in its own thread, all released together."""
    calls = [
        refusal_code(partial(services.reservation_create, slot=slot, user=u), services.VisitError)
        for u in users
    ]
    results, errors = run_together(calls)
    return [code for code in results if code is not None], errors


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
    monkeypatch.setattr(locking, "_OFF", {services.LOCK_SLOTS})
    slot = VisitSlotFactory(capacity=CAPACITY, walk_in_seats=WALK_IN)
    for user in UserFactory.create_batch(3):
        services.reservation_create(slot=slot, user=user)
    users = UserFactory.create_batch(PEOPLE, roles=["participant"])

    _refusals, errors = book_all_at_once(slot, users)

    assert errors == []
    booked = Reservation.objects.filter(slot=slot, state="booked").count()
    assert booked > CAPACITY - WALK_IN, "no race without the lock: the test proves nothing"
