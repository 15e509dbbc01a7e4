"""The JP transcript a participant hands to their employer: a signed PDF and an XLSX.

Like the clearance letter, the PDF is a document of an Indonesian institution, written in
Indonesian whatever language the reader uses; it is signed (PAdES) like the certificates, so
the employer can check offline that the library issued it and that no line was changed.
"""

from io import BytesIO

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sinergi.core import signing
from sinergi.core.formatting import format_date, format_date_range, format_datetime
from sinergi.core.pdf import SANS, SANS_BOLD, register_fonts
from sinergi.core.pdf import markup as pdf_text
from sinergi.core.spreadsheets import workbook_bytes

from .selectors import JpRecord

INK = colors.HexColor("#212529")
MUTED = colors.HexColor("#6c757d")
ACCENT = colors.HexColor("#0b5394")
BASE = ParagraphStyle("base", fontName=SANS, fontSize=9.5, leading=13, textColor=INK, shaping=1)
BOLD = ParagraphStyle("bold", parent=BASE, fontName=SANS_BOLD)
SMALL = ParagraphStyle("small", parent=BASE, fontSize=8, leading=10.5, textColor=MUTED)
CENTER = ParagraphStyle("center", parent=BASE, alignment=TA_CENTER)
TITLE = ParagraphStyle(
    "title", parent=BOLD, fontSize=14, leading=18, textColor=ACCENT, alignment=TA_CENTER
)

# The visible digital signature, in the bottom margin on the right (as on a clearance letter).
TRANSCRIPT_SIGNATURE = signing.Placement(
    "SinergiSignature",
    (round(A4[0] - 80 * mm), round(7 * mm), round(A4[0] - 20 * mm), round(18 * mm)),
    page=-1,
)
SOURCES = {"sinergi": "Sinergi", "declared": "Dilaporkan, diterima"}


def _p(text, style=BASE) -> Paragraph:
    return Paragraph(pdf_text(str(text), style.fontName), style)


def signature_reason(*, user, year: int) -> str:
    return f"Transkrip JP {year} {user.full_name or user.email}"


def transcript_pdf(*, user, record: JpRecord) -> bytes:
    """Return the year's JP transcript of `user`, signed."""
    register_fonts()
    name = user.full_name or user.email
    rows = [[_p("No.", BOLD), _p("Kegiatan", BOLD), _p("Waktu", BOLD), _p("JP", BOLD)]]
    for index, entry in enumerate(record.entries, start=1):
        detail = f"{entry.organiser}"
        if entry.reference:
            detail += f" · Sertifikat {entry.reference}"
        else:
            detail += f" · {SOURCES[entry.source]}"
        rows.append(
            [
                _p(index),
                [_p(entry.title), _p(detail, SMALL)],
                _p(format_date_range(entry.starts_on, entry.ends_on, language="id")),
                _p(entry.jp),
            ]
        )
    rows.append(["", _p("Jumlah", BOLD), "", _p(record.total, BOLD)])
    table = Table(rows, colWidths=[10 * mm, 95 * mm, 45 * mm, 15 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f1f4f8")]),
            ]
        )
    )
    verdict = f"Target pengembangan kompetensi tahun {record.year}: {record.target} JP — " + (
        "tercapai." if record.reached else f"kurang {record.missing} JP."
    )
    story = [
        _p(settings.SINERGI_HOST_NAME.upper(), CENTER),
        Spacer(1, 6 * mm),
        _p("TRANSKRIP JAM PELAJARAN (JP) PENGEMBANGAN KOMPETENSI", TITLE),
        _p(f"Tahun {record.year}", CENTER),
        Spacer(1, 8 * mm),
        Table(
            [
                [_p("Nama"), _p(f": {name}")],
                [_p("Instansi"), _p(f": {user.institution_name or '-'}")],
                [_p("Surel"), _p(f": {user.email}")],
            ],
            colWidths=[30 * mm, 135 * mm],
        ),
        Spacer(1, 5 * mm),
        table if record.entries else _p("Belum ada kegiatan yang tercatat pada tahun ini."),
        Spacer(1, 5 * mm),
        _p(verdict, BOLD),
        Spacer(1, 8 * mm),
        _p(
            f"Dicetak dari Sinergi, {format_datetime(timezone.now(), language='id')}. "
            "JP dari Sinergi berasal dari sertifikat yang berlaku; JP yang dilaporkan peserta "
            "dihitung setelah diperiksa dan diterima petugas. Dokumen ini ditandatangani secara "
            "elektronik; keasliannya dapat diperiksa di pembaca PDF.",
            SMALL,
        ),
        _p(f"{settings.SINERGI_DOCUMENT_PLACE}, {format_date(timezone.now(), language='id')}"),
    ]
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=22 * mm,
        title=f"Transkrip JP {record.year} - {name}",
        author=settings.SINERGI_HOST_NAME,
        creator="Sinergi",
        initialFontName=SANS,
    )
    document.build(story)
    return signing.pdf_sign(
        buffer.getvalue(),
        placement=TRANSCRIPT_SIGNATURE,
        reason=signature_reason(user=user, year=record.year),
    )


def transcript_xlsx(*, user, record: JpRecord) -> bytes:
    """Return the year's JP transcript as a spreadsheet (not signed: the PDF is the proof)."""
    rows = [
        [
            entry.title,
            entry.organiser,
            entry.starts_on,
            entry.ends_on,
            entry.jp,
            SOURCES[entry.source],
            entry.reference,
        ]
        for entry in record.entries
    ]
    rows.append(["Jumlah", "", None, None, record.total, "", ""])
    rows.append([f"Target {record.year}", "", None, None, record.target, "", ""])
    headers = ["Kegiatan", "Penyelenggara", "Mulai", "Selesai", "JP", "Sumber", "Nomor sertifikat"]
    about = [
        ["Nama", user.full_name or user.email],
        ["Surel", user.email],
        ["Tahun", record.year],
        ["Diterbitkan oleh", settings.SINERGI_HOST_NAME],
    ]
    return workbook_bytes(
        [(f"JP {record.year}", headers, rows), ("Peserta", ["Keterangan", "Isi"], about)]
    )
