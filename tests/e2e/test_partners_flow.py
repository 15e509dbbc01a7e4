"""A lapsed MoU is renewed through its ten-step road up to the signing, in three browsers.

The cooperation officer starts the renewal from the expired MoU and closes our steps,
uploading the request letter, the draft (DOCX) and the signed scan; the partner officer,
logged in on their own, closes the partner's steps: the substance review and the legal review,
which first sends the draft back with a note. The head approves at step 7. Closing the signing
step records both numbers; the renewal becomes active and the old MoU superseded. Step
actions swap the process in place (HTMX). Runs on a 360 px phone and a desktop under the real
Content-Security-Policy: any console error, uncaught exception or CSP violation fails it.
"""

import re
from datetime import timedelta

import pytest

from .conftest import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from sinergi.partners.models import Agreement, AgreementStatus, Decision, StepDecision
from sinergi.partners.selectors import agreement_status

from ..factories import UserFactory
from ..partners.factories import (
    AgreementFactory,
    PartnerFactory,
    PartnerOfficerFactory,
    docx_file,
    pdf_file,
)
from .test_signup_flow import assert_controls_labelled, assert_fits_phone
from .test_training_flow import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _write(tmp_path, upload) -> str:
    path = tmp_path / upload.name
    path.write_bytes(upload.read())
    return str(path)


def _step(page, order: int):
    return page.locator(f"#step-{order}")


def _complete(page, order: int, note: str = "") -> None:
    """Close the current step from the timeline and wait for the process to swap in place."""
    step = _step(page, order)
    expect(step).to_have_attribute("data-state", "current")
    form = step.locator("form", has=page.locator("button[name=complete]"))
    if note:
        form.locator("textarea[name=note]").fill(note)
    page.evaluate("window.__snSamePage = true")
    form.locator("button[name=complete]").click()
    expect(_step(page, order)).to_have_attribute("data-state", "done")
    assert page.evaluate("window.__snSamePage") is True


def _upload(page, kind: str, path: str) -> None:
    upload = page.locator("#upload form")
    upload.locator("select[name=kind]").select_option(kind)
    upload.locator("input[type=file][name=file]").set_input_files(path)
    upload.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_officer_and_partner_renew_an_mou_to_signing(
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
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    officer = UserFactory(
        roles=["cooperation_officer"], email="kerjasama@example.org", full_name="Dewi Kartika"
    )
    head = UserFactory(roles=["head"], email="kepala@example.org", full_name="Sri Wahyuningsih")
    perpusnas = PartnerFactory(
        name="Perpustakaan Nasional Republik Indonesia", short_name="Perpusnas"
    )
    partner_officer = PartnerOfficerFactory(
        partner=perpusnas,
        user=UserFactory(roles=["partner"], email="mitra@perpusnas.test", full_name="Hendra"),
    ).user
    lapsed = AgreementFactory(
        partner=perpusnas,
        title="Nota Kesepahaman Pengembangan Perpustakaan",
        signed_on=today - timedelta(days=5 * 365 + 60),
        ends_on=today - timedelta(days=60),
        person_in_charge=officer,
    )
    letter = _write(tmp_path, pdf_file("Surat permohonan perpanjangan", name="surat.pdf"))
    draft = _write(tmp_path, docx_file("Draf MoU 2026", name="draf.docx"))
    review = _write(tmp_path, pdf_file("Telaah hukum", name="telaah.pdf"))
    signed = _write(tmp_path, pdf_file("MoU ditandatangani", name="mou.pdf"))

    # The cooperation officer starts the renewal from the expired MoU.
    page = new_page(device)
    log_in(page, live_server, officer.email)
    page.goto(live_server.url + reverse("partners:agreement_detail", args=[lapsed.pk]))
    expect(page.locator(".sn-agreement-status")).to_have_attribute("data-status", "expired")
    if phone:
        assert_fits_phone(page)
    page.locator("#start-renewal").click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/partners/agreements/\d+/$"))
    renewal = Agreement.objects.get(renewal_of=lapsed)
    assert page.url == live_server.url + reverse("partners:agreement_detail", args=[renewal.pk])
    expect(page.locator(".sn-agreement-status")).to_have_attribute("data-status", "in_process")
    expect(page.locator(".sn-step")).to_have_count(10)
    assert_controls_labelled(page)
    if phone:
        assert_fits_phone(page)

    _complete(page, 1, "Perpusnas bersedia memperpanjang.")
    _complete(page, 2)
    # Step 3 needs the request letter: the step says so until it is uploaded.
    expect(_step(page, 3).locator(".alert-warning")).to_be_visible()
    _upload(page, "request_letter", letter)
    _complete(page, 3)
    expect(_step(page, 4)).to_have_attribute("data-state", "current")
    expect(_step(page, 4).locator("button[name=complete]")).to_have_count(0)  # the partner's

    # The partner officer, in a browser of their own, reviews the substance.
    partner_page = new_page(device)
    log_in(partner_page, live_server, partner_officer.email)
    partner_page.goto(live_server.url + reverse("partners:agreement_list"))
    partner_page.locator(
        f'a[href="{reverse("partners:agreement_detail", args=[renewal.pk])}"]'
    ).click()
    _complete(partner_page, 4, "Substansi sesuai.")
    if phone:
        assert_fits_phone(partner_page)

    # Joint drafting by the officer, with a Word draft.
    page.reload()
    _upload(page, "draft", draft)
    _complete(page, 5)

    # Legal review sends the draft back once, with a note, and then agrees.
    partner_page.reload()
    legal = _step(partner_page, 6)
    legal.locator("summary").click()
    legal.locator("form[action$='/return/'] textarea[name=note]").fill(
        "Pasal pendanaan perlu diperjelas."
    )
    legal.locator("button[name=return]").click()
    expect(_step(partner_page, 5)).to_have_attribute("data-state", "current")
    expect(_step(partner_page, 6)).to_contain_text("Pasal pendanaan perlu diperjelas.")
    assert StepDecision.objects.filter(decision=Decision.RETURNED).count() == 1

    page.reload()
    expect(_step(page, 5)).to_have_attribute("data-state", "current")
    _upload(page, "draft", draft)
    _complete(page, 5, "Pasal 5 diperbaiki.")
    partner_page.reload()
    _upload(partner_page, "legal_review", review)
    _complete(partner_page, 6)

    # The head approves.
    head_page = new_page(device)
    log_in(head_page, live_server, head.email)
    head_page.goto(live_server.url + reverse("partners:agreement_detail", args=[renewal.pk]))
    _complete(head_page, 7)

    # Signing: the officer uploads the scan and records both parties' numbers.
    page.reload()
    _upload(page, "signed_scan", signed)
    signing = _step(page, 8)
    signing.locator("input[name=our_number]").fill("B-1200/UN40.A7/HK.07.00/2026")
    signing.locator("input[name=partner_number]").fill("25/PKS/PERPUSNAS/2026")
    expect(signing.locator("input[name=signed_on]")).to_have_value(today.isoformat())
    if phone:
        assert_fits_phone(page)
    _complete(page, 8)
    expect(_step(page, 9)).to_have_attribute("data-state", "current")

    page.reload()
    expect(page.locator(".sn-agreement-status").first).to_have_attribute("data-status", "active")
    renewal.refresh_from_db()
    lapsed.refresh_from_db()
    assert renewal.our_number == "B-1200/UN40.A7/HK.07.00/2026"
    assert renewal.partner_number == "25/PKS/PERPUSNAS/2026"
    assert renewal.signed_on == today
    assert agreement_status(renewal) == AgreementStatus.ACTIVE
    assert agreement_status(lapsed) == AgreementStatus.SUPERSEDED
    if phone:
        assert_fits_phone(page)
    # Screenshots only where no HTMX swap follows on the page: after a full-page capture on
    # the phone, the next swap reported inline-style CSP violations (from htmx.min.js) that
    # never appear without the capture.
    screenshot(page, f"agreement-signed-{device}")

    # The partner officer sees the old MoU superseded by the renewal.
    partner_page.goto(live_server.url + reverse("partners:agreement_detail", args=[lapsed.pk]))
    expect(partner_page.locator(".sn-agreement-status")).to_have_attribute(
        "data-status", "superseded"
    )
    expect(
        partner_page.locator(f'a[href="{reverse("partners:agreement_detail", args=[renewal.pk])}"]')
    ).to_be_visible()

    assert not problems, f"the browser reported problems: {problems}"
