"""The head of library's dashboard: a year of training, money, learning, partnerships and
visits, in a fixed number of queries however many batches and registrations the year has."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.db.models import Avg, Count, Max, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone, translation

from sinergi.learning.models import (
    Attempt,
    AttemptState,
    Completion,
    QuizRole,
    SurveyAnswer,
    SurveyQuestionKind,
    SurveyResponse,
    SurveyScope,
)
from sinergi.learning.selectors.progress import learning_gain
from sinergi.learning.selectors.surveys import min_responses_for_speakers
from sinergi.partners.models import Agreement, AgreementStatus
from sinergi.partners.selectors import agreements_with_status
from sinergi.training.models import Batch, BatchStatus, Program, Registration, RegistrationState
from sinergi.visits.models import Reservation, ReservationState, WalkIn

from .finance import BatchFinance, RateBook, batch_finances


@dataclass
class BatchRow:
    finance: BatchFinance
    completed: int = 0
    passed: int = 0
    gains: list[float] = field(default_factory=list)
    satisfaction: Decimal | None = None

    @property
    def batch(self) -> Batch:
        return self.finance.batch

    @property
    def participants(self) -> int:
        return self.finance.paying

    @property
    def completion_rate(self) -> Decimal | None:
        return _percent(self.completed, self.participants)

    @property
    def pass_rate(self) -> Decimal | None:
        return _percent(self.passed, self.participants)

    @property
    def mean_gain(self) -> Decimal | None:
        return _mean(self.gains)


@dataclass
class ProgramRow:
    program: Program
    batches: list[BatchRow]

    def _sum(self, attribute: str) -> int:
        return sum(getattr(row.finance, attribute) for row in self.batches)

    @property
    def participants(self) -> int:
        return sum(row.participants for row in self.batches)

    @property
    def revenue(self) -> int:
        return self._sum("revenue")

    @property
    def costs(self) -> int:
        return self._sum("costs")

    @property
    def profit(self) -> int:
        return self._sum("profit")

    @property
    def completion_rate(self) -> Decimal | None:
        return _percent(sum(row.completed for row in self.batches), self.participants)

    @property
    def pass_rate(self) -> Decimal | None:
        return _percent(sum(row.passed for row in self.batches), self.participants)

    @property
    def mean_gain(self) -> Decimal | None:
        return _mean([gain for row in self.batches for gain in row.gains])


@dataclass
class SpeakerRating:
    name: str
    batch_code: str
    mean: Decimal
    answers: int


@dataclass
class Dashboard:
    year: int
    years: list[int]
    programs: list[ProgramRow]
    by_province: list[tuple[str, int]]
    by_institution_type: list[tuple[str, int]]
    speaker_ratings: list[SpeakerRating]
    satisfaction: Decimal | None
    agreements: dict[str, int]
    expiring: list[Agreement]
    visits: dict[str, int]
    loans: dict[str, int] | None  # None while the library app is not installed
    monthly: list[tuple[int, int, int]]  # month, revenue, costs (batches by starting month)

    @property
    def batches(self) -> list[BatchRow]:
        return [row for program in self.programs for row in program.batches]

    @property
    def revenue(self) -> int:
        return sum(program.revenue for program in self.programs)

    @property
    def costs(self) -> int:
        return sum(program.costs for program in self.programs)

    @property
    def profit(self) -> int:
        return self.revenue - self.costs

    @property
    def participants(self) -> int:
        return sum(program.participants for program in self.programs)

    @property
    def completion_rate(self) -> Decimal | None:
        rows = self.batches
        return _percent(sum(r.completed for r in rows), sum(r.participants for r in rows))

    @property
    def pass_rate(self) -> Decimal | None:
        rows = self.batches
        return _percent(sum(r.passed for r in rows), sum(r.participants for r in rows))

    @property
    def mean_gain(self) -> Decimal | None:
        return _mean([gain for row in self.batches for gain in row.gains])


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"))


def _mean(values: list[float]) -> Decimal | None:
    if not values:
        return None
    return Decimal(str(sum(values) / len(values))).quantize(Decimal("0.001"))


def dashboard_years() -> list[int]:
    """The years in which batches start, newest first (one query)."""
    years = (
        Batch.objects.annotate(year=ExtractYear("starts_on"))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
    return list(years)


def year_batches(*, year: int, program_id: int | None = None):
    batches = Batch.objects.filter(starts_on__year=year).exclude(status=BatchStatus.CANCELLED)
    if program_id:
        batches = batches.filter(program_id=program_id)
    return batches


def head_dashboard(*, year: int, program_id: int | None = None, today: date | None = None):
    """Return the year's figures; the query count does not grow with the data."""
    today = today or timezone.localdate()
    batches = year_batches(year=year, program_id=program_id)
    finances = batch_finances(batches, book=RateBook())
    rows = {finance.batch.pk: BatchRow(finance) for finance in finances}
    ids = list(rows)
    confirmed = Registration.objects.filter(batch_id__in=ids, state=RegistrationState.CONFIRMED)

    for batch_id, n in (
        Completion.objects.filter(registration__in=confirmed)
        .values_list("registration__batch_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        rows[batch_id].completed = n
    _learning(rows, confirmed)
    likert = SurveyAnswer.objects.filter(
        survey__item__module__batch_id__in=ids,
        question__kind=SurveyQuestionKind.LIKERT,
        rating__isnull=False,
    )
    for batch_id, mean in (
        likert.filter(question__scope=SurveyScope.ORGANISATION)
        .values_list("survey__item__module__batch_id")
        .annotate(mean=Avg("rating"))
        .order_by()
    ):
        rows[batch_id].satisfaction = Decimal(str(mean)).quantize(Decimal("0.01"))
    organisation = likert.filter(question__scope=SurveyScope.ORGANISATION).aggregate(
        mean=Avg("rating")
    )["mean"]

    programs: dict[int, ProgramRow] = {}
    for row in rows.values():
        program = row.batch.program
        programs.setdefault(program.pk, ProgramRow(program, [])).batches.append(row)

    monthly = defaultdict(lambda: [0, 0])
    for row in rows.values():
        monthly[row.batch.starts_on.month][0] += row.finance.revenue
        monthly[row.batch.starts_on.month][1] += row.finance.costs

    return Dashboard(
        year=year,
        years=dashboard_years(),
        programs=sorted(programs.values(), key=lambda p: p.program.title),
        by_province=_by_province(confirmed),
        by_institution_type=_by_institution_type(confirmed),
        speaker_ratings=_speaker_ratings(ids, likert),
        satisfaction=(
            Decimal(str(organisation)).quantize(Decimal("0.01"))
            if organisation is not None
            else None
        ),
        agreements=_agreement_counts(today),
        expiring=_expiring(today),
        visits=_visits(year),
        loans=_loans(year),
        monthly=[(month, monthly[month][0], monthly[month][1]) for month in range(1, 13)],
    )


def _learning(rows: dict[int, BatchRow], confirmed) -> None:
    """Pass rates and learning gains from the best finished pre- and post-test scores: one
    row per participant, with both scores."""
    finished = Attempt.objects.filter(registration__in=confirmed, state=AttemptState.FINISHED)
    pre, post = Q(quiz__role=QuizRole.PRETEST), Q(quiz__role=QuizRole.POSTTEST)
    best = (
        finished.filter(pre | post)
        .values_list("registration_id", "registration__batch_id")
        .annotate(
            pre=Max("score", filter=pre),
            post=Max("score", filter=post),
            pass_mark=Max("quiz__pass_mark", filter=post),
        )
        .order_by()
    )
    for _registration, batch_id, pre_score, post_score, pass_mark in best:
        row = rows[batch_id]
        if post_score is not None and post_score >= pass_mark:
            row.passed += 1
        gain = learning_gain(_decimal(pre_score), _decimal(post_score))
        if gain is not None:
            row.gains.append(gain)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _by_province(confirmed) -> list[tuple[str, int]]:
    rows = (
        confirmed.values_list("province__name")
        .annotate(n=Count("id"))
        .order_by("-n", "province__name")
    )
    return [(name or "—", n) for name, n in rows]


def _by_institution_type(confirmed) -> list[tuple[str, int]]:
    english = translation.get_language() == "en"
    rows = (
        confirmed.values_list("user__institution_type__name_id", "user__institution_type__name_en")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return [((name_en if english else name_id) or "—", n) for name_id, name_en, n in rows]


def _speaker_ratings(ids: list[int], likert) -> list[SpeakerRating]:
    """Mean ratings per speaker per batch, only where enough participants answered that no
    answer can be traced to a person (the same rule as learning's survey results)."""
    enough = {
        batch_id
        for batch_id, n in SurveyResponse.objects.filter(survey__item__module__batch_id__in=ids)
        .values_list("survey__item__module__batch_id")
        .annotate(n=Count("id"))
        .order_by()
        if n >= min_responses_for_speakers()
    }
    rows = (
        likert.filter(speaker__isnull=False, survey__item__module__batch_id__in=enough)
        .values_list("speaker__full_name", "survey__item__module__batch__code")
        .annotate(mean=Avg("rating"), n=Count("id"))
        .order_by("-mean", "speaker__full_name")
    )
    return [
        SpeakerRating(name, code, Decimal(str(mean)).quantize(Decimal("0.01")), n)
        for name, code, mean, n in rows
    ]


def _agreement_counts(today: date) -> dict[str, int]:
    counts = dict(
        agreements_with_status(Agreement.objects.all(), today)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in AgreementStatus.values}


def _expiring(today: date) -> list[Agreement]:
    return list(
        agreements_with_status(Agreement.objects.select_related("partner"), today)
        .filter(status=AgreementStatus.EXPIRING)
        .order_by("ends_on")[:20]
    )


def _visits(year: int) -> dict[str, int]:
    counts = dict(
        Reservation.objects.filter(slot__starts_at__year=year)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    walk_ins = WalkIn.objects.filter(slot__starts_at__year=year).aggregate(n=Sum("people"))["n"]
    return {
        "booked": sum(counts.values()),
        "arrived": counts.get(ReservationState.CHECKED_IN, 0),
        "no_show": counts.get(ReservationState.NO_SHOW, 0),
        "cancelled": counts.get(ReservationState.CANCELLED, 0),
        "walk_ins": walk_ins or 0,
    }


def _loans(year: int) -> dict[str, int] | None:
    """E-book loans begun in `year`, read from the library app when it is installed (it stands
    on its own, so this app reads it only if it is there)."""
    if not apps.is_installed("sinergi.library"):
        return None
    from sinergi.library.models import Loan, LoanState

    return Loan.objects.filter(started_at__year=year).aggregate(
        loans=Count("id"),
        active=Count("id", filter=Q(state=LoanState.ACTIVE)),
        readers=Count("user", distinct=True),
    )
