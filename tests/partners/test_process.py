"""The cooperation process through its services: the ten default steps, who may act,
required documents, sending back from legal review, overdue in working days, and signing."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sinergi.core.calendar import holiday_name
from sinergi.core.models import AuditLog
from sinergi.partners import selectors, services
from sinergi.partners.models import (
    AgreementStatus,
    AgreementStep,
    Decision,
    DocumentKind,
    ProcessStepTemplate,
    StepState,
)

from ..factories import UserFactory
from .factories import PartnerFactory, PartnerOfficerFactory, docx_file, pdf_file

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)


@pytest.fixture
def officer():
    return UserFactory(roles=["cooperation_officer"])


@pytest.fixture
def draft(officer):
    partner_officer = PartnerOfficerFactory()
    agreement = services.agreement_create(
        actor=officer,
        kind="mou",
        partner=partner_officer.partner,
        title="Nota Kesepahaman Pengembangan Perpustakaan",
        person_in_charge=officer,
    )
    agreement.partner_officer = partner_officer.user
    return agreement


def _step(agreement, order) -> AgreementStep:
    step = agreement.steps.get(order=order)
    step.agreement = agreement
    return step


def _walk_to(agreement, order, officer, head, today=MONDAY):
    """Close steps 1 .. order-1 by whoever acts on each, uploading what they need."""
    needs = {
        DocumentKind.REQUEST_LETTER: lambda: pdf_file("Surat permohonan"),
        DocumentKind.DRAFT: lambda: docx_file("Draf naskah"),
        DocumentKind.LEGAL_REVIEW: lambda: pdf_file("Catatan telaah hukum"),
    }
    for number in range(1, order):
        step = _step(agreement, number)
        actor = {"partner": agreement.partner_officer, "head": head}.get(step.actor, officer)
        for kind in step.required_documents:
            if kind in selectors.missing_documents(step=step):
                services.document_upload(
                    agreement=agreement, actor=actor, kind=kind, file=needs[kind]()
                )
        services.step_complete(step=step, actor=actor, today=today)


def test_default_template_has_the_ten_steps_and_the_process_starts_at_the_first(draft, officer):
    assert selectors.agreement_status(draft) == AgreementStatus.DRAFT
    steps = services.agreement_process_start(agreement=draft, actor=officer, today=MONDAY)

    assert [step.order for step in steps] == list(range(1, 11))
    assert [step.code for step in steps][5] == "legal-review"
    assert steps[5].return_to_order == 5
    assert steps[7].signs_agreement and steps[7].required_documents == ["signed_scan"]
    first = _step(draft, 1)
    assert first.state == StepState.CURRENT
    assert first.started_on == MONDAY
    assert first.due_on == date(2026, 3, 16)  # ten working days, no holiday in between
    assert set(draft.steps.exclude(order=1).values_list("state", flat=True)) == {"waiting"}
    draft.refresh_from_db()
    assert selectors.agreement_status(draft) == AgreementStatus.IN_PROCESS
    with pytest.raises(ValidationError):
        services.agreement_process_start(agreement=draft, actor=officer)


def test_a_step_cannot_close_without_its_required_documents(draft, officer):
    services.agreement_process_start(agreement=draft, actor=officer, today=MONDAY)
    _walk_to(draft, 3, officer, None)
    request_letter = _step(draft, 3)
    assert selectors.missing_documents(step=request_letter) == ["request_letter"]

    with pytest.raises(ValidationError) as error:
        services.step_complete(step=request_letter, actor=officer)
    assert error.value.code == "missing_documents"
    assert _step(draft, 3).state == StepState.CURRENT

    # A document of another kind does not count.
    services.document_upload(
        agreement=draft, actor=officer, kind=DocumentKind.OTHER, file=pdf_file("Lain")
    )
    with pytest.raises(ValidationError):
        services.step_complete(step=_step(draft, 3), actor=officer)

    services.document_upload(
        agreement=draft, actor=officer, kind=DocumentKind.REQUEST_LETTER, file=pdf_file("Surat")
    )
    services.step_complete(step=_step(draft, 3), actor=officer, note="Dikirim ke Perpusnas")
    assert _step(draft, 3).state == StepState.DONE
    assert _step(draft, 4).state == StepState.CURRENT
    decision = _step(draft, 3).decisions.get()
    assert (decision.decision, decision.note, decision.decided_by) == (
        Decision.DONE,
        "Dikirim ke Perpusnas",
        officer,
    )


def test_only_the_named_actor_acts_on_a_step(draft, officer):
    head = UserFactory(roles=["head"])
    stranger = PartnerOfficerFactory().user  # an officer of another partner
    services.agreement_process_start(agreement=draft, actor=officer, today=MONDAY)

    with pytest.raises(PermissionDenied):
        services.step_complete(step=_step(draft, 1), actor=head)
    with pytest.raises(PermissionDenied):
        services.step_complete(step=_step(draft, 1), actor=draft.partner_officer)

    _walk_to(draft, 4, officer, head)
    substance_review = _step(draft, 4)
    assert substance_review.actor == "partner"
    with pytest.raises(PermissionDenied):
        services.step_complete(step=substance_review, actor=stranger)
    # The partner has an officer in Sinergi: the step is theirs, not ours.
    with pytest.raises(PermissionDenied):
        services.step_complete(step=substance_review, actor=officer)
    services.step_complete(step=substance_review, actor=draft.partner_officer)
    assert _step(draft, 5).state == StepState.CURRENT

    # A step that is not current cannot be closed (twice, or out of order).
    with pytest.raises(ValidationError) as error:
        services.step_complete(step=_step(draft, 4), actor=draft.partner_officer)
    assert error.value.code == "stale"


def test_legal_review_sends_the_agreement_back_to_drafting_with_a_note(draft, officer):
    services.agreement_process_start(agreement=draft, actor=officer, today=MONDAY)
    _walk_to(draft, 6, officer, None)
    legal = _step(draft, 6)
    partner_officer = draft.partner_officer

    with pytest.raises(ValidationError):
        services.step_return(step=legal, actor=partner_officer, note="  ")
    with pytest.raises(ValidationError):
        services.step_return(step=_step(draft, 5), actor=officer, note="Drafting cannot")

    back_on = date(2026, 3, 23)
    target = services.step_return(
        step=legal,
        actor=partner_officer,
        note="Pasal 5 tentang pendanaan perlu diperjelas.",
        today=back_on,
    )

    assert target.order == 5
    drafting, legal = _step(draft, 5), _step(draft, 6)
    assert (drafting.state, drafting.started_on) == (StepState.CURRENT, back_on)
    assert legal.state == StepState.WAITING and legal.due_on is None
    returned = legal.decisions.get(decision=Decision.RETURNED)
    assert returned.note == "Pasal 5 tentang pendanaan perlu diperjelas."
    assert returned.decided_by == partner_officer
    assert AuditLog.objects.filter(verb="partners.step_returned").count() == 1
    timeline = selectors.agreement_timeline(agreement=draft, today=back_on)
    assert [item.state for item in timeline][3:7] == ["done", "current", "waiting", "waiting"]
    assert [d.decision for d in timeline[5].decisions] == [Decision.RETURNED]

    # The redrafted agreement goes to legal review again and on.
    services.document_upload(
        agreement=draft, actor=officer, kind=DocumentKind.DRAFT, file=docx_file("Draf 2")
    )
    services.step_complete(step=_step(draft, 5), actor=officer, today=back_on)
    services.document_upload(
        agreement=draft,
        actor=partner_officer,
        kind=DocumentKind.LEGAL_REVIEW,
        file=pdf_file("Telaah hukum: setuju"),
    )
    services.step_complete(step=_step(draft, 6), actor=partner_officer, today=back_on)
    assert _step(draft, 7).state == StepState.CURRENT


def test_overdue_is_counted_in_working_days_across_a_public_holiday(draft, officer):
    assert holiday_name(date(2026, 8, 17))  # Independence Day, a Monday
    # The template is configurable: make the exploration a five-day step.
    ProcessStepTemplate.objects.filter(template__is_default=True, order=1).update(duration_days=5)
    thursday = date(2026, 8, 13)
    services.agreement_process_start(agreement=draft, actor=officer, today=thursday)
    step = _step(draft, 1)

    # Fri 14, Tue 18, Wed 19, Thu 20, Fri 21: the weekend and 17 August do not count.
    assert step.due_on == date(2026, 8, 21)
    assert not selectors.step_is_overdue(step, date(2026, 8, 21))
    assert selectors.overdue_steps(today=date(2026, 8, 21)).count() == 0
    # Saturday and Sunday after the due date: late, but by no working day yet.
    assert selectors.step_is_overdue(step, date(2026, 8, 23))
    assert selectors.working_days_late(step, date(2026, 8, 23)) == 0
    assert selectors.working_days_late(step, date(2026, 8, 24)) == 1
    # 25 August 2026 is the Prophet's Birthday: Wednesday 26 is only the second working day.
    assert holiday_name(date(2026, 8, 25))
    assert selectors.working_days_late(step, date(2026, 8, 26)) == 2
    timeline = selectors.agreement_timeline(agreement=draft, today=date(2026, 8, 26))
    assert (timeline[0].state, timeline[0].working_days_late) == ("overdue", 2)
    assert timeline[1].state == "waiting"


def test_closing_the_signing_step_signs_the_agreement(draft, officer):
    head = UserFactory(roles=["head"])
    services.agreement_process_start(agreement=draft, actor=officer, today=MONDAY)
    _walk_to(draft, 8, officer, head)
    signing = _step(draft, 8)
    services.document_upload(
        agreement=draft, actor=officer, kind=DocumentKind.SIGNED_SCAN, file=pdf_file("Naskah")
    )
    with pytest.raises(ValidationError) as error:
        services.step_complete(step=signing, actor=officer, signed_on=date(2026, 4, 1))
    assert set(error.value.message_dict) == {"our_number", "partner_number"}
    assert _step(draft, 8).state == StepState.CURRENT

    services.step_complete(
        step=signing,
        actor=officer,
        our_number="B-77/UN40.A7/HK.07.00/2026",
        partner_number="15/PKS/MITRA/2026",
        signed_on=date(2026, 4, 1),
        today=date(2026, 4, 1),
    )
    draft.refresh_from_db()
    assert (draft.signed_on, draft.starts_on, draft.ends_on) == (
        date(2026, 4, 1),
        date(2026, 4, 1),
        date(2031, 3, 31),  # an MoU runs five years by default
    )
    assert selectors.agreement_status(draft, date(2026, 4, 2)) == AgreementStatus.ACTIVE
    assert _step(draft, 9).state == StepState.CURRENT


def test_a_signed_scan_must_be_a_pdf_and_uploads_are_judged_by_content(draft, officer):
    with pytest.raises(ValidationError) as error:
        services.document_upload(
            agreement=draft,
            actor=officer,
            kind=DocumentKind.SIGNED_SCAN,
            file=docx_file("Naskah", name="naskah.pdf"),
        )
    assert "file" in error.value.message_dict
    version = services.document_upload(
        agreement=draft, actor=officer, kind=DocumentKind.DRAFT, file=docx_file("Draf")
    )
    again = services.document_upload(
        agreement=draft,
        actor=officer,
        kind=DocumentKind.DRAFT,
        file=pdf_file("Draf 2"),
        document=version.document,
    )
    assert (version.number, again.number, again.file_kind) == (1, 2, "pdf")
    # Uploading the same kind again (without naming the document) adds a version too; another
    # title makes another document.
    third = services.document_upload(
        agreement=draft, actor=officer, kind=DocumentKind.DRAFT, file=docx_file("Draf 3")
    )
    annex = services.document_upload(
        agreement=draft,
        actor=officer,
        kind=DocumentKind.DRAFT,
        title="Lampiran rencana kegiatan",
        file=docx_file("Lampiran"),
    )
    assert (third.document, third.number) == (version.document, 3)
    assert annex.document != version.document and annex.number == 1


def test_the_cooperation_officer_records_the_step_of_a_partner_without_an_officer(officer):
    agreement = services.agreement_create(
        actor=officer, kind="mou", partner=PartnerFactory(), title="MoU tanpa petugas mitra"
    )
    services.agreement_process_start(agreement=agreement, actor=officer, today=MONDAY)
    agreement.partner_officer = officer
    _walk_to(agreement, 5, officer, None)
    assert _step(agreement, 4).completed_by == officer
