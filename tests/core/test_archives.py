"""Archives (DOCX, PPTX, EPUB) are judged from their ZIP directory, never by inflating them:
bombs, overlapping and duplicate entries and lying directories are refused in milliseconds and
a few megabytes of memory, with a message the sender understands."""

import io
import random
import struct
import time
import tracemalloc
import zipfile
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from sinergi.core.archives import ArchiveLimits, archive_open
from sinergi.core.uploads import validate_upload
from sinergi.library.files import book_check
from tests import zipbombs
from tests.zipbombs import MIB, docx_bomb, docx_members, epub_bomb, member, raw_zip

DOCS = {"pdf", "docx", "pptx"}
# Far more than the directory walk needs, far less than any inflation of the bombs.
MEMORY_BOUND = 32 * MIB
TIME_BOUND = 2.0


def judged(check, *args, **kwargs):
    """Run `check`; return (its refusal, in English, or None), seconds, peak bytes allocated."""
    tracemalloc.start()
    started = time.perf_counter()
    refused = None
    try:
        with translation.override("en"):
            try:
                check(*args, **kwargs)
            except ValidationError as error:
                refused = SimpleNamespace(
                    code=error.code, messages=[str(m) for m in error.messages]
                )
    finally:
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return refused, seconds, peak


def upload_check(data: bytes, name: str = "tugas.docx", allowed=DOCS):
    return validate_upload(SimpleUploadedFile(name, data), allowed=allowed, max_bytes=20 * MIB)


def test_a_docx_bomb_is_refused_without_inflating_it():
    """1 GiB of zeros in 1 MB of ZIP: the old testzip() inflated all of it (23 s for 8 GiB)."""
    bomb = docx_bomb(1024)
    assert len(bomb) < 2 * MIB
    refused, seconds, peak = judged(upload_check, bomb)
    assert refused is not None and refused.code == "archive_ratio"
    assert "zip bomb" in refused.messages[0]
    assert seconds < TIME_BOUND, seconds
    assert peak < MEMORY_BOUND, peak


def test_an_epub_bomb_is_refused_without_filling_the_memory():
    """400 MiB of chapter in 400 KB of EPUB: the old check read every chapter into memory."""
    bomb = epub_bomb(400)
    refused, seconds, peak = judged(book_check, SimpleUploadedFile("bom.epub", bomb))
    assert refused is not None and refused.code == "archive_ratio"
    assert seconds < TIME_BOUND, seconds
    assert peak < MEMORY_BOUND + 2 * len(bomb), peak


def test_the_total_unpacked_size_is_limited(settings):
    settings.SINERGI_ARCHIVE_MAX_UNPACKED_BYTES = 2 * MIB
    noise = random.Random(16).randbytes(3 * MIB)  # incompressible: the ratio is fine
    data = raw_zip([*docx_members(), member("word/media/noise.bin", noise)])
    refused, _seconds, _peak = judged(upload_check, data)
    assert refused.code == "archive_unpacked"
    assert refused.messages == ["Unpacked, the archive would be larger than 2 MB."]


def test_the_number_of_entries_is_limited_even_when_the_end_record_lies(settings):
    settings.SINERGI_ARCHIVE_MAX_ENTRIES = 50
    many = [*docx_members(), *(member(f"word/p{n}.xml", b"<p/>") for n in range(60))]
    data = raw_zip(many)
    refused, _seconds, _peak = judged(upload_check, data)
    assert refused.code == "archive_entries"
    assert refused.messages == ["The archive holds more than 50 files."]
    # The end record claims two entries; the directory holds 62.
    at = data.rfind(b"PK\x05\x06")
    lying = bytearray(data)
    lying[at + 8 : at + 12] = struct.pack("<2H", 2, 2)
    refused, _seconds, _peak = judged(upload_check, bytes(lying))
    assert refused.code == "archive_entries"


def test_overlapping_entries_are_refused():
    """Two names for one piece of data: how the smallest zip bombs multiply themselves."""
    members = docx_members()
    shared = member("word/media/a.bin", bytes(4096))
    with zipfile.ZipFile(io.BytesIO(raw_zip([*members, shared]))) as archive:
        offsets = [info.header_offset for info in archive.infolist()]
    listed = list(zip(members, offsets, strict=False))
    offset = offsets[-1]
    copy = zipbombs.Member("word/media/b.bin", shared.data, shared.crc, shared.size)
    forged = raw_zip([*members, shared], central=[*listed, (shared, offset), (copy, offset)])
    refused, _seconds, _peak = judged(upload_check, forged)
    assert refused.code == "damaged"


def test_a_name_listed_twice_is_refused():
    data = raw_zip([*docx_members(), member("word/document.xml", b"<other/>")])
    refused, _seconds, _peak = judged(upload_check, data)
    assert refused.code == "damaged"


def test_a_member_is_read_in_bounded_chunks_and_capped():
    data = raw_zip([member("a.txt", b"x" * (3 * MIB))])
    limits = ArchiveLimits(entries=10, unpacked_bytes=4 * MIB, ratio=10**9)
    with archive_open(io.BytesIO(data), damaged="damaged", limits=limits) as archive:
        assert archive.read("a.txt", max_bytes=3 * MIB) == b"x" * (3 * MIB)
        with pytest.raises(ValidationError) as error:
            archive.read("a.txt", max_bytes=MIB)
    assert error.value.code == "archive_member_too_large"


def test_a_member_larger_than_its_declared_size_is_damaged_not_read_on():
    """The directory says 10 bytes; the data inflates to 64 MiB. Reading stops at 10."""
    bomb = zipbombs.zeros_member("a.txt", 64)
    liar = zipbombs.Member("a.txt", bomb.data, bomb.crc, 10)
    limits = ArchiveLimits(entries=10, unpacked_bytes=MIB, ratio=10**9)
    with archive_open(io.BytesIO(raw_zip([liar])), damaged="damaged", limits=limits) as archive:
        tracemalloc.start()
        with pytest.raises(ValidationError) as error:
            archive.read("a.txt", max_bytes=MIB)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert error.value.code == "damaged"
    assert peak < 4 * MIB


def test_real_documents_and_books_still_pass():
    assert upload_check(raw_zip(docx_members())) == "docx"
    meta = book_check(SimpleUploadedFile("buku.epub", raw_zip(zipbombs.epub_members())))
    assert (meta.title, meta.creators, meta.language) == ("Buku Bom", ["Penguji"], "id")


def test_the_refusal_is_in_indonesian():
    with translation.override("id"):
        with pytest.raises(ValidationError) as error:
            upload_check(docx_bomb(64))
        message = error.value.messages[0]
    assert "zip bomb" in message and "Upload" not in message and "refused" not in message


@pytest.mark.django_db
def test_a_participant_submitting_a_docx_bomb_gets_a_form_error(client, settings, tmp_path):
    from tests.learning.factories import (
        AssignmentFactory,
        ItemFactory,
        ModuleFactory,
        ParticipantFactory,
    )

    settings.MEDIA_ROOT = tmp_path
    participant = ParticipantFactory()
    assignment = AssignmentFactory(
        item=ItemFactory(module=ModuleFactory(batch=participant.batch), kind="assignment")
    )
    client.force_login(participant.user)
    started = time.perf_counter()
    response = client.post(
        reverse("learning:assignment_submit", args=[participant.batch.pk, assignment.item.pk]),
        {"file": SimpleUploadedFile("tugas.docx", docx_bomb(1024))},
        follow=True,
    )
    assert time.perf_counter() - started < 5
    assert response.status_code == 400
    with translation.override("id"):
        expected = translation.gettext(
            "The archive is packed more than %(ratio)s times tighter than ordinary documents "
            "are; it is refused as a possible zip bomb."
        ) % {"ratio": "100"}
    assert expected in response.content.decode()
    assert not list(tmp_path.rglob("*.docx"))
