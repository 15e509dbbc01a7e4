"""Rows for the insights tests, written in bulk (a year of data must be cheap to build)."""

from django.utils import timezone

from sinergi.learning.models import Session
from sinergi.training.models import (
    HonorariumClass,
    Invoice,
    Payment,
    PaymentMethod,
    PaymentState,
    Registration,
    SpeakerProfile,
)

from ..factories import UserFactory


def paid_registrations(batch, count: int, *, start: int = 0) -> list[Registration]:
    """`count` confirmed registrations of `batch`, each with a paid invoice and approved payment."""
    now = timezone.now()
    users = UserFactory.create_batch(count, roles=["participant"])
    invoices = Invoice.objects.bulk_create(
        Invoice(
            number=f"T/{batch.pk}/{start + index}",
            year=now.year,
            sequence=batch.pk * 100_000 + start + index,
            buyer=user,
            buyer_name=user.full_name,
            batch=batch,
            unit_price=batch.fee,
            amount=batch.fee,
            status="paid",
            due_at=now,
            paid_at=now,
        )
        for index, user in enumerate(users)
    )
    Payment.objects.bulk_create(
        Payment(
            invoice=invoice,
            method=PaymentMethod.TRANSFER,
            state=PaymentState.APPROVED,
            amount=invoice.amount,
        )
        for invoice in invoices
    )
    return Registration.objects.bulk_create(
        Registration(
            batch=batch,
            user=user,
            state="confirmed",
            invoice=invoice,
            institution_name="Perpustakaan SMA 1",
            consent_at=now,
            confirmed_at=now,
        )
        for user, invoice in zip(users, invoices, strict=True)
    )


def speaker(*, class_code: str = "echelon-3", npwp: str = "012345674901000", **profile):
    user = UserFactory(roles=["speaker"])
    SpeakerProfile.objects.create(
        user=user,
        name_with_title=profile.pop("name_with_title", user.full_name),
        institution=profile.pop("institution", "Perpustakaan Nasional RI"),
        honorarium_class=HonorariumClass.objects.get(code=class_code) if class_code else None,
        npwp=npwp,
        bank_name="BNI",
        bank_account_number=profile.pop("bank_account_number", "0123456789"),
        bank_account_holder=user.full_name,
        **profile,
    )
    return user


def session(batch, *speakers, jp: int = 2, title: str = "Sesi") -> Session:
    created = Session.objects.create(
        batch=batch, title=title, jp=jp, starts_at=timezone.now() + timezone.timedelta(days=30)
    )
    created.speakers.set(speakers)
    return created
