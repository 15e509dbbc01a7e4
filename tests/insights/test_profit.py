"""Revenue, costs, profit, margin and break-even of a batch, from real payments and refunds."""

from decimal import Decimal

import pytest

from sinergi.insights import services
from sinergi.insights.models import CostLine, PartnerShareKind
from sinergi.insights.selectors.finance import batch_finance
from sinergi.training.services import refund_create

from ..factories import BatchFactory, UserFactory
from .helpers import paid_registrations, session, speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_user():
    return UserFactory(roles=["finance"])


def _budget(batch, actor, *, kind=PartnerShareKind.NONE, amount=0, percent=Decimal(0), **lines):
    services.budget_save(
        batch=batch,
        actor=actor,
        planned_participants=10,
        partner_share_kind=kind,
        partner_share_amount=amount,
        partner_share_percent=percent,
        lines={category: {"planned": p, "actual": a} for category, (p, a) in lines.items()},
    )


def test_profit_counts_confirmed_payments_minus_refunds(finance_user):
    batch = BatchFactory(fee=750_000, capacity=10)
    registrations = paid_registrations(batch, 6)
    session(batch, speaker(), jp=2)  # Rp1.800.000
    _budget(batch, finance_user, platform=(250_000, 250_000), certificates=(120_000, None))

    finance = batch_finance(batch=batch)
    assert finance.revenue == 4_500_000
    assert finance.costs == 1_800_000 + 250_000 + 120_000
    assert finance.profit == 4_500_000 - 2_170_000
    assert finance.margin == Decimal("51.8")
    assert finance.break_even == 3  # 2.170.000 / 750.000

    refund_create(registration=registrations[0], amount=750_000, reason="sakit", actor=finance_user)
    refund_create(
        registration=registrations[1], amount=250_000, reason="sebagian", actor=finance_user
    )
    finance = batch_finance(batch=batch)
    assert finance.revenue == 4_500_000 - 1_000_000
    assert finance.profit == 3_500_000 - 2_170_000
    assert finance.paying == 4


def test_actual_costs_replace_the_plan_once_entered(finance_user):
    batch = BatchFactory(fee=500_000)
    paid_registrations(batch, 2)
    _budget(batch, finance_user, consumption=(300_000, None))
    assert batch_finance(batch=batch).profit == 1_000_000 - 300_000
    _budget(batch, finance_user, consumption=(300_000, 450_000))
    finance = batch_finance(batch=batch)
    assert finance.profit == 1_000_000 - 450_000
    assert finance.costs_planned == 300_000
    line = CostLine.objects.get(batch=batch, category="consumption")
    assert line.actual == 450_000 and line.updated_by == finance_user


def test_partner_share_fixed_and_percent(finance_user):
    batch = BatchFactory(fee=1_000_000)
    paid_registrations(batch, 4)
    _budget(batch, finance_user, kind=PartnerShareKind.FIXED, amount=600_000)
    finance = batch_finance(batch=batch)
    assert finance.partner_share == 600_000
    assert finance.profit == 4_000_000 - 600_000
    assert finance.break_even == 1

    _budget(
        batch,
        finance_user,
        kind=PartnerShareKind.PERCENT,
        percent=Decimal(25),
        other=(1_500_000, None),
    )
    finance = batch_finance(batch=batch)
    assert finance.partner_share == 1_000_000
    assert finance.profit == 4_000_000 - 1_000_000 - 1_500_000
    # Each participant leaves Rp750.000 after the partner's quarter: 1.500.000 / 750.000.
    assert finance.break_even == 2
    # The planned share follows the planned revenue (10 participants).
    assert finance.partner_share_planned == 2_500_000


def test_a_loss_making_open_batch_shows_what_it_still_needs(finance_user):
    batch = BatchFactory(fee=750_000)
    paid_registrations(batch, 1)
    session(batch, speaker(), jp=2)
    _budget(batch, finance_user, consumption=(500_000, 500_000))
    finance = batch_finance(batch=batch)
    assert finance.profit == 750_000 - 2_300_000 < 0
    assert finance.break_even == 4
    assert finance.missing_participants == 3


def test_budget_refuses_bad_input_and_keeps_what_was_there(finance_user):
    from django.core.exceptions import ValidationError

    batch = BatchFactory()
    _budget(batch, finance_user, consumption=(100, None))
    with pytest.raises(ValidationError):
        _budget(batch, finance_user, kind=PartnerShareKind.PERCENT, percent=Decimal(101))
    with pytest.raises(ValidationError):
        services.budget_save(
            batch=batch, actor=finance_user, planned_participants=1, lines={"honoraria": {}}
        )
    assert CostLine.objects.get(batch=batch).planned == 100


def test_only_the_speaker_and_finance_change_payment_details(finance_user):
    from django.core.exceptions import ValidationError

    from .helpers import speaker as make_speaker

    own = make_speaker()
    manager = UserFactory(roles=["program_manager"])
    fields = {"name_with_title": "X", "institution": "Y"}
    with pytest.raises(ValidationError):
        services.speaker_profile_save(
            user=own, actor=manager, bank_account_number="99999999", **fields
        )
    services.speaker_profile_save(user=own, actor=manager, **fields)
    services.speaker_profile_save(user=own, actor=own, bank_account_number="11111111", **fields)
    services.speaker_profile_save(
        user=own, actor=finance_user, npwp="01.234.567.4-901.000", **fields
    )
    own.speaker_profile.refresh_from_db()
    assert own.speaker_profile.bank_account_number == "11111111"
    assert own.speaker_profile.npwp == "012345674901000"
