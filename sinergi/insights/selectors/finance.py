"""Honoraria, budgets and profit, computed from the rows whenever they are shown.

Every function here takes many batches at once and costs a fixed number of queries, however
many batches, sessions or registrations there are: the head's dashboard reads a whole year.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, QuerySet

from sinergi.accounts.models import Role, User
from sinergi.accounts.selectors import user_has_role
from sinergi.core.masking import mask_phone
from sinergi.learning.models import Session
from sinergi.training.models import (
    Batch,
    HonorariumRate,
    HonorariumTax,
    HonorariumUnit,
    Registration,
    RegistrationState,
    SpeakerProfile,
)
from sinergi.training.selectors import batches_with_revenue as annotate_revenue

from ..models import (
    ENTERED_CATEGORIES,
    BatchBudget,
    CostCategory,
    CostLine,
    PartnerShareKind,
)

# Used when the library has entered no tax rate for a year (see training migration 0004).
DEFAULT_TAX_WITH_NPWP = Decimal("5")
DEFAULT_TAX_WITHOUT_NPWP = Decimal("6")
JP_MINUTES = 45


def whole_rupiah(amount: Decimal) -> int:
    """Round to whole Rupiah, halves up (as a cashier does)."""
    return int(amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def honorarium_gross(*, jp: int, rate: int, unit: str) -> int:
    """Return the honorarium for `jp` lesson hours: JP times the rate, or the hours' share of an
    hourly rate (1 JP = 45 minutes)."""
    if unit == HonorariumUnit.HOUR:
        return whole_rupiah(Decimal(rate) * jp * JP_MINUTES / 60)
    return jp * rate


def tax_withheld(*, gross: int, percent: Decimal) -> int:
    """Return the income tax (PPh 21) withheld from `gross` at `percent`."""
    return whole_rupiah(Decimal(gross) * percent / 100)


def partner_share(*, budget: BatchBudget | None, revenue: int) -> int:
    """Return what the partner receives under the batch's agreement: a fixed amount, or a
    percentage of the revenue (nothing of a loss)."""
    if budget is None or budget.partner_share_kind == PartnerShareKind.NONE:
        return 0
    if budget.partner_share_kind == PartnerShareKind.FIXED:
        return budget.partner_share_amount
    return whole_rupiah(Decimal(max(revenue, 0)) * budget.partner_share_percent / 100)


def break_even_participants(*, fixed_costs: int, fee: int, share_percent: Decimal) -> int | None:
    """Return how many paying participants cover `fixed_costs`, or None when none can (a
    free batch, or a partner who takes everything)."""
    contribution = Decimal(fee) * (100 - share_percent) / 100
    if contribution <= 0:
        return None
    if fixed_costs <= 0:
        return 0
    return math.ceil(Decimal(fixed_costs) / contribution)


# --- Rates ----------------------------------------------------------------------------------


class RateBook:
    """All rates and tax percentages, loaded once (two queries)."""

    def __init__(self) -> None:
        self.rates: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for rate in HonorariumRate.objects.order_by("year"):
            self.rates[rate.honorarium_class_id].append((rate.year, rate.amount))
        self.taxes = [
            (tax.year, tax.percent_with_npwp, tax.percent_without_npwp)
            for tax in HonorariumTax.objects.order_by("year")
        ]

    def rate(self, class_id: int, year: int) -> int | None:
        """The class's rate for `year`: that year's, else the latest year before it."""
        found = None
        for rate_year, amount in self.rates.get(class_id, []):
            if rate_year <= year:
                found = amount
        return found

    def tax_percent(self, year: int, *, has_npwp: bool) -> Decimal:
        with_npwp, without = DEFAULT_TAX_WITH_NPWP, DEFAULT_TAX_WITHOUT_NPWP
        for tax_year, percent_with, percent_without in self.taxes:
            if tax_year <= year:
                with_npwp, without = percent_with, percent_without
        return with_npwp if has_npwp else without


@dataclass
class HonorariumLine:
    """One speaker's honorarium for one session."""

    session: Session
    speaker: User
    profile: SpeakerProfile | None
    rate: int
    unit: str
    gross: int
    tax_percent: Decimal
    tax: int
    problem: str = ""  # "no_profile", "no_class", "no_rate"; the line then counts 0

    @property
    def net(self) -> int:
        return self.gross - self.tax

    @property
    def unpaid(self) -> bool:
        return bool(self.profile and self.profile.honorarium_class and not self.gross)


def honorarium_line(
    *, session: Session, speaker: User, year: int, book: RateBook
) -> HonorariumLine:
    profile = getattr(speaker, "speaker_profile", None)
    cls = profile.honorarium_class if profile else None
    unit = cls.unit if cls else HonorariumUnit.JP
    has_npwp = bool(profile and profile.npwp.strip())
    percent = book.tax_percent(year, has_npwp=has_npwp)
    if profile is None or cls is None:
        problem = "no_profile" if profile is None else "no_class"
        return HonorariumLine(session, speaker, profile, 0, unit, 0, percent, 0, problem)
    if not cls.is_paid:
        return HonorariumLine(session, speaker, profile, 0, unit, 0, percent, 0)
    rate = book.rate(cls.pk, year)
    if rate is None:
        return HonorariumLine(session, speaker, profile, 0, unit, 0, percent, 0, "no_rate")
    gross = honorarium_gross(jp=session.jp, rate=rate, unit=unit)
    return HonorariumLine(
        session,
        speaker,
        profile,
        rate,
        unit,
        gross,
        percent,
        tax_withheld(gross=gross, percent=percent),
    )


def _speakers_prefetch() -> Prefetch:
    return Prefetch(
        "speakers",
        queryset=User.objects.select_related("speaker_profile__honorarium_class").order_by(
            "full_name"
        ),
    )


def honoraria_by_batch(
    batch_ids: Iterable[int], *, book: RateBook | None = None
) -> dict[int, list[HonorariumLine]]:
    """Return each batch's honorarium lines (session order), in two queries plus the rates."""
    book = book or RateBook()
    sessions = (
        Session.objects.filter(batch_id__in=list(batch_ids))
        .select_related("batch")
        .prefetch_related(_speakers_prefetch())
        .order_by("batch_id", "starts_at", "id")
    )
    lines: dict[int, list[HonorariumLine]] = defaultdict(list)
    for session in sessions:
        year = session.batch.starts_on.year
        for speaker in session.speakers.all():
            lines[session.batch_id].append(
                honorarium_line(session=session, speaker=speaker, year=year, book=book)
            )
    return lines


def honoraria_of_speaker(*, speaker: User, year: int) -> list[HonorariumLine]:
    """Return `speaker`'s honorarium lines for the sessions of batches starting in `year`."""
    book = RateBook()
    speaker = User.objects.select_related("speaker_profile__honorarium_class").get(pk=speaker.pk)
    sessions = (
        Session.objects.filter(speakers=speaker, batch__starts_on__year=year)
        .select_related("batch__program")
        .order_by("starts_at", "id")
    )
    return [
        honorarium_line(session=session, speaker=speaker, year=year, book=book)
        for session in sessions
    ]


# --- Budget and profit ----------------------------------------------------------------------


@dataclass
class BatchFinance:
    batch: Batch
    revenue: int  # approved payments minus refunds
    paying: int  # confirmed registrations
    budget: BatchBudget | None
    lines: dict[str, CostLine | None]
    honoraria: list[HonorariumLine] = field(default_factory=list)

    @property
    def honoraria_total(self) -> int:
        return sum(line.gross for line in self.honoraria)

    @property
    def honoraria_problems(self) -> list[HonorariumLine]:
        return [line for line in self.honoraria if line.problem]

    @property
    def share_percent(self) -> Decimal:
        if self.budget and self.budget.partner_share_kind == PartnerShareKind.PERCENT:
            return self.budget.partner_share_percent
        return Decimal(0)

    @property
    def planned_revenue(self) -> int:
        planned = self.budget.planned_participants if self.budget else 0
        return self.batch.fee * planned

    @property
    def partner_share(self) -> int:
        return partner_share(budget=self.budget, revenue=self.revenue)

    @property
    def partner_share_planned(self) -> int:
        return partner_share(budget=self.budget, revenue=self.planned_revenue)

    @property
    def entered_planned(self) -> int:
        return sum(line.planned for line in self.lines.values() if line)

    @property
    def entered_cost(self) -> int:
        return sum(line.cost for line in self.lines.values() if line)

    @property
    def costs_planned(self) -> int:
        return self.entered_planned + self.honoraria_total + self.partner_share_planned

    @property
    def costs(self) -> int:
        """Actual costs where entered, the plan elsewhere; honoraria as computed."""
        return self.entered_cost + self.honoraria_total + self.partner_share

    @property
    def profit(self) -> int:
        return self.revenue - self.costs

    @property
    def profit_planned(self) -> int:
        return self.planned_revenue - self.costs_planned

    @property
    def margin(self) -> Decimal | None:
        """Profit as a percentage of revenue (None without revenue)."""
        if self.revenue <= 0:
            return None
        return (Decimal(self.profit) * 100 / self.revenue).quantize(Decimal("0.1"))

    @property
    def fixed_costs(self) -> int:
        fixed_share = (
            self.budget.partner_share_amount
            if self.budget and self.budget.partner_share_kind == PartnerShareKind.FIXED
            else 0
        )
        return self.entered_cost + self.honoraria_total + fixed_share

    @property
    def break_even(self) -> int | None:
        return break_even_participants(
            fixed_costs=self.fixed_costs, fee=self.batch.fee, share_percent=self.share_percent
        )

    @property
    def missing_participants(self) -> int | None:
        """How many more paying participants the batch needs to break even."""
        if self.break_even is None:
            return None
        return max(self.break_even - self.paying, 0)

    def rows(self) -> list[dict]:
        """The cost lines in category order, computed ones included, for pages and exports."""
        rows = []
        for category in CostCategory:
            if category == CostCategory.HONORARIA:
                planned = actual = self.honoraria_total
            elif category == CostCategory.PARTNER_SHARE:
                planned, actual = self.partner_share_planned, self.partner_share
            else:
                line = self.lines.get(category)
                planned = line.planned if line else 0
                actual = line.actual if line else None
            rows.append(
                {
                    "category": category,
                    "label": category.label,
                    "planned": planned,
                    "actual": actual,
                    "computed": category not in ENTERED_CATEGORIES,
                    "description": (
                        self.lines.get(category).description if self.lines.get(category) else ""
                    ),
                }
            )
        return rows


def batches_with_revenue(batches: QuerySet[Batch]) -> list[Batch]:
    """Return the batches with `revenue` (training's rule) and `paying` (confirmed
    participants), in two queries: counting in the revenue query would make the database
    run its subqueries once per registration."""
    rows = list(annotate_revenue(batches.select_related("program")).order_by("starts_on", "code"))
    paying = dict(
        Registration.objects.filter(
            batch_id__in=[batch.pk for batch in rows], state=RegistrationState.CONFIRMED
        )
        .values_list("batch_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for batch in rows:
        batch.paying = paying.get(batch.pk, 0)
    return rows


def batch_finances(batches: QuerySet[Batch], *, book: RateBook | None = None) -> list[BatchFinance]:
    """Return the money of every batch in `batches`, in a fixed number of queries (eight)."""
    rows = batches_with_revenue(batches)
    ids = [batch.pk for batch in rows]
    budgets = {budget.batch_id: budget for budget in BatchBudget.objects.filter(batch_id__in=ids)}
    lines: dict[int, dict[str, CostLine]] = defaultdict(dict)
    for line in CostLine.objects.filter(batch_id__in=ids):
        lines[line.batch_id][line.category] = line
    honoraria = honoraria_by_batch(ids, book=book)
    return [
        BatchFinance(
            batch=batch,
            revenue=batch.revenue,
            paying=batch.paying,
            budget=budgets.get(batch.pk),
            lines={category: lines[batch.pk].get(category) for category in ENTERED_CATEGORIES},
            honoraria=honoraria.get(batch.pk, []),
        )
        for batch in rows
    ]


def batch_finance(*, batch: Batch) -> BatchFinance:
    return batch_finances(Batch.objects.filter(pk=batch.pk))[0]


# --- Access and masking ---------------------------------------------------------------------

FINANCE_READERS = (Role.FINANCE, Role.HEAD, Role.PROGRAM_MANAGER)


def is_finance(user) -> bool:
    return user_has_role(user, Role.FINANCE)


def may_read_finances(user) -> bool:
    return user_has_role(user, *FINANCE_READERS)


def sees_payment_details(user) -> bool:
    """Only finance (and administrators, who hold every role) see tax and bank numbers whole."""
    return is_finance(user)


def masked(value: str, *, user) -> str:
    """Return a tax or bank number whole for finance, masked for anyone else."""
    if not value or sees_payment_details(user):
        return value
    return mask_phone(value)


def finance_batches() -> QuerySet[Batch]:
    return Batch.objects.exclude(status="cancelled").select_related("program")


def batch_get_for_finance(*, batch_id: int, user) -> Batch:
    """Return a batch for people who read finances (404 for others, via the caller's check)."""
    if not may_read_finances(user):
        raise Batch.DoesNotExist
    return Batch.objects.select_related("program", "agreement__partner").get(pk=batch_id)
