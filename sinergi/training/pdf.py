"""Invoice, receipt (kuitansi) and credit-note PDFs.

These are official documents of an Indonesian institution, so they are written in Indonesian
whatever language the person reading them uses; their text is therefore not translatable.
Fonts come from core.pdf (embedded DejaVu Sans, with fallbacks), so any name prints.
"""

from datetime import datetime, timedelta
from io import BytesIO

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from sinergi.core import signing
from sinergi.core.formatting import (
    format_date,
    format_date_range,
    format_datetime,
    format_rupiah,
    rupiah_in_words,
)
from sinergi.core.pdf import SANS, SANS_BOLD, SANS_BOLD_OBLIQUE, draw_string, register_fonts
from sinergi.core.pdf import markup as pdf_text

from .models import Invoice, InvoiceStatus, PaymentMethod, PaymentState, RegistrationState

MARGIN = 20 * mm
# The receipt's visible digital signature: bottom right of the last page, above the footer.
RECEIPT_SIGNATURE = signing.Placement(
    "SinergiSignature",
    (round(A4[0] - MARGIN - 60 * mm), round(15 * mm), round(A4[0] - MARGIN), round(26 * mm)),
    page=-1,
)
WIDTH = A4[0] - 2 * MARGIN
INK = colors.HexColor("#212529")
MUTED = colors.HexColor("#6c757d")
RULE = colors.HexColor("#adb5bd")
SHADE = colors.HexColor("#f1f3f5")
ACCENT = colors.HexColor("#0b5394")
GREEN = colors.HexColor("#198754")
RED = colors.HexColor("#b02a37")

BASE = ParagraphStyle("base", fontName=SANS, fontSize=9.5, leading=13, textColor=INK, shaping=1)
SMALL = ParagraphStyle("small", parent=BASE, fontSize=8, leading=10.5, textColor=MUTED)
BOLD = ParagraphStyle("bold", parent=BASE, fontName=SANS_BOLD)
RIGHT = ParagraphStyle("right", parent=BASE, alignment=TA_RIGHT)
RIGHT_BOLD = ParagraphStyle("right_bold", parent=BOLD, alignment=TA_RIGHT)
TITLE = ParagraphStyle(
    "title", parent=BOLD, fontSize=18, leading=22, textColor=ACCENT, spaceAfter=2
)
CENTER_TITLE = ParagraphStyle("center_title", parent=TITLE, alignment=TA_CENTER)
CENTER = ParagraphStyle("center", parent=BASE, alignment=TA_CENTER)
WORDS = ParagraphStyle("words", parent=BASE, fontName=SANS_BOLD_OBLIQUE, fontSize=10.5)
BIG = ParagraphStyle("big", parent=BOLD, fontSize=15, leading=19)


# --- Formatting ------------------------------------------------------------------------------


def _p(text: str, style: ParagraphStyle = BASE) -> Paragraph:
    """A paragraph of plain text (escaped: names may contain & or <)."""
    return Paragraph(pdf_text(str(text), style.fontName), style)


def _markup(markup: str, style: ParagraphStyle = BASE) -> Paragraph:
    """A paragraph of trusted markup; callers escape what they put into it."""
    return Paragraph(markup, style)


# --- Page furniture ---------------------------------------------------------------------------


def _page(stamp: str = "", stamp_color=GREEN):
    """Draw the letterhead, the footer and, when given, a diagonal stamp on every page."""

    def draw(canvas, doc):
        canvas.saveState()
        top = A4[1] - 14 * mm
        canvas.setFillColor(ACCENT)
        draw_string(canvas, MARGIN, top, settings.SINERGI_HOST_NAME, SANS_BOLD, 13)
        canvas.setFillColor(MUTED)
        canvas.setFont(SANS, 8.5)
        canvas.drawString(
            MARGIN,
            top - 12,
            f"Sinergi · Pelatihan Kepustakawanan · {settings.SITE_URL} · "
            f"{settings.SINERGI_SUPPORT_EMAIL}",
        )
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1.2)
        canvas.line(MARGIN, top - 18, A4[0] - MARGIN, top - 18)

        canvas.setFont(SANS, 7.5)
        canvas.drawString(
            MARGIN,
            12 * mm,
            "Dokumen ini dibuat secara elektronik oleh Sinergi pada "
            f"{format_datetime(timezone.now(), language='id')}.",
        )
        canvas.drawRightString(A4[0] - MARGIN, 12 * mm, f"Halaman {doc.page}")

        if stamp:
            # Below the content's usual height, and small enough to stay on the page.
            size = min(92, 92 * 150 * mm / canvas.stringWidth(stamp, SANS_BOLD, 92))
            canvas.translate(A4[0] / 2, A4[1] / 2 - 45 * mm)
            canvas.rotate(30)
            canvas.setFillColor(stamp_color)
            canvas.setFillAlpha(0.13)
            canvas.setFont(SANS_BOLD, size)
            canvas.drawCentredString(0, -size / 3, stamp)
        canvas.restoreState()

    return draw


def _build(story: list, *, title: str, stamp: str = "", stamp_color=GREEN) -> bytes:
    register_fonts()
    buffer = BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=32 * mm,
        bottomMargin=22 * mm,
        title=title,
        author=settings.SINERGI_HOST_NAME,
        creator="Sinergi",
        subject=title,
        lang="id-ID",
        initialFontName=SANS,
    )
    # A frame without padding, so the text lines up with the letterhead drawn at the margin.
    frame = Frame(
        MARGIN,
        document.bottomMargin,
        WIDTH,
        document.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    document.addPageTemplates([PageTemplate(frames=[frame], onPage=_page(stamp, stamp_color))])
    document.build(story)
    return buffer.getvalue()


def _status(invoice: Invoice) -> tuple[str, colors.Color]:
    if invoice.status == InvoiceStatus.PAID:
        return "LUNAS", GREEN
    if invoice.status == InvoiceStatus.CREDITED:
        return "DIBATALKAN", RED
    return "BELUM DIBAYAR", colors.HexColor("#b35c00")


def _heading(title: str, invoice: Invoice) -> Table:
    label, color = _status(invoice)
    badge = ParagraphStyle("badge", parent=RIGHT_BOLD, fontSize=12, leading=15, textColor=color)
    table = Table([[_p(title, TITLE), _p(label, badge)]], colWidths=[WIDTH * 0.6, WIDTH * 0.4])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _fields(
    rows: list[tuple[str, Flowable | str]], label_width: float, width: float = WIDTH
) -> Table:
    """A borderless table of `label : value` lines."""
    data = [
        [_p(label, BOLD), _p(":"), _p(value) if isinstance(value, str) else value]
        for label, value in rows
    ]
    return Table(
        data,
        colWidths=[label_width, 3 * mm, width - label_width - 3 * mm],
        hAlign="LEFT",
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        ),
    )


def _pay_before(invoice: Invoice) -> datetime:
    """The moment the invoice's seats lapse: its registrations' deadline, else its due date."""
    deadline = (
        invoice.registrations.filter(state=RegistrationState.PENDING_PAYMENT)
        .order_by("expires_at")
        .values_list("expires_at", flat=True)
        .first()
    )
    return deadline or invoice.due_at


def _deadline_capped_note(invoice: Invoice) -> list:
    """Say so when the deadline is the batch's start, shorter than the usual payment window."""
    usual = invoice.issued_at + timedelta(hours=settings.SINERGI_PAYMENT_WINDOW_HOURS)
    if invoice.due_at >= usual or invoice.due_at < invoice.batch.starts_at:
        return []
    starts = format_datetime(invoice.batch.starts_at, language="id")
    return [
        [
            _markup(
                "<b>Batas pembayaran dipersingkat:</b> pembayaran tidak dapat melewati saat "
                f"diklat dimulai ({starts})."
            )
        ]
    ]


def _item_description(invoice: Invoice) -> Paragraph:
    batch = invoice.batch
    where = batch.place or "daring (online)"
    return _markup(
        f"<b>Biaya pelatihan: {pdf_text(batch.program.title)}</b><br/>"
        f"Angkatan {pdf_text(batch.code)} · "
        f"{format_date_range(batch.starts_on, batch.ends_on, language='id')} · "
        f"{pdf_text(where)}<br/>"
        f"<font size=8 color='#6c757d'>{batch.program.total_jp} JP</font>"
    )


# --- Invoice ---------------------------------------------------------------------------------


def invoice_pdf(invoice: Invoice) -> bytes:
    """Return the invoice (tagihan) as an A4 PDF."""
    buyer = invoice.buyer
    stamp, stamp_color = "", GREEN
    if invoice.status == InvoiceStatus.PAID:
        stamp = "LUNAS"
    elif invoice.status == InvoiceStatus.CREDITED:
        stamp, stamp_color = "DIBATALKAN", RED

    billed_to = [f"<b>{pdf_text(invoice.buyer_name, SANS_BOLD)}</b>"]
    if buyer.institution_name and buyer.institution_name != invoice.buyer_name:
        billed_to.append(pdf_text(buyer.institution_name))
    billed_to.append(pdf_text(buyer.email))
    details = [
        ("Nomor", _p(invoice.number, BOLD)),
        ("Tanggal", format_date(invoice.issued_at, language="id")),
    ]
    if invoice.status == InvoiceStatus.OPEN:
        details.append(("Jatuh tempo", format_datetime(_pay_before(invoice), language="id")))
    elif invoice.status == InvoiceStatus.PAID and invoice.paid_at:
        details.append(("Tanggal lunas", format_date(invoice.paid_at, language="id")))
    parties = Table(
        [
            [
                [_p("Ditagihkan kepada", SMALL), _markup("<br/>".join(billed_to))],
                _fields(details, 24 * mm, WIDTH * 0.5),
            ]
        ],
        colWidths=[WIDTH * 0.5, WIDTH * 0.5],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )

    lines = [
        [
            _p("No", BOLD),
            _p("Uraian", BOLD),
            _p("Peserta", RIGHT_BOLD),
            _p("Harga satuan", RIGHT_BOLD),
            _p("Jumlah", RIGHT_BOLD),
        ],
        [
            _p("1"),
            _item_description(invoice),
            _p(f"{invoice.quantity} ×", RIGHT),
            _p(format_rupiah(invoice.unit_price), RIGHT),
            _p(format_rupiah(invoice.amount), RIGHT),
        ],
        [
            "",
            _p("Total tagihan", RIGHT_BOLD),
            "",
            "",
            _p(format_rupiah(invoice.amount), RIGHT_BOLD),
        ],
    ]
    if invoice.unique_code and invoice.status == InvoiceStatus.OPEN:
        lines += [
            [
                "",
                _p("Kode unik transfer (untuk mencocokkan pembayaran)", RIGHT),
                "",
                "",
                _p(format_rupiah(invoice.unique_code), RIGHT),
            ],
            [
                "",
                _p("Jumlah yang harus ditransfer", RIGHT_BOLD),
                "",
                "",
                _p(format_rupiah(invoice.transfer_amount), RIGHT_BOLD),
            ],
        ]
    table = Table(
        lines,
        colWidths=[10 * mm, WIDTH - 92 * mm, 20 * mm, 30 * mm, 32 * mm],
        repeatRows=1,
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
                ("LINEBELOW", (0, 1), (-1, 1), 0.5, RULE),
                ("LINEBELOW", (0, -1), (-1, -1), 0.8, INK),
                ("SPAN", (1, 2), (3, 2)),
                *[("SPAN", (1, row), (3, row)) for row in range(3, len(lines))],
                ("BACKGROUND", (0, -1), (-1, -1), SHADE if len(lines) > 3 else colors.white),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        ),
    )

    story = [
        _heading("INVOICE", invoice),
        Spacer(1, 5 * mm),
        parties,
        Spacer(1, 7 * mm),
        table,
        Spacer(1, 3 * mm),
        _markup(f"Terbilang: <i>{pdf_text(rupiah_in_words(invoice.amount))}</i>"),
        Spacer(1, 7 * mm),
    ]
    story += _invoice_closing(invoice)
    return _build(story, title=f"Invoice {invoice.number}", stamp=stamp, stamp_color=stamp_color)


def _invoice_closing(invoice: Invoice) -> list:
    if invoice.status == InvoiceStatus.PAID:
        paid = f" pada {format_date(invoice.paid_at, language='id')}" if invoice.paid_at else ""
        return [
            _markup(
                f"<b>Invoice ini telah dibayar lunas{paid}.</b> Terima kasih. Kuitansi dapat "
                "diunduh dari halaman pendaftaran Anda."
            )
        ]
    if invoice.status == InvoiceStatus.CREDITED:
        note = getattr(invoice, "credit_note", None)
        text = "<b>Invoice ini dibatalkan dan tidak perlu dibayar.</b>"
        if note is not None:
            text += (
                f" Nota kredit {pdf_text(note.number)} tanggal "
                f"{format_date(note.created_at, language='id')}: {pdf_text(note.reason)}."
            )
        return [_markup(text)]

    pay_before = format_datetime(_pay_before(invoice), language="id")
    page = settings.SITE_URL + reverse("training:my_registrations")
    bank = _fields(
        [
            ("Bank", settings.SINERGI_BANK_NAME),
            ("Nomor rekening", _p(settings.SINERGI_BANK_ACCOUNT, BOLD)),
            ("Atas nama", settings.SINERGI_BANK_ACCOUNT_NAME),
            ("Jumlah tepat", _p(format_rupiah(invoice.transfer_amount), BOLD)),
            ("Berita transfer", invoice.number),
        ],
        32 * mm,
        WIDTH - 16,
    )
    box = Table(
        [
            [_p("Cara pembayaran", BOLD)],
            [
                _markup(
                    "Transfer ke rekening berikut <b>tepat sejumlah "
                    f"{format_rupiah(invoice.transfer_amount)}</b> (termasuk kode unik "
                    f"{invoice.unique_code}) agar pembayaran Anda mudah dicocokkan:"
                )
            ],
            [bank],
            [
                _markup(
                    "Setelah transfer, unggah bukti pembayaran di halaman pendaftaran: "
                    f"{pdf_text(page)}"
                )
            ],
            *_deadline_capped_note(invoice),
        ],
        colWidths=[WIDTH],
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        ),
    )
    return [
        KeepTogether([box]),
        Spacer(1, 5 * mm),
        _markup(
            f"<b>Bayar sebelum {pay_before}.</b> Bila belum dibayar sampai saat itu, pendaftaran "
            "batal dengan sendirinya dan kursinya diberikan kepada peserta pada daftar tunggu."
        ),
    ]


# --- Receipt ---------------------------------------------------------------------------------


def receipt_number(invoice: Invoice) -> str:
    """A receipt belongs to exactly one paid invoice, so it is numbered after it."""
    return f"{invoice.number}/KW"


def receipt_pdf(invoice: Invoice) -> bytes:
    """Return the receipt (kuitansi) for a paid invoice as an A4 PDF."""
    payment = invoice.payments.filter(state=PaymentState.APPROVED).order_by("created_at").first()
    received = payment.amount if payment is not None else invoice.amount
    paid_on = invoice.paid_at or (payment.reviewed_at if payment else None) or timezone.now()
    batch = invoice.batch
    purpose = (
        f"Biaya pelatihan <b>{pdf_text(batch.program.title, SANS_BOLD)}</b>, "
        f"angkatan {pdf_text(batch.code)} "
        f"({format_date_range(batch.starts_on, batch.ends_on, language='id')}), "
        f"untuk {invoice.quantity} peserta "
        f"× {format_rupiah(invoice.unit_price)}; invoice {pdf_text(invoice.number)}"
    )
    if received != invoice.amount:
        purpose += f" (termasuk kode unik transfer {format_rupiah(received - invoice.amount)})"
    purpose += "."
    if payment is None or payment.method == PaymentMethod.TRANSFER:
        method = f"Transfer bank ke {settings.SINERGI_BANK_NAME}"
    else:
        method = "Payment gateway (Midtrans)"
        if payment.gateway_order_id:
            method += f", order {payment.gateway_order_id}"

    words = Table(
        [[_p(rupiah_in_words(received), WORDS)]],
        colWidths=[None],
        style=TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        ),
    )
    fields = _fields(
        [
            ("Nomor", _p(receipt_number(invoice), BOLD)),
            ("Telah terima dari", _p(invoice.buyer_name, BOLD)),
            ("Uang sejumlah", words),
            ("Untuk pembayaran", _markup(purpose)),
            ("Cara pembayaran", f"{method}, {format_date(paid_on, language='id')}"),
        ],
        36 * mm,
    )
    fields.setStyle(TableStyle([("TOPPADDING", (0, 2), (1, 2), 6)]))
    amount = Table(
        [[_p(format_rupiah(received), BIG)]],
        colWidths=[62 * mm],
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, INK),
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ]
        ),
    )
    signature = [
        _p(f"{settings.SINERGI_DOCUMENT_PLACE}, {format_date(paid_on, language='id')}", CENTER),
        _p(settings.SINERGI_TREASURER_TITLE, CENTER),
        Spacer(1, 22 * mm),
        _markup(
            f"<u><b>{pdf_text(settings.SINERGI_TREASURER_NAME, SANS_BOLD)}</b></u>"
            if settings.SINERGI_TREASURER_NAME
            else "(" + "." * 60 + ")",
            CENTER,
        ),
    ]
    closing = Table(
        [[amount, signature]],
        colWidths=[WIDTH * 0.5, WIDTH * 0.5],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (0, 0), "MIDDLE"),
                ("VALIGN", (1, 0), (1, 0), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    story = [
        _p("KUITANSI", CENTER_TITLE),
        _p("Tanda terima pembayaran", ParagraphStyle("sub", parent=SMALL, alignment=TA_CENTER)),
        Spacer(1, 8 * mm),
        fields,
        Spacer(1, 12 * mm),
        KeepTogether([closing]),
    ]
    content = _build(story, title=f"Kuitansi {receipt_number(invoice)}", stamp="LUNAS")
    return signing.pdf_sign(
        content, placement=RECEIPT_SIGNATURE, reason=f"Kuitansi {receipt_number(invoice)}"
    )


# --- Credit note -----------------------------------------------------------------------------


def credit_note_pdf(invoice: Invoice) -> bytes:
    """Return the credit note (nota kredit) that cancelled `invoice` as an A4 PDF."""
    note = invoice.credit_note
    fields = _fields(
        [
            ("Nomor", _p(note.number, BOLD)),
            ("Tanggal", format_date(note.created_at, language="id")),
            ("Kepada", _p(invoice.buyer_name, BOLD)),
            (
                "Membatalkan",
                f"Invoice {invoice.number} tanggal {format_date(invoice.issued_at, language='id')}",
            ),
            ("Uraian", _item_description(invoice)),
            ("Jumlah", _p(format_rupiah(note.amount), BOLD)),
            ("Terbilang", _markup(f"<i>{pdf_text(rupiah_in_words(note.amount))}</i>")),
            ("Alasan", note.reason),
        ],
        32 * mm,
    )
    story = [
        _heading("NOTA KREDIT", invoice),
        Spacer(1, 8 * mm),
        fields,
        Spacer(1, 8 * mm),
        _p(
            "Dengan nota kredit ini invoice tersebut dibatalkan seluruhnya dan tidak perlu "
            "dibayar. Nomor invoice tetap tercatat dan tidak dipakai ulang."
        ),
    ]
    return _build(story, title=f"Nota kredit {note.number}")
