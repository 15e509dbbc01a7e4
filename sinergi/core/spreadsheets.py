"""XLSX for every export: cells that stay text, bold headers, and the download response."""

import io
from collections.abc import Iterable
from datetime import datetime

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from sinergi.core.formatting import local_naive

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Return `text` so that a spreadsheet shows it as text and never runs it as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def xlsx_storable(text: str) -> str:
    """Return `text` without the control characters XLSX cannot hold (openpyxl raises
    IllegalCharacterError on them). Texts typed today cannot hold them (core.text), but rows
    stored before that rule, or imported, may: an export never fails on them."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def xlsx_text(value) -> str:
    """Return `value` as cell text: characters XLSX cannot hold removed, formulas neutralised."""
    return neutralise_formula(xlsx_storable(str(value or "")))


def _cell(value):
    if isinstance(value, str):
        return xlsx_text(value)
    if isinstance(value, datetime):
        # A spreadsheet has no time zones: people read the time in WIB.
        return local_naive(value)
    return value


def workbook_bytes(sheets: Iterable[tuple[str, list[str], Iterable[list]]]) -> bytes:
    """Return an XLSX file with one sheet per (title, headers, rows); headers in bold."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(value) for value in row])
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
