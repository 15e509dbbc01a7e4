"""Many certificates are issued at the same moment: numbers never repeat and have no gaps.

Real threads, each with its own PostgreSQL connection, start together on a barrier and issue
one certificate each. With the sequence row locked every issue gets the next number; the
negative control reads the sequence without the lock and must collide (the unique number then
refuses the duplicates), which proves the test can see the race it guards against.
"""

from functools import partial

from sinergi.certificates import services
from sinergi.certificates.models import Certificate, NumberSequence
from sinergi.core import locking

from ..concurrency import ON_POSTGRESQL, run_together
from .factories import CertificateTemplateFactory, CompletionFactory

pytestmark = ON_POSTGRESQL

PEOPLE = 24


def issue_all_at_once(registrations) -> list[BaseException]:
    _results, errors = run_together(
        [partial(services.certificate_issue, registration=r, notify=False) for r in registrations],
        timeout=120,
    )
    return errors


def completed_batch():
    first = CompletionFactory()
    batch = first.registration.batch
    CertificateTemplateFactory(program=batch.program)
    others = CompletionFactory.create_batch(PEOPLE - 1, registration__batch=batch)
    return [first.registration] + [c.registration for c in others]


def test_parallel_issues_never_repeat_a_number():
    registrations = completed_batch()

    errors = issue_all_at_once(registrations)

    assert errors == []
    sequences = sorted(
        int(number.split("/")[0]) for number in Certificate.objects.values_list("number", flat=True)
    )
    assert sequences == list(range(1, PEOPLE + 1))
    assert NumberSequence.objects.get().last == PEOPLE


def test_negative_control_without_the_lock_numbers_collide(monkeypatch):
    monkeypatch.setattr(locking, "_OFF", {services.LOCK_SEQUENCES})
    # Each thread renders its PDF between reading the sequence and inserting the certificate,
    # so without the lock several read the same last number.
    registrations = completed_batch()

    errors = issue_all_at_once(registrations)

    assert errors, "no collision without the lock: the test proves nothing"
    assert Certificate.objects.count() < PEOPLE
    # The unique number is the last guard: even so, no two certificates share one.
    numbers = list(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
