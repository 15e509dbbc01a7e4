"""Invoice and receipt PDFs, and transfer proofs served only to those who may see them."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image
from pypdf import PdfReader

from sinergi.core.formatting import format_date, format_rupiah, rupiah_in_words
from sinergi.training import pdf, services

from ..factories import BatchFactory, UserFactory
from ..pdfcheck import assert_fonts_embedded

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    """Return the text of every page, with runs of white space made single spaces."""
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def participant(db):
    return UserFactory(roles=["participant"], full_name="Dewi Lestari, S.IP.")


@pytest.fixture
def registration(participant):
    return services.registration_create(
        batch=BatchFactory(fee=750_000, program__title="Katalogisasi dengan RDA dan MARC 21"),
        user=participant,
        consent=True,
    )


@pytest.fixture
def finance(db):
    return UserFactory(roles=["finance"])


def pay_by_transfer(registration, finance, content: bytes | None = None):
    payment = services.payment_submit_transfer(
        invoice=registration.invoice,
        user=registration.user,
        proof=SimpleUploadedFile("bukti.png", content or png_bytes(), "image/png"),
    )
    return services.payment_approve(payment=payment, actor=finance)


# --- Invoice ---------------------------------------------------------------------------------


def test_invoice_pdf_has_number_amounts_words_bank_and_due_date(client, registration):
    invoice = registration.invoice
    client.force_login(registration.user)
    response = client.get(reverse("training:invoice_pdf", args=[invoice.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert_fonts_embedded(response.content)
    filename = "invoice-" + invoice.number.replace("/", "-") + ".pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert "private" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert invoice.number in text
    assert "Dewi Lestari, S.IP." in text
    assert "Katalogisasi dengan RDA dan MARC 21" in text
    assert "Rp750.000" in text
    assert "Tujuh ratus lima puluh ribu rupiah" in text
    assert format_rupiah(invoice.transfer_amount) in text  # the exact amount with the code
    assert "BELUM DIBAYAR" in text
    assert "LUNAS" not in text
    assert "0000000000" in text  # the bank account from settings
    assert format_date(registration.expires_at, language="id") in text


def test_invoice_pdf_is_in_indonesian_whatever_the_interface_language(client, registration):
    registration.user.language = "en"
    registration.user.save(update_fields=["language"])
    client.force_login(registration.user)
    text = pdf_text(
        client.get(reverse("training:invoice_pdf", args=[registration.invoice.pk])).content
    )
    assert "Ditagihkan kepada" in text
    assert "Terbilang" in text


def test_indonesian_dates():
    with translation.override("en"):
        assert format_date(date(2026, 8, 17), language="id") == "17 Agustus 2026"
    assert format_date(date(2026, 11, 24), language="id") == "24 November 2026"


def test_someone_elses_invoice_is_404_and_anonymous_must_log_in(client, registration):
    url = reverse("training:invoice_pdf", args=[registration.invoice.pk])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(roles=["participant"]))
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("training:receipt_pdf", args=[registration.invoice.pk])).status_code
        == 404
    )


def test_finance_may_download_any_invoice(client, registration, finance):
    client.force_login(finance)
    response = client.get(reverse("training:invoice_pdf", args=[registration.invoice.pk]))
    assert response.status_code == 200


def test_names_with_markup_characters_are_printed_as_written(client, db):
    user = UserFactory(full_name="Sari & <Putri>")
    registration = services.registration_create(batch=BatchFactory(), user=user, consent=True)
    text = pdf_text(pdf.invoice_pdf(registration.invoice))
    assert "Sari & <Putri>" in text


# --- Receipt ---------------------------------------------------------------------------------


def test_receipt_is_404_until_the_invoice_is_paid(client, registration):
    client.force_login(registration.user)
    url = reverse("training:receipt_pdf", args=[registration.invoice.pk])
    assert client.get(url).status_code == 404


def test_receipt_of_a_paid_invoice(client, registration, finance, settings):
    settings.SINERGI_TREASURER_NAME = "Drs. Ahmad Fauzi, M.Si."
    settings.SINERGI_TREASURER_TITLE = "Bendahara Penerimaan"
    payment = pay_by_transfer(registration, finance)
    invoice = registration.invoice
    invoice.refresh_from_db()
    client.force_login(registration.user)

    response = client.get(reverse("training:receipt_pdf", args=[invoice.pk]))

    assert response.status_code == 200
    assert_fonts_embedded(response.content)
    assert response["Content-Disposition"].startswith('attachment; filename="kuitansi-INV-')
    assert "private" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "KUITANSI" in text
    assert "Table(" not in text and "Paragraph(" not in text
    assert "Telah terima dari" in text
    assert "Dewi Lestari, S.IP." in text
    # A transfer brings the unique code too: the receipt says what was received.
    assert payment.amount == invoice.transfer_amount
    assert format_rupiah(payment.amount) in text
    assert rupiah_in_words(payment.amount) in text
    assert "Untuk pembayaran" in text
    assert "Katalogisasi dengan RDA dan MARC 21" in text
    assert f"1 peserta × {format_rupiah(750_000)}" in text
    assert f"Bandung, {format_date(invoice.paid_at, language='id')}" in text
    assert "Drs. Ahmad Fauzi, M.Si." in text
    assert "Bendahara Penerimaan" in text
    assert "LUNAS" in text

    invoice_text = pdf_text(client.get(reverse("training:invoice_pdf", args=[invoice.pk])).content)
    assert "LUNAS" in invoice_text
    assert "BELUM DIBAYAR" not in invoice_text


def test_cancelled_invoice_says_so_and_has_a_credit_note(client, registration):
    services.registration_cancel(registration=registration, actor=registration.user)
    invoice = registration.invoice
    invoice.refresh_from_db()
    text = pdf_text(pdf.invoice_pdf(invoice))
    assert "DIBATALKAN" in text
    assert invoice.credit_note.number in text
    assert_fonts_embedded(pdf.credit_note_pdf(invoice))
    note_text = pdf_text(pdf.credit_note_pdf(invoice))
    assert "NOTA KREDIT" in note_text
    assert invoice.number in note_text
    assert "Tujuh ratus lima puluh ribu rupiah" in note_text


# --- Transfer proofs -------------------------------------------------------------------------


def test_proof_is_served_to_its_payer_and_to_finance_only(client, registration, finance):
    content = png_bytes()
    payment = services.payment_submit_transfer(
        invoice=registration.invoice,
        user=registration.user,
        proof=SimpleUploadedFile("bukti.png", content, "image/png"),
    )
    url = reverse("training:payment_proof", args=[payment.pk])

    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory(roles=["participant"]))
    assert client.get(url).status_code == 404

    for viewer in (registration.user, finance):
        client.force_login(viewer)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline")
        assert "private" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == content


def test_proof_of_unknown_type_is_only_offered_as_a_download(client, registration):
    payment = services.payment_submit_transfer(
        invoice=registration.invoice,
        user=registration.user,
        proof=SimpleUploadedFile("bukti.png", b"<html><script>alert(1)</script>", "image/png"),
    )
    client.force_login(registration.user)
    response = client.get(reverse("training:payment_proof", args=[payment.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_proof_whose_file_is_gone_is_404(client, registration):
    payment = services.payment_submit_transfer(
        invoice=registration.invoice,
        user=registration.user,
        proof=SimpleUploadedFile("bukti.png", png_bytes(), "image/png"),
    )
    payment.proof.storage.delete(payment.proof.name)
    client.force_login(registration.user)
    assert client.get(reverse("training:payment_proof", args=[payment.pk])).status_code == 404
