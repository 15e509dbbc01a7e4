"""The QR on the PDF decodes to the certificate's verification address.

The PDF is rasterised with PDFium (pypdfium2) and the image decoded with ZXing (zxing-cpp),
the way a phone camera would see the printed page.
"""

import pypdfium2
import pytest
import zxingcpp

from sinergi.certificates import services

pytestmark = pytest.mark.django_db


def qr_texts(pdf_bytes: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        image = document[0].render(scale=2).to_pil()
    finally:
        document.close()
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_qr_decodes_to_the_absolute_verification_url(completion):
    certificate = services.certificate_issue(registration=completion.registration)
    with certificate.pdf.open("rb") as file:
        texts = qr_texts(file.read())
    assert texts == [f"https://sinergi.example.ac.id/certificates/verify/{certificate.code}/"]


def test_template_preview_carries_a_readable_qr_too(completion):
    template = completion.registration.batch.program.certificate_templates.get()
    texts = qr_texts(services.template_preview_pdf(template=template))
    assert texts == ["https://sinergi.example.ac.id/certificates/verify/CONTOH234567/"]
