"""E-book files: check an upload by its bytes, read its metadata and cover, store it privately.

EPUB: a ZIP within the archive limits (core.archives: judged from its directory, never
inflated) whose `mimetype` entry says application/epub+zip and whose container names a package
document (OPF) that parses, with a title. Only the mimetype, the container, the OPF and the
cover image are read, each with a byte cap. PDF: core's validate_upload (it parses with pypdf
and refuses passwords), then pypdf reads the metadata.
"""

import io
import posixpath
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from sinergi.core.archives import archive_open
from sinergi.core.services import log_action
from sinergi.core.uploads import PDF, image_pixels_check, validate_upload

from .models import BookFile, FileKind, Title
from .services import search_index_update, title_touch

MAX_BOOK_BYTES = 100 * 1024 * 1024
_OCF = "urn:oasis:names:tc:opendocument:xmlns:container"
_OPF = "http://www.idpf.org/2007/opf"
_DC = "http://purl.org/dc/elements/1.1/"
_EPUB_DAMAGED = _("The file is damaged or not really an EPUB e-book.")
# The most read from each part of an EPUB while checking it.
MIMETYPE_MAX_BYTES = 1024
CONTAINER_MAX_BYTES = 256 * 1024
PACKAGE_MAX_BYTES = 4 * 1024 * 1024
COVER_MAX_BYTES = 10 * 1024 * 1024


@dataclass
class BookMetadata:
    kind: str
    title: str = ""
    creators: list[str] | None = None
    language: str = ""
    pages: int | None = None
    cover: bytes = b""
    cover_ext: str = ""


def _xml(data: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser=parser)


def epub_check(data: bytes) -> BookMetadata:
    """Return the metadata of a whole EPUB, or raise ValidationError saying what is wrong."""
    try:
        with archive_open(io.BytesIO(data), damaged=_EPUB_DAMAGED) as archive:
            names = archive.names
            if (
                "mimetype" not in names
                or archive.read("mimetype", max_bytes=MIMETYPE_MAX_BYTES).strip()
                != b"application/epub+zip"
            ):
                raise ValidationError(
                    _("The EPUB has no mimetype entry saying application/epub+zip."), code="epub"
                )
            if "META-INF/container.xml" not in names:
                raise ValidationError(_("The EPUB names no package document."), code="epub")
            container = _xml(archive.read("META-INF/container.xml", max_bytes=CONTAINER_MAX_BYTES))
            rootfile = container.find(f".//{{{_OCF}}}rootfile")
            opf_path = rootfile.get("full-path") if rootfile is not None else None
            if not opf_path or opf_path not in names:
                raise ValidationError(_("The EPUB names no package document."), code="epub")
            package = _xml(archive.read(opf_path, max_bytes=PACKAGE_MAX_BYTES))
            if etree.QName(package).localname != "package":
                raise ValidationError(_("The EPUB's package document is not valid."), code="epub")
            cover, cover_ext = _epub_cover(archive, package, opf_path, names)
        metadata = package.find(f"{{{_OPF}}}metadata")
        if metadata is None:
            raise ValidationError(_("The EPUB's package document is not valid."), code="epub")
        title = " ".join(_texts(metadata, "title"))
        if not title.strip():
            raise ValidationError(_("The EPUB's package document has no title."), code="epub")
        creators = _texts(metadata, "creator")
        languages = _texts(metadata, "language")
    except ValidationError:
        raise
    except Exception as error:  # lxml and the like: all mean a damaged file
        raise ValidationError(_EPUB_DAMAGED, code="damaged") from error
    return BookMetadata(
        kind=FileKind.EPUB,
        title=" ".join(title.split()),
        creators=creators,
        language=languages[0] if languages else "",
        cover=cover,
        cover_ext=cover_ext,
    )


def _texts(metadata, name: str) -> list[str]:
    """Return the trimmed texts of the package metadata's dc:`name` elements."""
    found = (" ".join(element.itertext()).strip() for element in metadata.iter(f"{{{_DC}}}{name}"))
    return [text for text in found if text]


def _epub_cover(archive, package, opf_path: str, names: set[str]) -> tuple[bytes, str]:
    """Return the cover image and its extension, or nothing when the EPUB has no usable one
    (missing, not JPEG or PNG, too large, too many pixels: the book is fine without it)."""
    items = {i.get("id"): i for i in package.iterfind(f".//{{{_OPF}}}item")}
    cover = next(
        (i for i in items.values() if "cover-image" in (i.get("properties") or "").split()), None
    )
    if cover is None:
        meta = package.find(f".//{{{_OPF}}}meta[@name='cover']")
        cover = items.get(meta.get("content")) if meta is not None else None
    if cover is None or not (cover.get("media-type") or "").startswith("image/"):
        return b"", ""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(opf_path), cover.get("href") or ""))
    if path not in names:
        return b"", ""
    try:
        content = archive.read(path, max_bytes=COVER_MAX_BYTES)
        # Named by what the bytes are, not by the package's media-type (which may say JPEG for a
        # PNG): the name is what the cover view and the OPDS feeds declare.
        sniffed = image_type(content)
        if not sniffed:
            return b"", ""
        with Image.open(io.BytesIO(content)) as image:  # reads the header only
            image_pixels_check(*image.size)
    except Exception:
        return b"", ""
    return content, IMAGE_TYPES[sniffed]


IMAGE_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
}


def image_type(head: bytes) -> str:
    """Return the media type of an image from its first bytes, or '' when it is none we serve."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return ""


def cover_type(name: str) -> str:
    """Return the media type a stored cover's name declares (covers are named by content)."""
    for content_type, ext in IMAGE_TYPES.items():
        if name.lower().endswith(ext) or (ext == ".jpg" and name.lower().endswith(".jpeg")):
            return content_type
    return "image/jpeg"


def pdf_check(upload) -> BookMetadata:
    validate_upload(upload, allowed={PDF}, max_bytes=MAX_BOOK_BYTES)
    reader = PdfReader(upload, strict=False)
    info = reader.metadata or {}
    upload.seek(0)
    return BookMetadata(
        kind=FileKind.PDF,
        title=str(info.get("/Title") or ""),
        creators=[str(info["/Author"])] if info.get("/Author") else [],
        pages=len(reader.pages),
    )


def book_check(upload) -> BookMetadata:
    """Check an uploaded e-book by its bytes; return its metadata."""
    upload.seek(0)
    head = upload.read(MAX_BOOK_BYTES + 1)
    upload.seek(0)
    if len(head) > MAX_BOOK_BYTES:
        raise ValidationError(_("The file is larger than 100 MB."), code="too_large")
    if head.startswith(b"PK\x03\x04"):
        return epub_check(head)
    if b"%PDF-" in head[:1024]:
        return pdf_check(upload)
    raise ValidationError(_("Only EPUB or PDF files are accepted."), code="kind")


def book_file_store(*, actor, title: Title, upload) -> BookFile:
    """Check and store an e-book file for `title` (replacing one of the same format)."""
    meta = book_check(upload)
    upload.seek(0)
    content = upload.read()
    name = f"{get_random_string(20)}.{meta.kind}"
    with transaction.atomic():
        BookFile.objects.filter(title=title, kind=meta.kind).delete()
        book_file = BookFile(title=title, kind=meta.kind, size=len(content), pages=meta.pages)
        book_file.file.save(name, ContentFile(content), save=False)
        book_file.save()
        if meta.cover and not title.cover:
            title.cover.save(f"{get_random_string(20)}{meta.cover_ext}", ContentFile(meta.cover))
        title_touch(title=title)  # dc:format (and perhaps the cover) changed
        search_index_update(titles=[title])  # the format facet
        log_action(actor, "library.file.uploaded", title, {"kind": meta.kind})
    return book_file
