"""core.uploads recognises a Word document (DOCX) by its parts, for agreement documents: a
ZIP that is not a Word document, a cut-off or password-marked one, is refused plainly."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.core.uploads import validate_upload

from .factories import docx_file, pdf_file, zip_file

BOTH = {"pdf", "docx"}


def test_a_word_document_is_a_docx_whatever_its_name():
    upload = docx_file("Draf", name="draf.pdf")
    assert validate_upload(upload, allowed=BOTH, max_bytes=1_000_000) == "docx"
    assert upload.tell() == 0


def test_a_zip_that_is_not_a_word_document_is_damaged():
    with pytest.raises(ValidationError) as error:
        validate_upload(zip_file(), allowed=BOTH, max_bytes=1_000_000)
    assert error.value.code == "damaged"


def test_a_docx_where_only_pdf_is_allowed_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_upload(docx_file("Naskah"), allowed={"pdf"}, max_bytes=1_000_000)
    assert error.value.code == "kind"
    assert validate_upload(pdf_file("Naskah"), allowed={"pdf"}, max_bytes=1_000_000) == "pdf"


def test_a_cut_off_docx_is_damaged():
    data = docx_file("Draf").read()
    upload = SimpleUploadedFile("draf.docx", data[: len(data) // 2])
    with pytest.raises(ValidationError) as error:
        validate_upload(upload, allowed=BOTH, max_bytes=1_000_000)
    assert error.value.code == "damaged"


def test_a_password_marked_docx_is_refused():
    data = bytearray(docx_file("Rahasia").read())
    # Set the "encrypted" flag (bit 0) in every local and central header, as a
    # password-protected archive has it.
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            data[start + flags_at] |= 0x1
            start = data.find(signature, start + 4)
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("x.docx", bytes(data)), allowed=BOTH, max_bytes=10**6)
    assert error.value.code == "encrypted"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_after_a_zip_header_give_a_clear_error_never_a_crash(tail):
    upload = SimpleUploadedFile("draf.docx", b"PK\x03\x04" + tail)
    with pytest.raises(ValidationError):
        validate_upload(upload, allowed=BOTH, max_bytes=1_000_000)
