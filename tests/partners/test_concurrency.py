"""Several people close the same step at the same moment: it is closed once.

Real threads, each with its own PostgreSQL connection, start together on a barrier. With the
agreement locked, one closes the step and the others find it is no longer current; the
negative control turns the lock off and must record the step as done more than once, which
proves the test can see the race it guards against.
"""

import time
from functools import partial

import pytest
from django.core.exceptions import ValidationError

from sinergi.core import locking
from sinergi.partners import selectors, services
from sinergi.partners.models import Decision, StepDecision, StepState

from ..concurrency import ON_POSTGRESQL, run_together
from ..factories import UserFactory
from .factories import PartnerFactory

pytestmark = ON_POSTGRESQL

CLICKS = 6


@pytest.fixture
def slow_checks(monkeypatch):
    """Widen the window between reading the step and writing its decision."""
    real = selectors.missing_documents

    def slow(*, step):
        time.sleep(0.2)
        return real(step=step)

    monkeypatch.setattr(selectors, "missing_documents", slow)


def close_all_at_once(step, users) -> list[BaseException]:
    _results, errors = run_together(
        [partial(services.step_complete, step=step, actor=user) for user in users]
    )
    return errors


def _first_step():
    officer = UserFactory(roles=["cooperation_officer"])
    agreement = services.agreement_create(
        actor=officer, kind="mou", partner=PartnerFactory(), title="MoU"
    )
    services.agreement_process_start(agreement=agreement, actor=officer)
    step = agreement.steps.get(order=1)
    step.agreement = agreement
    return step


def test_a_step_closed_by_several_people_at_once_is_closed_once(slow_checks):
    step = _first_step()
    users = UserFactory.create_batch(CLICKS, roles=["cooperation_officer"])

    errors = close_all_at_once(step, users)

    assert len(errors) == CLICKS - 1
    assert all(isinstance(e, ValidationError) and e.code == "stale" for e in errors)
    assert StepDecision.objects.filter(step=step, decision=Decision.DONE).count() == 1
    assert list(
        step.agreement.steps.filter(state=StepState.CURRENT).values_list("order", flat=True)
    ) == [2]


def test_negative_control_without_the_lock_closes_it_twice(monkeypatch, slow_checks):
    monkeypatch.setattr(locking, "_OFF", {services.LOCK_AGREEMENTS})
    step = _first_step()
    users = UserFactory.create_batch(CLICKS, roles=["cooperation_officer"])

    close_all_at_once(step, users)

    assert StepDecision.objects.filter(step=step, decision=Decision.DONE).count() > 1
