"""Licensed lending: copies, loan limits, holds with reservations that pass on, automatic return."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from sinergi.core.scheduling import run_due_jobs
from sinergi.library import selectors, services
from sinergi.library.models import Hold, HoldState, Loan, LoanState

from .factories import LicensePoolFactory, TitleFactory, UserFactory

pytestmark = pytest.mark.django_db


def refused(code, **kwargs):
    with pytest.raises(services.LendingError) as info:
        kwargs.pop("call")(**kwargs)
    assert info.value.code == code
    return info.value


def test_loan_period_default_and_per_title_override(settings):
    settings.SINERGI_LOAN_DAYS = 3
    pool = LicensePoolFactory(copies=2)
    now = timezone.now()
    loan = services.loan_create(title=pool.title, user=UserFactory(), now=now)
    assert loan.due_at == now + timedelta(days=3)
    pool.loan_days = 7
    pool.save()
    loan = services.loan_create(title=pool.title, user=UserFactory(), now=now)
    assert loan.due_at == now + timedelta(days=7)


def test_never_more_loans_than_copies_and_the_refusal_offers_a_hold():
    pool = LicensePoolFactory(copies=2)
    for _i in range(2):
        services.loan_create(title=pool.title, user=UserFactory())
    error = refused(
        "no_copy_available", call=services.loan_create, title=pool.title, user=UserFactory()
    )
    assert error.hold_available is True
    assert selectors.title_availability(title=pool.title).available == 0


def test_one_loan_per_title_and_the_member_limit(settings):
    settings.SINERGI_MAX_LOANS = 3
    user = UserFactory()
    pools = [LicensePoolFactory(copies=5) for _i in range(4)]
    services.loan_create(title=pools[0].title, user=user)
    refused("already_on_loan", call=services.loan_create, title=pools[0].title, user=user)
    services.loan_create(title=pools[1].title, user=user)
    services.loan_create(title=pools[2].title, user=user)
    refused("loan_limit_reached", call=services.loan_create, title=pools[3].title, user=user)


def test_license_expiry_and_checkout_limit():
    expired = LicensePoolFactory(copies=3, expires_on=date(2020, 1, 1))
    refused("license_ended", call=services.loan_create, title=expired.title, user=UserFactory())
    limited = LicensePoolFactory(copies=3, checkouts_limit=1)
    services.loan_create(title=limited.title, user=UserFactory())
    refused("license_ended", call=services.loan_create, title=limited.title, user=UserFactory())
    refused("no_license", call=services.loan_create, title=TitleFactory(), user=UserFactory())


def test_open_access_has_no_limit_of_copies():
    title = TitleFactory(open_access=True)
    for _i in range(5):
        services.loan_create(title=title, user=UserFactory())
    assert Loan.objects.filter(title=title, state=LoanState.ACTIVE).count() == 5


def test_a_hold_becomes_a_reservation_when_a_loan_ends_and_passes_on():
    pool = LicensePoolFactory(copies=1)
    reader, first, second = UserFactory(), UserFactory(), UserFactory()
    loan = services.loan_create(title=pool.title, user=reader)
    refused(
        "copy_available",
        call=services.hold_create,
        title=LicensePoolFactory(copies=1).title,
        user=first,
    )
    hold1 = services.hold_create(title=pool.title, user=first)
    hold2 = services.hold_create(title=pool.title, user=second)
    assert selectors.hold_position(hold=hold1) == 1
    assert selectors.hold_position(hold=hold2) == 2
    mail.outbox.clear()

    services.loan_return(loan=loan, actor=reader)

    hold1.refresh_from_db()
    assert hold1.state == HoldState.RESERVED
    assert hold1.reserved_until > timezone.now() + timedelta(hours=23)
    assert [m.to for m in mail.outbox] == [[first.email]]
    # Someone else may not take the reserved copy.
    refused("no_copy_available", call=services.loan_create, title=pool.title, user=UserFactory())
    # Unclaimed, it passes on to the second in line.
    services.holds_expire(now=hold1.reserved_until + timedelta(seconds=1))
    hold1.refresh_from_db()
    hold2.refresh_from_db()
    assert hold1.state == HoldState.EXPIRED
    assert hold2.state == HoldState.RESERVED
    refused("no_copy_available", call=services.loan_create, title=pool.title, user=first)
    loan = services.loan_create(title=pool.title, user=second)
    hold2.refresh_from_db()
    assert hold2.state == HoldState.FULFILLED
    assert loan.state == LoanState.ACTIVE


def test_hold_limits(settings):
    settings.SINERGI_MAX_HOLDS = 1
    user = UserFactory()
    pools = [LicensePoolFactory(copies=1) for _i in range(2)]
    for pool in pools:
        services.loan_create(title=pool.title, user=UserFactory())
    services.hold_create(title=pools[0].title, user=user)
    refused("already_on_hold", call=services.hold_create, title=pools[0].title, user=user)
    refused("hold_limit_reached", call=services.hold_create, title=pools[1].title, user=user)


def test_the_periodic_job_returns_ended_loans_and_reserves_for_the_queue():
    pool = LicensePoolFactory(copies=1)
    start = timezone.now() - timedelta(days=4)
    loan = services.loan_create(title=pool.title, user=UserFactory(), now=start)
    waiting = services.hold_create(title=pool.title, user=UserFactory(), now=start)

    outcomes = run_due_jobs(force=True)

    assert outcomes["library.jobs.return_ended_loans"] == "returned 1, expired 0"
    loan.refresh_from_db()
    waiting.refresh_from_db()
    assert loan.state == LoanState.EXPIRED
    assert waiting.state == HoldState.RESERVED


def test_early_return_and_cancelled_hold():
    pool = LicensePoolFactory(copies=1)
    user = UserFactory()
    loan = services.loan_create(title=pool.title, user=user)
    services.loan_return(loan=loan, actor=user)
    refused("not_active", call=services.loan_return, loan=loan, actor=user)
    services.loan_create(title=pool.title, user=UserFactory())
    hold = services.hold_create(title=pool.title, user=user)
    services.hold_cancel(hold=hold, actor=user)
    assert Hold.objects.get().state == HoldState.CANCELLED
