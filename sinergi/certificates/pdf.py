"""The certificate PDF: A4 landscape, drawn straight onto a reportlab canvas.

A certificate is an official Indonesian document, so its Indonesian wording comes first and
the English follows in italics; the wording is the template's, not the interface's. Names are
set in DejaVu Serif (core.pdf: embedded, with fallback fonts for the scripts it lacks), so
"Ni Luh Putu Ayu Wéndy", "Muhammad Ḥasan", "محمد" or "王小明" print as written. Each PDF is
PDF/A-2b (XMP metadata, an sRGB output intent), made to be archived.

Bulk issuing renders thousands in a row: `CertificateRenderer` loads the fonts, the template's
images (scaled once to print size) and the signatures once, and renders each certificate from
plain data, without touching the database.
"""

import io
import string
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import segno
from PIL import Image
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from sinergi.core import pdf as core_pdf
from sinergi.core import signing
from sinergi.core.formatting import format_date, format_date_range
from sinergi.core.pdf import SERIF, SERIF_BOLD, SERIF_ITALIC, draw_string, string_width
from sinergi.core.pdf import markup as escape

PAGE = landscape(A4)
WIDTH, HEIGHT = PAGE
NAVY = colors.HexColor("#0b2e59")
GOLD = colors.HexColor("#b8860b")
INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#57606a")

# Images are scaled once to about 200 dpi at the size they are printed.
BACKGROUND_PIXELS = (2339, 1654)
LOGO_PIXELS = 360
SIGNATURE_PIXELS = (480, 200)

# Binary streams (the PDF default) instead of ASCII85 text: a fifth smaller, and reportlab's
# pure-Python ASCII85 encoder was the largest cost of a certificate. Valid for every PDF.
rl_config.useA85 = 0

# The visible digital signature: left, between the wording and the QR code.
SIGNATURE_PLACEMENT = signing.Placement(
    "SinergiSignature", (round(20 * mm), round(52 * mm), round(66 * mm), round(64 * mm))
)

PLACEHOLDERS = ("name", "program", "batch", "dates", "jp", "competencies", "number", "predicate")


# Every certificate's fonts start with these characters, in this order, so that the embedded
# font subsets of two certificates are the same unless a name brings a rarer letter; the
# subsets are then built and compressed once (see _reuse_subsets), not once per PDF.
PRIMED_CHARACTERS = (
    "".join(chr(code) for code in range(32, 127))
    + "–—·‘’“”ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöøùúûüý"
)
_SUBSETS: dict[tuple[str, tuple[int, ...]], tuple[bytes, int]] = {}
_SUBSETS_MAX = 512


def _reuse_subsets(font) -> None:
    """Make `font` embed each distinct subset from a cache of compressed font files.

    reportlab cuts and compresses a TrueType subset for every document; with the same few
    subsets in thousands of certificates that was a third of each PDF's time. The stream is
    the same bytes either way; only the work is done once.
    """
    face = font.face
    original = face.addSubsetObjects

    def add_subset_objects(doc, fontname, subset):
        key = (str(face.filename), tuple(subset))
        entry = _SUBSETS.get(key)
        if entry is None:
            raw = face.__class__.makeSubset(face, subset)
            entry = (zlib.compress(raw), len(raw))
            if len(_SUBSETS) >= _SUBSETS_MAX:
                _SUBSETS.clear()
            _SUBSETS[key] = entry
        compressed, length = entry
        face.makeSubset = lambda _subset: b"\0" * length  # only its length is used
        try:
            reference = original(doc, fontname, subset)
        finally:
            del face.makeSubset
        stream = doc.idToObject[f"fontFile:{face.filename}({fontname})"]
        stream.content = compressed
        # Already compressed: naming the filter stops reportlab from compressing again.
        stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
        return reference

    face.addSubsetObjects = add_subset_objects


@cache
def register_fonts() -> None:
    """Register the fonts once per process, the serif family's subsets cached."""
    core_pdf.register_fonts()
    for name in (SERIF, SERIF_BOLD, SERIF_ITALIC):
        _reuse_subsets(pdfmetrics.getFont(name))


def wording_errors(text: str) -> list[str]:
    """Return the placeholders in `text` that the wording does not know (or a syntax error)."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        return [str(error)]
    return sorted({name for name in names if name not in PLACEHOLDERS})


@dataclass(frozen=True)
class CertificateData:
    """What one certificate says; everything is already a snapshot (no database access)."""

    name: str
    program: str
    batch: str
    starts_on: date
    ends_on: date
    jp: int
    number: str
    code: str
    verify_url: str
    issued_on: date
    competencies: list[str] = field(default_factory=list)
    predicate: str = ""


@dataclass(frozen=True)
class SignatureData:
    name: str
    position: str
    image: "PreparedImage | None"


class PreparedImage:
    """An image encoded once into PDF image objects and drawn into any number of PDFs.

    reportlab's drawImage decodes, hashes and compresses an image again for every document;
    for thousands of certificates with the same logos and signatures that was most of the
    work. This registers the ready-made objects in each document the way drawImage does.
    """

    def __init__(self, image: Image.Image):
        self.name = f"SinergiImage{uuid.uuid4().hex}"
        self.xobject = pdfdoc.PDFImageXObject(self.name, ImageReader(image), mask="auto")
        self.xobject.name = self.name
        self.smask = self.xobject.__dict__.pop("_smask", None)
        if self.smask is not None:
            self.smask.name = f"{self.name}Mask"
            self.xobject.smask = pdfdoc.PDFObjectReference(pdfdoc.xObjectName(self.smask.name))
        self.width, self.height = self.xobject.width, self.xobject.height

    def draw(self, canvas: Canvas, x: float, y: float, width: float, height: float) -> None:
        """Draw the image inside the box, keeping its proportions, centred."""
        document = canvas._doc
        registered = document.getXObjectName(self.name)
        if registered not in document.idToObject:
            # reportlab marks an object with the name it has in a document; each document
            # gets the same name, so forget the last document's mark first.
            for xobject in (self.smask, self.xobject):
                if xobject is not None:
                    xobject.__dict__.pop("__InternalName__", None)
            if self.smask is not None:
                document.Reference(self.smask, document.getXObjectName(self.smask.name))
            document.Reference(self.xobject, registered)
            document.addForm(self.name, self.xobject)
        scale = min(width / self.width, height / self.height)
        drawn_width, drawn_height = self.width * scale, self.height * scale
        canvas.saveState()
        canvas.translate(x + (width - drawn_width) / 2, y + (height - drawn_height) / 2)
        canvas.scale(drawn_width, drawn_height)
        canvas._code.append(f"/{registered} Do")
        canvas.restoreState()
        canvas._formsinuse.append(self.name)
        canvas._currentPageHasImages = 1


def prepare_image(file, box: tuple[int, int]) -> PreparedImage | None:
    """Open an uploaded image once, scaled down to `box` pixels; None when there is none."""
    if not file:
        return None
    file.open("rb")
    try:
        with Image.open(file) as opened:
            opened.load()
            has_alpha = opened.mode in ("RGBA", "LA", "PA") or "transparency" in opened.info
            image = opened.convert("RGBA" if has_alpha else "RGB")
    finally:
        file.close()
    image.thumbnail(box, Image.Resampling.LANCZOS)
    return PreparedImage(image)


class CertificateRenderer:
    """Renders the certificates of one template; build it once per batch."""

    def __init__(
        self,
        *,
        title_id: str,
        title_en: str,
        body_id: str,
        body_en: str,
        place: str,
        host_name: str,
        organisers: list[str],
        logo_ours=None,
        logo_partner=None,
        background=None,
        signatures: list[SignatureData] = (),
    ):
        register_fonts()
        self.title_id = title_id
        self.title_en = title_en
        self.body_id = body_id
        self.body_en = body_en
        self.place = place
        self.host_name = host_name
        self.organisers = organisers
        self.logo_ours = logo_ours
        self.logo_partner = logo_partner
        self.background = background
        self.signatures = list(signatures)
        self.body_style = ParagraphStyle(
            "body",
            fontName=SERIF,
            fontSize=12.5,
            leading=17,
            alignment=TA_CENTER,
            textColor=INK,
            shaping=1,
        )
        self.english_style = ParagraphStyle(
            "english",
            parent=self.body_style,
            fontName=SERIF_ITALIC,
            fontSize=9.5,
            leading=12.5,
            textColor=MUTED,
        )
        self.units_style = ParagraphStyle(
            "units", parent=self.body_style, fontSize=8.5, leading=11, textColor=INK
        )

    @classmethod
    def for_template(cls, template, *, host_name: str) -> "CertificateRenderer":
        """Load a CertificateTemplate's images and signatures once."""
        signatures = [
            SignatureData(
                name=signature.name,
                position=signature.position,
                image=prepare_image(signature.image, SIGNATURE_PIXELS),
            )
            for signature in template.signatures.all()
        ]
        return cls(
            title_id=template.title_id,
            title_en=template.title_en,
            body_id=template.body_id,
            body_en=template.body_en,
            place=template.place,
            host_name=host_name,
            organisers=template.program.organiser_list,
            logo_ours=prepare_image(template.logo_ours, (LOGO_PIXELS, LOGO_PIXELS)),
            logo_partner=prepare_image(template.logo_partner, (LOGO_PIXELS, LOGO_PIXELS)),
            background=prepare_image(template.background, BACKGROUND_PIXELS),
            signatures=signatures,
        )

    # --- Rendering ------------------------------------------------------------------------

    def render(self, data: CertificateData, *, sign: bool = True) -> bytes:
        """Return the certificate as PDF/A-2b, signed with the library's key (PAdES) when
        one is configured and `sign` (a template's sample is not signed)."""
        buffer = io.BytesIO()
        canvas = Canvas(
            buffer, pagesize=PAGE, pageCompression=1, invariant=0, initialFontName=SERIF
        )
        for name in (SERIF, SERIF_BOLD, SERIF_ITALIC):
            pdfmetrics.getFont(name).splitString(PRIMED_CHARACTERS, canvas._doc)
        title = f"{self.title_id} {data.number}"
        subject = f"{data.program} — {data.name}"
        canvas.setTitle(title)
        canvas.setAuthor(self.host_name)
        canvas.setCreator("Sinergi")
        canvas.setSubject(subject)
        self._frame(canvas)
        self._heading(canvas, data)
        y = self._holder(canvas, data)
        self._wording(canvas, data, y)
        self._signatures(canvas, data)
        self._verification(canvas, data)
        canvas.showPage()
        canvas.save()
        content = core_pdf.pdfa_convert(
            buffer.getvalue(), title=title, author=self.host_name, subject=subject
        )
        if not sign:
            return content
        return signing.pdf_sign(
            content, placement=SIGNATURE_PLACEMENT, reason=f"Sertifikat {data.number}"
        )

    def _frame(self, canvas: Canvas) -> None:
        if self.background is not None:
            self.background.draw(canvas, 0, 0, WIDTH, HEIGHT)
            return
        canvas.setStrokeColor(NAVY)
        canvas.setLineWidth(3)
        canvas.rect(10 * mm, 10 * mm, WIDTH - 20 * mm, HEIGHT - 20 * mm)
        canvas.setStrokeColor(GOLD)
        canvas.setLineWidth(1)
        canvas.rect(13 * mm, 13 * mm, WIDTH - 26 * mm, HEIGHT - 26 * mm)

    def _heading(self, canvas: Canvas, data: CertificateData) -> None:
        top = HEIGHT - 20 * mm
        size = 22 * mm
        if self.logo_ours is not None:
            self.logo_ours.draw(canvas, 22 * mm, top - size, size, size)
        if self.logo_partner is not None:
            self.logo_partner.draw(canvas, WIDTH - 22 * mm - size, top - size, size, size)
        canvas.setFillColor(NAVY)
        self._centred_fit(
            canvas, self.host_name.upper(), top - 5 * mm, SERIF_BOLD, 11, WIDTH - 110 * mm
        )
        organisers = [name for name in self.organisers if name != self.host_name]
        if organisers:
            canvas.setFont(SERIF, 9)
            canvas.setFillColor(MUTED)
            self._centred_fit(
                canvas, " · ".join(organisers), top - 10 * mm, SERIF, 9, WIDTH - 110 * mm
            )
        canvas.setFillColor(NAVY)
        self._centred_fit(canvas, self.title_id, top - 27 * mm, SERIF_BOLD, 34, WIDTH - 110 * mm)
        if self.title_en:
            canvas.setFillColor(GOLD)
            draw_string(canvas, WIDTH / 2, top - 34 * mm, self.title_en, SERIF_ITALIC, 12, "centre")
        canvas.setFillColor(INK)
        draw_string(
            canvas, WIDTH / 2, top - 41 * mm, f"Nomor: {data.number}", SERIF, 10.5, "centre"
        )

    def _holder(self, canvas: Canvas, data: CertificateData) -> float:
        y = HEIGHT - 70 * mm
        canvas.setFillColor(INK)
        canvas.setFont(SERIF_ITALIC, 12)
        canvas.drawCentredString(WIDTH / 2, y, "diberikan kepada")
        canvas.setFillColor(MUTED)
        canvas.setFont(SERIF_ITALIC, 9)
        canvas.drawCentredString(WIDTH / 2, y - 4.5 * mm, "is awarded to")
        y -= 15 * mm
        canvas.setFillColor(NAVY)
        size = self._centred_fit(canvas, data.name, y, SERIF_BOLD, 28, WIDTH - 70 * mm)
        width = min(string_width(data.name, SERIF_BOLD, size), WIDTH - 70 * mm)
        canvas.setStrokeColor(GOLD)
        canvas.setLineWidth(0.8)
        canvas.line(
            (WIDTH - width) / 2 - 8 * mm, y - 3 * mm, (WIDTH + width) / 2 + 8 * mm, y - 3 * mm
        )
        return y - 7 * mm

    def _values(self, data: CertificateData, language: str, font: str) -> dict[str, str]:
        """The placeholders' markup, each character's fallback font chosen against the font
        the wording is set in (a name's Arabic or emoji would otherwise be set in Serif)."""
        bold = SERIF_BOLD if font == SERIF else font
        return {
            "name": escape(data.name, font),
            "program": f"<b>{escape(data.program, bold)}</b>",
            "batch": escape(data.batch, font),
            "dates": format_date_range(data.starts_on, data.ends_on, language=language),
            "jp": f"<b>{data.jp}</b>",
            "competencies": escape("; ".join(data.competencies), font),
            "number": escape(data.number, font),
            "predicate": f"<b>{escape(data.predicate, bold)}</b>",
        }

    def _wording(self, canvas: Canvas, data: CertificateData, y: float) -> None:
        width = WIDTH - 80 * mm
        texts = [(self.body_id.format_map(self._values(data, "id", SERIF)), self.body_style)]
        if data.predicate and "{predicate}" not in self.body_id:
            predicate = escape(data.predicate, SERIF_BOLD)
            texts.append((f"dengan predikat <b>{predicate}</b>", self.body_style))
        if self.body_en:
            values = self._values(data, "en", SERIF_ITALIC)
            texts.append((self.body_en.format_map(values), self.english_style))
        if data.competencies and "{competencies}" not in self.body_id:
            units = "; ".join(escape(unit, SERIF) for unit in data.competencies)
            texts.append((f"<b>Unit kompetensi:</b> {units}", self.units_style))
        for text, style in texts:
            paragraph = Paragraph(text.replace("\n", "<br/>"), style)
            _, height = paragraph.wrap(width, HEIGHT)
            y -= height + 2 * mm
            paragraph.drawOn(canvas, (WIDTH - width) / 2, y)

    def _signatures(self, canvas: Canvas, data: CertificateData) -> None:
        if not self.signatures:
            return
        # The QR takes the left; signatures share the rest of the width. The place and date
        # stand above the last signer, as on Indonesian letters.
        left, right = 70 * mm, WIDTH - 22 * mm
        slot = (right - left) / len(self.signatures)
        top, name_y = 57 * mm, 19 * mm
        canvas.setFillColor(INK)
        draw_string(
            canvas,
            left + slot * (len(self.signatures) - 0.5),
            top + 5 * mm,
            f"{self.place}, {format_date(data.issued_on, language='id')}",
            SERIF,
            10,
            "centre",
        )
        for index, signature in enumerate(self.signatures):
            centre = left + slot * (index + 0.5)
            canvas.setFont(SERIF, 9.5)
            lines = self._wrap(signature.position, SERIF, 9.5, slot - 6 * mm)[:3]
            for number, line in enumerate(lines):
                draw_string(canvas, centre, top - number * 11, line, SERIF, 9.5, "centre")
            if signature.image is not None:
                image_top = top - len(lines) * 11
                signature.image.draw(
                    canvas, centre - 25 * mm, name_y + 4, 50 * mm, image_top - name_y - 4
                )
            size = self._centred_fit(
                canvas, signature.name, name_y, SERIF_BOLD, 10, slot - 6 * mm, centre
            )
            width = string_width(signature.name, SERIF_BOLD, size)
            canvas.setLineWidth(0.5)
            canvas.setStrokeColor(INK)
            canvas.line(centre - width / 2, name_y - 2, centre + width / 2, name_y - 2)

    def _verification(self, canvas: Canvas, data: CertificateData) -> None:
        size = 28 * mm
        x, y = 24 * mm, 19 * mm
        draw_qr(canvas, data.verify_url, x, y, size)
        canvas.setFillColor(INK)
        draw_string(canvas, x + size / 2, y - 4 * mm, data.code, SERIF_BOLD, 9, "centre")
        canvas.setFillColor(MUTED)
        canvas.setFont(SERIF, 6.5)
        canvas.drawString(x, y + size + 2 * mm, "Pindai untuk verifikasi / scan to verify")

    # --- Helpers --------------------------------------------------------------------------

    def _centred_fit(self, canvas, text, y, font, size, max_width, centre=WIDTH / 2) -> float:
        """Draw `text` centred at `y`, shrunk until it fits `max_width`; return the size."""
        width = string_width(text, font, size)
        if width > max_width:
            size = max(size * max_width / width, 6)
        draw_string(canvas, centre, y, text, font, size, "centre")
        return size

    @staticmethod
    def _wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
        """Split `text` into lines no wider than `max_width`."""
        lines, line = [], ""
        for word in text.split():
            candidate = f"{line} {word}".strip()
            if line and string_width(candidate, font, size) > max_width:
                lines.append(line)
                line = word
            else:
                line = candidate
        return [*lines, line] if line else lines


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """Draw a QR code of `text` as vector squares, with its quiet zone, at (x, y).

    The mask is fixed: searching for the best of the eight masks took ten times longer than
    everything else in the QR, and any mask is a valid QR code. The squares are written as
    raw `re` operators in module units (one scaled coordinate system), since formatting
    hundreds of floats through reportlab's path API was a visible share of a certificate.
    """
    matrix = segno.make(text, error="m", micro=False, mask=2, boost_error=False).matrix
    border = 4
    modules = len(matrix) + 2 * border
    unit = size / modules
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    operators = []
    for row_index, row in enumerate(matrix):
        top = modules - border - row_index - 1
        column, length = 0, len(row)
        while column < length:
            if row[column]:
                start = column
                while column < length and row[column]:
                    column += 1
                operators.append(f"{start + border} {top} {column - start} 1 re")
            else:
                column += 1
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(unit, unit)
    canvas.setFillColor(colors.black)
    canvas._code.append("\n".join(operators))
    canvas._code.append("f")
    canvas.restoreState()
