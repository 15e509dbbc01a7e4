"""The registration state machine and the capacity rule, through the services."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from sinergi.core.models import AuditLog
from sinergi.training import services
from sinergi.training.models import CreditNote, InvoiceStatus, Registration
from sinergi.training.selectors import batch_availability
from sinergi.training.services import RegistrationError

from ..factories import BatchFactory, UserFactory

pytestmark = pytest.mark.django_db


def register(batch, user=None):
    return services.registration_create(
        batch=batch, user=user or UserFactory(roles=["participant"]), consent=True
    )


def test_paid_batch_gives_a_seat_awaiting_payment_with_an_invoice():
    batch = BatchFactory(capacity=2, fee=750_000)
    registration = register(batch)
    assert registration.state == "pending_payment"
    assert registration.invoice.amount == 750_000
    assert registration.invoice.number.startswith(f"INV/DIKLAT/{timezone.localdate().year}/")
    assert registration.expires_at > timezone.now() + timedelta(hours=47)
    assert "Rp750." in mail.outbox[-1].body
    assert AuditLog.objects.filter(verb="training.registration.pending_payment").exists()


def test_free_batch_confirms_at_once_without_invoice():
    registration = register(BatchFactory(fee=0))
    assert registration.state == "confirmed"
    assert registration.invoice is None


def test_full_batch_puts_people_on_the_waiting_list_in_order():
    batch = BatchFactory(capacity=2)
    first, second, third, fourth = (register(batch) for _ in range(4))
    assert [r.state for r in (first, second)] == ["pending_payment", "pending_payment"]
    assert [r.state for r in (third, fourth)] == ["waitlisted", "waitlisted"]
    availability = batch_availability(batch=batch)
    assert (availability.available, availability.waitlisted) == (0, 2)


def test_registering_twice_is_refused():
    batch = BatchFactory()
    user = UserFactory()
    register(batch, user)
    with pytest.raises(RegistrationError) as error:
        register(batch, user)
    assert error.value.code == "already_registered"


def test_closed_registration_window_is_refused():
    batch = BatchFactory(
        registration_closes=timezone.now() - timedelta(minutes=1),
        registration_opens=timezone.now() - timedelta(days=2),
    )
    with pytest.raises(RegistrationError) as error:
        register(batch)
    assert error.value.code == "closed"


def test_consent_is_required():
    with pytest.raises(RegistrationError):
        services.registration_create(batch=BatchFactory(), user=UserFactory(), consent=False)


def test_invoice_numbers_have_no_gaps_and_unique_codes():
    batch = BatchFactory(capacity=5)
    invoices = [register(batch).invoice for _ in range(3)]
    sequences = [invoice.sequence for invoice in invoices]
    assert sequences == list(range(sequences[0], sequences[0] + 3))
    assert len({invoice.transfer_amount for invoice in invoices}) == 3


def test_cancel_frees_the_seat_as_a_timed_offer_to_the_first_waiting(
    django_capture_on_commit_callbacks,
):
    batch = BatchFactory(capacity=1)
    holder, waiting, later = register(batch), register(batch), register(batch)
    services.registration_cancel(registration=holder, actor=holder.user)
    holder.refresh_from_db()
    waiting.refresh_from_db()
    later.refresh_from_db()
    assert holder.state == "cancelled"
    assert CreditNote.objects.filter(invoice=holder.invoice).exists()
    assert (
        holder.invoice.__class__.objects.get(pk=holder.invoice_id).status == InvoiceStatus.CREDITED
    )
    assert waiting.state == "offered"
    assert waiting.offer_expires_at > timezone.now() + timedelta(hours=23)
    assert later.state == "waitlisted"
    assert mail.outbox[-1].to == [waiting.user.email]


def test_accepting_an_offer_gives_an_invoice_and_a_payment_window():
    batch = BatchFactory(capacity=1)
    holder, waiting = register(batch), register(batch)
    services.registration_cancel(registration=holder, actor=holder.user)
    waiting.refresh_from_db()
    accepted = services.registration_accept_offer(registration=waiting, actor=waiting.user)
    assert accepted.state == "pending_payment"
    assert accepted.invoice is not None


def test_unpaid_registrations_expire_and_pass_the_seat_on():
    batch = BatchFactory(capacity=1)
    holder, waiting = register(batch), register(batch)
    Registration.objects.filter(pk=holder.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert batch_availability(batch=batch).available == 1  # computed: the lapsed seat is free
    assert services.registrations_expire_due() == 1
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert holder.state == "expired"
    assert holder.invoice.status == InvoiceStatus.CREDITED
    assert waiting.state == "offered"


def test_lapsed_offer_passes_to_the_next():
    batch = BatchFactory(capacity=1)
    holder, first, second = register(batch), register(batch), register(batch)
    services.registration_cancel(registration=holder, actor=holder.user)
    Registration.objects.filter(pk=first.pk).update(
        offer_expires_at=timezone.now() - timedelta(seconds=1)
    )
    services.registrations_expire_due()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("expired", "offered")


def test_transfer_approval_confirms_and_rejection_reopens(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    batch = BatchFactory(capacity=3)
    registration = register(batch)
    finance = UserFactory(roles=["finance"])
    proof = SimpleUploadedFile("bukti.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    payment = services.payment_submit_transfer(
        invoice=registration.invoice, user=registration.user, proof=proof
    )
    registration.refresh_from_db()
    assert registration.state == "payment_submitted"
    services.payment_reject(payment=payment, actor=finance, reason="Nominal tidak sesuai")
    registration.refresh_from_db()
    assert registration.state == "pending_payment"
    assert "Nominal tidak sesuai" in mail.outbox[-1].body
    proof2 = SimpleUploadedFile("bukti2.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    payment2 = services.payment_submit_transfer(
        invoice=registration.invoice, user=registration.user, proof=proof2
    )
    services.payment_approve(payment=payment2, actor=finance)
    registration.refresh_from_db()
    assert registration.state == "confirmed"
    assert registration.invoice.status == InvoiceStatus.PAID


def test_refund_frees_the_seat(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    batch = BatchFactory(capacity=1)
    registration, waiting = register(batch), register(batch)
    finance = UserFactory(roles=["finance"])
    proof = SimpleUploadedFile("bukti.pdf", b"%PDF-1.4", content_type="application/pdf")
    payment = services.payment_submit_transfer(
        invoice=registration.invoice, user=registration.user, proof=proof
    )
    services.payment_approve(payment=payment, actor=finance)
    registration.refresh_from_db()
    services.refund_create(
        registration=registration, amount=750_000, reason="Berhalangan", actor=finance
    )
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.state == "refunded"
    assert waiting.state == "offered"


def test_group_registration_shares_one_invoice_and_waitlists_the_rest():
    batch = BatchFactory(capacity=2, fee=500_000)
    contact = UserFactory()
    members = [
        services.GroupMember(email=f"staf{i}@perpus.example.org", full_name=f"Staf {i}")
        for i in range(3)
    ]
    group = services.group_registration_create(
        batch=batch,
        contact=contact,
        institution_name="Dinas Perpustakaan Kota Bogor",
        province_id=None,
        members=members,
        consent=True,
    )
    registrations = list(group.registrations.order_by("id"))
    assert [r.state for r in registrations] == ["pending_payment", "pending_payment", "waitlisted"]
    invoice = registrations[0].invoice
    assert invoice == registrations[1].invoice
    assert (invoice.quantity, invoice.amount, invoice.buyer) == (2, 1_000_000, contact)
    assert registrations[2].invoice is None
