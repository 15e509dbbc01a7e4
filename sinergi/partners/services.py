"""Every write of the partnerships domain: keyword-only, one transaction each, audited.

The process rules live here: a step closes only with its required documents and only by whom
it names; legal review can send the agreement back to drafting; closing the signing step signs
the agreement and, for a renewal, marks its predecessor superseded.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import Role, User
from sinergi.accounts.selectors import user_has_role
from sinergi.accounts.services import user_grant_role
from sinergi.core.calendar import add_working_days
from sinergi.core.emails import email_send
from sinergi.core.formatting import format_date
from sinergi.core.locking import for_update
from sinergi.core.services import log_action
from sinergi.core.text import instance_text_clean, model_text_clean
from sinergi.core.uploads import DOCX, PDF, validate_upload

from . import selectors
from .models import (
    Activity,
    Agreement,
    AgreementDocument,
    AgreementKind,
    AgreementStatus,
    AgreementStep,
    Decision,
    DocumentKind,
    DocumentVersion,
    Evidence,
    InstitutionalVisit,
    Partner,
    PartnerContact,
    PartnerOfficer,
    ProcessTemplate,
    Reminder,
    StepDecision,
    StepState,
    VisitStatus,
)

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
MOU_DEFAULT_YEARS = 5
# Everything an agreement is pre-filled with when it is renewed.
RENEWAL_COPIED_FIELDS = [
    "kind",
    "partner_id",
    "parent_id",
    "title",
    "our_signatory",
    "partner_signatory",
    "unit",
    "person_in_charge_id",
    "value",
]
AGREEMENT_FIELDS = {
    "title",
    "parent",
    "our_number",
    "partner_number",
    "our_signatory",
    "partner_signatory",
    "signed_on",
    "starts_on",
    "ends_on",
    "unit",
    "person_in_charge",
    "value",
}


def _years_later(day: date, years: int) -> date:
    """The day before the same date `years` later: a five-year term starting 1 March 2026
    ends on 28 February 2031."""
    try:
        later = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        later = day.replace(year=day.year + years, day=28)
    return later - timedelta(days=1)


def default_end(*, kind: str, starts_on: date | None) -> date | None:
    """An MoU runs five years by default; other kinds have no default end."""
    if kind == AgreementKind.MOU and starts_on:
        return _years_later(starts_on, MOU_DEFAULT_YEARS)
    return None


# --- Partners ---------------------------------------------------------------------------------


@transaction.atomic
def partner_save(*, partner: Partner, actor) -> Partner:
    """Create or update a partner from a validated (unsaved) instance; its texts are cleaned
    by the one rule (`core.text`) first."""
    instance_text_clean(partner, names=("name", "short_name"))
    created = partner.pk is None
    partner.save()
    log_action(
        actor, "partners.partner_created" if created else "partners.partner_updated", partner
    )
    return partner


@transaction.atomic
def partner_contact_add(
    *, partner: Partner, actor, name: str, position: str = "", email: str = "", phone: str = ""
) -> PartnerContact:
    texts = model_text_clean(
        PartnerContact,
        {"name": name, "position": position, "email": email, "phone": phone},
        names=("name",),
        phones=("phone",),
    )
    contact = PartnerContact.objects.create(partner=partner, **texts)
    name = texts["name"]
    log_action(actor, "partners.contact_added", partner, {"name": name})
    return contact


@transaction.atomic
def partner_officer_link(*, partner: Partner, user: User, actor) -> PartnerOfficer:
    """Make `user` an officer of `partner` (giving the partner role); one institution each."""
    officer, _created = PartnerOfficer.objects.update_or_create(
        user=user, defaults={"partner": partner}
    )
    if not user_has_role(user, Role.PARTNER):
        user_grant_role(user=user, role=Role.PARTNER, actor=actor)
    for cached in ("_sinergi_roles", "_sinergi_partner_id"):
        user.__dict__.pop(cached, None)
    log_action(actor, "partners.officer_linked", partner, {"user": user.email})
    return officer


# --- Agreements -------------------------------------------------------------------------------


def _check_parent(*, kind: str, partner: Partner, parent: Agreement | None) -> None:
    needs_mou = kind in (AgreementKind.PKS, AgreementKind.IA)
    if needs_mou and (parent is None or parent.kind != AgreementKind.MOU):
        raise ValidationError(
            {"parent": _("A PKS or implementation arrangement needs its parent MoU.")}
        )
    if kind == AgreementKind.ADDENDUM and parent is None:
        raise ValidationError({"parent": _("An addendum needs the agreement it amends.")})
    if parent is not None and parent.partner_id != partner.pk:
        raise ValidationError({"parent": _("The parent agreement is with another partner.")})


@transaction.atomic
def agreement_create(
    *,
    actor,
    kind: str,
    partner: Partner,
    title: str,
    parent: Agreement | None = None,
    renewal_of: Agreement | None = None,
    scope_items=(),
    iku_criteria=(),
    partnership_forms=(),
    **fields,
) -> Agreement:
    """Create an agreement (a draft until its process starts or its signing is recorded)."""
    _check_parent(kind=kind, partner=partner, parent=parent)
    unknown = set(fields) - AGREEMENT_FIELDS
    if unknown:
        raise TypeError(f"unknown agreement fields: {sorted(unknown)}")
    if fields.get("starts_on") and not fields.get("ends_on"):
        fields["ends_on"] = default_end(kind=kind, starts_on=fields["starts_on"])
    agreement = Agreement.objects.create(
        kind=kind,
        partner=partner,
        title=title,
        parent=parent,
        renewal_of=renewal_of,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    agreement.scope_items.set(scope_items)
    agreement.iku_criteria.set(iku_criteria)
    agreement.partnership_forms.set(partnership_forms)
    log_action(actor, "partners.agreement_created", agreement, {"kind": kind})
    return agreement


@transaction.atomic
def agreement_update(
    *,
    agreement: Agreement,
    actor,
    scope_items=None,
    iku_criteria=None,
    partnership_forms=None,
    **fields,
) -> Agreement:
    """Change an agreement's facts (not its status: that follows from dates and steps)."""
    unknown = set(fields) - AGREEMENT_FIELDS
    if unknown:
        raise TypeError(f"unknown agreement fields: {sorted(unknown)}")
    _check_parent(
        kind=agreement.kind,
        partner=agreement.partner,
        parent=fields.get("parent", agreement.parent),
    )
    for name, value in fields.items():
        setattr(agreement, name, value)
    if agreement.starts_on and not agreement.ends_on:
        agreement.ends_on = default_end(kind=agreement.kind, starts_on=agreement.starts_on)
    agreement.save()
    for relation, values in (
        ("scope_items", scope_items),
        ("iku_criteria", iku_criteria),
        ("partnership_forms", partnership_forms),
    ):
        if values is not None:
            getattr(agreement, relation).set(values)
    log_action(actor, "partners.agreement_updated", agreement, {"fields": sorted(fields)})
    return agreement


# The lock every change to an agreement takes (core.locking; off only in a negative control).
LOCK_AGREEMENTS = "partners.agreements"


def _lock(agreement: Agreement) -> Agreement:
    """Lock the agreement's row: its steps, documents and renewal change one writer at a time."""
    return for_update(Agreement.objects, name=LOCK_AGREEMENTS).get(pk=agreement.pk)


def _start_step(step: AgreementStep, today: date) -> None:
    step.state = StepState.CURRENT
    step.started_on = today
    step.due_on = add_working_days(today, step.duration_days)
    step.completed_at = None
    step.completed_by = None
    step.save(update_fields=["state", "started_on", "due_on", "completed_at", "completed_by"])


@transaction.atomic
def agreement_process_start(
    *,
    agreement: Agreement,
    actor,
    template: ProcessTemplate | None = None,
    today: date | None = None,
) -> list[AgreementStep]:
    """Copy the template's steps onto the agreement and make the first one current."""
    today = today or timezone.localdate()
    agreement = _lock(agreement)
    if agreement.steps.exists():
        raise ValidationError(_("The process of this agreement has already started."))
    if agreement.signed_on is not None:
        raise ValidationError(_("This agreement is already signed."))
    template = template or selectors.default_process_template()
    if template is None:
        raise ValidationError(_("There is no default process template."))
    steps = [
        AgreementStep(
            agreement=agreement,
            order=t.order,
            code=t.code,
            title=t.title,
            description=t.description,
            actor=t.actor,
            duration_days=t.duration_days,
            required_documents=list(t.required_documents),
            return_to_order=t.return_to_order,
            signs_agreement=t.signs_agreement,
        )
        for t in template.steps.order_by("order")
    ]
    if not steps:
        raise ValidationError(_("The process template has no steps."))
    AgreementStep.objects.bulk_create(steps)
    steps = list(agreement.steps.order_by("order"))
    _start_step(steps[0], today)
    agreement.process_started_at = timezone.now()
    agreement.save(update_fields=["process_started_at"])
    log_action(actor, "partners.process_started", agreement, {"template": template.name})
    return steps


def _locked_current_step(step: AgreementStep, actor) -> tuple[Agreement, AgreementStep]:
    """Lock the agreement, then re-read the step: two people clicking at once close it once."""
    agreement = _lock(step.agreement)
    step = AgreementStep.objects.select_related("agreement").get(pk=step.pk)
    if step.state != StepState.CURRENT:
        raise ValidationError(_("This step is not the current step any more."), code="stale")
    if not selectors.user_may_act_on_step(user=actor, step=step):
        raise PermissionDenied
    return agreement, step


@transaction.atomic
def step_complete(
    *,
    step: AgreementStep,
    actor,
    note: str = "",
    our_number: str = "",
    partner_number: str = "",
    signed_on: date | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    today: date | None = None,
) -> AgreementStep:
    """Close the current step as done and make the next one current.

    The step must have its required documents. Closing the signing step records the
    signing (each party's number, the date, the term) and supersedes the renewed agreement.
    """
    today = today or timezone.localdate()
    agreement, step = _locked_current_step(step, actor)
    missing = selectors.missing_documents(step=step)
    if missing:
        labels = dict(DocumentKind.choices)
        raise ValidationError(
            _("Upload the required documents first: %(documents)s.")
            % {"documents": ", ".join(str(labels.get(kind, kind)) for kind in missing)},
            code="missing_documents",
        )
    if step.signs_agreement:
        _record_signing(
            agreement=agreement,
            actor=actor,
            our_number=our_number or agreement.our_number,
            partner_number=partner_number or agreement.partner_number,
            signed_on=signed_on or agreement.signed_on,
            starts_on=starts_on or agreement.starts_on,
            ends_on=ends_on or agreement.ends_on,
        )
    step.state = StepState.DONE
    step.completed_at = timezone.now()
    step.completed_by = actor
    step.save(update_fields=["state", "completed_at", "completed_by"])
    StepDecision.objects.create(step=step, decision=Decision.DONE, note=note, decided_by=actor)
    following = agreement.steps.filter(order__gt=step.order).order_by("order").first()
    if following is not None:
        _start_step(following, today)
    log_action(actor, "partners.step_completed", agreement, {"step": step.order, "code": step.code})
    return step


def _record_signing(
    *,
    agreement: Agreement,
    actor,
    our_number: str,
    partner_number: str,
    signed_on: date | None,
    starts_on: date | None,
    ends_on: date | None,
) -> None:
    errors = {}
    if not our_number:
        errors["our_number"] = _("Enter our number of the signed agreement.")
    if not partner_number:
        errors["partner_number"] = _("Enter the partner's number of its copy.")
    if not signed_on:
        errors["signed_on"] = _("Enter the signing date.")
    starts_on = starts_on or signed_on
    ends_on = ends_on or default_end(kind=agreement.kind, starts_on=starts_on)
    if not ends_on:
        errors["ends_on"] = _("Enter the end of the agreement's term.")
    elif starts_on and ends_on < starts_on:
        errors["ends_on"] = _("The agreement cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    agreement.our_number = our_number
    agreement.partner_number = partner_number
    agreement.signed_on = signed_on
    agreement.starts_on = starts_on
    agreement.ends_on = ends_on
    agreement.save(
        update_fields=["our_number", "partner_number", "signed_on", "starts_on", "ends_on"]
    )
    log_action(actor, "partners.agreement_signed", agreement, {"our_number": our_number})
    if agreement.renewal_of_id:
        old = Agreement.objects.select_for_update().get(pk=agreement.renewal_of_id)
        if old.superseded_at is None:
            old.superseded_at = timezone.now()
            old.save(update_fields=["superseded_at"])
            log_action(actor, "partners.agreement_superseded", old, {"by": agreement.pk})


@transaction.atomic
def step_return(
    *, step: AgreementStep, actor, note: str, today: date | None = None
) -> AgreementStep:
    """Send the agreement back from `step` to the step it names (legal review → drafting)."""
    today = today or timezone.localdate()
    agreement, step = _locked_current_step(step, actor)
    if step.return_to_order is None:
        raise ValidationError(_("This step cannot send the agreement back."), code="no_return")
    if not note.strip():
        raise ValidationError({"note": _("Say what must change: the note goes with it.")})
    target = agreement.steps.get(order=step.return_to_order)
    StepDecision.objects.create(
        step=step, decision=Decision.RETURNED, note=note.strip(), decided_by=actor
    )
    # Everything from the target on is to be done again.
    agreement.steps.filter(order__gte=target.order).update(
        state=StepState.WAITING, started_on=None, due_on=None, completed_at=None
    )
    target.refresh_from_db()
    _start_step(target, today)
    log_action(
        actor,
        "partners.step_returned",
        agreement,
        {"from": step.order, "to": target.order, "note": note.strip()[:200]},
    )
    return target


# --- Documents --------------------------------------------------------------------------------


@transaction.atomic
def document_upload(
    *,
    agreement: Agreement,
    actor,
    kind: str,
    file,
    title: str = "",
    document: AgreementDocument | None = None,
    note: str = "",
) -> DocumentVersion:
    """Add a file as a new document, or as the next version of `document` (or of the
    agreement's document of the same kind and title).

    The file is judged by its content: PDF or DOCX (a signed scan only PDF), at most 20 MB.
    """
    if not selectors.user_may_upload(user=actor, agreement=agreement):
        raise PermissionDenied
    allowed = {PDF} if kind == DocumentKind.SIGNED_SCAN else {PDF, DOCX}
    try:
        file_kind = validate_upload(file, allowed=allowed, max_bytes=DOCUMENT_MAX_BYTES)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    _lock(agreement)
    title = title.strip() or str(DocumentKind(kind).label)
    if document is None:
        # The same kind under the same title is a new version of that document.
        document = agreement.documents.filter(kind=kind, title=title).first()
    if document is None:
        document = AgreementDocument.objects.create(agreement=agreement, kind=kind, title=title)
    elif document.agreement_id != agreement.pk:
        raise PermissionDenied
    number = (document.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        file_kind=file_kind,
        original_name=(getattr(file, "name", "") or "")[-200:],
        size=getattr(file, "size", 0) or 0,
        note=note,
        uploaded_by=actor,
    )
    version.file.save(f"{document.kind}.{file_kind}", file, save=False)
    version.save()
    log_action(
        actor,
        "partners.document_uploaded",
        agreement,
        {"document": document.pk, "kind": document.kind, "version": number},
    )
    return version


# --- Renewal and termination ------------------------------------------------------------------


RENEWABLE = (AgreementStatus.EXPIRING, AgreementStatus.EXPIRED)


@transaction.atomic
def agreement_renewal_start(*, agreement: Agreement, actor, today: date | None = None) -> Agreement:
    """Open the renewal of an expiring or expired agreement: a new agreement pre-filled from
    it, linked to it, with its process started."""
    today = today or timezone.localdate()
    agreement = _lock(agreement)
    if selectors.agreement_status(agreement, today) not in RENEWABLE:
        raise ValidationError(
            _("Only an expiring or expired agreement can be renewed."), code="not_renewable"
        )
    open_renewal = agreement.renewals.filter(
        signed_on__isnull=True, terminated_on__isnull=True
    ).first()
    if open_renewal is not None:
        raise ValidationError(
            _("A renewal of this agreement is already in process."), code="renewal_open"
        )
    renewal = Agreement.objects.create(
        renewal_of=agreement,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **{field: getattr(agreement, field) for field in RENEWAL_COPIED_FIELDS},
    )
    renewal.scope_items.set(agreement.scope_items.all())
    renewal.iku_criteria.set(agreement.iku_criteria.all())
    renewal.partnership_forms.set(agreement.partnership_forms.all())
    log_action(actor, "partners.renewal_started", renewal, {"renews": agreement.pk})
    agreement_process_start(agreement=renewal, actor=actor, today=today)
    renewal.refresh_from_db()
    return renewal


@transaction.atomic
def agreement_terminate(*, agreement: Agreement, actor, on: date, reason: str) -> Agreement:
    agreement = _lock(agreement)
    if agreement.terminated_on is not None:
        raise ValidationError(_("This agreement is already terminated."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the termination.")})
    agreement.terminated_on = on
    agreement.termination_reason = reason.strip()
    agreement.save(update_fields=["terminated_on", "termination_reason"])
    log_action(actor, "partners.agreement_terminated", agreement, {"reason": reason.strip()})
    return agreement


# --- Evidence ---------------------------------------------------------------------------------


@transaction.atomic
def activity_create(
    *,
    agreement: Agreement,
    actor,
    kind: str,
    title: str,
    held_on: date,
    description: str = "",
    participants: int | None = None,
    files=(),
) -> Activity:
    """Record an activity done under the agreement, with its evidence files (PDF, DOCX,
    JPEG or PNG, at most 10 MB each)."""
    activity = Activity.objects.create(
        agreement=agreement,
        kind=kind,
        title=title,
        held_on=held_on,
        description=description,
        participants=participants,
        created_by=actor,
    )
    for file in files:
        evidence_add(activity=activity, actor=actor, file=file)
    log_action(actor, "partners.activity_recorded", agreement, {"activity": activity.pk})
    return activity


@transaction.atomic
def evidence_add(*, activity: Activity, actor, file) -> Evidence:
    try:
        file_kind = validate_upload(
            file, allowed={"pdf", "docx", "jpeg", "png"}, max_bytes=EVIDENCE_MAX_BYTES
        )
    except ValidationError as error:
        raise ValidationError({"files": error.messages}) from error
    evidence = Evidence(
        activity=activity,
        file_kind=file_kind,
        original_name=(getattr(file, "name", "") or "")[-200:],
        size=getattr(file, "size", 0) or 0,
        uploaded_by=actor,
    )
    extension = {"jpeg": "jpg"}.get(file_kind, file_kind)
    evidence.file.save(f"evidence.{extension}", file, save=False)
    evidence.save()
    return evidence


# --- Reminders --------------------------------------------------------------------------------


def _remind(
    *,
    key: str,
    agreement: Agreement,
    step: AgreementStep | None,
    message: str,
    template: str,
    context: dict,
) -> bool:
    """Write the reminder row and send its e-mail, once: the unique key decides."""
    recipient = agreement.person_in_charge
    try:
        with transaction.atomic():
            Reminder.objects.create(
                key=key, agreement=agreement, step=step, recipient=recipient, message=message
            )
    except IntegrityError:
        return False  # already sent, by this run's predecessor or a clock on another machine
    if recipient is not None and recipient.is_active:
        email_send(
            to=[recipient.email],
            template=template,
            context={"agreement": agreement, "step": step, "recipient": recipient, **context},
            language=recipient.language,
        )
    return True


def reminders_send_due(*, today: date | None = None) -> int:
    """Send the end-of-term reminders (180/90/30 days, configurable) and the overdue-step
    reminders that are due and not sent yet; return how many were sent."""
    today = today or timezone.localdate()
    thresholds = sorted(settings.SINERGI_AGREEMENT_REMINDER_DAYS)  # smallest first
    sent = 0
    horizon = today + timedelta(days=max(thresholds, default=0))
    ending = selectors.agreements_with_status(
        Agreement.objects.select_related("partner", "person_in_charge"), today
    ).filter(
        status__in=[AgreementStatus.ACTIVE, AgreementStatus.EXPIRING],
        ends_on__gte=today,
        ends_on__lte=horizon,
    )
    for agreement in ending:
        days_left = (agreement.ends_on - today).days
        # Only the nearest threshold crossed: an agreement entered 60 days before its end
        # gets the 90-day reminder, not the 180-day one as well.
        threshold = next(t for t in thresholds if days_left <= t)
        with transaction.atomic():
            if _remind(
                key=f"agreement:{agreement.pk}:end:{threshold}",
                agreement=agreement,
                step=None,
                message=_("%(title)s ends in %(days)s days (%(end)s).")
                % {
                    "title": agreement.title,
                    "days": days_left,
                    "end": format_date(agreement.ends_on),
                },
                template="partners/email/ending",
                context={"days_left": days_left, "threshold": threshold},
            ):
                sent += 1
    for step in selectors.overdue_steps(today=today).select_related("agreement__person_in_charge"):
        with transaction.atomic():
            if _remind(
                key=f"step:{step.pk}:overdue:{step.started_on:%Y-%m-%d}",
                agreement=step.agreement,
                step=step,
                message=_("Step %(order)s (%(title)s) of %(agreement)s was due on %(due)s.")
                % {
                    "order": step.order,
                    "title": step.title,
                    "agreement": step.agreement.title,
                    "due": format_date(step.due_on),
                },
                template="partners/email/step_overdue",
                context={},
            ):
                sent += 1
    return sent


@transaction.atomic
def reminder_dismiss(*, reminder: Reminder, actor) -> None:
    if reminder.dismissed_at is None:
        reminder.dismissed_at = timezone.now()
        reminder.save(update_fields=["dismissed_at"])


# --- Institutional visits ---------------------------------------------------------------------


@transaction.atomic
def visit_request_create(*, requested_by, **fields) -> InstitutionalVisit:
    """Record a visit request and confirm its receipt to the contact."""
    fields = model_text_clean(
        InstitutionalVisit,
        fields,
        names=("institution_name", "contact_name"),
        phones=("contact_phone",),
    )
    visit = InstitutionalVisit.objects.create(
        requested_by=requested_by if getattr(requested_by, "is_authenticated", False) else None,
        **fields,
    )
    log_action(requested_by, "partners.visit_requested", visit)
    email_send(
        to=[visit.contact_email],
        template="partners/email/visit_received",
        context={"visit": visit},
        language=getattr(requested_by, "language", None),
    )
    return visit


def _lock_visit(visit: InstitutionalVisit) -> InstitutionalVisit:
    return InstitutionalVisit.objects.select_for_update().get(pk=visit.pk)


@transaction.atomic
def visit_schedule(
    *,
    visit: InstitutionalVisit,
    actor,
    scheduled_at,
    hosts=(),
    agenda: str = "",
    partner: Partner | None = None,
    agreement: Agreement | None = None,
) -> InstitutionalVisit:
    """Accept the visit for a time, with its hosts, agenda and links; tell the contact."""
    visit = _lock_visit(visit)
    if visit.status not in (VisitStatus.REQUESTED, VisitStatus.SCHEDULED):
        raise ValidationError(_("This visit can no longer be scheduled."))
    if agreement is not None and partner is not None and agreement.partner_id != partner.pk:
        raise ValidationError({"agreement": _("The agreement is with another partner.")})
    was_scheduled_at = visit.scheduled_at
    visit.status = VisitStatus.SCHEDULED
    visit.scheduled_at = scheduled_at
    visit.agenda = agenda
    visit.partner = partner or (agreement.partner if agreement else None)
    visit.agreement = agreement
    visit.save()
    visit.hosts.set(hosts)
    log_action(actor, "partners.visit_scheduled", visit, {"at": scheduled_at.isoformat()})
    if was_scheduled_at != scheduled_at:
        email_send(
            to=[visit.contact_email],
            template="partners/email/visit_scheduled",
            context={"visit": visit},
        )
    return visit


@transaction.atomic
def visit_record_outcome(
    *, visit: InstitutionalVisit, actor, outcome: str, follow_ups: str = ""
) -> InstitutionalVisit:
    visit = _lock_visit(visit)
    if visit.status not in (VisitStatus.SCHEDULED, VisitStatus.DONE):
        raise ValidationError(_("Only a scheduled visit can have an outcome."))
    if not outcome.strip():
        raise ValidationError({"outcome": _("Describe the outcome of the visit.")})
    visit.status = VisitStatus.DONE
    visit.outcome = outcome.strip()
    visit.follow_ups = follow_ups.strip()
    visit.save(update_fields=["status", "outcome", "follow_ups"])
    log_action(actor, "partners.visit_held", visit)
    return visit


@transaction.atomic
def visit_decline(*, visit: InstitutionalVisit, actor, reason: str) -> InstitutionalVisit:
    visit = _lock_visit(visit)
    if visit.status not in (VisitStatus.REQUESTED, VisitStatus.SCHEDULED):
        raise ValidationError(_("This visit can no longer be declined."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    visit.status = VisitStatus.DECLINED
    visit.decline_reason = reason.strip()
    visit.save(update_fields=["status", "decline_reason"])
    log_action(actor, "partners.visit_declined", visit, {"reason": reason.strip()})
    email_send(
        to=[visit.contact_email], template="partners/email/visit_declined", context={"visit": visit}
    )
    return visit
