"""Run calls in real threads, all released together, each on its own database connection.

The harness of every PostgreSQL concurrency test (pretix's way: a barrier, then the race).
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connection as _connection

# The marks of every concurrency test module: `pytestmark = ON_POSTGRESQL`. Real threads need
# real connections and row locks, so these tests run on PostgreSQL (CI runs the suite there too)
# and are skipped on SQLite, which serialises writers.
ON_POSTGRESQL = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        _connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def run_together(calls: list[Callable], *, timeout: float = 60) -> tuple[list, list[BaseException]]:
    """Call each of `calls` in its own thread, all at once; return (results, errors).

    A call's exception is collected, not lost in its thread; results keep no order. Fails if a
    call is still running after `timeout` seconds.
    """
    from django.db import connection

    barrier = threading.Barrier(len(calls))
    results: list = []
    errors: list[BaseException] = []

    def run(call: Callable) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(call())
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a call hung"
    return results, errors


def refusal_code(call: Callable, refusal: type[Exception]) -> Callable:
    """Wrap `call` so that a refusal of type `refusal` returns its `code` instead of raising."""

    def wrapped():
        try:
            call()
        except refusal as error:
            return error.code
        return None

    return wrapped
