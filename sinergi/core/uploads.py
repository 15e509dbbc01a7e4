"""Check uploaded files by what they contain, never by their name or the browser's word.

A payment proof, an agreement scan or a cover image comes from someone we do not control. The
name and the content type are chosen by the sender, so `validate_upload` looks at the bytes:
the signature first, then the file is parsed by Pillow or pypdf. An image is judged by its
pixel count from its header before anything is decoded; a DOCX or PPTX by its ZIP directory
(core.archives), never by inflating it. Anything the parsers choke on becomes a
ValidationError with a message the person can act on. Limits: docs/UPLOADS.md.
"""

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from PIL import Image
from pypdf import PdfReader

from .archives import archive_open

# A PDF reader accepts the header anywhere in the first kilobyte (ISO 32000-1, annex H).
PDF_HEADER_WINDOW = 1024


@dataclass(frozen=True)
class UploadKind:
    label: str
    extension: str
    content_type: str
    damaged: str  # the message when the file starts like this kind but is not one


JPEG, PNG, PDF, DOCX, PPTX = "jpeg", "png", "pdf", "docx", "pptx"

UPLOAD_KINDS: dict[str, UploadKind] = {
    JPEG: UploadKind(
        "JPEG", ".jpg", "image/jpeg", _("The file is damaged or not really a JPEG image.")
    ),
    PNG: UploadKind(
        "PNG", ".png", "image/png", _("The file is damaged or not really a PNG image.")
    ),
    PDF: UploadKind(
        "PDF", ".pdf", "application/pdf", _("The file is damaged or not really a PDF.")
    ),
    DOCX: UploadKind(
        "DOCX",
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _("The file is damaged or not really a Word (DOCX) document."),
    ),
    PPTX: UploadKind(
        "PPTX",
        ".pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _("The file is damaged or not really a PowerPoint (PPTX) presentation."),
    ),
}

# The part every Office Open XML file of a kind has (besides [Content_Types].xml).
_OFFICE_MAIN_PART = {DOCX: "word/document.xml", PPTX: "ppt/presentation.xml"}

_EXTENSIONS = {
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".jpe": JPEG,
    ".png": PNG,
    ".pdf": PDF,
    ".docx": DOCX,
    ".pptx": PPTX,
}


def validate_upload(file, *, allowed: set[str], max_bytes: int) -> str:
    """Return the kind of `file` (jpeg, png, pdf, docx, pptx) if it is one of `allowed` and whole.

    Raise ValidationError when it is too big, of another kind, damaged, or (for PDFs)
    protected by a password: whoever checks the file must be able to open it. The file is
    left at position 0, ready to be saved.
    """
    unknown = set(allowed) - UPLOAD_KINDS.keys()
    if unknown:
        raise ValueError(f"unknown upload kinds: {sorted(unknown)}")
    data = _read_at_most(file, max_bytes)
    if len(data) > max_bytes:
        raise ValidationError(
            _("The file is larger than %(megabytes)s MB."),
            code="too_large",
            params={"megabytes": _megabytes(max_bytes)},
        )
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    kind = _sniff(data)
    if kind is None or kind not in allowed:
        claimed = _EXTENSIONS.get(PurePath(getattr(file, "name", "") or "").suffix.lower())
        if kind is None and claimed in allowed:
            # Named like an accepted kind but nothing like it inside: say so plainly.
            raise ValidationError(UPLOAD_KINDS[claimed].damaged, code="damaged")
        labels = [UPLOAD_KINDS[k].label for k in sorted(allowed, key=list(UPLOAD_KINDS).index)]
        raise ValidationError(
            _("Only %(kinds)s files are accepted."),
            code="kind",
            params={"kinds": get_text_list(labels, _("or"))},
        )
    if kind == PDF:
        _check_pdf(data)
    elif kind in _OFFICE_MAIN_PART:
        _check_office(data, kind)
    else:
        _check_image(data, kind)
    return kind


def accept_upload(file, *, allowed: set[str], max_bytes: int):
    """Check `file` with validate_upload and give it a random name with the extension of what
    it really is (the sender's file name is neither trusted nor needed); return it."""
    kind = validate_upload(file, allowed=allowed, max_bytes=max_bytes)
    file.name = secrets.token_hex(12) + UPLOAD_KINDS[kind].extension
    return file


def _read_at_most(file, max_bytes: int) -> bytes:
    """Read up to one byte past the limit: enough to know, without trusting `file.size`."""
    file.seek(0)
    data = file.read(max_bytes + 1)
    file.seek(0)
    return data


def _megabytes(max_bytes: int) -> str:
    megabytes = max_bytes / (1024 * 1024)
    if megabytes == int(megabytes):
        return number_format(int(megabytes))
    return number_format(megabytes, decimal_pos=1)


def _sniff(data: bytes) -> str | None:
    return sniff_file(io.BytesIO(data))


def sniff_file(handle) -> str | None:
    """Return the kind of a seekable file from its first bytes (and, for a ZIP, its parts), or
    None; the file is left at position 0. Used for uploads and for stored files served back."""
    handle.seek(0)
    head = handle.read(PDF_HEADER_WINDOW)
    handle.seek(0)
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if b"%PDF-" in head:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        # A ZIP: a presentation if it has PowerPoint's main part, else taken for a Word
        # document; _check_office then demands the parts of that kind.
        # Only the directory is read, within the archive limits (a broken or refused ZIP has
        # no names here, and _check_office then says what is wrong with it).
        try:
            with archive_open(handle, damaged="") as archive:
                names = archive.names
        except Exception:
            names = set()
        finally:
            handle.seek(0)
        return PPTX if _OFFICE_MAIN_PART[PPTX] in names else DOCX
    return None


def image_pixels_check(width: int, height: int) -> None:
    """Raise ValidationError when an image `width` by `height` has too many pixels."""
    limit = settings.SINERGI_IMAGE_MAX_PIXELS
    if width * height > limit:
        raise ValidationError(
            _(
                "The image is %(width)s × %(height)s pixels, more than %(megapixels)s "
                "megapixels. Upload a smaller copy."
            ),
            code="too_many_pixels",
            params={
                "width": number_format(width, force_grouping=True),
                "height": number_format(height, force_grouping=True),
                "megapixels": number_format(limit // 1_000_000),
            },
        )


def _check_image(data: bytes, kind: str) -> None:
    expected = {JPEG: "JPEG", PNG: "PNG"}[kind]
    try:
        with warnings.catch_warnings():
            # Pillow warns of a possible decompression bomb at open; the limit below decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected or image.width < 1 or image.height < 1:
                    raise ValueError(image.format)
                size = image.size
    except Exception as error:
        # Pillow signals a bad file with many exception types (OSError, SyntaxError,
        # struct.error, DecompressionBombError ...); for an upload they all mean one thing.
        raise ValidationError(UPLOAD_KINDS[kind].damaged, code="damaged") from error
    # Opening read only the header: judge the size before anything is decoded.
    image_pixels_check(*size)
    try:
        with Image.open(io.BytesIO(data)) as image:
            # For PNG, verify() checks every chunk's CRC, which a damaged file fails.
            image.verify()
        if kind == JPEG:
            # A JPEG has no checksums and verify() does not decode, so a cut-off photo would
            # pass; decode it at 1/8 scale instead, which is cheap and reads every byte.
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", (image.width // 8 or 1, image.height // 8 or 1))
                image.load()
    except Exception as error:
        raise ValidationError(UPLOAD_KINDS[kind].damaged, code="damaged") from error


def _check_pdf(data: bytes) -> None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else len(reader.pages)
    except Exception as error:
        # pypdf raises PdfReadError, but a hostile file can trip it into KeyError, ValueError,
        # RecursionError and the like; none of them may become a server error.
        raise ValidationError(UPLOAD_KINDS[PDF].damaged, code="damaged") from error
    if encrypted:
        raise ValidationError(
            _("The PDF is protected with a password. Upload a copy without one, or a photo."),
            code="encrypted",
        )
    if pages < 1:
        raise ValidationError(UPLOAD_KINDS[PDF].damaged, code="damaged")


def _check_office(data: bytes, kind: str) -> None:
    """A DOCX or PPTX is an unencrypted ZIP within the archive limits holding the Office Open
    XML parts of its kind. Nothing is inflated: the directory says all this."""
    damaged = UPLOAD_KINDS[kind].damaged
    with archive_open(io.BytesIO(data), damaged=damaged) as archive:
        names, encrypted = archive.names, archive.encrypted
    if encrypted:
        raise ValidationError(
            _("The document is protected with a password. Upload a copy without one."),
            code="encrypted",
        )
    if not {"[Content_Types].xml", _OFFICE_MAIN_PART[kind]} <= names:
        raise ValidationError(damaged, code="damaged")
