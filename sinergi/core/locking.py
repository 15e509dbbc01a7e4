"""One way to lock the rows a rule depends on before checking it (capacity, numbering, steps).

Every service that protects a limit does the same three things inside one transaction: lock the
row the limit lives on, check the rule again with what is now committed, then write. `for_update`
is the lock: `SELECT … FOR UPDATE` (on PostgreSQL; SQLite serialises every write transaction
already), in primary-key order when the query names no order, so two transactions locking the
same rows take them in the same order and never deadlock.

Each lock has a name (`"training.batches"`). The only code that turns one off is a
negative-control test, through `locks_off`, to show that without it the limit is broken: a
concurrency test whose negative control still holds proves nothing.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import QuerySet

_OFF: set[str] = set()


def for_update(queryset: QuerySet, *, name: str, of: tuple[str, ...] = ()) -> QuerySet:
    """Return `queryset` locking its rows until the transaction ends (`of`: only these tables,
    e.g. `("self",)` when the query joins rows that must stay unlocked)."""
    queryset = queryset.all()  # a manager too
    if name in _OFF:
        return queryset
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    return queryset.select_for_update(of=of)


def lock_is_on(name: str) -> bool:
    """Whether the lock `name` is taken (False only inside a negative control's `locks_off`)."""
    return name not in _OFF


@contextmanager
def locks_off(*names: str) -> Iterator[None]:
    """For negative-control tests only: run the block without the named locks (in every thread)."""
    _OFF.update(names)
    try:
        yield
    finally:
        _OFF.difference_update(names)
