from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from sinergi.accounts.models import Role
from sinergi.accounts.selectors import user_has_role
from sinergi.core.models import Province

from .models import (
    Batch,
    BatchStatus,
    CompetencyUnit,
    GroupRegistration,
    Invoice,
    Payment,
    PaymentState,
    Program,
    Refund,
    Registration,
    RegistrationState,
)

TRAINING_STAFF = (Role.PROGRAM_MANAGER, Role.FINANCE, Role.HEAD)
S = RegistrationState


def seat_holding_q(now: datetime, prefix: str = "") -> Q:
    """Registrations that hold a seat at `now`: the sum the capacity rule is computed from."""
    return (
        Q(**{f"{prefix}state__in": [S.CONFIRMED, S.PAYMENT_SUBMITTED]})
        | Q(**{f"{prefix}state": S.PENDING_PAYMENT, f"{prefix}expires_at__gt": now})
        | Q(**{f"{prefix}state": S.OFFERED, f"{prefix}offer_expires_at__gt": now})
    )


@dataclass(frozen=True)
class Availability:
    capacity: int
    confirmed: int
    pending: int  # awaiting payment or its verification, still within time
    offered: int
    waitlisted: int

    @property
    def taken(self) -> int:
        return self.confirmed + self.pending + self.offered

    @property
    def available(self) -> int:
        return max(self.capacity - self.taken, 0)


def batch_availability(*, batch: Batch, now: datetime | None = None) -> Availability:
    """Count the batch's seats from its registrations (capacity is computed, never stored)."""
    now = now or timezone.now()
    counts = Registration.objects.filter(batch=batch).aggregate(
        confirmed=Count("id", filter=Q(state=S.CONFIRMED)),
        pending=Count(
            "id",
            filter=Q(state=S.PAYMENT_SUBMITTED) | Q(state=S.PENDING_PAYMENT, expires_at__gt=now),
        ),
        offered=Count("id", filter=Q(state=S.OFFERED, offer_expires_at__gt=now)),
        waitlisted=Count("id", filter=Q(state=S.WAITLISTED)),
    )
    return Availability(capacity=batch.capacity, **counts)


def batches_with_seats(queryset: QuerySet[Batch], now: datetime | None = None) -> QuerySet[Batch]:
    """Annotate `seats_taken` on each batch in one query, for lists."""
    now = now or timezone.now()
    holding = seat_holding_q(now, prefix="registrations__")
    return queryset.annotate(seats_taken=Count("registrations", filter=holding, distinct=True))


def is_training_staff(user) -> bool:
    return user_has_role(user, *TRAINING_STAFF)


def catalogue_batches(
    *,
    mode: str = "",
    month: str = "",
    competency: str = "",
    price: str = "",
    query: str = "",
) -> QuerySet[Batch]:
    """Return the public catalogue: open batches whose registration has not closed."""
    now = timezone.now()
    batches = Batch.objects.filter(status=BatchStatus.OPEN, registration_closes__gt=now)
    if mode:
        batches = batches.filter(program__mode=mode)
    if month:
        try:
            year, month_number = (int(part) for part in month.split("-"))
            batches = batches.filter(starts_on__year=year, starts_on__month=month_number)
        except ValueError:
            pass
    if competency:
        batches = batches.filter(program__competency_units__code=competency)
    if price == "free":
        batches = batches.filter(fee=0)
    elif price == "paid":
        batches = batches.filter(fee__gt=0)
    if query:
        batches = batches.filter(
            Q(program__title__icontains=query)
            | Q(program__summary__icontains=query)
            | Q(program__description__icontains=query)
            | Q(code__icontains=query)
        )
    batches = batches.select_related("program").order_by("starts_on", "code").distinct()
    return batches_with_seats(batches, now)


def batch_get_public(*, batch_id: int, user) -> Batch:
    """Return a batch anyone may see (not a draft), or any batch for training staff."""
    batches = Batch.objects.select_related("program")
    if not is_training_staff(user):
        batches = batches.exclude(status=BatchStatus.DRAFT)
    return batches.get(pk=batch_id)


def program_list(*, user) -> QuerySet[Program]:
    return Program.objects.prefetch_related("competency_units")


def registration_get_for_user(*, registration_id: int, user) -> Registration:
    """Return a registration its owner, its group contact or training staff may see."""
    registrations = Registration.objects.select_related("batch__program", "invoice", "user")
    if not is_training_staff(user):
        registrations = registrations.filter(Q(user=user) | Q(group__contact=user))
    return registrations.get(pk=registration_id)


def registrations_of_user(*, user) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(user=user)
        .select_related("batch__program", "invoice")
        .order_by("-created_at")
    )


def invoice_get_for_user(*, invoice_id: int, user) -> Invoice:
    """Return an invoice its buyer or training staff may see."""
    invoices = Invoice.objects.select_related("batch__program", "buyer")
    if not is_training_staff(user):
        invoices = invoices.filter(buyer=user)
    return invoices.get(pk=invoice_id)


def payment_get_for_user(*, payment_id: int, user) -> Payment:
    """Return a payment its invoice's buyer or training staff may see."""
    payments = Payment.objects.select_related("invoice__batch")
    if not is_training_staff(user):
        payments = payments.filter(invoice__buyer=user)
    return payments.get(pk=payment_id)


def verification_queue(*, batch: Batch | None = None) -> QuerySet[Payment]:
    """Transfers waiting for finance, oldest first."""
    payments = Payment.objects.filter(state=PaymentState.SUBMITTED).select_related(
        "invoice__batch__program", "invoice__buyer"
    )
    if batch is not None:
        payments = payments.filter(invoice__batch=batch)
    return payments.order_by("created_at")


def _revenue_expression():
    """Revenue of the batch in the outer query: approved invoices less refunds, in Rupiah.

    Unique transfer codes are not revenue, so the invoice amount counts, not what was paid.
    """
    approved = Payment.objects.filter(invoice=OuterRef("pk"), state=PaymentState.APPROVED)
    paid = (
        Invoice.objects.filter(Exists(approved), batch=OuterRef("pk"))
        .order_by()
        .values("batch")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    refunded = (
        Refund.objects.filter(registration__batch=OuterRef("pk"))
        .order_by()
        .values("registration__batch")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(paid), Value(0)) - Coalesce(Subquery(refunded), Value(0))


def batch_revenue(*, batch: Batch) -> int:
    """Approved payments minus refunds, in Rupiah."""
    return (
        Batch.objects.filter(pk=batch.pk)
        .annotate(revenue=_revenue_expression())
        .values_list("revenue", flat=True)
        .get()
    )


def batches_with_revenue(queryset: QuerySet[Batch]) -> QuerySet[Batch]:
    """Annotate `revenue` (approved invoices less refunds) on each batch, in the same query."""
    return queryset.annotate(revenue=_revenue_expression())


def batches_for_dashboard() -> QuerySet[Batch]:
    """Every batch with seats taken, waiting list and revenue, in one query."""
    batches = Batch.objects.select_related("program").annotate(
        waitlisted=Count(
            "registrations", filter=Q(registrations__state=S.WAITLISTED), distinct=True
        ),
        revenue=_revenue_expression(),
    )
    return batches_with_seats(batches).order_by("starts_on", "code")


def batch_state_counts(*, batch: Batch) -> dict[str, int]:
    rows = Registration.objects.filter(batch=batch).values("state").annotate(n=Count("id"))
    counts = {state: 0 for state in RegistrationState.values}
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


# --- For the API (api.py) ----------------------------------------------------------------------


def batches_in_status(*, status: str, now: datetime | None = None) -> QuerySet[Batch]:
    """Return the batches in `status`, soonest first, with `seats_taken` (one query)."""
    batches = Batch.objects.filter(status=status).select_related("program")
    return batches_with_seats(batches.order_by("starts_on", "code"), now)


def program_get(*, program_id: int) -> Program | None:
    """Return the program `program_id`, or None (programs are public)."""
    return Program.objects.filter(pk=program_id).first()


def competency_units_by_code(*, codes: list[str]) -> tuple[list, list[str]]:
    """Return the active competency units with `codes`, and the codes that match none."""

    units = list(CompetencyUnit.objects.filter(code__in=codes, is_active=True))
    found = {unit.code for unit in units}
    return units, [code for code in dict.fromkeys(codes) if code not in found]


def province_by_code(*, code: str):
    """Return the province with the two-digit `code`, or None."""

    return Province.objects.filter(code=code).first()


def group_registrations_of_contact(*, user) -> QuerySet[GroupRegistration]:
    """The group registrations `user` made, newest first, with members and their invoices."""
    members = Registration.objects.select_related("user", "invoice").order_by("created_at", "id")
    return (
        GroupRegistration.objects.filter(contact=user)
        .select_related("batch__program")
        .prefetch_related(Prefetch("registrations", queryset=members))
        .order_by("-created_at")
    )
