"""Every write of the training domain.

Seats are guarded the pretix way: open a transaction, lock the batch row, count the seats from
the registrations, then write. Two registrations for the last seat serialise on that lock, so
capacity is never oversold. `LOCK_BATCHES` names the lock (core.locking) for the
negative-control test that shows the race without the lock.
"""

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Role
from sinergi.accounts.services import user_grant_role
from sinergi.core.exceptions import ServiceError
from sinergi.core.locking import for_update
from sinergi.core.services import log_action
from sinergi.core.text import model_text_clean, phone_clean

from .gateway import (
    GatewayError,
    GatewayNotification,
    GatewayRedirect,
    Outcome,
    PaymentProvider,
    order_id_for,
)
from .models import (
    ACTIVE_STATES,
    Batch,
    BatchStatus,
    CreditNote,
    GroupRegistration,
    Invoice,
    InvoiceSequence,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PaymentState,
    Program,
    Refund,
    Registration,
    RegistrationState,
)
from .readiness import readiness_blockers
from .selectors import batch_availability
from .tasks import send_notification

S = RegistrationState
LOCK_BATCHES = "training.batches"


class RegistrationError(ServiceError):
    """A registration cannot be made or changed; the message says why, for the person."""


def _now() -> datetime:
    return timezone.now()


def batch_lock(*, batch_id: int) -> Batch:
    """Lock the batch row until the transaction ends; every seat change goes through here."""
    batches = Batch.objects.select_related("program")
    return for_update(batches, name=LOCK_BATCHES, of=("self",)).get(pk=batch_id)


def _payment_window() -> timedelta:
    return timedelta(hours=settings.SINERGI_PAYMENT_WINDOW_HOURS)


def _offer_window() -> timedelta:
    return timedelta(hours=settings.SINERGI_OFFER_WINDOW_HOURS)


def payment_deadline(*, batch: Batch, now: datetime) -> datetime:
    """Return when a seat taken `now` must be paid: the payment window, but never later than
    the moment the batch starts (midnight WIB of its first day)."""
    return min(now + _payment_window(), batch.starts_at)


def _offer_deadline(*, batch: Batch, now: datetime) -> datetime:
    return min(now + _offer_window(), batch.starts_at)


def _transition(registration: Registration, state: str, actor, **changes) -> None:
    old = registration.state
    registration.state = state
    for field, value in changes.items():
        setattr(registration, field, value)
    registration.save(update_fields=["state", *changes])
    log_action(actor, f"training.registration.{state}", registration, {"from": old})


# --- Invoices -----------------------------------------------------------------------------


def _invoice_issue(*, batch: Batch, buyer, buyer_name: str, quantity: int) -> Invoice:
    """Number and create an invoice. The year's sequence row is locked in the caller's
    transaction, so a rolled-back registration leaves no gap and two invoices never share a
    number."""
    now = _now()
    year = timezone.localdate(now).year
    # The UPDATE takes the row lock and holds it to the end of the transaction.
    if not InvoiceSequence.objects.filter(year=year).update(last=F("last") + 1):
        InvoiceSequence.objects.get_or_create(year=year)
        InvoiceSequence.objects.filter(year=year).update(last=F("last") + 1)
    last = InvoiceSequence.objects.filter(year=year).values_list("last", flat=True).get()
    number = f"{settings.SINERGI_INVOICE_PREFIX}/{year}/{last:06d}"
    invoice = Invoice.objects.create(
        number=number,
        year=year,
        sequence=last,
        buyer=buyer,
        buyer_name=buyer_name,
        batch=batch,
        quantity=quantity,
        unit_price=batch.fee,
        amount=batch.fee * quantity,
        unique_code=last % 999 + 1,
        issued_at=now,
        due_at=payment_deadline(batch=batch, now=now),
    )
    log_action(buyer, "training.invoice.issued", invoice, {"amount": invoice.amount})
    return invoice


def _invoice_credit(*, invoice: Invoice, reason: str, actor) -> CreditNote | None:
    """Cancel an unpaid invoice with a credit note, unless one of its seats is still alive."""
    if invoice.status != InvoiceStatus.OPEN:
        return None
    if invoice.registrations.filter(state__in=ACTIVE_STATES).exists():
        return None
    invoice.status = InvoiceStatus.CREDITED
    invoice.save(update_fields=["status"])
    note = CreditNote.objects.create(
        invoice=invoice,
        number=f"{invoice.number}/{settings.SINERGI_CREDIT_NOTE_SUFFIX}",
        amount=invoice.amount,
        reason=str(reason),
    )
    log_action(actor, "training.invoice.credited", invoice, {"reason": str(reason)})
    return note


# --- Registration ----------------------------------------------------------------------------


@dataclass
class Participant:
    """What a batch needs to know of one participant."""

    institution_name: str
    position: str = ""
    province_id: int | None = None
    phone: str = ""


def participant_clean(participant: Participant) -> Participant:
    """Return `participant` with its texts cleaned by the one rule (`core.text`) and its phone
    in the stored form; raise ValidationError naming each field that fails."""
    texts = model_text_clean(
        Registration,
        {"institution_name": participant.institution_name, "position": participant.position},
        names=("institution_name",),
    )
    try:
        phone = phone_clean(participant.phone)
    except ValidationError as error:
        raise ValidationError({"phone": error}) from None
    return dataclasses.replace(participant, **texts, phone=phone)


def _participant_from_profile(user) -> Participant:
    return Participant(
        institution_name=user.institution_name,
        position=user.position,
        province_id=user.province_id,
        phone=user.phone,
    )


def _check_open(batch: Batch, now: datetime) -> None:
    if not batch.registration_is_open(now):
        raise RegistrationError(_("Registration for this batch is closed."), code="closed")
    if now >= batch.starts_at:
        raise RegistrationError(
            _("This batch has already started; registration is closed."), code="started"
        )


def _check_not_registered(batch: Batch, user, *, for_other: bool = False) -> None:
    if Registration.objects.filter(batch=batch, user=user, state__in=ACTIVE_STATES).exists():
        if for_other:
            message = _("%(email)s is already registered for this batch.") % {"email": user.email}
        else:
            message = _("You are already registered for this batch.")
        raise RegistrationError(message, code="already_registered")


def _place(
    *,
    batch: Batch,
    user,
    participant: Participant,
    now: datetime,
    available: int,
    group=None,
    invoice=None,
) -> Registration:
    """Create the registration in the state the free seats allow (the batch is locked)."""
    if available <= 0:
        state, expires_at, confirmed_at = S.WAITLISTED, None, None
    elif batch.is_free:
        state, expires_at, confirmed_at = S.CONFIRMED, None, now
    else:
        state, confirmed_at = S.PENDING_PAYMENT, None
        expires_at = payment_deadline(batch=batch, now=now)
    registration = Registration.objects.create(
        batch=batch,
        user=user,
        group=group,
        invoice=invoice,
        state=state,
        institution_name=participant.institution_name,
        position=participant.position,
        province_id=participant.province_id,
        phone=participant.phone,
        consent_at=now,
        created_at=now,
        expires_at=expires_at,
        confirmed_at=confirmed_at,
    )
    log_action(user, f"training.registration.{state}", registration, {"from": None})
    return registration


def registration_create(
    *, batch: Batch, user, participant: Participant | None = None, consent: bool
) -> Registration:
    """Register `user` for `batch`: a seat if one is free (confirmed when the batch is free,
    else awaiting payment with an invoice), otherwise a place on the waiting list."""
    if not consent:
        raise RegistrationError(
            _("Registration needs your consent to the use of your personal data."),
            code="consent",
        )
    # Checked before taking the lock, to keep the locked part short; the partial unique
    # constraint on registrations is what holds when the same person submits twice at once.
    # What the person typed now is cleaned; a profile copied as it is was cleaned when saved.
    participant = participant_clean(participant) if participant else None
    _check_not_registered(batch, user)
    try:
        return _registration_create_locked(
            batch=batch, user=user, participant=participant or _participant_from_profile(user)
        )
    except IntegrityError:
        _check_not_registered(batch, user)
        raise


@transaction.atomic
def _registration_create_locked(*, batch: Batch, user, participant: Participant) -> Registration:
    now = _now()
    batch = batch_lock(batch_id=batch.pk)
    _check_open(batch, now)
    available = batch_availability(batch=batch, now=now).available
    invoice = None
    if available > 0 and not batch.is_free:
        invoice = _invoice_issue(batch=batch, buyer=user, buyer_name=user.full_name, quantity=1)
    registration = _place(
        batch=batch,
        user=user,
        participant=participant,
        now=now,
        available=available,
        invoice=invoice,
    )
    _notify(user, "received", registration=registration)
    return registration


@dataclass
class GroupMember:
    email: str
    full_name: str
    position: str = ""
    phone: str = ""


def _member_clean(member: GroupMember, line: int) -> GroupMember:
    """Return `member` cleaned by the one rule; a refusal names the member's line."""
    try:
        texts = model_text_clean(
            get_user_model(),
            {"full_name": member.full_name, "position": member.position},
            names=("full_name",),
        )
        phone = phone_clean(member.phone)
    except ValidationError as error:
        messages = error.messages
        raise ValidationError(
            {"members": _("Line %(line)d: %(error)s") % {"line": line, "error": " ".join(messages)}}
        ) from None
    return dataclasses.replace(member, **texts, phone=phone)


@transaction.atomic
def group_registration_create(
    *,
    batch: Batch,
    contact,
    institution_name: str,
    province_id: int | None,
    members: list[GroupMember],
    consent: bool,
) -> GroupRegistration:
    """Register several staff of one institution; those given seats share one invoice.

    Members without an account get one (unverified; they set a password through the reset
    link they are sent). Seats go in the order the members are listed; the rest wait.
    """
    if not consent:
        raise RegistrationError(
            _("Registration needs your consent to the use of your personal data."),
            code="consent",
        )
    if not members:
        raise RegistrationError(_("Add at least one participant."), code="empty")
    institution_name = model_text_clean(
        GroupRegistration, {"institution_name": institution_name}, names=("institution_name",)
    )["institution_name"]
    members = [_member_clean(member, line) for line, member in enumerate(members, start=1)]
    emails = [member.email.strip().lower() for member in members]
    if len(set(emails)) != len(emails):
        raise RegistrationError(_("Each participant must have a different e-mail."), "duplicate")
    now = _now()
    batch = batch_lock(batch_id=batch.pk)
    _check_open(batch, now)
    group = GroupRegistration.objects.create(
        batch=batch, contact=contact, institution_name=institution_name
    )
    log_action(contact, "training.group.created", group, {"members": len(members)})
    available = batch_availability(batch=batch, now=now).available
    User = get_user_model()
    seated = []
    for member, email in zip(members, emails, strict=True):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=None,
                full_name=member.full_name,
                institution_name=institution_name,
                position=member.position,
                province_id=province_id,
                phone=member.phone,
            )
            user_grant_role(user=user, role=Role.PARTICIPANT, actor=contact)
        _check_not_registered(batch, user, for_other=True)
        participant = Participant(
            institution_name=institution_name,
            position=member.position,
            province_id=province_id,
            phone=member.phone,
        )
        registration = _place(
            batch=batch,
            user=user,
            participant=participant,
            now=now,
            available=available,
            group=group,
        )
        if registration.state != S.WAITLISTED:
            available -= 1
        if registration.state == S.PENDING_PAYMENT:
            seated.append(registration)
    if seated:
        invoice = _invoice_issue(
            batch=batch, buyer=contact, buyer_name=institution_name, quantity=len(seated)
        )
        Registration.objects.filter(pk__in=[r.pk for r in seated]).update(invoice=invoice)
    _notify(contact, "group_received", group=group)
    return group


@transaction.atomic
def registration_cancel(*, registration: Registration, actor, reason: str = "") -> Registration:
    """Cancel an active registration; its seat goes to the waiting list."""
    batch_lock(batch_id=registration.batch_id)
    registration.refresh_from_db()
    if registration.state not in ACTIVE_STATES:
        raise RegistrationError(_("This registration is no longer active."), code="inactive")
    _transition(registration, S.CANCELLED, actor)
    if registration.invoice_id:
        _invoice_credit(
            invoice=registration.invoice,
            reason=reason or _("Registration cancelled"),
            actor=actor,
        )
    _offer_free_seats(batch=registration.batch)
    return registration


@transaction.atomic
def registration_accept_offer(*, registration: Registration, actor) -> Registration:
    """Take up a seat offered from the waiting list, while the offer is valid."""
    now = _now()
    batch = batch_lock(batch_id=registration.batch_id)
    registration.refresh_from_db()
    if registration.state != S.OFFERED or registration.offer_expires_at <= now:
        raise RegistrationError(_("This offer is no longer valid."), code="offer_lapsed")
    if batch.is_free:
        _transition(registration, S.CONFIRMED, actor, confirmed_at=now)
    else:
        invoice = _invoice_issue(
            batch=batch, buyer=registration.user, buyer_name=registration.user.full_name, quantity=1
        )
        _transition(
            registration,
            S.PENDING_PAYMENT,
            actor,
            invoice=invoice,
            expires_at=payment_deadline(batch=batch, now=now),
        )
    _notify(registration.user, "received", registration=registration)
    return registration


def _offer_free_seats(*, batch: Batch) -> list[Registration]:
    """Offer each free seat to the next on the waiting list (the batch must be locked)."""
    now = _now()
    if batch.status not in (BatchStatus.OPEN, BatchStatus.CLOSED):
        return []
    if batch.starts_on <= timezone.localdate(now):
        return []
    free = batch_availability(batch=batch, now=now).available
    if free <= 0:
        return []
    offered = []
    waiting = Registration.objects.filter(batch=batch, state=S.WAITLISTED).order_by(
        "created_at", "id"
    )[:free]
    for registration in waiting:
        _transition(
            registration, S.OFFERED, None, offer_expires_at=_offer_deadline(batch=batch, now=now)
        )
        _notify(registration.user, "offer", registration=registration)
        offered.append(registration)
    return offered


def registrations_expire_due() -> int:
    """Expire unpaid registrations and unanswered offers that ran out; pass their seats on.

    Runs every minute. Each batch is handled in its own transaction under its lock.
    """
    now = _now()
    due = Registration.objects.filter(
        state=S.PENDING_PAYMENT, expires_at__lte=now
    ) | Registration.objects.filter(state=S.OFFERED, offer_expires_at__lte=now)
    batch_ids = set(due.values_list("batch_id", flat=True))
    batch_ids |= set(
        Registration.objects.filter(state=S.WAITLISTED).values_list("batch_id", flat=True)
    )
    expired = 0
    for batch_id in sorted(batch_ids):
        with transaction.atomic():
            batch = batch_lock(batch_id=batch_id)
            for registration in due.filter(batch_id=batch_id).select_related("invoice", "user"):
                _transition(registration, S.EXPIRED, None)
                if registration.invoice_id:
                    _invoice_credit(
                        invoice=registration.invoice, reason=_("Not paid in time"), actor=None
                    )
                _notify(registration.user, "expired", registration=registration)
                expired += 1
            _offer_free_seats(batch=batch)
    return expired


def registrations_warn_expiring(*, within: timedelta = timedelta(hours=12)) -> int:
    """E-mail a reminder once to people whose payment time runs out within `within`."""
    now = _now()
    soon = Registration.objects.filter(
        state=S.PENDING_PAYMENT,
        expires_at__gt=now,
        expires_at__lte=now + within,
        expiry_warned_at__isnull=True,
    ).select_related("user", "batch__program", "invoice")
    count = 0
    for registration in soon:
        registration.expiry_warned_at = now
        registration.save(update_fields=["expiry_warned_at"])
        _notify(registration.user, "expiry_warning", registration=registration)
        count += 1
    return count


# --- Payments --------------------------------------------------------------------------------


def _invoice_registrations_to(invoice: Invoice, state: str, actor, **changes) -> None:
    for registration in invoice.registrations.select_related("user"):
        if registration.state in (S.PENDING_PAYMENT, S.PAYMENT_SUBMITTED):
            _transition(registration, state, actor, **changes)


@transaction.atomic
def payment_submit_transfer(*, invoice: Invoice, user, proof, note: str = "") -> Payment:
    """Record a bank transfer with its proof; its seats wait for finance, without expiring."""
    batch_lock(batch_id=invoice.batch_id)
    invoice.refresh_from_db()
    if invoice.status != InvoiceStatus.OPEN:
        raise RegistrationError(_("This invoice is not awaiting payment."), code="not_open")
    if (
        not invoice.registrations.filter(state=S.PENDING_PAYMENT, expires_at__gt=_now()).exists()
        and not invoice.registrations.filter(state=S.PAYMENT_SUBMITTED).exists()
    ):
        raise RegistrationError(_("The time to pay this invoice has run out."), code="expired")
    payment = Payment.objects.create(
        invoice=invoice,
        method=PaymentMethod.TRANSFER,
        state=PaymentState.SUBMITTED,
        amount=invoice.transfer_amount,
        proof=proof,
        payer_note=note,
        submitted_by=user,
    )
    log_action(user, "training.payment.submitted", payment)
    _invoice_registrations_to(invoice, S.PAYMENT_SUBMITTED, user)
    return payment


def _invoice_mark_paid(invoice: Invoice, actor) -> None:
    now = _now()
    invoice.status = InvoiceStatus.PAID
    invoice.paid_at = now
    invoice.save(update_fields=["status", "paid_at"])
    _invoice_registrations_to(invoice, S.CONFIRMED, actor, confirmed_at=now)


def _payment_review(payment: Payment, actor, state: str, **changes) -> None:
    """Lock the batch, check the transfer still waits for review, and record the verdict."""
    batch_lock(batch_id=payment.invoice.batch_id)
    payment.refresh_from_db()
    if payment.state != PaymentState.SUBMITTED:
        raise RegistrationError(_("This payment has already been reviewed."), code="reviewed")
    payment.state = state
    payment.reviewed_by = actor
    payment.reviewed_at = _now()
    for field, value in changes.items():
        setattr(payment, field, value)
    payment.save(update_fields=["state", "reviewed_by", "reviewed_at", *changes])


@transaction.atomic
def payment_approve(*, payment: Payment, actor) -> Payment:
    """Finance accepts a transfer: the invoice is paid and its registrations confirmed."""
    _payment_review(payment, actor, PaymentState.APPROVED)
    log_action(actor, "training.payment.approved", payment)
    _invoice_mark_paid(payment.invoice, actor)
    _notify(payment.invoice.buyer, "payment_approved", payment=payment)
    return payment


@transaction.atomic
def payment_reject(*, payment: Payment, actor, reason: str) -> Payment:
    """Finance refuses a transfer with a reason; the payer gets a fresh window to pay."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for the rejection."))
    _payment_review(payment, actor, PaymentState.REJECTED, reject_reason=reason.strip())
    log_action(actor, "training.payment.rejected", payment, {"reason": payment.reject_reason})
    _invoice_registrations_to(
        payment.invoice,
        S.PENDING_PAYMENT,
        actor,
        expires_at=payment_deadline(batch=payment.invoice.batch, now=_now()),
        expiry_warned_at=None,
    )
    _notify(payment.invoice.buyer, "payment_rejected", payment=payment)
    return payment


@transaction.atomic
def refund_create(*, registration: Registration, amount: int, reason: str, actor) -> Refund:
    """Pay money back for a confirmed registration; it becomes refunded and frees its seat."""
    batch_lock(batch_id=registration.batch_id)
    registration.refresh_from_db()
    payment = (
        Payment.objects.filter(invoice_id=registration.invoice_id, state=PaymentState.APPROVED)
        .order_by("-created_at")
        .first()
    )
    if registration.state != S.CONFIRMED or payment is None:
        raise RegistrationError(_("Only a paid, confirmed registration can be refunded."), "state")
    if amount <= 0 or amount > registration.invoice.unit_price:
        raise RegistrationError(_("The refund must be between 1 and the fee paid."), "amount")
    refund = Refund.objects.create(
        payment=payment, registration=registration, amount=amount, reason=reason, created_by=actor
    )
    log_action(actor, "training.refund.created", refund, {"amount": amount})
    _transition(registration, S.REFUNDED, actor)
    _offer_free_seats(batch=registration.batch)
    return refund


# --- E-mail -----------------------------------------------------------------------------------


def _notify(user, kind: str, *, registration=None, payment=None, group=None) -> None:
    """Queue an e-mail about `kind`; the worker renders it, so the lock is not held for it."""
    send_notification.enqueue(
        kind=kind,
        user_id=user.pk,
        registration_id=registration.pk if registration else None,
        registration_state=registration.state if registration else None,
        payment_id=payment.pk if payment else None,
        group_id=group.pk if group else None,
    )


# --- Programs and batches (staff) -------------------------------------------------------------


def _program_slug(title: str) -> str:
    """Return a slug made from `title` that no program uses yet."""

    base = slugify(title)[:180] or "program"
    slug, n = base, 1
    while Program.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _assign(instance, fields: dict) -> list[str]:
    """Set `fields` on `instance` and return the names of those whose value changed."""
    changed = []
    for name, value in fields.items():
        if value is False and name == "cover":  # a form's "clear" checkbox
            value = ""
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def program_create(*, actor, **fields):
    """Create a program; its slug is made from the title unless given."""

    units = fields.pop("competency_units", None)
    program = Program()
    _assign(program, fields)
    if not program.slug:
        program.slug = _program_slug(program.title)
    program.full_clean()
    program.save()
    if units is not None:
        program.competency_units.set(units)
    log_action(actor, "training.program.created", program)
    return program


@transaction.atomic
def program_update(*, program, actor, **fields):
    """Change a program's fields (and its competency units, when given)."""
    units = fields.pop("competency_units", None)
    changed = _assign(program, fields)
    if changed:
        program.full_clean()
        program.save(update_fields=changed)
    if units is not None:
        before = set(program.competency_units.values_list("pk", flat=True))
        program.competency_units.set(units)
        if before != {unit.pk for unit in units}:
            changed.append("competency_units")
    if changed:
        log_action(actor, "training.program.updated", program, {"fields": changed})
    return program


def _batch_check(batch: Batch) -> None:
    """Raise ValidationError, by field, when the batch's dates or fields do not fit together."""
    errors = {}
    if batch.starts_on and batch.ends_on and batch.ends_on < batch.starts_on:
        errors["ends_on"] = _("The batch cannot end before it starts.")
    if batch.registration_opens and batch.registration_closes:
        if batch.registration_closes <= batch.registration_opens:
            errors["registration_closes"] = _("Registration must close after it opens.")
        elif batch.starts_on and batch.registration_closes > timezone.make_aware(
            datetime.combine(batch.starts_on, datetime.min.time())
        ):
            errors["registration_closes"] = _("Registration must close before the batch starts.")
    if errors:
        raise ValidationError(errors)
    batch.full_clean()


def _check_ready_to_open(batch: Batch) -> None:
    """Refuse to open registration while an item of the readiness checklist that blocks is
    missing; the message names each one."""
    blockers = readiness_blockers(batch=batch) if batch.pk else None
    if blockers is None:
        raise ValidationError(
            {"status": _("Save the batch as a draft first; it opens when its checklist is done.")}
        )
    if blockers:
        raise ValidationError(
            {
                "status": ValidationError(
                    _("The batch cannot open for registration yet. Missing: %(missing)s."),
                    code="not_ready",
                    params={"missing": "; ".join(item.label for item in blockers)},
                )
            }
        )


@transaction.atomic
def batch_create(*, actor, program, **fields) -> Batch:
    """Create a batch of `program`; it cannot be created open (its checklist is empty)."""
    batch = Batch(program=program)
    _assign(batch, fields)
    _batch_check(batch)
    if batch.status == BatchStatus.OPEN:
        _check_ready_to_open(batch)
    batch.save()
    log_action(actor, "training.batch.created", batch, {"status": batch.status})
    return batch


@transaction.atomic
def batch_update(*, batch: Batch, actor, **fields) -> Batch:
    """Change a batch under its lock.

    The capacity cannot go below the seats already taken. Seats that become free (more
    capacity, or the batch opened again) are offered to the waiting list at once.
    """
    locked = batch_lock(batch_id=batch.pk)
    old_capacity, old_status = locked.capacity, locked.status
    changed = _assign(locked, fields)
    if locked.capacity < old_capacity:
        taken = batch_availability(batch=locked).taken
        if locked.capacity < taken:
            raise ValidationError(
                {
                    "capacity": ValidationError(
                        _("Seats taken: %(taken)d. The capacity cannot be lower than that."),
                        code="below_taken",
                        params={"taken": taken},
                    )
                }
            )
    _batch_check(locked)
    if locked.status == BatchStatus.OPEN and old_status != BatchStatus.OPEN:
        _check_ready_to_open(locked)
    if not changed:
        return locked
    locked.save(update_fields=changed)
    log_action(
        actor,
        "training.batch.updated",
        locked,
        {
            "fields": changed,
            "capacity": [old_capacity, locked.capacity],
            "status": [old_status, locked.status],
        },
    )
    if locked.capacity > old_capacity or (
        locked.status == BatchStatus.OPEN and old_status != BatchStatus.OPEN
    ):
        _offer_free_seats(batch=locked)
    return locked


# --- Payment gateway ---------------------------------------------------------------------------


def payment_gateway_start(
    *, invoice: Invoice, user, provider: PaymentProvider
) -> tuple[Payment, GatewayRedirect]:
    """Open a gateway payment for the buyer's unpaid invoice; return it and where to pay.

    The payment is written in one transaction and the gateway is called after it commits, so
    no batch lock is held while waiting on the network. When the gateway fails the payment is
    marked failed and GatewayError propagates. The registration keeps its own deadline: the
    gateway never holds a seat.
    """
    with transaction.atomic():
        batch_lock(batch_id=invoice.batch_id)
        invoice.refresh_from_db()
        if invoice.buyer_id != user.pk:
            raise RegistrationError(_("This invoice is not awaiting payment."), code="not_buyer")
        if invoice.status != InvoiceStatus.OPEN:
            raise RegistrationError(_("This invoice is not awaiting payment."), code="not_open")
        if invoice.registrations.filter(state=S.PAYMENT_SUBMITTED).exists():
            raise RegistrationError(
                _("A payment for this invoice is already waiting for verification."),
                code="submitted",
            )
        if not invoice.registrations.filter(
            state=S.PENDING_PAYMENT, expires_at__gt=_now()
        ).exists():
            raise RegistrationError(_("The time to pay this invoice has run out."), code="expired")
        payment = Payment.objects.create(
            invoice=invoice,
            method=PaymentMethod.GATEWAY,
            state=PaymentState.PENDING,
            amount=invoice.amount,
            gateway_order_id=order_id_for(invoice.number, secrets.token_hex(4)),
            submitted_by=user,
        )
        log_action(
            user, "training.payment.gateway_started", payment, {"order": payment.gateway_order_id}
        )
    try:
        redirect = provider.create_transaction(payment)
    except GatewayError as error:
        with transaction.atomic():
            payment.state = PaymentState.FAILED
            payment.gateway_status = "not_started"
            payment.save(update_fields=["state", "gateway_status"])
            log_action(user, "training.payment.failed", payment, {"error": str(error)[:500]})
        raise
    return payment, redirect


def _invoice_seats_still_held(invoice: Invoice, batch: Batch, now: datetime) -> bool:
    """Whether paying now may confirm the invoice's seats without overselling the batch.

    A registration whose deadline passed a moment ago (the expiry job has not run yet) no longer
    counts against capacity, so it may be confirmed only if a seat is still free for it.
    """
    waiting = invoice.registrations.filter(state__in=(S.PENDING_PAYMENT, S.PAYMENT_SUBMITTED))
    if not waiting.exists():
        return False
    lapsed = waiting.filter(state=S.PENDING_PAYMENT, expires_at__lte=now).count()
    return lapsed == 0 or batch_availability(batch=batch, now=now).available >= lapsed


def _gateway_payment_approve(payment: Payment, batch: Batch) -> None:
    now = _now()
    payment.state = PaymentState.APPROVED
    payment.reviewed_at = now
    payment.save(update_fields=["state", "reviewed_at", "gateway_status", "gateway_transaction_id"])
    log_action(None, "training.payment.approved", payment, {"gateway": payment.gateway_status})
    invoice = payment.invoice
    invoice.refresh_from_db()
    if invoice.status == InvoiceStatus.OPEN and _invoice_seats_still_held(invoice, batch, now):
        _invoice_mark_paid(invoice, None)
        _notify(invoice.buyer, "payment_approved", payment=payment)
    else:
        # The money arrived but the seats are gone (expired, cancelled, or paid another way):
        # finance must pay it back. The audit row is what tells them.
        log_action(
            None,
            "training.payment.needs_refund",
            payment,
            {"invoice_status": invoice.status, "amount": payment.amount},
        )


def payment_gateway_notify(*, notification: GatewayNotification) -> Payment:
    """Apply a verified gateway notification to its payment, exactly once.

    Gateways repeat and reorder notifications: a repeat changes nothing, a "settlement" after
    "pending" approves, an approved payment is never downgraded, and a failed one moves only
    when money did arrive after all. A failed payment leaves the registration awaiting payment
    until its own deadline. Raises Payment.DoesNotExist for an unknown order and
    RegistrationError (code "amount_mismatch") when the amount is not the payment's.
    """
    found = Payment.objects.select_related("invoice").get(
        gateway_order_id=notification.order_id, method=PaymentMethod.GATEWAY
    )
    with transaction.atomic():
        batch = batch_lock(batch_id=found.invoice.batch_id)
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("invoice__buyer", "invoice__batch__program")
            .get(pk=found.pk)
        )
        mismatch = notification.gross_amount != payment.amount
        if mismatch:
            log_action(
                None,
                "training.payment.gateway_amount_mismatch",
                payment,
                {"expected": payment.amount, "notified": notification.gross_amount},
            )
        elif payment.state != PaymentState.APPROVED:
            _gateway_payment_apply(payment, batch, notification)
    if mismatch:
        raise RegistrationError(
            _("The amount paid does not match the amount due."), code="amount_mismatch"
        )
    return payment


def _gateway_payment_apply(
    payment: Payment, batch: Batch, notification: GatewayNotification
) -> None:
    """Move a pending or failed gateway payment as the notification says (the batch is locked)."""
    if payment.state == PaymentState.FAILED and notification.outcome != Outcome.PAID:
        return  # a late "pending" or a repeated failure does not revive it
    changed = notification.status != payment.gateway_status or (
        notification.transaction_id
        and notification.transaction_id != payment.gateway_transaction_id
    )
    payment.gateway_status = notification.status
    payment.gateway_transaction_id = notification.transaction_id or payment.gateway_transaction_id
    if notification.outcome == Outcome.PAID:
        _gateway_payment_approve(payment, batch)
    elif notification.outcome == Outcome.FAILED:
        payment.state = PaymentState.FAILED
        payment.save(update_fields=["state", "gateway_status", "gateway_transaction_id"])
        log_action(None, "training.payment.failed", payment, {"gateway": notification.status})
    elif changed:
        payment.save(update_fields=["gateway_status", "gateway_transaction_id"])
        log_action(
            None, "training.payment.gateway_status", payment, {"gateway": notification.status}
        )
