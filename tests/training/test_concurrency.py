"""Many people register for the last seats at the same moment: capacity is never oversold.

Real threads, each with its own PostgreSQL connection, start together on a barrier and call
the service. With the batch lock the seats go to exactly `capacity` people and the rest wait;
the negative control turns the lock off and must oversell, which proves the test can see the
race it guards against (as pretix's concurrency tests do).
"""

from functools import partial

from sinergi.core import locking
from sinergi.training import services
from sinergi.training.models import Invoice, Registration
from sinergi.training.selectors import batch_availability

from ..concurrency import ON_POSTGRESQL, run_together
from ..factories import BatchFactory, UserFactory

pytestmark = ON_POSTGRESQL

CAPACITY = 5
PEOPLE = 40


def register_all_at_once(batch, users) -> list[BaseException]:
    """Call registration_create for every user in its own thread, all released together."""
    _results, errors = run_together(
        [partial(services.registration_create, batch=batch, user=u, consent=True) for u in users]
    )
    return errors


def seat_holders(batch) -> int:
    return Registration.objects.filter(batch=batch, state="pending_payment").count()


def test_parallel_registrations_never_exceed_capacity():
    batch = BatchFactory(capacity=CAPACITY, fee=750_000)
    users = UserFactory.create_batch(PEOPLE, roles=["participant"])

    errors = register_all_at_once(batch, users)

    assert errors == []
    states = Registration.objects.filter(batch=batch).values_list("state", flat=True)
    assert sorted(set(states)) == ["pending_payment", "waitlisted"]
    assert seat_holders(batch) == CAPACITY
    assert Registration.objects.filter(batch=batch, state="waitlisted").count() == PEOPLE - CAPACITY
    assert batch_availability(batch=batch).available == 0
    # One invoice per seat, numbered without gaps or duplicates.
    sequences = sorted(Invoice.objects.filter(batch=batch).values_list("sequence", flat=True))
    assert sequences == list(range(sequences[0], sequences[0] + CAPACITY))
    assert Registration.objects.filter(batch=batch, invoice__isnull=False).count() == CAPACITY


def test_negative_control_without_the_lock_oversells(monkeypatch):
    monkeypatch.setattr(locking, "_OFF", {services.LOCK_BATCHES})
    # Without the lock each thread counts the free seats before the others have committed:
    # every thread connects after the barrier and runs several queries before its commit, so
    # the forty transactions overlap. In 20 runs all 40 got a seat every time, far from the
    # boundary, so the race window needs no widening.
    batch = BatchFactory(capacity=CAPACITY, fee=750_000)
    users = UserFactory.create_batch(PEOPLE, roles=["participant"])

    errors = register_all_at_once(batch, users)

    assert errors == []
    assert seat_holders(batch) > CAPACITY, "no race without the lock: the test proves nothing"
    # Invoice numbers stay gapless even so: the year's sequence row has its own lock.
    sequences = sorted(Invoice.objects.filter(batch=batch).values_list("sequence", flat=True))
    assert sequences == list(range(sequences[0], sequences[0] + len(sequences)))
