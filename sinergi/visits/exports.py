"""The day's visits as an XLSX workbook for the desk and the head of library."""

import io
from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from sinergi.core.spreadsheets import xlsx_row

from .selectors import DayRow


def daily_report_xlsx(rows: list[DayRow], *, day: date) -> bytes:
    """Return one sheet: a row per slot with bookings, arrivals, no-shows and walk-ins."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = day.isoformat()
    headers = [
        _("Service point"),
        _("Starts"),
        _("Ends"),
        _("Capacity"),
        _("Booked"),
        _("Arrived"),
        _("Did not come"),
        _("Cancelled"),
        _("Walk-ins"),
    ]
    sheet.append(xlsx_row(sheet, headers, bold=True))
    for row in rows:
        slot = row.slot
        sheet.append(
            xlsx_row(
                sheet,
                [
                    slot.service_point.name,
                    slot.starts_at,
                    slot.ends_at,
                    row.capacity,
                    row.booked,
                    row.arrived,
                    row.no_shows,
                    row.cancelled,
                    row.walk_ins,
                ],
            )
        )
    total_row = sheet.max_row + 1
    sheet.cell(row=total_row, column=1, value=_("Total")).font = Font(bold=True)
    for column in range(4, 10):
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.cell(
            row=total_row,
            column=column,
            value=f"=SUM({letter}2:{letter}{total_row - 1})" if rows else 0,
        )
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 18
    sheet.column_dimensions["C"].width = 18
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
