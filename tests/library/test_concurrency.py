"""Many members borrow the last copies of a title at once: loans never exceed the copies.

Real threads with their own PostgreSQL connections start together on a barrier and call the
service. With the locks exactly the free copies are lent; the negative control turns the locks
off and must over-lend, which proves the test can see the race it guards against.
"""

from functools import partial

from sinergi.core import locking
from sinergi.library import services
from sinergi.library.models import Loan, LoanState

from ..concurrency import ON_POSTGRESQL, refusal_code, run_together
from .factories import LicensePoolFactory, UserFactory

pytestmark = ON_POSTGRESQL

COPIES = 5
PEOPLE = 40


def borrow_all_at_once(title, users) -> tuple[list[str], list[BaseException]]:
    calls = [
        refusal_code(partial(services.loan_create, title=title, user=u), services.LendingError)
        for u in users
    ]
    results, errors = run_together(calls)
    return [code for code in results if code is not None], errors


def test_parallel_loans_never_exceed_the_copies():
    pool = LicensePoolFactory(copies=COPIES)
    services.loan_create(title=pool.title, user=UserFactory())  # one copy already out
    users = UserFactory.create_batch(PEOPLE)

    refusals, errors = borrow_all_at_once(pool.title, users)

    assert errors == []
    assert Loan.objects.filter(title=pool.title, state=LoanState.ACTIVE).count() == COPIES
    assert refusals == ["no_copy_available"] * (PEOPLE - COPIES + 1)


def test_one_member_borrowing_many_titles_at_once_keeps_the_loan_limit(settings):
    settings.SINERGI_MAX_LOANS = 3
    user = UserFactory()
    titles = [LicensePoolFactory(copies=5).title for _i in range(12)]
    calls = [
        refusal_code(partial(services.loan_create, title=title, user=user), services.LendingError)
        for title in titles
    ]
    _refusals, errors = run_together(calls)
    assert errors == []
    assert Loan.objects.filter(user=user, state=LoanState.ACTIVE).count() == 3


def test_negative_control_without_the_locks_over_lends(monkeypatch):
    monkeypatch.setattr(locking, "_OFF", {services.LOCK_POOLS})
    pool = LicensePoolFactory(copies=COPIES)
    services.loan_create(title=pool.title, user=UserFactory())
    users = UserFactory.create_batch(PEOPLE)

    _refusals, errors = borrow_all_at_once(pool.title, users)

    assert errors == []
    lent = Loan.objects.filter(title=pool.title, state=LoanState.ACTIVE).count()
    assert lent > COPIES, "no race without the lock: the test proves nothing"
