"""XLSX exports of the classroom's reports (survey results, completion)."""

import io
from collections.abc import Iterable

from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from sinergi.training.exports import neutralise_formula

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_filename(stem: str) -> str:
    return content_disposition_header(as_attachment=True, filename=f"{stem}.xlsx")


def _cell(value):
    return neutralise_formula(value) if isinstance(value, str) else value


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


def _subject_label(subject) -> tuple[str, str]:
    if subject.session is None:
        return _("Organisation"), ""
    return subject.session.title, subject.speaker.full_name


def survey_results_xlsx(results) -> bytes:
    headers = [_("Session"), _("Speaker"), _("Question"), _("Answers"), _("Mean (1–5)")]
    headers += [str(value) for value in range(1, 6)]
    rows, comments = [], []
    for subject in results.subjects:
        session, speaker = _subject_label(subject)
        for question in subject.questions:
            if question.kind == "likert":
                rows.append(
                    [
                        session,
                        speaker,
                        question.text,
                        question.count,
                        question.mean,
                        *question.distribution,
                    ]
                )
            for comment in question.comments:
                comments.append([session, speaker, question.text, comment])
    return workbook_bytes(
        [
            (_("Ratings"), headers, rows),
            (_("Comments"), [_("Session"), _("Speaker"), _("Question"), _("Comment")], comments),
        ]
    )


def completion_xlsx(rows: list) -> bytes:
    headers = [
        _("Name"),
        _("Institution"),
        _("Attendance (%)"),
        _("Pre-test"),
        _("Post-test"),
        _("Learning gain"),
        _("Assignments passed"),
        _("Evaluation filled"),
        _("Completed"),
    ]
    return workbook_bytes([(_("Completion"), headers, rows)])
