"""Small real e-books the project makes itself (for demo data and benchmarks): an EPUB 3 built
with zipfile, and a PDF drawn with reportlab."""

import io
import zipfile
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A5
from reportlab.pdfgen import canvas

from sinergi.core.pdf import SANS, SANS_BOLD, draw_string, register_fonts, string_width

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>"""


def epub_bytes(*, title: str, author: str, language: str, chapters: list[tuple[str, str]]) -> bytes:
    """Return a valid EPUB 3 with one XHTML file per (heading, text) chapter."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("META-INF/container.xml", CONTAINER, zipfile.ZIP_DEFLATED)
        manifest, spine, nav = [], [], []
        for number, (heading, text) in enumerate(chapters, start=1):
            name = f"chapter{number}.xhtml"
            paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))
            archive.writestr(
                f"OEBPS/{name}",
                f'<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"'
                f' xml:lang="{language}"><head><title>{escape(heading)}</title></head>'
                f"<body><h1>{escape(heading)}</h1>{paragraphs}</body></html>",
                zipfile.ZIP_DEFLATED,
            )
            manifest.append(
                f'<item id="c{number}" href="{name}" media-type="application/xhtml+xml"/>'
            )
            spine.append(f'<itemref idref="c{number}"/>')
            nav.append(f'<li><a href="{name}">{escape(heading)}</a></li>')
        archive.writestr(
            "OEBPS/nav.xhtml",
            '<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"'
            ' xmlns:epub="http://www.idpf.org/2007/ops"><head><title>Daftar isi</title></head>'
            f'<body><nav epub:type="toc"><ol>{"".join(nav)}</ol></nav></body></html>',
            zipfile.ZIP_DEFLATED,
        )
        archive.writestr(
            "OEBPS/content.opf",
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:identifier id="id">urn:sinergi:{escape(title)}</dc:identifier>'
            f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(author)}</dc:creator>"
            f"<dc:language>{language}</dc:language>"
            '<meta property="dcterms:modified">2026-01-01T00:00:00Z</meta></metadata>'
            '<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml"'
            f' properties="nav"/>{"".join(manifest)}</manifest>'
            f"<spine>{''.join(spine)}</spine></package>",
            zipfile.ZIP_DEFLATED,
        )
    return buffer.getvalue()


def pdf_bytes(*, title: str, author: str, chapters: list[tuple[str, str]]) -> bytes:
    """Return a small PDF: a title page, then one page per chapter."""
    register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A5, initialFontName=SANS)
    pdf.setTitle(title)
    pdf.setAuthor(author)
    width, height = A5
    draw_string(pdf, width / 2, height * 0.6, title[:60], SANS_BOLD, 16, align="centre")
    draw_string(pdf, width / 2, height * 0.6 - 24, author, SANS, 11, align="centre")
    pdf.showPage()
    for heading, text in chapters:
        draw_string(pdf, 36, height - 50, heading[:70], SANS_BOLD, 13)
        y = height - 76
        for paragraph in text.split("\n\n"):
            words, line = paragraph.split(), ""
            for word in words:
                if string_width(f"{line} {word}", SANS, 10) > width - 72:
                    draw_string(pdf, 36, y, line, SANS, 10)
                    y -= 14
                    line = word
                else:
                    line = f"{line} {word}".strip()
            draw_string(pdf, 36, y, line, SANS, 10)
            y -= 22
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
