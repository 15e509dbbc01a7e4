"""Many certificates are issued at the same moment: numbers never repeat and have no gaps.

Real threads, each with its own PostgreSQL connection, start together on a barrier and issue
one certificate each. With the sequence row locked every issue gets the next number; the
negative control reads the sequence without the lock and must collide (the unique number then
refuses the duplicates), which proves the test can see the race it guards against.
"""

import threading

import pytest
from django.db import connection

from sinergi.certificates import services
from sinergi.certificates.models import Certificate, NumberSequence

from .factories import CertificateTemplateFactory, CompletionFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

PEOPLE = 24


def issue_all_at_once(registrations) -> list[BaseException]:
    barrier = threading.Barrier(len(registrations))
    errors: list[BaseException] = []

    def issue(registration):
        try:
            barrier.wait(timeout=30)
            services.certificate_issue(registration=registration, notify=False)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(r,)) for r in registrations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an issue hung"
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
    monkeypatch.setattr(services, "LOCK_SEQUENCES", False)
    # Each thread renders its PDF between reading the sequence and inserting the certificate,
    # so without the lock several read the same last number.
    registrations = completed_batch()

    errors = issue_all_at_once(registrations)

    assert errors, "no collision without the lock: the test proves nothing"
    assert Certificate.objects.count() < PEOPLE
    # The unique number is the last guard: even so, no two certificates share one.
    numbers = list(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
