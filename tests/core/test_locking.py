"""core.locking: the one way services lock what a rule depends on."""

import threading

from sinergi.core import locking
from sinergi.core.models import AuditLog


def test_for_update_locks_in_primary_key_order(db):
    queryset = locking.for_update(AuditLog.objects.order_by(), name="t")
    assert queryset.query.select_for_update
    assert queryset.query.order_by == ("pk",)


def test_a_given_order_is_kept_and_of_is_passed(db):
    queryset = locking.for_update(AuditLog.objects.order_by("-id"), name="t", of=("self",))
    assert queryset.query.order_by == ("-id",)
    assert queryset.query.select_for_update_of == ("self",)


def test_locks_off_switches_only_the_named_lock_in_every_thread(db):
    seen = {}

    def look():
        seen["a"] = locking.for_update(AuditLog.objects.all(), name="a").query.select_for_update
        seen["b"] = locking.for_update(AuditLog.objects.all(), name="b").query.select_for_update

    with locking.locks_off("a"):
        assert not locking.lock_is_on("a") and locking.lock_is_on("b")
        thread = threading.Thread(target=look)
        thread.start()
        thread.join()
    assert seen == {"a": False, "b": True}
    assert locking.lock_is_on("a")
