"""A batch's participant list as CSV and XLSX, for certificates, attendance and reports.

The lists hold personal data whole (the phone is not masked), so only roles that need them may
export, and every export is written to the audit log.
"""

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from sinergi.core.services import log_action
from sinergi.core.spreadsheets import csv_text, xlsx_row

from .models import Batch, Registration

JAKARTA = ZoneInfo("Asia/Jakarta")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
COLUMN_WIDTHS = [32, 30, 30, 22, 22, 20, 18, 18, 18, 26, 18]


def batch_participants(*, batch: Batch, state: str = "") -> QuerySet[Registration]:
    """Return the batch's registrations (of one state, if given) in the order people came."""
    registrations = Registration.objects.filter(batch=batch).select_related(
        "user__institution_type", "province", "invoice"
    )
    if state:
        registrations = registrations.filter(state=state)
    return registrations.order_by("created_at", "id")


def _headers() -> list[str]:
    return [
        _("Name"),
        _("E-mail"),
        _("Institution"),
        _("Institution type"),
        _("Position"),
        _("Province"),
        _("Phone"),
        _("State"),
        _("Registered at"),
        _("Invoice number"),
        _("Paid at"),
    ]


def _local(moment: datetime | None) -> datetime | None:
    """Return a wall-clock time in Jakarta without tzinfo (spreadsheets have no time zones)."""
    if moment is None:
        return None
    return timezone.localtime(moment, JAKARTA).replace(tzinfo=None)


def _rows(batch: Batch) -> Iterator[list]:
    for registration in batch_participants(batch=batch):
        user, invoice = registration.user, registration.invoice
        yield [
            user.full_name,
            user.email,
            registration.institution_name,
            str(user.institution_type) if user.institution_type else "",
            registration.position,
            registration.province.name if registration.province else "",
            registration.phone,
            registration.get_state_display(),
            _local(registration.created_at),
            invoice.number if invoice else "",
            _local(invoice.paid_at) if invoice else None,
        ]


def participants_csv(batch: Batch) -> bytes:
    """Return the list as CSV in UTF-8 with a byte-order mark, so Excel reads it right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_headers())
    for row in _rows(batch):
        writer.writerow([csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def participants_xlsx(batch: Batch) -> bytes:
    """Return the list as an XLSX workbook with one sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Participants")[:31])
    for index, width in enumerate(COLUMN_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(xlsx_row(sheet, _headers(), bold=True))
    for row in _rows(batch):
        sheet.append(xlsx_row(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def participants_export(*, batch: Batch, fmt: str, actor) -> bytes:
    """Return the participant list in `fmt` ("csv" or "xlsx") and record who took it."""
    content = participants_csv(batch) if fmt == "csv" else participants_xlsx(batch)
    log_action(actor, "training.participants.exported", batch, {"format": fmt})
    return content
