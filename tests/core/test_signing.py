"""Signed PDFs (PAdES) judged by outside validators: poppler's pdfsig and pyHanko's own
validator (not the signing code), with the development chain; a changed byte is caught, and
signing keeps the PDF/A metadata and the embedded fonts."""

import io

import pikepdf
import pytest
from django.core.management import call_command
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from sinergi.core import signing

from ..pdfcheck import assert_fonts_embedded, pdfsig
from .test_pdf_fonts import certificate


@pytest.fixture
def dev_key(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SINERGI_SIGNING_DEVELOPMENT = True
    call_command("signing_dev_key")
    yield tmp_path / "signing"
    signing._load.cache_clear()


def root(folder):
    return load_cert_from_pemder(str(folder / "development-root.pem"))


def validate(content: bytes, trust):
    reader = PdfFileReader(io.BytesIO(content))
    (embedded,) = reader.embedded_signatures
    context = ValidationContext(trust_roots=[trust] if trust else [], allow_fetching=False)
    # In a full run a browser test's Playwright keeps an event loop running in this thread,
    # where pyHanko's asyncio.run refuses to start: the product's own guard is used here too.
    return embedded, signing._outside_event_loop(validate_pdf_signature, embedded, context)


def test_without_a_key_nothing_is_signed(settings):
    settings.DEBUG = False
    signing._load.cache_clear()
    content = certificate("Dewi Lestari")
    assert "does not contain any signatures" in pdfsig(content)


def test_a_certificate_is_signed_whole_and_pdfsig_and_pyhanko_judge_it_valid(dev_key):
    content = certificate("Ni Luh Putu Ayu Wéndy")
    report = pdfsig(content)
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Total document signed" in report
    assert "ETSI.CAdES.detached" in report and "Signing Time:" in report
    assert "DEVELOPMENT signing key" in report
    # The development chain is self-signed: poppler, trusting only the system's roots, says so.
    assert "Certificate issuer isn't Trusted." in report

    embedded, status = validate(content, root(dev_key))
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.coverage.name == "ENTIRE_FILE"
    assert embedded.self_reported_timestamp is not None
    untrusted = validate(content, None)[1]
    assert untrusted.intact and untrusted.valid and not untrusted.trusted

    # The signature field is visible, on the page, with an appearance in an embedded font.
    with pikepdf.open(io.BytesIO(content)) as pdf:
        (widget,) = [a for a in pdf.pages[0].Annots if a.get("/FT") == "/Sig"]
        x1, y1, x2, y2 = (float(v) for v in widget.Rect)
        assert x2 - x1 > 100 and y2 - y1 > 20
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
    names = [row["name"] for row in assert_fonts_embedded(content)]
    assert any("DejaVuSans-Identity-H" in name for name in names)  # the signature's text


def test_a_changed_byte_is_detected(dev_key):
    content = bytearray(certificate("Dewi Lestari"))
    at = content.index(b"/Title")  # in the signed range, outside the signature value
    content[at + 1] = ord("t")
    report = pdfsig(bytes(content))
    assert "Signature is Valid." not in report, report
    status = validate(bytes(content), root(dev_key))[1]
    assert not status.intact


def test_signing_again_makes_a_new_signature(dev_key):
    first, second = certificate("Dewi Lestari"), certificate("Dewi Lestari")
    assert first != second
    for content in (first, second):
        assert validate(content, root(dev_key))[1].valid


def test_a_configured_pkcs12_key_signs_with_validation_info(settings, tmp_path, dev_key):
    # The same key configured as the library's own: not development, so the chain goes into
    # a DSS after the signature (PAdES validation information).
    settings.SINERGI_SIGNING_DEVELOPMENT = False
    settings.SINERGI_SIGNING_PKCS12 = str(dev_key / "development.p12")
    settings.SINERGI_SIGNING_FETCH_REVOCATION = False
    signing._load.cache_clear()
    content = certificate("Dewi Lestari")
    with pikepdf.open(io.BytesIO(content)) as pdf:
        assert "/DSS" in pdf.Root and len(pdf.Root.DSS.Certs) >= 2
    _embedded, status = validate(content, root(dev_key))
    assert status.intact and status.valid and status.trusted
    assert "Signature is Valid." in pdfsig(content)


@pytest.mark.django_db
def test_the_clearance_letter_and_the_receipt_are_signed(dev_key, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sinergi.training import pdf as training_pdf
    from sinergi.training import services as training
    from sinergi.visits import services as visits
    from sinergi.visits.pdf import clearance_letter_pdf

    from ..factories import BatchFactory, UserFactory
    from .test_pdf_every_kind import png

    settings.MEDIA_ROOT = tmp_path / "media"
    person = UserFactory(roles=["participant"], full_name="Nguyễn Wéndy")
    librarian = UserFactory(roles=["librarian"])
    item = visits.clearance_request(student=person, student_number="1", study_program="PGSD")
    visits.clearance_set_thesis(clearance=item, deposited=True, actor=librarian)
    letter = clearance_letter_pdf(visits.clearance_approve(clearance=item, actor=librarian))

    registration = training.registration_create(batch=BatchFactory(), user=person, consent=True)
    payment = training.payment_submit_transfer(
        invoice=registration.invoice,
        user=person,
        proof=SimpleUploadedFile("bukti.png", png(), "image/png"),
    )
    training.payment_approve(payment=payment, actor=UserFactory(roles=["finance"]))
    registration.invoice.refresh_from_db()
    receipt = training_pdf.receipt_pdf(registration.invoice)
    # The invoice is not a signed document: only what the library attests is.
    invoice = training_pdf.invoice_pdf(registration.invoice)

    for content in (letter, receipt):
        report = pdfsig(content)
        assert "Signature is Valid." in report and "Total document signed" in report, report
        status = validate(content, root(dev_key))[1]
        assert status.intact and status.valid and status.trusted
        assert_fonts_embedded(content)
    assert "does not contain any signatures" in pdfsig(invoice)


@pytest.mark.django_db
def test_issue_and_reissue_sign_each_version_anew(dev_key, settings, tmp_path):
    from sinergi.certificates import services

    from ..certificates.factories import CertificateTemplateFactory, CompletionFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    completion = CompletionFactory()
    CertificateTemplateFactory(program=completion.registration.batch.program)
    certificate = services.certificate_issue(registration=completion.registration)
    with certificate.pdf.open("rb") as file:
        first = file.read()
    user = completion.registration.user
    user.full_name = "Siti Rahmawati, S.IP., M.Hum."
    user.save()
    reissued = services.certificate_reissue(certificate=certificate, actor=None, reason="Nama")
    with reissued.pdf.open("rb") as file:
        second = file.read()
    signatures = []
    for content in (first, second):
        embedded, status = validate(content, root(dev_key))
        assert status.intact and status.valid and status.trusted
        signatures.append(embedded.sig_object["/Contents"])
    assert signatures[0] != signatures[1]
    assert "Signature is Valid." in pdfsig(second)


def test_check_deploy_warns_without_a_key_and_refuses_the_development_key(settings):
    from sinergi.core.checks import signing_key_check

    settings.DEBUG = False
    settings.SINERGI_SIGNING_PKCS12 = settings.SINERGI_SIGNING_KEY = ""
    settings.SINERGI_SIGNING_DEVELOPMENT = False
    assert [m.id for m in signing_key_check()] == ["core.W101"]
    settings.SINERGI_SIGNING_DEVELOPMENT = True
    assert [m.id for m in signing_key_check()] == ["core.E101"]
    settings.SINERGI_SIGNING_DEVELOPMENT = False
    settings.SINERGI_SIGNING_PKCS12 = "/etc/sinergi/library.p12"
    assert signing_key_check() == []


def test_check_deploy_warns_without_a_badge_key(settings):
    from sinergi.core.checks import badge_key_check

    settings.SINERGI_BADGE_KEY = ""
    settings.SINERGI_SIGNING_DEVELOPMENT = False
    assert [m.id for m in badge_key_check()] == ["core.W102"]
    settings.SINERGI_BADGE_KEY = "/etc/sinergi/badge.pem"
    assert badge_key_check() == []
