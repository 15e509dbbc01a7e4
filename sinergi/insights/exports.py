"""Finance's payment list (XLSX), a speaker's honorarium statement (PDF) and the dashboard's
tables (XLSX). Payment details appear whole only for finance; every export is audited."""

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from sinergi.core.formatting import format_date, format_rupiah, rupiah_in_words
from sinergi.core.pdf import markup as pdf_text
from sinergi.core.pdf import register_fonts
from sinergi.core.services import log_action
from sinergi.core.spreadsheets import workbook_bytes
from sinergi.training import pdf as training_pdf
from sinergi.training.pdf import BASE, BOLD, RIGHT, RIGHT_BOLD, SHADE, SMALL, TITLE, WIDTH

from .selectors.dashboard import Dashboard
from .selectors.finance import BatchFinance, HonorariumLine, masked

NUMBER = ParagraphStyle("number", parent=RIGHT, fontSize=8.5, leading=11)
NUMBER_BOLD = ParagraphStyle("number_bold", parent=RIGHT_BOLD, fontSize=8.5, leading=11)


def _session_day(line: HonorariumLine):
    start = line.session.starts_at
    return timezone.localtime(start).date() if start else None


def payment_list_xlsx(*, finance: BatchFinance, actor) -> bytes:
    """One row per speaker per session: what to transfer, what to withhold, and where to."""
    headers = [
        _("Speaker"),
        _("Institution"),
        _("Honorarium class"),
        _("Tax number (NPWP)"),
        _("Bank"),
        _("Account number"),
        _("Account holder"),
        _("Session"),
        _("Date"),
        _("JP"),
        _("Rate"),
        _("Gross"),
        _("Tax (%)"),
        _("Tax withheld"),
        _("To transfer"),
        _("Note"),
    ]
    rows = []
    for line in finance.honoraria:
        profile = line.profile
        rows.append(
            [
                profile.name_with_title if profile else line.speaker.full_name,
                profile.institution if profile else "",
                str(profile.honorarium_class) if profile and profile.honorarium_class else "",
                masked(profile.npwp, user=actor) if profile else "",
                profile.bank_name if profile else "",
                masked(profile.bank_account_number, user=actor) if profile else "",
                profile.bank_account_holder if profile else "",
                line.session.title,
                _session_day(line),
                line.session.jp,
                line.rate,
                line.gross,
                float(line.tax_percent),
                line.tax,
                line.net,
                _problem_text(line),
            ]
        )
    rows.append(
        [
            _("Total"),
            *[""] * 10,
            finance.honoraria_total,
            "",
            sum(line.tax for line in finance.honoraria),
            sum(line.net for line in finance.honoraria),
            "",
        ]
    )
    log_action(actor, "insights.payment_list.exported", finance.batch, {})
    return workbook_bytes([(_("Honoraria"), headers, rows)])


def _problem_text(line: HonorariumLine) -> str:
    if line.problem == "no_profile":
        return _("No speaker profile")
    if line.problem == "no_class":
        return _("No honorarium class")
    if line.problem == "no_rate":
        return _("No rate for this year")
    if line.unpaid:
        return _("Unpaid (internal staff)")
    return ""


def statement_pdf(*, speaker, profile, lines: list[HonorariumLine], year: int, actor) -> bytes:
    """A speaker's statement of honoraria for a year (Indonesian, like the other documents)."""
    # Its styles name Sinergi's fonts: register them, or the first PDF of a process fails.
    register_fonts()
    name = profile.name_with_title if profile else speaker.full_name
    story = [
        Paragraph("Rekapitulasi Honorarium Narasumber", TITLE),
        Paragraph(f"Tahun {year}", BOLD),
        Spacer(1, 4 * mm),
    ]
    facts = [
        ["Nama", name],
        ["Instansi", profile.institution if profile else "-"],
        [
            "Golongan honorarium",
            str(profile.honorarium_class) if profile and profile.honorarium_class else "-",
        ],
        ["NPWP", masked(profile.npwp, user=actor) if profile and profile.npwp else "-"],
        [
            "Rekening",
            (
                f"{profile.bank_name} {masked(profile.bank_account_number, user=actor)} "
                f"a.n. {profile.bank_account_holder}"
                if profile and profile.bank_account_number
                else "-"
            ),
        ],
    ]
    table = Table(
        [[Paragraph(pdf_text(a), SMALL), Paragraph(pdf_text(b), BASE)] for a, b in facts],
        colWidths=[40 * mm, WIDTH - 40 * mm],
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 6 * mm)]
    head = ["Tanggal", "Angkatan / sesi", "JP", "Tarif", "Bruto", "PPh 21", "Neto"]
    data = [[Paragraph(h, BOLD) for h in head]]
    for line in lines:
        day = _session_day(line)
        data.append(
            [
                Paragraph(format_date(day, language="id") if day else "-", SMALL),
                Paragraph(pdf_text(f"{line.session.batch.code} · {line.session.title}"), BASE),
                Paragraph(str(line.session.jp), NUMBER),
                Paragraph(format_rupiah(line.rate), NUMBER),
                Paragraph(format_rupiah(line.gross), NUMBER),
                Paragraph(f"{format_rupiah(line.tax)} ({line.tax_percent:g}%)", NUMBER),
                Paragraph(format_rupiah(line.net), NUMBER),
            ]
        )
    gross = sum(line.gross for line in lines)
    tax = sum(line.tax for line in lines)
    data.append(
        [
            "",
            Paragraph("Jumlah", BOLD),
            Paragraph(str(sum(line.session.jp for line in lines)), NUMBER_BOLD),
            "",
            Paragraph(format_rupiah(gross), NUMBER_BOLD),
            Paragraph(format_rupiah(tax), NUMBER_BOLD),
            Paragraph(format_rupiah(gross - tax), NUMBER_BOLD),
        ]
    )
    widths = [22 * mm, WIDTH - 22 * mm - 9 * mm - 4 * 25 * mm, 9 * mm] + [25 * mm] * 4
    sessions = Table(data, colWidths=widths, repeatRows=1)
    sessions.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, training_pdf.RULE),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, training_pdf.RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [
        sessions,
        Spacer(1, 4 * mm),
        Paragraph(pdf_text(f"Terbilang (neto): {rupiah_in_words(gross - tax)}"), BASE),
    ]
    log_action(actor, "insights.statement.exported", speaker, {"year": year})
    return training_pdf._build(story, title=f"Rekapitulasi honorarium {name} {year}")


TABLES = ("batches", "programs", "provinces", "institution_types", "speakers", "agreements")


def dashboard_xlsx(*, dashboard: Dashboard, tables: tuple[str, ...], actor) -> bytes:
    """The dashboard's tables, one sheet each."""
    sheets = []

    def rate(value):
        return float(value) if value is not None else None

    if "batches" in tables:
        sheets.append(
            (
                _("Batches"),
                [
                    _("Batch"), _("Program"), _("Status"), _("Starts on"), _("Participants"),
                    _("Revenue"), _("Costs"), _("Profit"), _("Margin (%)"),
                    _("Break-even participants"), _("Completion (%)"), _("Pass rate (%)"),
                    _("Mean learning gain"), _("Satisfaction (1-5)"),
                ],
                [
                    [
                        row.batch.code, row.batch.program.title, row.batch.get_status_display(),
                        row.batch.starts_on, row.participants, row.finance.revenue,
                        row.finance.costs, row.finance.profit, rate(row.finance.margin),
                        row.finance.break_even, rate(row.completion_rate), rate(row.pass_rate),
                        rate(row.mean_gain), rate(row.satisfaction),
                    ]
                    for row in dashboard.batches
                ],
            )
        )  # fmt: skip
    if "programs" in tables:
        sheets.append(
            (
                _("Programs"),
                [_("Program"), _("Batches"), _("Participants"), _("Revenue"), _("Costs"),
                 _("Profit"), _("Completion (%)"), _("Pass rate (%)"), _("Mean learning gain")],
                [
                    [p.program.title, len(p.batches), p.participants, p.revenue, p.costs,
                     p.profit, rate(p.completion_rate), rate(p.pass_rate), rate(p.mean_gain)]
                    for p in dashboard.programs
                ],
            )
        )  # fmt: skip
    if "provinces" in tables:
        sheets.append((_("Provinces"), [_("Province"), _("Participants")], dashboard.by_province))
    if "institution_types" in tables:
        sheets.append(
            (
                _("Institution types"),
                [_("Institution type"), _("Participants")],
                dashboard.by_institution_type,
            )
        )
    if "speakers" in tables:
        sheets.append(
            (
                _("Speakers"),
                [_("Speaker"), _("Batch"), _("Mean rating (1-5)"), _("Answers")],
                [
                    [r.name, r.batch_code, float(r.mean), r.answers]
                    for r in dashboard.speaker_ratings
                ],
            )
        )
    if "agreements" in tables:
        sheets.append(
            (
                _("Expiring agreements"),
                [_("Agreement"), _("Partner"), _("Ends on")],
                [[a.title, a.partner.name, a.ends_on] for a in dashboard.expiring],
            )
        )
    log_action(
        actor, "insights.dashboard.exported", None, {"year": dashboard.year, "tables": list(tables)}
    )
    return workbook_bytes(sheets)
