"""The JP record: completed trainings and accepted declarations per year against the target,
the declarations' review, the signed PDF and the XLSX transcript, and the API."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from sinergi.certificates import selectors, services
from sinergi.certificates.models import Certificate, DeclarationStatus, JpDeclaration
from sinergi.core import signing

from ..factories import UserFactory
from ..pdfcheck import pdfsig
from .factories import CertificateTemplateFactory, CompletionFactory

pytestmark = pytest.mark.django_db


def proof_pdf() -> SimpleUploadedFile:
    from pathlib import Path

    data = (Path(__file__).resolve().parents[1] / "fixtures" / "minimal-document.pdf").read_bytes()
    return SimpleUploadedFile("sertifikat-seminar.pdf", data, content_type="application/pdf")


def certificate_for(user, *, jp: int, ends_on: datetime.date, title="Katalogisasi") -> Certificate:
    completion = CompletionFactory(registration__user=user)
    program = completion.registration.batch.program
    program.title, program.total_jp = title, jp
    program.save(update_fields=["title", "total_jp"])
    CertificateTemplateFactory(program=program)
    certificate = services.certificate_issue(registration=completion.registration, notify=False)
    Certificate.objects.filter(pk=certificate.pk).update(
        starts_on=ends_on - datetime.timedelta(days=3), ends_on=ends_on
    )
    return certificate


def declaration_for(user, *, jp: int, ends_on, status=DeclarationStatus.ACCEPTED):
    return JpDeclaration.objects.create(
        user=user,
        title="Seminar Nasional Kepustakawanan",
        organiser="Perpusnas",
        starts_on=ends_on,
        ends_on=ends_on,
        jp=jp,
        proof="certificates/jp-proofs/x.pdf",
        status=status,
    )


@pytest.fixture
def participant():
    return UserFactory(roles=["participant"])


@pytest.fixture
def manager():
    return UserFactory(roles=["program_manager"])


def test_the_year_counts_valid_certificates_and_accepted_declarations(
    participant, django_assert_num_queries
):
    certificate_for(participant, jp=12, ends_on=datetime.date(2026, 3, 10), title="Katalogisasi")
    certificate_for(participant, jp=8, ends_on=datetime.date(2026, 11, 2), title="Literasi")
    revoked = certificate_for(participant, jp=40, ends_on=datetime.date(2026, 5, 5))
    services.certificate_revoke(certificate=revoked, actor=None, reason="Keliru")
    certificate_for(participant, jp=30, ends_on=datetime.date(2025, 12, 31))
    declaration_for(participant, jp=4, ends_on=datetime.date(2026, 7, 1))
    declaration_for(participant, jp=50, ends_on=datetime.date(2026, 7, 2), status="pending")
    declaration_for(participant, jp=50, ends_on=datetime.date(2026, 7, 3), status="rejected")
    declaration_for(UserFactory(), jp=99, ends_on=datetime.date(2026, 7, 1))

    with django_assert_num_queries(5):
        record = selectors.jp_record(user=participant, year=2026)
    assert [e.jp for e in record.entries] == [12, 4, 8]
    assert record.total == 24 and record.target == 20 and record.reached
    assert record.years == [2026, 2025]
    assert {d.status for d in record.pending} == {"pending", "rejected"}
    assert selectors.jp_record(user=participant, year=2025).total == 30


def test_the_target_is_a_setting(settings, participant):
    settings.SINERGI_JP_TARGET = 40
    certificate_for(participant, jp=32, ends_on=datetime.date(2026, 3, 10))
    record = selectors.jp_record(user=participant, year=2026)
    assert not record.reached and record.missing == 8 and record.percent == 80


def test_a_participant_declares_jp_with_proof_and_staff_accept_it(client, participant, manager):
    client.force_login(participant)
    url = reverse("certificates:jp_record") + "?year=2026"
    response = client.post(
        url,
        {
            "title": "Bimtek Repositori",
            "organiser": "Perpustakaan UGM",
            "starts_on": "2026-08-03",
            "ends_on": "2026-08-04",
            "jp": "10",
            "proof": proof_pdf(),
        },
    )
    assert response.status_code == 302
    declaration = JpDeclaration.objects.get(user=participant)
    assert declaration.status == "pending"
    assert declaration.proof.name.endswith(".pdf")
    assert selectors.jp_record(user=participant, year=2026).total == 0
    page = client.get(url)
    assert "Menunggu pemeriksaan" in page.content.decode()
    # The owner and the reviewer download the proof; nobody else does.
    proof = reverse("certificates:jp_proof", args=[declaration.pk])
    assert client.get(proof).status_code == 200
    assert client.get(reverse("certificates:jp_reviews")).status_code == 403
    client.force_login(UserFactory(roles=["participant"]))
    assert client.get(proof).status_code == 404

    client.force_login(manager)
    reviews = client.get(reverse("certificates:jp_reviews"))
    assert "Bimtek Repositori" in reviews.content.decode()
    assert client.get(proof).status_code == 200
    client.post(
        reverse("certificates:jp_reviews"),
        {"declaration": declaration.pk, "decision": "accept", "review_note": ""},
    )
    declaration.refresh_from_db()
    assert declaration.status == "accepted" and declaration.reviewed_by == manager
    assert selectors.jp_record(user=participant, year=2026).total == 10


def test_rejecting_needs_a_reason_and_a_review_happens_once(manager, participant):
    declaration = declaration_for(
        participant, jp=3, ends_on=datetime.date(2026, 1, 5), status="pending"
    )
    with pytest.raises(ValidationError, match=r"Say why|Sebutkan"):
        services.jp_declaration_review(declaration=declaration, actor=manager, accept=False)
    services.jp_declaration_review(
        declaration=declaration, actor=manager, accept=False, note="Bukti tidak terbaca"
    )
    with pytest.raises(ValidationError, match=r"already|sudah"):
        services.jp_declaration_review(declaration=declaration, actor=manager, accept=True)


def test_bad_declarations_get_translated_errors_not_500(client, participant):
    client.force_login(participant)
    url = reverse("certificates:jp_record")
    fake = SimpleUploadedFile("bukti.pdf", b"MZ not a pdf at all", content_type="application/pdf")
    response = client.post(
        url,
        {
            "title": "X",
            "organiser": "Y",
            "starts_on": "2026-08-05",
            "ends_on": "2026-08-04",
            "jp": "900",
            "proof": fake,
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in text
    assert "PDF" in text
    assert not JpDeclaration.objects.exists()
    nul = client.post(
        url,
        {
            "title": "a\x00b",
            "organiser": "Y",
            "starts_on": "2026-08-04",
            "ends_on": "2026-08-04",
            "jp": "2",
            "proof": proof_pdf(),
        },
    )
    assert nul.status_code == 400
    assert not JpDeclaration.objects.exists()


@pytest.fixture
def dev_key(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SINERGI_SIGNING_DEVELOPMENT = True
    call_command("signing_dev_key")
    signing._load.cache_clear()
    yield tmp_path / "signing"
    signing._load.cache_clear()


def test_the_pdf_transcript_is_signed_and_a_changed_byte_is_caught(client, participant, dev_key):
    certificate_for(participant, jp=12, ends_on=datetime.date(2026, 3, 10), title="Katalogisasi")
    declaration_for(participant, jp=4, ends_on=datetime.date(2026, 7, 1))
    client.force_login(participant)
    response = client.get(reverse("certificates:jp_transcript", args=["pdf"]) + "?year=2026")
    assert response.status_code == 200
    content = response.content
    report = pdfsig(content)
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Total document signed" in report

    root = load_cert_from_pemder(str(dev_key / "development-root.pem"))
    reader = PdfFileReader(io.BytesIO(content))
    (embedded,) = reader.embedded_signatures
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    status = signing._outside_event_loop(validate_pdf_signature, embedded, context)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert str(embedded.sig_object["/Reason"]).startswith("Transkrip JP 2026")

    # One byte inside the signed range changed (a letter of the document's title in its info
    # dictionary, so the file still parses): both judges say so.
    position = content.index(b"Transkrip JP") + 1
    changed = bytearray(content)
    changed[position] ^= 0x01
    assert "Signature is Valid." not in pdfsig(bytes(changed))
    broken = PdfFileReader(io.BytesIO(bytes(changed)), strict=False)
    (embedded,) = broken.embedded_signatures
    status = signing._outside_event_loop(validate_pdf_signature, embedded, context)
    assert not status.intact


def test_the_xlsx_transcript_lists_the_year_and_the_total(client, participant):
    certificate_for(participant, jp=12, ends_on=datetime.date(2026, 3, 10), title="Katalogisasi")
    declaration_for(participant, jp=4, ends_on=datetime.date(2026, 7, 1))
    client.force_login(participant)
    response = client.get(reverse("certificates:jp_transcript", args=["xlsx"]) + "?year=2026")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["JP 2026"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Kegiatan"
    assert [row[4] for row in rows[1:]] == [12, 4, 16, 20]
    assert client.get(reverse("certificates:jp_transcript", args=["doc"])).status_code == 404


def test_the_api_gives_the_callers_own_record(client, participant):
    certificate_for(participant, jp=12, ends_on=datetime.date(2026, 3, 10), title="Katalogisasi")
    certificate_for(UserFactory(), jp=30, ends_on=datetime.date(2026, 3, 10))
    assert client.get("/api/v1/me/jp-record?year=2026").status_code == 401
    client.force_login(participant)
    body = client.get("/api/v1/me/jp-record?year=2026").json()
    assert body["total"] == 12 and body["target"] == 20 and body["reached"] is False
    (entry,) = body["entries"]
    assert entry["source"] == "sinergi" and entry["certificate_number"]
    response = client.get("/api/v1/me/jp-record?year=99999")
    assert response.status_code == 422 and response.json()["code"] == "validation_error"
