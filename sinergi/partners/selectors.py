"""Reads with rules: who may see which partner, agreement, document and visit; status and
overdue computed from dates (working days, Indonesian public holidays excluded)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.utils import timezone

from sinergi.accounts.models import Role
from sinergi.accounts.selectors import user_has_role
from sinergi.core.calendar import working_days_between

from .models import (
    Activity,
    ActivityKind,
    Agreement,
    AgreementDocument,
    AgreementKind,
    AgreementStatus,
    AgreementStep,
    DocumentVersion,
    Evidence,
    InstitutionalVisit,
    Partner,
    PartnerOfficer,
    ProcessTemplate,
    Reminder,
    StepActor,
    StepState,
    VisitStatus,
)

COOPERATION_STAFF = (Role.COOPERATION_OFFICER, Role.HEAD)  # an administrator holds every role
MANAGERS = (Role.COOPERATION_OFFICER,)
A = AgreementStatus


def expiring_window_days() -> int:
    return settings.SINERGI_AGREEMENT_EXPIRING_DAYS


def is_cooperation_staff(user) -> bool:
    return user_has_role(user, *COOPERATION_STAFF)


def can_manage(user) -> bool:
    return user_has_role(user, *MANAGERS)


def officer_partner_id(user) -> int | None:
    """Return the id of the partner `user` acts for, if they are a partner officer."""
    if not user.is_authenticated or not user_has_role(user, Role.PARTNER):
        return None
    cached = getattr(user, "_sinergi_partner_id", 0)
    if cached != 0:
        return cached
    partner_id = (
        PartnerOfficer.objects.filter(user=user).values_list("partner_id", flat=True).first()
    )
    user._sinergi_partner_id = partner_id
    return partner_id


# --- Status -----------------------------------------------------------------------------------


def agreement_status(agreement: Agreement, today: date | None = None) -> str:
    """Compute the status of one agreement from its marks and dates."""
    today = today or timezone.localdate()
    if agreement.terminated_on is not None:
        return A.TERMINATED
    if agreement.superseded_at is not None:
        return A.SUPERSEDED
    if agreement.signed_on is None:
        return A.IN_PROCESS if agreement.process_started_at else A.DRAFT
    if agreement.ends_on is not None and agreement.ends_on < today:
        return A.EXPIRED
    if agreement.ends_on is not None and agreement.ends_on <= today + timedelta(
        days=expiring_window_days()
    ):
        return A.EXPIRING
    return A.ACTIVE


def status_expression(today: date):
    """The same rule as `agreement_status`, as SQL, to filter and count in the database."""
    soon = today + timedelta(days=expiring_window_days())
    return Case(
        When(terminated_on__isnull=False, then=Value(A.TERMINATED)),
        When(superseded_at__isnull=False, then=Value(A.SUPERSEDED)),
        When(signed_on__isnull=True, process_started_at__isnull=False, then=Value(A.IN_PROCESS)),
        When(signed_on__isnull=True, then=Value(A.DRAFT)),
        When(ends_on__lt=today, then=Value(A.EXPIRED)),
        When(ends_on__lte=soon, then=Value(A.EXPIRING)),
        default=Value(A.ACTIVE),
        output_field=CharField(),
    )


def agreements_with_status(queryset: QuerySet[Agreement], today: date | None = None):
    return queryset.annotate(status=status_expression(today or timezone.localdate()))


# --- Access -----------------------------------------------------------------------------------


def agreements_for_user(*, user) -> QuerySet[Agreement]:
    """Agreements `user` may read: all for cooperation staff, their institution's for a
    partner officer, none for anyone else."""
    agreements = Agreement.objects.select_related("partner", "parent", "person_in_charge")
    if is_cooperation_staff(user):
        return agreements
    partner_id = officer_partner_id(user)
    if partner_id is None:
        return agreements.none()
    return agreements.filter(partner_id=partner_id)


def agreement_get_for_user(*, agreement_id: int, user) -> Agreement:
    """Return the agreement if `user` may read it; raise Agreement.DoesNotExist otherwise."""
    return agreements_with_status(agreements_for_user(user=user)).get(pk=agreement_id)


def agreement_list(
    *,
    user,
    status: str = "",
    partner: int | str | None = None,
    kind: str = "",
    expiring_within_days: int | None = None,
    query: str = "",
    today: date | None = None,
) -> QuerySet[Agreement]:
    today = today or timezone.localdate()
    agreements = agreements_with_status(agreements_for_user(user=user), today)
    if status:
        agreements = agreements.filter(status=status)
    if partner:
        agreements = agreements.filter(partner_id=partner)
    if kind:
        agreements = agreements.filter(kind=kind)
    if expiring_within_days is not None:
        agreements = agreements.filter(
            status__in=[A.ACTIVE, A.EXPIRING],
            ends_on__gte=today,
            ends_on__lte=today + timedelta(days=expiring_within_days),
        )
    if query:
        agreements = agreements.filter(
            Q(title__icontains=query)
            | Q(our_number__icontains=query)
            | Q(partner_number__icontains=query)
            | Q(partner__name__icontains=query)
        )
    return agreements.order_by("partner__name", "-created_at")


def partners_for_user(*, user) -> QuerySet[Partner]:
    partners = Partner.objects.select_related("province")
    if is_cooperation_staff(user):
        return partners
    partner_id = officer_partner_id(user)
    return partners.filter(pk=partner_id) if partner_id else partners.none()


def partner_get_for_user(*, partner_id: int, user) -> Partner:
    return partners_for_user(user=user).get(pk=partner_id)


def document_version_get_for_user(*, version_id: int, user) -> DocumentVersion:
    """Return a document version whose agreement `user` may read."""
    return DocumentVersion.objects.select_related("document__agreement").get(
        pk=version_id, document__agreement__in=agreements_for_user(user=user)
    )


def evidence_get_for_user(*, evidence_id: int, user) -> Evidence:
    return Evidence.objects.select_related("activity__agreement").get(
        pk=evidence_id, activity__agreement__in=agreements_for_user(user=user)
    )


def user_may_act_on_step(*, user, step: AgreementStep) -> bool:
    """Whether `user` may close or send back `step` (our role, or the partner's officer).

    A partner's step is the partner officers' own; only for a partner with no officer in
    Sinergi does the cooperation officer record it on the partner's behalf.
    """
    if step.actor == StepActor.PARTNER:
        partner_id = step.agreement.partner_id
        if officer_partner_id(user) == partner_id:
            return True
        return (
            can_manage(user) and not PartnerOfficer.objects.filter(partner_id=partner_id).exists()
        )
    if step.actor == StepActor.HEAD:
        return user_has_role(user, Role.HEAD)
    return can_manage(user)


def user_may_upload(*, user, agreement: Agreement) -> bool:
    return can_manage(user) or officer_partner_id(user) == agreement.partner_id


# --- The process ------------------------------------------------------------------------------


def default_process_template() -> ProcessTemplate | None:
    return ProcessTemplate.objects.filter(is_default=True).first()


@dataclass(frozen=True)
class TimelineStep:
    step: AgreementStep
    state: str  # done, current, overdue, waiting
    working_days_late: int
    decisions: list


def agreement_timeline(*, agreement: Agreement, today: date | None = None) -> list[TimelineStep]:
    """The agreement's steps as a timeline: done, current, overdue, to come."""
    today = today or timezone.localdate()
    steps = agreement.steps.prefetch_related("decisions__decided_by").order_by("order")
    timeline = []
    for step in steps:
        late = 0
        state = step.state
        if step.state == StepState.CURRENT and step.due_on and step.due_on < today:
            state = "overdue"
            late = working_days_between(step.due_on, today)
        timeline.append(TimelineStep(step, state, late, list(step.decisions.all())))
    return timeline


def working_days_late(step: AgreementStep, today: date | None = None) -> int:
    """Working days a current step is past its due date (0 when it is not)."""
    today = today or timezone.localdate()
    if step.state != StepState.CURRENT or step.due_on is None or step.due_on >= today:
        return 0
    return working_days_between(step.due_on, today)


def step_is_overdue(step: AgreementStep, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return step.state == StepState.CURRENT and step.due_on is not None and step.due_on < today


def overdue_steps(*, user=None, today: date | None = None) -> QuerySet[AgreementStep]:
    today = today or timezone.localdate()
    steps = AgreementStep.objects.filter(state=StepState.CURRENT, due_on__lt=today)
    if user is not None:
        steps = steps.filter(agreement__in=agreements_for_user(user=user))
    return steps.select_related("agreement__partner").order_by("due_on")


def missing_documents(*, step: AgreementStep) -> list[str]:
    """Kinds of required document the agreement does not have yet (with a file)."""
    have = set(
        AgreementDocument.objects.filter(agreement_id=step.agreement_id, versions__isnull=False)
        .values_list("kind", flat=True)
        .distinct()
    )
    return [kind for kind in step.required_documents if kind not in have]


def agreement_documents(*, agreement: Agreement) -> list[AgreementDocument]:
    return list(
        agreement.documents.prefetch_related("versions__uploaded_by").order_by("kind", "id")
    )


# --- Evidence ---------------------------------------------------------------------------------


def agreement_batches(agreement: Agreement) -> list:
    """Training batches run under the agreement (read through the reverse relation, so this
    app needs no import of training; empty when training is not installed)."""
    manager = getattr(agreement, "batches", None)
    if manager is None:
        return []
    return list(manager.select_related("program").order_by("starts_on"))


def agreement_visits(agreement: Agreement) -> QuerySet[InstitutionalVisit]:
    return agreement.visits.exclude(
        status__in=[VisitStatus.DECLINED, VisitStatus.CANCELLED]
    ).order_by("proposed_on")


def agreement_activities(agreement: Agreement) -> QuerySet[Activity]:
    return agreement.activities.prefetch_related("evidence").order_by("-held_on")


@dataclass(frozen=True)
class EvidenceRow:
    agreement: Agreement
    kind: str
    title: str
    held_on: date | None
    participants: int | None
    source: str  # "activity", "training", "visit"


def evidence_rows(*, agreements: list[Agreement], year: int) -> list[EvidenceRow]:
    """Every implementation activity of `agreements` in `year`: hand-entered activities,
    training batches naming them and visits held under them, oldest first."""
    rows: list[EvidenceRow] = []
    for agreement in agreements:
        for activity in agreement.activities.filter(held_on__year=year):
            rows.append(
                EvidenceRow(
                    agreement,
                    activity.get_kind_display(),
                    activity.title,
                    activity.held_on,
                    activity.participants,
                    "activity",
                )
            )
        for batch in agreement_batches(agreement):
            if batch.starts_on.year == year:
                rows.append(
                    EvidenceRow(
                        agreement,
                        str(ActivityKind.TRAINING.label),
                        f"{batch.program.title} ({batch.code})",
                        batch.starts_on,
                        None,
                        "training",
                    )
                )
        for visit in agreement.visits.filter(status=VisitStatus.DONE):
            held = timezone.localtime(visit.scheduled_at).date() if visit.scheduled_at else None
            if (held or visit.proposed_on).year == year:
                rows.append(
                    EvidenceRow(
                        agreement,
                        str(ActivityKind.VISIT.label),
                        visit.institution_name,
                        held or visit.proposed_on,
                        visit.visitors,
                        "visit",
                    )
                )
    rows.sort(key=lambda row: (row.held_on or date.min, row.title))
    return rows


def agreements_without_activity(*, year: int, today: date | None = None) -> list[Agreement]:
    """Active or expiring agreements with no activity, training batch or visit this year."""
    live = agreements_with_status(Agreement.objects.select_related("partner"), today).filter(
        status__in=[A.ACTIVE, A.EXPIRING]
    )
    live = live.annotate(
        activity_count=Count("activities", filter=Q(activities__held_on__year=year), distinct=True),
        visit_count=Count(
            "visits",
            filter=Q(visits__status=VisitStatus.DONE, visits__proposed_on__year=year),
            distinct=True,
        ),
    ).filter(activity_count=0, visit_count=0)
    return [a for a in live if not any(b.starts_on.year == year for b in agreement_batches(a))]


# --- Dashboard --------------------------------------------------------------------------------


def dashboard_figures(*, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    counts = dict(
        agreements_with_status(Agreement.objects.all(), today)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    by_type = Partner.objects.values("type").annotate(n=Count("id")).order_by("-n", "type")
    by_province = (
        Partner.objects.values("province__name", "country")
        .annotate(n=Count("id"))
        .order_by("-n", "province__name")
    )
    return {
        "counts": {status: counts.get(status, 0) for status in A.values},
        "by_type": list(by_type),
        "by_province": list(by_province),
    }


def reminders_for(*, user, limit: int = 20) -> QuerySet[Reminder]:
    reminders = Reminder.objects.filter(dismissed_at__isnull=True).select_related(
        "agreement__partner", "step"
    )
    if not user_has_role(user, Role.HEAD):
        reminders = reminders.filter(recipient=user)
    return reminders[:limit]


# --- Visits -----------------------------------------------------------------------------------


def visits_for_user(*, user) -> QuerySet[InstitutionalVisit]:
    """Staff see every visit request; anyone else the ones they made."""
    visits = InstitutionalVisit.objects.select_related("partner", "agreement")
    if is_cooperation_staff(user):
        return visits
    if not user.is_authenticated:
        return visits.none()
    return visits.filter(requested_by=user)


def visit_get_for_user(*, visit_id: int, user) -> InstitutionalVisit:
    return visits_for_user(user=user).get(pk=visit_id)


def parent_choices(*, kind: str) -> QuerySet[Agreement]:
    """Agreements a new one of `kind` may name as parent: an MoU for a PKS/IA, any for an
    addendum."""
    agreements = Agreement.objects.select_related("partner").filter(
        terminated_on__isnull=True, superseded_at__isnull=True
    )
    if kind in (AgreementKind.PKS, AgreementKind.IA):
        return agreements.filter(kind=AgreementKind.MOU)
    return agreements


def active_implementing_agreements(today: date | None = None) -> QuerySet[Agreement]:
    """Signed PKS/IA agreements that are active or expiring: those a training batch may name."""
    return (
        agreements_with_status(Agreement.objects.select_related("partner"), today)
        .filter(
            kind__in=[AgreementKind.PKS, AgreementKind.IA],
            status__in=[A.ACTIVE, A.EXPIRING],
        )
        .order_by("partner__name", "title")
    )
