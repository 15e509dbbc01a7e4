"""The yearly implementation report (per agreement or per partner) as XLSX, for the
university's performance (IKU) reporting."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from sinergi.core.services import log_action
from sinergi.core.spreadsheets import xlsx_cell, xlsx_row

from . import selectors
from .models import Agreement, AgreementStatus, Partner

WIDTHS = [34, 18, 16, 18, 40, 14, 12, 40, 40]


def yearly_report(*, agreements: list[Agreement], year: int, title: str, actor, target) -> bytes:
    """Return an XLSX with one sheet of agreements and one of their activities in `year`."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Agreements")[:31]
    sheet.append([xlsx_cell(sheet, title, bold=True, size=13)])
    sheet.append([_("Year"), year])
    sheet.append([])
    headers = [
        _("Agreement"),
        _("Kind"),
        _("Status"),
        _("Our number"),
        _("Partner"),
        _("Starts on"),
        _("Ends on"),
        _("IKU partner criteria"),
        _("Forms of partnership"),
    ]
    sheet.append(xlsx_row(sheet, headers, bold=True))
    for agreement in agreements:
        sheet.append(
            xlsx_row(
                sheet,
                [
                    agreement.title,
                    agreement.get_kind_display(),
                    AgreementStatus(selectors.agreement_status(agreement)).label,
                    agreement.our_number,
                    agreement.partner.name,
                    agreement.starts_on,
                    agreement.ends_on,
                    "; ".join(c.name for c in agreement.iku_criteria.all()),
                    "; ".join(f.name for f in agreement.partnership_forms.all()),
                ],
            )
        )
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width

    activities = workbook.create_sheet(_("Activities")[:31])
    activities.append(
        xlsx_row(
            activities,
            [_("Date"), _("Kind"), _("Activity"), _("Participants"), _("Agreement")],
            bold=True,
        )
    )
    for row in selectors.evidence_rows(agreements=agreements, year=year):
        activities.append(
            xlsx_row(
                activities,
                [
                    row.held_on,
                    row.kind,
                    row.title,
                    row.participants,
                    row.agreement.title,
                ],
            )
        )
    for index, width in enumerate([14, 20, 50, 14, 50]):
        activities.column_dimensions[chr(ord("A") + index)].width = width
    for sheet_ in (sheet, activities):
        for cells in sheet_.iter_rows():
            for cell in cells:
                if hasattr(cell.value, "year") and not isinstance(cell.value, int):
                    cell.number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    log_action(actor, "partners.report_exported", target, {"year": year})
    return buffer.getvalue()


def agreement_report(*, agreement: Agreement, year: int, actor) -> bytes:
    title = _("Implementation report %(year)s: %(title)s") % {
        "year": year,
        "title": agreement.title,
    }
    return yearly_report(
        agreements=[agreement], year=year, title=title, actor=actor, target=agreement
    )


def partner_report(*, partner: Partner, year: int, actor) -> bytes:
    agreements = list(
        partner.agreements.select_related("partner").prefetch_related(
            "iku_criteria", "partnership_forms"
        )
    )
    title = _("Implementation report %(year)s: %(partner)s") % {
        "year": year,
        "partner": partner.name,
    }
    return yearly_report(agreements=agreements, year=year, title=title, actor=actor, target=partner)
