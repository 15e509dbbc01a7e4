"""XLSX for every export: cells that stay text, bold headers, and the download response."""

import io
from collections.abc import Iterable
from datetime import date, datetime

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from sinergi.core.formatting import local_naive

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet reads a CSV field that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"

# The one formula-injection policy of Sinergi's exports:
# - XLSX: every text is written as a cell *typed* text (data type "s"), unchanged. A spreadsheet
#   never evaluates a text cell, so "=1+1" stays the five characters a person typed: no quote
#   prefix, nothing lost. Only the control characters XLSX cannot hold are dropped.
# - CSV has no types: a field that a spreadsheet would read as a formula gets a leading quote
#   (`csv_text`).
# Write XLSX cells through `xlsx_cell` (or `workbook_bytes`), never with a bare string.


def neutralise_formula(text: str) -> str:
    """Return `text` so that a spreadsheet opening it as CSV shows it as text, never a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_text(value) -> str:
    """Return `value` as a CSV field: times as ISO minutes, texts with formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return neutralise_formula(str(value))


def xlsx_storable(text: str) -> str:
    """Return `text` without the control characters XLSX cannot hold (openpyxl raises
    IllegalCharacterError on them). Texts typed today cannot hold them (core.text), but rows
    stored before that rule, or imported, may: an export never fails on them."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def xlsx_cell(sheet, value, *, bold: bool = False, size: float | None = None) -> Cell:
    """Return a cell for `sheet.append` (normal or write-only sheets) holding `value`.

    Texts are typed text (never a formula) and keep every character XLSX can hold; aware times
    are shown in WIB (a spreadsheet has no time zones); dates and times get a number format."""
    if isinstance(value, Promise):  # a lazily translated label
        value = str(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=xlsx_storable(value))
        cell.data_type = "s"
    else:
        if isinstance(value, datetime):
            value = local_naive(value) if value.tzinfo else value
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, date):
            cell.number_format = DATE_FORMAT
    if bold or size:
        cell.font = Font(bold=bold, size=size)
    return cell


def xlsx_row(sheet, values, *, bold: bool = False) -> list[Cell]:
    """Return `values` as cells for one `sheet.append`."""
    return [xlsx_cell(sheet, value, bold=bold) for value in values]


def workbook_bytes(sheets: Iterable[tuple[str, list[str], Iterable[list]]]) -> bytes:
    """Return an XLSX file with one sheet per (title, headers, rows); headers in bold."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(xlsx_row(sheet, headers, bold=True))
        for row in rows:
            sheet.append(xlsx_row(sheet, row))
        for index, header in enumerate(headers, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
                12, min(60, len(header) + 4)
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, stem: str) -> HttpResponse:
    """Return `content` as a private download named `stem`.xlsx."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{stem}.xlsx")
    patch_cache_control(response, private=True)
    return response
