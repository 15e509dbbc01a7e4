"""The one place every PDF of Sinergi takes its fonts from, and PDF/A for documents kept.

The fonts are vendored TrueType files in core/fonts/ (see the LICENSE files there), embedded
(as subsets) in every PDF, so no PDF relies on a reader's base-14 fonts and a name prints as
typed: DejaVu Sans and Serif cover Latin with every diacritic, Greek, Cyrillic, Armenian,
Georgian, Hebrew and basic Arabic; Droid Sans Fallback covers Chinese, Japanese and Korean;
Noto Sans Javanese the Javanese script (aksara Jawa); Symbola (cut to its symbol and emoji
blocks) monochrome emoji up to Unicode 9. A character none of them has prints as the
replacement character (a visible "?" in a diamond), never as the font's empty .notdef box;
invisible format characters none of them has (the emoji variation selector, a zero-width
joiner) are dropped. Arabic letters are joined by HarfBuzz (uharfbuzz) and the words of a
right-to-left run put in right-to-left order.
"""

import io
import re
import unicodedata
from datetime import datetime
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab import rl_config
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.textobject import bidiShapedText
from reportlab.platypus import Paragraph, paragraph, tables

FONT_DIR = Path(__file__).resolve().parent / "fonts"

SANS, SANS_BOLD, SANS_OBLIQUE, SANS_BOLD_OBLIQUE = (
    "SinergiSans",
    "SinergiSans-Bold",
    "SinergiSans-Oblique",
    "SinergiSans-BoldOblique",
)
MONO, MONO_BOLD = "SinergiMono", "SinergiMono-Bold"
SERIF, SERIF_BOLD, SERIF_ITALIC = "SinergiSerif", "SinergiSerif-Bold", "SinergiSerif-Italic"
CJK, JAVANESE, EMOJI = "SinergiCJK", "SinergiJavanese", "SinergiEmoji"

FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    SANS_OBLIQUE: "DejaVuSans-Oblique.ttf",
    SANS_BOLD_OBLIQUE: "DejaVuSans-BoldOblique.ttf",
    MONO: "DejaVuSansMono.ttf",
    MONO_BOLD: "DejaVuSansMono-Bold.ttf",
    SERIF: "DejaVuSerif.ttf",
    SERIF_BOLD: "DejaVuSerif-Bold.ttf",
    SERIF_ITALIC: "DejaVuSerif-Italic.ttf",
    CJK: "DroidSansFallback.ttf",
    JAVANESE: "NotoSansJavanese-Regular.ttf",
    EMOJI: "SymbolaEmoji.ttf",
}
# Tried in this order for a character the text's own font lacks.
FALLBACKS = (SANS, CJK, JAVANESE, EMOJI)
# Printed for a character no font has: DejaVu Sans has it, so it is never the .notdef box.
MISSING = "\ufffd"


@cache
def register_fonts() -> None:
    """Register every font and the families once per process (reportlab keeps them)."""
    for name, filename in FILES.items():
        pdfmetrics.registerFont(TTFont(name, FONT_DIR / filename))
    # A canvas declares its initial font in every page's preamble: make that one embedded too
    # (reportlab's default is Helvetica, a base-14 font PDF/A forbids unembedded).
    rl_config.canvas_basefontname = SANS
    # A table cell's default font was copied from it at import: Helvetica, set only to be
    # overridden by the Paragraphs in the cells, but still declared in the page's resources.
    tables.CellStyle.fontname = SANS
    # HarfBuzz as reportlab calls it turns on standard and discretionary ligatures (DejaVu's
    # "st", "fi"): copied text would read "Leﬆari". Arabic's required ligatures (rlig) stay.
    features = ttfonts.shapeFragWord.__defaults__[0]
    if isinstance(features, dict):
        features.update(liga=False, dlig=False)
    # reportlab writes a character beyond the BMP (an emoji, a rare CJK ideograph) into the
    # ToUnicode map as five hex digits, which readers take as a different character.
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    # reportlab shapes a word (text between spaces) with the font of its first fragment, so
    # "👧." or "王." (a fallback run and a full stop) came out as the wrong glyphs.
    paragraph.shapeFragWord = _shape_per_font
    pdfmetrics.registerFontFamily(
        SANS, normal=SANS, bold=SANS_BOLD, italic=SANS_OBLIQUE, boldItalic=SANS_BOLD_OBLIQUE
    )
    pdfmetrics.registerFontFamily(
        MONO, normal=MONO, bold=MONO_BOLD, italic=MONO, boldItalic=MONO_BOLD
    )
    pdfmetrics.registerFontFamily(
        SERIF, normal=SERIF, bold=SERIF_BOLD, italic=SERIF_ITALIC, boldItalic=SERIF_BOLD
    )


@cache
def _covers(font: str, character: str) -> bool:
    return ord(character) in pdfmetrics.getFont(font).face.charToGlyph


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """Return reportlab's ToUnicode CMap for `subset`, each code as UTF-16BE (a character
    beyond the BMP as its surrogate pair, as the PDF reference asks)."""

    def utf16(value: int) -> str:
        if 0 <= value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF:
            return chr(value).encode("utf-16-be").hex().upper()
        return "FFFD"

    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{code:02X}> <{utf16(value)}>" for code, value in enumerate(subset)),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


_shape_word = ttfonts.shapeFragWord


def _shape_per_font(word, *args, **kwargs):
    """Shape a Paragraph word one font run at a time and join the runs into one word."""
    fragments = word[1:]
    fonts = {getattr(f, "fontName", None) for f, _ in fragments}
    if (
        isinstance(word, ttfonts.ShapedFragWord)
        or len(fonts) < 2
        or any(hasattr(f, "cbDefn") for f, _ in fragments)
    ):
        return _shape_word(word, *args, **kwargs)
    groups: list[list] = []
    for fragment in fragments:
        if groups and groups[-1][-1][0].fontName == fragment[0].fontName:
            groups[-1].append(fragment)
        else:
            groups.append([fragment])
    joined = ttfonts.makeShapedFragWord(word)([])
    width = 0.0
    for group in groups:
        part_width = sum(pdfmetrics.stringWidth(text, f.fontName, f.fontSize) for f, text in group)
        shaped = _shape_word(word.__class__([part_width, *group]), force=True)
        width += shaped[0]
        joined.extend(shaped[1:])
    joined.insert(0, width)
    return joined


def _font_for(character: str, font: str) -> str | None:
    """Return the font to print `character` in: `font` when it has it, else the first
    fallback that does; None when no font has it."""
    if character.isspace() or _covers(font, character):
        return font
    for fallback in FALLBACKS:
        if fallback != font and _covers(fallback, character):
            return fallback
    return None


def _invisible(character: str) -> bool:
    """A format character or variation selector: it changes how its neighbours look, and
    printing nothing for it is right when no font has it."""
    return unicodedata.category(character) == "Cf" or 0xFE00 <= ord(character) <= 0xFE0F


_RTL_WORD = re.compile(r"\S+")


def _is_rtl(word: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in word)


def visual_order(text: str) -> str:
    """Return `text` with each run of right-to-left words (Arabic, Hebrew) in visual order;
    the letters of each word stay in logical order, for HarfBuzz to shape. Enough for names
    and short lines; a paragraph that wraps is ordered per run, not per line."""
    words = _RTL_WORD.findall(text)
    if not any(_is_rtl(w) for w in words):
        return text
    out, run = [], []
    for word in words:
        if _is_rtl(word):
            run.append(word)
            continue
        out.extend(reversed(run))
        run = []
        out.append(word)
    out.extend(reversed(run))
    return " ".join(out)


def runs(text: str, font: str) -> list[tuple[str, str]]:
    """Split `text` into (segment, font) runs, each character in a font that has it."""
    register_fonts()
    result: list[tuple[str, str]] = []
    for character in visual_order(text):
        chosen = _font_for(character, font)
        if chosen is None:
            if _invisible(character):
                continue
            character, chosen = MISSING, _font_for(MISSING, font)
        if result and result[-1][1] == chosen:
            result[-1] = (result[-1][0] + character, chosen)
        else:
            result.append((character, chosen))
    return result


def markup(text: str, font: str = SANS) -> str:
    """Return plain `text` as escaped Paragraph markup, with fallback fonts where needed."""
    return "".join(
        escape(segment) if used == font else f'<font name="{used}">{escape(segment)}</font>'
        for segment, used in runs(str(text), font)
    )


def string_width(text: str, font: str, size: float) -> float:
    return sum(
        bidiShapedText(segment, None, fontName=used, fontSize=size, shaping=True)[1]
        for segment, used in runs(text, font)
    )


def draw_string(canvas, x: float, y: float, text: str, font: str, size: float, align="left"):
    """Draw one line of `text` (shaped, with fallback fonts) left, centred or right at x."""
    if any(_is_rtl(word) for word in _RTL_WORD.findall(text)):
        return _draw_rtl(canvas, x, y, text, font, size, align)
    width = string_width(text, font, size)
    x = {"left": x, "centre": x - width / 2, "right": x - width}[align]
    for segment, used in runs(text, font):
        canvas.setFont(used, size)
        canvas.drawString(x, y, segment, shaping=True)
        x += bidiShapedText(segment, None, fontName=used, fontSize=size, shaping=True)[1]
    canvas.setFont(font, size)
    return width


def _draw_rtl(canvas, x, y, text, font, size, align) -> float:
    """A line with right-to-left words, drawn as a one-line Paragraph: reportlab's Paragraph
    shapes each word right to left (its canvas drawString, with no bidi library, does not)."""
    style = ParagraphStyle("line", fontName=font, fontSize=size, leading=size * 1.2, shaping=1)
    paragraph = Paragraph(markup(text, font), style)
    _width, height = paragraph.wrap(10_000, 1_000)
    width = max(paragraph.getActualLineWidths0())
    left = {"left": x, "centre": x - width / 2, "right": x - width}[align]
    paragraph.drawOn(canvas, left, y - height + pdfmetrics.getAscent(font, size))
    canvas.setFont(font, size)
    return width


# --- PDF/A-2b ------------------------------------------------------------------------------


@cache
def _srgb_profile() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def pdfa_convert(data: bytes, *, title: str, author: str, subject: str = "") -> bytes:
    """Return the reportlab PDF `data` as PDF/A-2b: XMP metadata that agrees with the document
    information (with the PDF/A identification), and an sRGB output intent. The fonts are
    already embedded (this module's), which PDF/A requires."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        profile = pdf.make_stream(_srgb_profile())
        profile.N = 3
        pdf.Root.OutputIntents = pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.OutputIntent,
                    S=pikepdf.Name.GTS_PDFA1,
                    OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
                    Info=pikepdf.String("sRGB IEC61966-2.1"),
                    DestOutputProfile=profile,
                )
            ]
        )
        now = timezone.localtime(timezone.now()).replace(microsecond=0)
        pdf.docinfo[pikepdf.Name.Title] = title
        pdf.docinfo[pikepdf.Name.Author] = author
        if subject:
            pdf.docinfo[pikepdf.Name.Subject] = subject
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
            meta.load_from_docinfo(pdf.docinfo, delete_missing=False, raise_failure=False)
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
            meta["dc:title"] = title
            meta["dc:creator"] = [author]
            if subject:
                meta["dc:description"] = subject
            meta["xmp:CreateDate"] = _xmp_date(now)
            meta["xmp:ModifyDate"] = _xmp_date(now)
            meta["xmp:MetadataDate"] = _xmp_date(now)
            meta["pdf:Producer"] = "Sinergi (ReportLab, pikepdf)"
        pdf.docinfo[pikepdf.Name.Producer] = "Sinergi (ReportLab, pikepdf)"
        pdf.docinfo[pikepdf.Name.CreationDate] = _pdf_date(now)
        pdf.docinfo[pikepdf.Name.ModDate] = _pdf_date(now)
        out = io.BytesIO()
        pdf.save(out, fix_metadata_version=False, deterministic_id=True)
    return out.getvalue()


def _xmp_date(moment: datetime) -> str:
    return moment.isoformat()


def _pdf_date(moment: datetime) -> str:
    offset = moment.strftime("%z")
    return moment.strftime("D:%Y%m%d%H%M%S") + f"{offset[:3]}'{offset[3:]}'"
