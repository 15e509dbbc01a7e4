"""A participant who completed a batch downloads the certificate and its Open Badges 3.0 badge;
a visitor verifies them, by the code, by uploading the signed PDF and by uploading the badge PNG
(genuine, then revoked). The participant's JP record, on a phone, passes axe-core.

The completion goes through the learning signal and the certificate task (run at once here),
as in production. The participant finds the certificate in the account menu and downloads the
PDF; a visitor on a phone types the code from the paper and sees it is valid, with nothing
but what the certificate itself states. Any console error, uncaught exception or CSP violation
fails the test.
"""

import re
from pathlib import Path

import pytest

from .conftest import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from sinergi.certificates import badges, services
from sinergi.certificates.models import Certificate
from sinergi.core import signing
from sinergi.learning.models import Completion
from sinergi.learning.signals import participant_completed

from ..certificates.factories import CertificateTemplateFactory, CompletionFactory
from ..pdfcheck import pdfsig
from .test_crawl import AXE, AXE_RUN
from .test_signup_flow import assert_controls_labelled, assert_fits_phone
from .test_training_flow import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_download_and_verify_certificate(
    device,
    live_server,
    reference_data,
    e2e_settings,
    settings,
    tmp_path,
    new_page,
    problems,
    screenshot,
):
    phone = device == "phone"
    settings.MEDIA_ROOT = tmp_path
    # Certificates are signed with a development key made for this test.
    settings.VAR_DIR = tmp_path / "var"
    settings.SINERGI_SIGNING_DEVELOPMENT = True
    signing._load.cache_clear()
    call_command("signing_dev_key")
    badges._load_key.cache_clear()
    completion = CompletionFactory(
        registration__user__full_name="Ni Luh Putu Ayu Wéndy, S.IP.",
        registration__user__email=f"wendy.{device}@example.org",
        registration__batch__code="PPS-2026-01",
        registration__batch__program__title="Pengelolaan Perpustakaan Sekolah",
    )
    user = completion.registration.user
    CertificateTemplateFactory(program=completion.registration.batch.program)
    participant_completed.send(sender=Completion, completion=completion)
    certificate = Certificate.objects.get(registration=completion.registration)

    # The participant finds the certificate through the account menu and downloads it.
    page = new_page(device)
    log_in(page, live_server, user.email)
    if phone:
        page.locator(".navbar-toggler").tap()
        # The menu slides open; a tap on it before it has is lost (seen under load in CI).
        expect(page.locator("#sn-nav")).to_have_class(re.compile(r"\bshow\b"))
    page.locator(f'.navbar a.dropdown-toggle[href="{reverse("accounts:profile")}"]').click()
    mine = page.locator(f'.dropdown-menu a[href="{reverse("certificates:mine")}"]')
    expect(mine).to_be_visible()
    mine.click()
    expect(page).to_have_url(live_server.url + reverse("certificates:mine"))
    card = page.locator(".sn-certificates li").first
    expect(card).to_contain_text(certificate.number)
    expect(card).to_contain_text("Ni Luh Putu Ayu Wéndy, S.IP.")
    if phone:
        assert_fits_phone(page)
        screenshot(page, "certificates-mine-phone")
    with page.expect_download() as download_info:
        card.locator(f'a[href="{reverse("certificates:download", args=[certificate.pk])}"]').click()
    download = download_info.value
    path = tmp_path / "downloaded.pdf"
    download.save_as(path)
    assert download.suggested_filename.endswith(".pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    with certificate.pdf.open("rb") as stored:
        assert data == stored.read()
    # ...and the badge: a PNG with the signed credential baked in.
    with page.expect_download() as download_info:
        card.locator(f'a[href="{reverse("certificates:badge", args=[certificate.pk])}"]').click()
    badge_path = tmp_path / "badge.png"
    download_info.value.save_as(badge_path)
    assert download_info.value.suggested_filename.endswith(".png")
    token = Image.open(badge_path).text["openbadgecredential"]
    assert token.count(".") == 2

    # A visitor (no account) types the code printed under the QR, in lower case with a space.
    visitor = new_page(device)
    visitor.goto(live_server.url + reverse("certificates:verify"))
    assert_controls_labelled(visitor)
    visitor.fill("#id_code", f"{certificate.code[:6].lower()} {certificate.code[6:]}")
    visitor.locator("main form.sn-verify-form button[type=submit]").click()
    expect(visitor).to_have_url(
        live_server.url + reverse("certificates:verify_code", args=[certificate.code])
    )
    expect(visitor.locator(".sn-verify-valid")).to_be_visible()
    facts = visitor.locator(".sn-verify-facts")
    for text in [certificate.number, "Ni Luh Putu Ayu Wéndy, S.IP.", "PPS-2026-01", "32 JP"]:
        expect(facts).to_contain_text(text)
    expect(visitor.locator("main")).not_to_contain_text(user.email)
    if phone:
        assert_fits_phone(visitor)
        screenshot(visitor, "certificate-verified-phone")

    # The visitor uploads the PDF itself: its signature is the library's, and it is valid...
    assert "Signature is Valid." in pdfsig(data)
    visitor.goto(live_server.url + reverse("certificates:verify"))
    visitor.set_input_files("#id_file", str(path))
    visitor.locator("main form.sn-verify-pdf-form button[type=submit]").click()
    expect(visitor.locator(".sn-verify-valid")).to_be_visible()
    expect(visitor.locator(".sn-verify-facts")).to_contain_text(certificate.number)
    expect(visitor.locator(".sn-verify-facts")).to_contain_text("DEVELOPMENT")
    if phone:
        assert_fits_phone(visitor)
        screenshot(visitor, "certificate-pdf-verified-phone")
    # The badge too: the visitor uploads the PNG and the page checks the credential inside.
    visitor.goto(live_server.url + reverse("certificates:verify"))
    visitor.set_input_files("main form.sn-verify-badge-form input[type=file]", str(badge_path))
    visitor.locator("main form.sn-verify-badge-form button[type=submit]").click()
    expect(visitor.locator(".sn-verify-valid")).to_be_visible()
    expect(visitor.locator(".sn-verify-facts")).to_contain_text(certificate.number)
    if phone:
        assert_fits_phone(visitor)
        screenshot(visitor, "certificate-badge-verified-phone")
    # ...until the certificate is revoked: the same files then say so.
    services.certificate_revoke(certificate=certificate, actor=None, reason="Data keliru")
    visitor.goto(live_server.url + reverse("certificates:verify"))
    visitor.set_input_files("main form.sn-verify-pdf-form input[type=file]", str(path))
    visitor.locator("main form.sn-verify-pdf-form button[type=submit]").click()
    expect(visitor.locator(".sn-verify-revoked")).to_contain_text("Data keliru")
    visitor.goto(live_server.url + reverse("certificates:verify"))
    visitor.set_input_files("main form.sn-verify-badge-form input[type=file]", str(badge_path))
    visitor.locator("main form.sn-verify-badge-form button[type=submit]").click()
    expect(visitor.locator("[data-state=revoked]")).to_contain_text("Data keliru")
    signing._load.cache_clear()
    badges._load_key.cache_clear()

    assert not problems, f"the browser reported problems: {problems}"


@pytest.mark.parametrize("device", ["phone"])
def test_jp_record_on_a_phone(
    device,
    live_server,
    reference_data,
    e2e_settings,
    settings,
    tmp_path,
    new_page,
    problems,
    screenshot,
):
    """The participant sees the year's JP against the target, declares JP from elsewhere with a
    PDF proof, and downloads the transcripts; the page fits 360 px and axe finds nothing
    serious."""
    settings.MEDIA_ROOT = tmp_path
    completion = CompletionFactory(
        registration__user__email="jp.phone@example.org",
        registration__batch__program__title="Pengelolaan Perpustakaan Sekolah",
    )
    CertificateTemplateFactory(program=completion.registration.batch.program)
    certificate = services.certificate_issue(registration=completion.registration, notify=False)
    year = certificate.ends_on.year
    page = new_page(device)
    log_in(page, live_server, completion.registration.user.email)
    page.goto(live_server.url + reverse("certificates:jp_record") + f"?year={year}")
    expect(page.locator(".sn-jp-total")).to_contain_text(f"32 dari 20 JP pada {year}")
    expect(page.locator(".sn-jp-entries")).to_contain_text("Pengelolaan Perpustakaan Sekolah")
    assert_controls_labelled(page)
    assert_fits_phone(page)
    proof = Path(__file__).resolve().parents[1] / "fixtures" / "minimal-document.pdf"
    page.fill("#id_title", "Bimtek Repositori Institusi")
    page.fill("#id_organiser", "Perpustakaan UGM")
    page.fill("#id_starts_on", f"{year}-08-03")
    page.fill("#id_ends_on", f"{year}-08-04")
    page.fill("#id_jp", "10")
    page.set_input_files("#id_proof", str(proof))
    page.locator("form.sn-jp-declare button[type=submit]").click()
    expect(page.locator(".sn-jp-pending")).to_contain_text("Menunggu pemeriksaan")
    page.evaluate(AXE.read_text())
    serious = [v for v in page.evaluate(AXE_RUN) if v["impact"] in ("critical", "serious")]
    assert not serious, serious
    screenshot(page, "jp-record-phone")
    with page.expect_download() as download_info:
        page.locator("a[href*='transcript.xlsx']").click()
    assert download_info.value.suggested_filename == f"transkrip-jp-{year}.xlsx"
    assert not problems, f"the browser reported problems: {problems}"
