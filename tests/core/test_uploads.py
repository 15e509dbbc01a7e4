"""validate_upload: size, kind and soundness judged from the bytes, never from the name."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from sinergi.core.uploads import validate_upload

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MB = 1024 * 1024
PROOFS = {"jpeg", "png", "pdf"}


def pdf_bytes() -> bytes:
    return (FIXTURES / "minimal-document.pdf").read_bytes()


def image_bytes(kind: str, size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 83, 148)).save(buffer, format=kind.upper())
    return buffer.getvalue()


def upload(data: bytes, name: str = "bukti", content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def check(data: bytes, name: str = "bukti", allowed=PROOFS, max_bytes=5 * MB) -> str:
    return validate_upload(upload(data, name), allowed=allowed, max_bytes=max_bytes)


class Refusal:
    def __init__(self, error: ValidationError):
        self.code = error.code
        self.messages = [str(message) for message in error.messages]


def refusal(data: bytes, **kwargs) -> Refusal:
    """The ValidationError for `data`, its messages in English."""
    with translation.override("en"), pytest.raises(ValidationError) as error:
        check(data, **kwargs)
        raise AssertionError("accepted")
    with translation.override("en"):
        return Refusal(error.value)


@pytest.mark.parametrize(
    ("data", "kind"),
    [(pdf_bytes(), "pdf"), (image_bytes("png"), "png"), (image_bytes("jpeg"), "jpeg")],
)
def test_real_files_are_recognised_whatever_their_name(data, kind):
    assert check(data, name="scan.txt") == kind


def test_the_file_is_left_at_the_start_for_saving():
    file = upload(pdf_bytes(), "bukti.pdf")
    validate_upload(file, allowed=PROOFS, max_bytes=5 * MB)
    assert file.read(5) == b"%PDF-"


def test_too_large_is_refused_before_parsing():
    error = refusal(b"%PDF-" + b"0" * (5 * MB))
    assert error.messages == ["The file is larger than 5 MB."]
    assert error.code == "too_large"


def test_size_limit_is_inclusive():
    data = image_bytes("png")
    assert check(data, max_bytes=len(data)) == "png"
    assert refusal(data, max_bytes=len(data) - 1).code == "too_large"


def test_text_named_pdf_is_called_a_fake_pdf():
    error = refusal(b"Bukti transfer: sudah saya bayar.\n", name="bukti.pdf")
    assert error.messages == ["The file is damaged or not really a PDF."]


def test_unknown_kind_lists_what_is_accepted():
    error = refusal(b"PK\x03\x04 a zip archive", name="bukti.zip")
    assert error.messages == ["Only JPEG, PNG or PDF files are accepted."]


def test_a_kind_not_allowed_here_is_refused():
    error = refusal(pdf_bytes(), allowed={"jpeg", "png"})
    assert error.messages == ["Only JPEG or PNG files are accepted."]


def test_empty_file_is_refused():
    assert refusal(b"").code == "empty"


@pytest.mark.parametrize("kind", ["png", "jpeg", "pdf"])
def test_truncated_files_are_damaged(kind):
    data = pdf_bytes() if kind == "pdf" else image_bytes(kind, size=(400, 300))
    error = refusal(data[: len(data) // 2])
    assert error.code == "damaged"


def test_pdf_header_with_garbage_is_damaged():
    error = refusal(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    assert error.messages == ["The file is damaged or not really a PDF."]


def test_password_protected_pdf_is_refused():
    """Whoever checks a proof must be able to open it, so encrypted PDFs are refused."""
    error = refusal((FIXTURES / "libreoffice-writer-password.pdf").read_bytes())
    assert error.code == "encrypted"
    assert "password" in error.messages[0]


def test_the_limit_follows_max_bytes():
    error = refusal(b"\x89PNG" + b"0" * (2 * MB), max_bytes=3 * MB // 2)
    assert error.messages == ["The file is larger than 1.5 MB."]


def test_unknown_kind_in_allowed_is_a_programming_error():
    with pytest.raises(ValueError):
        check(pdf_bytes(), allowed={"mp4"})


# --- Property: anything goes in, only ValidationError or a true kind comes out ---------------


def _really(kind: str, data: bytes) -> bool:
    """An independent, stricter opinion: decode the whole thing."""
    if kind == "pdf":
        return len(PdfReader(io.BytesIO(data)).pages) >= 1
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.format == kind.upper()


SAMPLES = [pdf_bytes(), image_bytes("png"), image_bytes("jpeg")]
HEADERS = [b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b""]


@st.composite
def mangled(draw):
    """Real files cut, spliced or with bytes flipped; random bytes behind real headers."""
    how = draw(st.sampled_from(["random", "header", "cut", "flip"]))
    if how == "random":
        return draw(st.binary(max_size=4096))
    if how == "header":
        return draw(st.sampled_from(HEADERS)) + draw(st.binary(max_size=4096))
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    if how == "cut":
        return bytes(data[: draw(st.integers(0, len(data)))])
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mangled(), name=st.sampled_from(["x.pdf", "x.png", "x.jpg", "x", "x.exe"]))
def test_no_input_escapes_as_anything_but_validation_error(data, name):
    try:
        kind = check(data, name=name)
    except ValidationError as error:
        assert error.messages and all(error.messages)
        return
    assert kind in PROOFS
    assert _really(kind, data), f"accepted a broken {kind}"


# --- Office Open XML: DOCX and PPTX ----------------------------------------------------------


def office_bytes(*parts: str) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for part in parts:
            archive.writestr(part, "<x/>")
    return buffer.getvalue()


def test_slides_and_word_documents_are_told_apart():
    slides = office_bytes("ppt/presentation.xml", "ppt/slides/slide1.xml")
    document = office_bytes("word/document.xml")
    assert check(slides, "materi.pptx", allowed={"pdf", "pptx"}) == "pptx"
    assert check(document, "rtl.docx", allowed={"docx"}) == "docx"
    with pytest.raises(ValidationError) as raised:
        check(document, "materi.pptx", allowed={"pdf", "pptx"})
    assert raised.value.code == "kind"


def test_a_zip_without_the_parts_of_its_kind_is_damaged():
    with pytest.raises(ValidationError) as raised:
        check(office_bytes("notes.txt"), "rtl.docx", allowed={"docx"})
    assert raised.value.code == "damaged"
    truncated = office_bytes("ppt/presentation.xml")[:-30]
    with pytest.raises(ValidationError):
        check(truncated, "materi.pptx", allowed={"pptx"})


# --- Pixels: an image is judged by its header before anything is decoded -----------------------


def test_an_image_with_too_many_pixels_is_refused_before_decoding():
    """12000 by 12000: a few hundred kilobytes of PNG, 430 MB once decoded for a preview."""
    import time
    import tracemalloc

    from tests.zipbombs import huge_png

    data = huge_png()
    assert len(data) < MB
    tracemalloc.start()
    started = time.perf_counter()
    error = refusal(data, allowed={"png"})
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert error.code == "too_many_pixels"
    assert error.messages == [
        "The image is 12,000 × 12,000 pixels, more than 40 megapixels. Upload a smaller copy."
    ]
    assert seconds < 0.5 and peak < 8 * MB, (seconds, peak)


def test_the_pixel_limit_follows_the_setting(settings):
    data = image_bytes("png", size=(200, 100))
    settings.SINERGI_IMAGE_MAX_PIXELS = 20_000
    assert check(data) == "png"
    settings.SINERGI_IMAGE_MAX_PIXELS = 19_999
    assert refusal(data).code == "too_many_pixels"
