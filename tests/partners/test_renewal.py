"""Renewal: only from an expiring or expired agreement, pre-filled and linked, one at a time;
signing the renewal marks the old agreement superseded."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sinergi.partners import selectors, services
from sinergi.partners.models import (
    Agreement,
    AgreementStatus,
    DocumentKind,
    ScopeItem,
    StepState,
)

from ..factories import UserFactory
from .factories import AgreementFactory, PartnerOfficerFactory, pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(roles=["cooperation_officer"])


def test_status_is_computed_the_same_in_python_and_in_sql():
    today = timezone.localdate()
    cases = {
        AgreementStatus.DRAFT: AgreementFactory(signed_on=None),
        AgreementStatus.IN_PROCESS: AgreementFactory(
            signed_on=None, process_started_at=timezone.now()
        ),
        AgreementStatus.ACTIVE: AgreementFactory(ends_on=today + timedelta(days=181)),
        AgreementStatus.EXPIRING: AgreementFactory(ends_on=today + timedelta(days=180)),
        AgreementStatus.EXPIRED: AgreementFactory(ends_on=today - timedelta(days=1)),
        AgreementStatus.TERMINATED: AgreementFactory(terminated_on=today, termination_reason="x"),
        AgreementStatus.SUPERSEDED: AgreementFactory(superseded_at=timezone.now()),
    }
    annotated = {
        a.pk: a.status for a in selectors.agreements_with_status(Agreement.objects.all(), today)
    }
    for status, agreement in cases.items():
        assert selectors.agreement_status(agreement, today) == status
        assert annotated[agreement.pk] == status


def test_the_expiring_window_is_configurable(settings):
    agreement = AgreementFactory(ends_on=timezone.localdate() + timedelta(days=100))
    assert selectors.agreement_status(agreement) == AgreementStatus.EXPIRING
    settings.SINERGI_AGREEMENT_EXPIRING_DAYS = 90
    assert selectors.agreement_status(agreement) == AgreementStatus.ACTIVE


def test_renewal_starts_only_from_an_expiring_or_expired_agreement(officer):
    active = AgreementFactory()
    with pytest.raises(ValidationError) as error:
        services.agreement_renewal_start(agreement=active, actor=officer)
    assert error.value.code == "not_renewable"
    assert not active.renewals.exists()


def test_renewal_is_prefilled_linked_and_supersedes_the_old_one_when_signed(officer):
    head = UserFactory(roles=["head"])
    partner_officer = PartnerOfficerFactory()
    old = AgreementFactory(
        partner=partner_officer.partner,
        ends_on=timezone.localdate() - timedelta(days=30),
        our_signatory="Rektor UPI",
        partner_signatory="Kepala Perpusnas",
        person_in_charge=officer,
        value=10_000_000,
    )
    old.scope_items.set(ScopeItem.objects.all()[:2])
    assert selectors.agreement_status(old) == AgreementStatus.EXPIRED

    renewal = services.agreement_renewal_start(agreement=old, actor=officer)

    assert renewal.renewal_of == old
    assert (renewal.kind, renewal.partner, renewal.title, renewal.our_signatory) == (
        old.kind,
        old.partner,
        old.title,
        old.our_signatory,
    )
    assert (renewal.person_in_charge, renewal.value) == (officer, 10_000_000)
    assert renewal.our_number == "" and renewal.signed_on is None
    assert list(renewal.scope_items.all()) == list(old.scope_items.all())
    assert selectors.agreement_status(renewal) == AgreementStatus.IN_PROCESS
    assert renewal.steps.get(order=1).state == StepState.CURRENT
    with pytest.raises(ValidationError) as error:
        services.agreement_renewal_start(agreement=old, actor=officer)
    assert error.value.code == "renewal_open"

    # Take it through every step to the signing.
    documents = {
        "request_letter": "Surat permohonan",
        "draft": "Draf",
        "legal_review": "Telaah hukum",
        "signed_scan": "Naskah ditandatangani",
    }
    for order in range(1, 9):
        step = renewal.steps.get(order=order)
        actor = {"partner": partner_officer.user, "head": head}.get(step.actor, officer)
        for kind in step.required_documents:
            services.document_upload(
                agreement=renewal, actor=actor, kind=kind, file=pdf_file(documents[kind])
            )
        extra = {}
        if step.signs_agreement:
            extra = {
                "our_number": "B-88/UN40.A7/HK.07.00/2026",
                "partner_number": "20/PKS/PERPUSNAS/2026",
                "signed_on": timezone.localdate(),
            }
        services.step_complete(step=step, actor=actor, **extra)
        old.refresh_from_db()
        if order < 8:
            assert selectors.agreement_status(old) == AgreementStatus.EXPIRED

    renewal.refresh_from_db()
    assert selectors.agreement_status(renewal) == AgreementStatus.ACTIVE
    assert selectors.agreement_status(old) == AgreementStatus.SUPERSEDED
    assert renewal.documents.filter(kind=DocumentKind.SIGNED_SCAN).exists()
    # A superseded agreement is renewed no more.
    with pytest.raises(ValidationError):
        services.agreement_renewal_start(agreement=old, actor=officer)


def test_a_pks_needs_its_parent_mou_of_the_same_partner(officer):
    mou = AgreementFactory()
    other = AgreementFactory()
    with pytest.raises(ValidationError) as error:
        services.agreement_create(actor=officer, kind="pks", partner=mou.partner, title="PKS")
    assert "parent" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.agreement_create(
            actor=officer, kind="pks", partner=mou.partner, title="PKS", parent=other
        )
    pks = services.agreement_create(
        actor=officer,
        kind="pks",
        partner=mou.partner,
        title="PKS Pelatihan",
        parent=mou,
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    assert pks.parent == mou
    mou_alone = services.agreement_create(
        actor=officer, kind="mou", partner=mou.partner, title="MoU", starts_on=date(2024, 2, 29)
    )
    assert mou_alone.ends_on == date(2029, 2, 27)
