"""Honorarium, tax, partner share and break-even arithmetic, with the seeded SBM defaults."""

from decimal import Decimal

import pytest

from sinergi.insights.models import BatchBudget, PartnerShareKind
from sinergi.insights.selectors.finance import (
    RateBook,
    break_even_participants,
    honoraria_by_batch,
    honorarium_gross,
    partner_share,
    tax_withheld,
)
from sinergi.training.models import HonorariumClass, HonorariumRate, HonorariumTax

from ..factories import BatchFactory, UserFactory
from .helpers import session, speaker


def test_honorarium_is_jp_times_rate():
    assert honorarium_gross(jp=2, rate=900_000, unit="jp") == 1_800_000
    assert honorarium_gross(jp=0, rate=900_000, unit="jp") == 0


def test_an_hourly_rate_pays_the_hours_of_the_jp():
    # 3 JP = 135 minutes = 2.25 hours.
    assert honorarium_gross(jp=3, rate=900_000, unit="hour") == 2_025_000
    # 1 JP of Rp333.333/hour = Rp249.999,75 -> rounded half up to whole Rupiah.
    assert honorarium_gross(jp=1, rate=333_333, unit="hour") == 250_000


def test_tax_rounds_half_up_to_whole_rupiah():
    assert tax_withheld(gross=1_800_000, percent=Decimal("5")) == 90_000
    assert tax_withheld(gross=1_800_000, percent=Decimal("6")) == 108_000
    assert tax_withheld(gross=10, percent=Decimal("5")) == 1  # 0,5 -> 1
    assert tax_withheld(gross=9, percent=Decimal("5")) == 0  # 0,45 -> 0


def test_partner_share_fixed_or_percent_of_revenue():
    assert partner_share(budget=None, revenue=1_000_000) == 0
    fixed = BatchBudget(partner_share_kind=PartnerShareKind.FIXED, partner_share_amount=500_000)
    assert partner_share(budget=fixed, revenue=0) == 500_000
    percent = BatchBudget(
        partner_share_kind=PartnerShareKind.PERCENT, partner_share_percent=Decimal("12.5")
    )
    assert partner_share(budget=percent, revenue=4_500_000) == 562_500
    # No share of a loss.
    assert partner_share(budget=percent, revenue=-100) == 0


def test_break_even():
    assert (
        break_even_participants(fixed_costs=4_090_000, fee=750_000, share_percent=Decimal(0)) == 6
    )
    assert (
        break_even_participants(fixed_costs=4_500_000, fee=750_000, share_percent=Decimal(0)) == 6
    )
    # The partner keeps 20% of each fee: 600.000 per participant.
    assert (
        break_even_participants(fixed_costs=4_500_000, fee=750_000, share_percent=Decimal(20)) == 8
    )
    assert break_even_participants(fixed_costs=0, fee=750_000, share_percent=Decimal(0)) == 0
    assert break_even_participants(fixed_costs=1, fee=0, share_percent=Decimal(0)) is None
    assert break_even_participants(fixed_costs=1, fee=100, share_percent=Decimal(100)) is None


@pytest.mark.django_db
def test_seeded_defaults_follow_the_sbm_and_can_be_overridden():
    book = RateBook()
    echelon_2 = HonorariumClass.objects.get(code="echelon-2")
    assert book.rate(echelon_2.pk, 2026) == 1_000_000
    assert book.rate(echelon_2.pk, 2024) is None  # no rate before the first seeded year
    assert book.rate(echelon_2.pk, 2031) == 1_000_000  # the latest year carries on
    HonorariumRate.objects.filter(honorarium_class=echelon_2, year=2026).update(amount=1_100_000)
    HonorariumTax.objects.filter(year=2026).update(percent_with_npwp=Decimal("2.5"))
    book = RateBook()
    assert book.rate(echelon_2.pk, 2026) == 1_100_000
    assert book.tax_percent(2026, has_npwp=True) == Decimal("2.5")
    assert book.tax_percent(2026, has_npwp=False) == Decimal("6")


@pytest.mark.django_db
def test_honoraria_per_session_with_tax_by_npwp_and_unpaid_staff():
    batch = BatchFactory(starts_on="2026-09-01", ends_on="2026-09-05")
    with_npwp = speaker(class_code="echelon-3")
    without_npwp = speaker(class_code="professional", npwp="")
    staff = speaker(class_code="internal")
    no_profile = UserFactory(roles=["speaker"])
    session(batch, with_npwp, without_npwp, jp=2, title="Sesi 1")
    session(batch, staff, no_profile, jp=3, title="Sesi 2")
    lines = {line.speaker.pk: line for line in honoraria_by_batch([batch.pk])[batch.pk]}

    assert (lines[with_npwp.pk].gross, lines[with_npwp.pk].tax) == (1_800_000, 90_000)
    assert lines[with_npwp.pk].net == 1_710_000
    assert (lines[without_npwp.pk].gross, lines[without_npwp.pk].tax) == (1_800_000, 108_000)
    assert lines[staff.pk].gross == 0 and lines[staff.pk].unpaid
    assert lines[no_profile.pk].gross == 0 and lines[no_profile.pk].problem == "no_profile"
