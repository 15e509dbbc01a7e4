"""Every kind of PDF prints a name typed in any script, emoji included: each font embedded
(pdffonts), no character drawn as a font's empty .notdef box (the embedded font programs
read with fontTools), and the name's words given back by pdftotext."""

import io
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sinergi.core.pdf import MISSING, runs
from sinergi.insights.exports import statement_pdf
from sinergi.training import pdf as training_pdf
from sinergi.training import services as training
from sinergi.visits import services as visits
from sinergi.visits.pdf import clearance_letter_pdf, ticket_pdf

from ..factories import BatchFactory, UserFactory
from ..pdfcheck import assert_fonts_embedded, assert_no_notdef, notdef_codes, text
from ..visits.factories import VisitSlotFactory
from .test_pdf_fonts import certificate

pytestmark = pytest.mark.django_db

# Latin with diacritics, Arabic, Chinese, Javanese script, emoji (one with the emoji
# variation selector, one beyond Symbola's Unicode 9 that must come out as the visible
# replacement character).
LATIN = "Ni Luh Putu Wéndy Nguyễn Łukasz"
ARABIC = "محمد عبد الله"
CHINESE = "王小明"
JAVANESE = "ꦱꦸꦫꦗ"
EMOJI = "Ani 😀 ❤️ 📚"
NAME = f"{LATIN} {ARABIC} {CHINESE} {JAVANESE} {EMOJI}"


def normal(value: str) -> str:
    """pdftotext gives Arabic as presentation forms (NFKC gives the letters back) and marks
    the right-to-left run with bidi controls; variation selectors print nothing."""
    value = unicodedata.normalize("NFKC", value)
    return "".join(
        c for c in value if unicodedata.category(c) != "Cf" and not 0xFE00 <= ord(c) <= 0xFE0F
    )


def assert_prints(content: bytes, name: str = NAME) -> None:
    assert_fonts_embedded(content)
    assert_no_notdef(content)
    extracted = normal(text(content))
    for word in name.split():
        assert normal(word) in extracted, (word, extracted)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def person(db):
    return UserFactory(roles=["participant"], full_name=NAME)


def test_a_certificate_prints_the_name_on_its_line_and_in_the_serif_wording():
    content = certificate(NAME, signer=f"Dr. {ARABIC} 😀")
    assert_prints(content)
    wording = normal(text(content).split("sebagai", 1)[1])
    # The wording's own sentence (it wraps) carries the whole name, its full stop after the
    # emoji in the emoji's run's own glyph, not the serif font's box.
    for word in NAME.split():
        assert normal(word) in wording, (word, wording)
    assert "📚." in wording


def test_invoice_receipt_and_credit_note(person, settings):
    settings.SINERGI_TREASURER_NAME = f"Drs. {CHINESE} 😀"
    finance = UserFactory(roles=["finance"])
    registration = training.registration_create(
        batch=BatchFactory(fee=750_000, program__title=f"Katalogisasi 📚 {JAVANESE}"),
        user=person,
        consent=True,
    )
    assert_prints(training_pdf.invoice_pdf(registration.invoice))
    payment = training.payment_submit_transfer(
        invoice=registration.invoice,
        user=person,
        proof=SimpleUploadedFile("bukti.png", png(), "image/png"),
    )
    training.payment_approve(payment=payment, actor=finance)
    registration.invoice.refresh_from_db()
    assert_prints(training_pdf.receipt_pdf(registration.invoice))


def test_visit_ticket(person):
    reservation = visits.reservation_create(slot=VisitSlotFactory(), user=person)
    assert_prints(ticket_pdf(reservation))


def test_clearance_letter(person, settings):
    settings.SINERGI_LIBRARY_HEAD_NAME = f"Dr. {ARABIC}"
    librarian = UserFactory(roles=["librarian"])
    item = visits.clearance_request(
        student=person, student_number="2001234", study_program="Ilmu Perpustakaan"
    )
    visits.clearance_set_thesis(clearance=item, deposited=True, actor=librarian)
    approved = visits.clearance_approve(clearance=item, actor=librarian)
    assert_prints(clearance_letter_pdf(approved))


def test_speaker_statement(person):
    finance = UserFactory(roles=["finance"])
    content = statement_pdf(speaker=person, profile=None, lines=[], year=2026, actor=finance)
    assert_prints(content)


def test_a_character_no_font_has_prints_as_the_replacement_character_not_a_box():
    # U+1F970 (Unicode 11) is in none of the fonts; the language tag U+E0001 (a format
    # character) is in none either, and prints nothing.
    assert runs("a🥰", "SinergiSerif") == [(f"a{MISSING}", "SinergiSerif")]
    assert runs("a\U000e0001b", "SinergiSans") == [("ab", "SinergiSans")]
    content = certificate("Ani 🥰")
    assert notdef_codes(content) == {}
    assert "Ani \ufffd" in text(content)


def test_the_judge_finds_a_notdef_box(monkeypatch):
    """The .notdef judge can fail: with the fallback fonts off, an emoji is a box."""
    from sinergi.core import pdf as core_pdf

    monkeypatch.setattr(core_pdf, "FALLBACKS", ())
    monkeypatch.setattr(core_pdf, "_font_for", lambda character, font: font)
    core_pdf._covers.cache_clear()
    found = notdef_codes(certificate("Ani 📚"))
    assert found and all("DejaVuSerif" in name for name in found)
