"""The one formula-injection policy of the exports (core.spreadsheets)."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from sinergi.core.spreadsheets import csv_text, workbook_bytes, xlsx_cell, xlsx_row

TRICKY = ["=1+1", "+62812", "-5", "@SUM(A1)", '=HYPERLINK("http://x")', "Biasa"]


def _reloaded(content: bytes, sheet: str | None = None):
    workbook = load_workbook(io.BytesIO(content))
    return list((workbook[sheet] if sheet else workbook.active).iter_rows())


def test_xlsx_texts_are_typed_text_and_kept_unchanged():
    rows = _reloaded(workbook_bytes([("S", ["Nama"], [[text] for text in TRICKY])]))
    cells = [row[0] for row in rows[1:]]
    assert [cell.value for cell in cells] == TRICKY
    assert {cell.data_type for cell in cells} == {"s"}


def test_without_the_policy_openpyxl_would_write_a_formula():
    """The negative control: a bare string starting with "=" becomes a formula cell."""
    workbook = Workbook()
    workbook.active.append(["=1+1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _reloaded(buffer.getvalue())[0][0].data_type == "f"


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_cell_works_in_normal_and_write_only_sheets(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("S")
    aware = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    sheet.append(xlsx_row(sheet, ["=A1", aware, date(2027, 1, 1), 3, None, gettext_lazy("Nama")]))
    sheet.append([xlsx_cell(sheet, "Judul", bold=True, size=13)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    first, second = _reloaded(buffer.getvalue(), "S")
    assert (first[0].value, first[0].data_type) == ("=A1", "s")
    # Shown in WIB: 17.30 UTC on 31 December is 00.30 on 1 January.
    assert first[1].value == datetime(2027, 1, 1, 0, 30)
    assert first[1].number_format == "yyyy-mm-dd hh:mm"
    assert first[2].number_format == "yyyy-mm-dd"
    assert first[3].value == 3
    assert first[5].value == "Nama"
    assert second[0].font.b and second[0].font.size == 13


def test_xlsx_drops_only_what_xlsx_cannot_hold():
    rows = _reloaded(workbook_bytes([("S", ["Nama"], [["A\x00B\x07C\x1bD ☺"]])]))
    assert rows[1][0].value == "ABCD ☺"


def test_csv_fields_that_would_be_formulas_get_a_quote():
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_text(text) for text in TRICKY] + [csv_text(None)])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == [
        "'=1+1",
        "'+62812",
        "'-5",
        "'@SUM(A1)",
        '\'=HYPERLINK("http://x")',
        "Biasa",
        "",
    ]
