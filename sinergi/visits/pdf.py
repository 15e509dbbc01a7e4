"""The visit ticket and the clearance letter (surat keterangan bebas pustaka) as PDFs, and
the QR codes on them.

Both are documents of an Indonesian institution, so they are written in Indonesian whatever
language the reader uses (as training's invoices are); their text is not translatable.
"""

from io import BytesIO

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sinergi.core import signing
from sinergi.core.formatting import format_date, format_time
from sinergi.core.pdf import MONO_BOLD, SANS, SANS_BOLD, register_fonts
from sinergi.core.pdf import markup as pdf_text

from .models import ClearanceRequest, Reservation

INK = colors.HexColor("#212529")
MUTED = colors.HexColor("#6c757d")
ACCENT = colors.HexColor("#0b5394")
BASE = ParagraphStyle("base", fontName=SANS, fontSize=10, leading=14, textColor=INK, shaping=1)
SMALL = ParagraphStyle("small", parent=BASE, fontSize=8, leading=10.5, textColor=MUTED)
CENTER = ParagraphStyle("center", parent=BASE, alignment=TA_CENTER)
TITLE = ParagraphStyle(
    "title",
    parent=BASE,
    fontName=SANS_BOLD,
    fontSize=15,
    leading=19,
    textColor=ACCENT,
    alignment=TA_CENTER,
)
CODE = ParagraphStyle(
    "code", parent=BASE, fontName=MONO_BOLD, fontSize=16, leading=20, alignment=TA_CENTER
)


# The visible digital signature, in the bottom margin on the right.
CLEARANCE_SIGNATURE = signing.Placement(
    "SinergiSignature",
    (round(A4[0] - 80 * mm), round(7 * mm), round(A4[0] - 20 * mm), round(18 * mm)),
)


def qr_png(data: str, *, scale: int = 8) -> bytes:
    """Return `data` as a QR code PNG (error correction M, quiet zone of four modules)."""
    buffer = BytesIO()
    segno.make(data, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def ticket_qr_png(reservation: Reservation) -> bytes:
    """The ticket's QR code holds only its code: the desk looks the rest up."""
    return qr_png(reservation.code)


def _qr_image(data: str, size: float) -> Image:
    return Image(BytesIO(qr_png(data)), width=size, height=size)


def _p(text: str, style=BASE) -> Paragraph:
    return Paragraph(pdf_text(text, style.fontName), style)


def _build(story: list, *, pagesize, title: str, margin: float) -> bytes:
    register_fonts()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=title,
        author=settings.SINERGI_HOST_NAME,
        creator="Sinergi",
        initialFontName=SANS,
    )
    document.build(story)
    return buffer.getvalue()


def ticket_pdf(reservation: Reservation) -> bytes:
    """Return the visit ticket on an A6 page: the QR code, the code, where and when."""
    slot = reservation.slot
    starts, ends = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
    story = [
        _p(settings.SINERGI_HOST_NAME, SMALL),
        _p("Tiket Kunjungan", TITLE),
        Spacer(1, 3 * mm),
        _qr_image(reservation.code, 55 * mm),
        _p(reservation.code, CODE),
        Spacer(1, 3 * mm),
        _p(slot.service_point.name, CENTER),
        _p(slot.service_point.location, CENTER),
        _p(format_date(starts, language="id", weekday=True), CENTER),
        _p(
            f"Pukul {format_time(starts, language='id')}–{format_time(ends, language='id')} WIB",
            CENTER,
        ),
        Spacer(1, 3 * mm),
        _p(reservation.user.full_name, CENTER),
        Spacer(1, 2 * mm),
        _p(
            "Tunjukkan kode QR ini di pintu masuk. Tiket berlaku satu kali, hanya pada hari "
            "dan jam di atas.",
            SMALL,
        ),
    ]
    return _build(story, pagesize=A6, title=f"Tiket {reservation.code}", margin=8 * mm)


def clearance_verify_url(clearance: ClearanceRequest) -> str:
    return settings.SITE_URL + reverse(
        "visits:clearance_verify", args=[clearance.verification_code]
    )


def clearance_signatory(clearance: ClearanceRequest) -> tuple[list[str], str, str]:
    """Return who signs the letter: (position lines, name, NIP). The head of the library when
    configured, else the officer who approved it, on the head's behalf (atas nama)."""
    if settings.SINERGI_LIBRARY_HEAD_NAME:
        return (
            ["Kepala Perpustakaan"],
            settings.SINERGI_LIBRARY_HEAD_NAME,
            settings.SINERGI_LIBRARY_HEAD_NIP,
        )
    officer = clearance.decided_by
    name = officer.full_name if officer is not None else "................................"
    return (["a.n. Kepala Perpustakaan", "Petugas Layanan Perpustakaan"], name, "")


def clearance_letter_pdf(clearance: ClearanceRequest) -> bytes:
    """Return the numbered clearance letter with a QR code that opens its public check."""
    student = clearance.student
    decided = clearance.decided_at or timezone.now()
    facts = Table(
        [
            ["Nama", ":", _p(student.full_name)],
            ["NIM", ":", _p(clearance.student_number)],
            ["Program studi", ":", _p(clearance.study_program)],
        ],
        colWidths=[35 * mm, 5 * mm, 120 * mm],
    )
    facts.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), SANS),
                ("FONTSIZE", (0, 0), (-1, -1), 10.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    verify = clearance_verify_url(clearance)
    position, name, nip = clearance_signatory(clearance)
    signature = Table(
        [
            [
                _qr_image(verify, 32 * mm),
                [
                    _p(f"{settings.SINERGI_DOCUMENT_PLACE}, {format_date(decided, language='id')}"),
                    *[_p(line) for line in position],
                    Spacer(1, 12 * mm),
                    Paragraph(f"<u><b>{pdf_text(name, SANS_BOLD)}</b></u>", BASE),
                    *([_p(f"NIP {nip}")] if nip else []),
                    _p("(ditandatangani secara elektronik)", SMALL),
                ],
            ]
        ],
        colWidths=[45 * mm, 115 * mm],
    )
    signature.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [
        _p(settings.SINERGI_HOST_NAME.upper(), CENTER),
        Spacer(1, 8 * mm),
        _p("SURAT KETERANGAN BEBAS PUSTAKA", TITLE),
        _p(f"Nomor: {clearance.number}", CENTER),
        Spacer(1, 10 * mm),
        _p("Yang bertanda tangan di bawah ini menerangkan bahwa:"),
        Spacer(1, 3 * mm),
        facts,
        Spacer(1, 3 * mm),
        _p(
            "tidak mempunyai pinjaman, tanggungan, maupun kewajiban lain kepada "
            f"{settings.SINERGI_HOST_NAME}, dan telah menyerahkan karya tulis akhirnya. "
            "Surat keterangan ini dibuat untuk keperluan penyelesaian studi."
        ),
        Spacer(1, 12 * mm),
        signature,
        Spacer(1, 8 * mm),
        _p(
            f"Keaslian surat ini dapat diperiksa dengan memindai kode QR atau membuka {verify}",
            SMALL,
        ),
    ]
    content = _build(story, pagesize=A4, title=f"Bebas Pustaka {clearance.number}", margin=20 * mm)
    return signing.pdf_sign(
        content,
        placement=CLEARANCE_SIGNATURE,
        reason=f"Surat Keterangan Bebas Pustaka {clearance.number}",
    )
