"""Hostile files made in the test itself (none is committed): ZIP bombs that unpack to
gigabytes from a megabyte, overlapping entries, lying directories; an image of 144 megapixels.

`raw_zip` writes the archive byte by byte, so a member can hold a deflate stream prepared
without ever holding its unpacked content: N MiB of zeros is one compressed MiB repeated N times
(after a full flush a deflate stream restarts byte-aligned, with an empty dictionary).
"""

import functools
import io
import struct
import zlib
from dataclasses import dataclass

from PIL import Image

MIB = 1024 * 1024
STORED, DEFLATED = 0, 8


@dataclass
class Member:
    name: str
    data: bytes  # as stored in the archive (already compressed when method is DEFLATED)
    crc: int
    size: int  # unpacked
    method: int = DEFLATED


def member(name: str, content: bytes, method: int = DEFLATED) -> Member:
    if method == STORED:
        return Member(name, content, zlib.crc32(content), len(content), STORED)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = packer.compress(content) + packer.flush()
    return Member(name, data, zlib.crc32(content), len(content))


def zeros_member(name: str, mebibytes: int) -> Member:
    """A member that inflates to `mebibytes` MiB of zeros, built in a few milliseconds."""
    block = bytes(MIB)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    again = zlib.compressobj(9, zlib.DEFLATED, -15)
    assert again.compress(block) + again.flush(zlib.Z_FULL_FLUSH) == piece
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(block, crc)
    data = piece * mebibytes + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    return Member(name, data, crc, mebibytes * MIB)


def raw_zip(members: list[Member], *, central: list[tuple[Member, int]] | None = None) -> bytes:
    """Write a ZIP of `members`. `central` (member, local header offset) overrides the central
    directory, to list entries that point at the same data."""
    out = bytearray()
    offsets = []
    for item in members:
        name = item.name.encode()
        offsets.append(len(out))
        out += struct.pack(
            "<4s5H3L2H",
            b"PK\x03\x04",
            20,
            0,
            item.method,
            0,
            0x21,
            item.crc,
            len(item.data),
            item.size,
            len(name),
            0,
        )
        out += name + item.data
    directory_start = len(out)
    listed = central if central is not None else list(zip(members, offsets, strict=True))
    for item, offset in listed:
        name = item.name.encode()
        out += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            item.method,
            0,
            0x21,
            item.crc,
            len(item.data),
            item.size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        out += name
    directory_size = len(out) - directory_start
    out += struct.pack(
        "<4s4H2LH",
        b"PK\x05\x06",
        0,
        0,
        len(listed),
        len(listed),
        directory_size,
        directory_start,
        0,
    )
    return bytes(out)


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/></Types>'
)
DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>Laporan tugas</w:t></w:r></w:p></w:body></w:document>"
)


def docx_members() -> list[Member]:
    return [member("[Content_Types].xml", CONTENT_TYPES), member("word/document.xml", DOCUMENT)]


def docx_bomb(mebibytes: int) -> bytes:
    """A Word document with a 'picture' that inflates to `mebibytes` MiB."""
    return raw_zip([*docx_members(), zeros_member("word/media/image1.bin", mebibytes)])


CONTAINER = (
    b'<?xml version="1.0"?>'
    b'<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    b'<rootfiles><rootfile full-path="OEBPS/content.opf" '
    b'media-type="application/oebps-package+xml"/></rootfiles></container>'
)
PACKAGE = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
    b'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
    b'<dc:identifier id="id">urn:uuid:0d1e5f3a-0000-4000-8000-000000000001</dc:identifier>'
    b"<dc:title>Buku Bom</dc:title><dc:creator>Penguji</dc:creator>"
    b"<dc:language>id</dc:language></metadata>"
    b'<manifest><item id="c1" href="chapter1.xhtml" media-type="application/xhtml+xml"/>'
    b'</manifest><spine><itemref idref="c1"/></spine></package>'
)


def epub_members(chapter: Member | None = None) -> list[Member]:
    chapter = chapter or member(
        "OEBPS/chapter1.xhtml",
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Bab 1</p></body></html>',
    )
    return [
        member("mimetype", b"application/epub+zip", STORED),
        member("META-INF/container.xml", CONTAINER),
        member("OEBPS/content.opf", PACKAGE),
        chapter,
    ]


def epub_bomb(mebibytes: int) -> bytes:
    """An EPUB whose one chapter inflates to `mebibytes` MiB."""
    return raw_zip(epub_members(zeros_member("OEBPS/chapter1.xhtml", mebibytes)))


@functools.cache
def huge_png(width: int = 12000, height: int = 12000) -> bytes:
    """A real PNG of `width` by `height` one-bit pixels: tiny on disk, 430 MB decoded as RGB."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()
