"""Tanya Pustakawan, delivery and print requests, and clearance with its blockers."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from sinergi.core.models import AuditLog
from sinergi.visits import clearance as clearance_registry
from sinergi.visits import services
from sinergi.visits.clearance import Blocker, clearance_blockers, register_check
from sinergi.visits.models import MemberDomain, QuestionState
from sinergi.visits.pdf import clearance_letter_pdf
from sinergi.visits.selectors import faq_search, reference_response_figures

from ..pdfcheck import assert_fonts_embedded
from ..pdfcheck import text as poppler_text
from .factories import UserFactory

pytestmark = pytest.mark.django_db

PDF = (Path(__file__).resolve().parents[1] / "fixtures" / "minimal-document.pdf").read_bytes()


@pytest.fixture
def member(db):
    MemberDomain.objects.create(domain="upi.edu", institution="Universitas Pendidikan Indonesia")
    return UserFactory(roles=["participant"], email="dina@upi.edu")


def delivery_for(member, **kwargs):
    fields = {
        "kind": "print",
        "title": "Metodologi Penelitian Pendidikan",
        "pages": "12-30",
        "address": "Jl. Setiabudhi 229, Bandung",
        "phone": "+6281234567890",
        **kwargs,
    }
    return services.delivery_request_create(requester=member, **fields)


# --- Reference ------------------------------------------------------------------------------------


def test_question_thread_e_mails_both_ways_and_figures(mailoutbox):
    librarian = UserFactory(roles=["librarian"], email="pustakawan@example.org")
    asker = UserFactory(email="tanya@example.org")

    question = services.question_ask(
        asker=asker, category="citation", subject="Sitasi APA 7", body="Bagaimana mengutip?"
    )
    assert [m.to for m in mailoutbox] == [["pustakawan@example.org"]]

    services.question_reply(question=question, author=librarian, body="Begini.", from_staff=True)
    question.refresh_from_db()
    assert question.state == QuestionState.ANSWERED
    assert question.first_answered_at is not None
    assert mailoutbox[-1].to == ["tanya@example.org"]

    services.question_reply(question=question, author=asker, body="Dan Mendeley?", from_staff=False)
    question.refresh_from_db()
    assert question.state == QuestionState.OPEN
    assert mailoutbox[-1].to == ["pustakawan@example.org"]

    figures = reference_response_figures()
    assert (figures.questions, figures.open) == (1, 1)
    assert figures.first_response_median_hours == 0.0
    assert figures.answered_within_day_percent == 100


def test_only_a_closed_question_is_published_and_the_public_finds_it():
    librarian = UserFactory(roles=["librarian"])
    question = services.question_ask(
        asker=UserFactory(), category="eresources", subject="Akses Scopus", body="Dari rumah?"
    )
    with pytest.raises(services.VisitError):
        services.faq_publish(question=question, title="t", answer="a", actor=librarian)
    services.question_close(question=question, actor=librarian)
    with pytest.raises(services.VisitError):
        services.question_reply(question=question, author=librarian, body="x", from_staff=True)
    services.faq_publish(
        question=question,
        title="Bagaimana mengakses Scopus dari rumah?",
        answer="Masuk lewat proxy kampus dengan akun SSO.",
        actor=librarian,
    )
    assert [e.title for e in faq_search(query="scopus rumah")] == [
        "Bagaimana mengakses Scopus dari rumah?"
    ]
    assert list(faq_search(query="scopus jurnal")) == []
    with pytest.raises(services.VisitError):
        services.faq_publish(question=question, title="t", answer="a", actor=librarian)


# --- Delivery -------------------------------------------------------------------------------------


def test_delivery_through_every_state(member, mailoutbox, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = UserFactory(roles=["services_desk"])
    request = delivery_for(member)
    assert request.state == "requested"

    services.delivery_quote(request=request, cost=23_500, cost_note="19 halaman + JNE", actor=staff)
    assert (request.state, request.cost) == ("quoted", 23_500)
    assert "Rp23.500" in mailoutbox[-1].body

    services.delivery_proof_upload(
        request=request, proof=SimpleUploadedFile("bukti.pdf", PDF), actor=member
    )
    assert request.state == "paid" and request.proof.name.startswith("delivery-proofs/")
    services.delivery_payment_reject(request=request, reason="Buram", actor=staff)
    assert request.state == "quoted" and "Buram" in mailoutbox[-1].body
    services.delivery_proof_upload(
        request=request, proof=SimpleUploadedFile("bukti.pdf", PDF), actor=member
    )
    services.delivery_payment_accept(request=request, actor=staff)
    assert request.state == "processing"
    with pytest.raises(ValidationError):
        services.delivery_ship(request=request, tracking_number=" ", courier="JNE", actor=staff)
    services.delivery_ship(request=request, tracking_number="JNE123456", courier="JNE", actor=staff)
    assert request.state == "shipped" and "JNE123456" in mailoutbox[-1].body
    services.delivery_receive(request=request, actor=member)
    assert request.state == "received"
    verbs = AuditLog.objects.filter(verb__startswith="visits.delivery").order_by("id")
    assert [verb.split(".")[-1] for verb in verbs.values_list("verb", flat=True)] == [
        "requested",
        "quoted",
        "paid",
        "proof_rejected",
        "paid",
        "processing",
        "shipped",
        "received",
    ]


def test_delivery_rights_come_from_the_member_domain():
    outsider = UserFactory(email="someone@gmail.com")
    with pytest.raises(services.VisitError) as error:
        delivery_for(outsider)
    assert error.value.code == "no_rights"
    # A partner institution given the same rights.
    MemberDomain.objects.create(domain="unj.ac.id", institution="UNJ", is_partner=True)
    assert delivery_for(UserFactory(email="a@unj.ac.id")).state == "requested"
    MemberDomain.objects.filter(domain="unj.ac.id").update(is_active=False)
    with pytest.raises(services.VisitError):
        delivery_for(UserFactory(email="b@unj.ac.id"))


def test_print_needs_pages_and_the_wrong_state_is_refused(member):
    with pytest.raises(ValidationError):
        delivery_for(member, pages="")
    request = delivery_for(member)
    with pytest.raises(services.VisitError) as error:
        services.delivery_ship(request=request, tracking_number="X", courier="", actor=None)
    assert error.value.code == "state"
    services.delivery_cancel(request=request, actor=member, by_staff=False)
    assert request.state == "cancelled"


# --- Clearance ------------------------------------------------------------------------------------


def test_clearance_is_blocked_until_deliveries_close_and_the_thesis_is_deposited(
    member, mailoutbox
):
    librarian = UserFactory(roles=["librarian"])
    delivery = delivery_for(member)
    item = services.clearance_request(
        student=member, student_number="2001234", study_program="Ilmu Perpustakaan"
    )

    codes = [blocker.code for blocker in clearance_blockers(item)]
    assert codes == ["open_deliveries", "thesis_deposit"]
    with pytest.raises(services.VisitError) as error:
        services.clearance_approve(clearance=item, actor=librarian)
    assert error.value.code == "blocked"

    services.delivery_cancel(request=delivery, actor=member, by_staff=False)
    services.clearance_set_thesis(clearance=item, deposited=True, actor=librarian)
    assert clearance_blockers(item) == []

    approved = services.clearance_approve(clearance=item, actor=librarian)
    assert approved.state == "approved"
    assert approved.number.startswith("BP/PERPUS/") and approved.number.endswith("/00001")
    assert "BP/PERPUS" in mailoutbox[-1].subject
    content = clearance_letter_pdf(approved)
    assert_fonts_embedded(content)
    letter = PdfReader(io.BytesIO(content))
    text = letter.pages[0].extract_text()
    assert "a.n. Kepala Perpustakaan" in text and librarian.full_name in text  # who signs
    assert "BEBAS PUSTAKA" in text and approved.number in text and "2001234" in text
    assert f"/visits/clearance/verify/{approved.verification_code}/" in text.replace("\n", "")


def test_letters_are_numbered_in_sequence_and_a_second_request_is_refused():
    librarian = UserFactory(roles=["librarian"])
    numbers = []
    for n in range(2):
        student = UserFactory()
        item = services.clearance_request(
            student=student, student_number=f"20{n}", study_program="PGSD"
        )
        with pytest.raises(services.VisitError) as error:
            services.clearance_request(student=student, student_number="x", study_program="y")
        assert error.value.code == "already_requested"
        services.clearance_set_thesis(clearance=item, deposited=True, actor=librarian)
        numbers.append(services.clearance_approve(clearance=item, actor=librarian).number[-5:])
    assert numbers == ["00001", "00002"]


def test_other_apps_can_add_a_blocker(monkeypatch):
    monkeypatch.setattr(clearance_registry, "_checks", dict(clearance_registry._checks))

    @register_check("library.active_loans")
    def active_loans(item):
        return [Blocker("active_loans", "1 e-book is still on loan.")]

    item = services.clearance_request(student=UserFactory(), student_number="1", study_program="2")
    assert "active_loans" in [b.code for b in clearance_blockers(item)]


def test_the_clearance_letter_prints_names_in_any_script_and_names_the_head(settings, member):
    settings.SINERGI_LIBRARY_HEAD_NAME = "Dr. Ḥasanah Nurul, M.Hum."
    settings.SINERGI_LIBRARY_HEAD_NIP = "197001012000032001"
    member.full_name = "Ильина Ελένη 王小明 Wéndy"
    member.save(update_fields=["full_name"])
    librarian = UserFactory(roles=["librarian"])
    item = services.clearance_request(
        student=member, student_number="2001235", study_program="Ilmu Perpustakaan"
    )
    services.clearance_set_thesis(clearance=item, deposited=True, actor=librarian)
    approved = services.clearance_approve(clearance=item, actor=librarian)
    content = clearance_letter_pdf(approved)
    assert_fonts_embedded(content)
    extracted = poppler_text(content)
    assert member.full_name in extracted
    assert "Dr. Ḥasanah Nurul, M.Hum." in extracted and "NIP 197001012000032001" in extracted
    assert "a.n." not in extracted
