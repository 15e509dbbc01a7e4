"""A librarian registers for a paid batch and uploads a transfer proof; finance approves it.

The participant logs in, finds the batch in the catalogue, registers with the details prefilled
from the profile, reads the transfer instructions and uploads a PDF proof. Finance, in a browser
of their own, approves the payment in the verification queue (the row updates in place, through
HTMX). The participant then sees the seat confirmed. Runs on a 360 px phone and on a desktop
screen, under the site's real Content-Security-Policy: any console error, uncaught exception or
CSP violation fails the test.
"""

import re
from pathlib import Path

import pytest

from .conftest import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

from django.urls import reverse
from playwright.sync_api import expect

from sinergi.core.formatting import format_rupiah
from sinergi.core.models import Province
from sinergi.training.models import (
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PaymentState,
    Registration,
    RegistrationState,
)

from ..factories import PASSWORD, BatchFactory, ProgramFactory, UserFactory
from .test_signup_flow import assert_controls_labelled, assert_fits_phone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROOF = Path(__file__).resolve().parents[1] / "fixtures" / "minimal-document.pdf"
PHONE = "+6281234567890"


def log_in(page, live_server, email: str) -> None:
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + reverse("core:home"))


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_register_pay_by_transfer_and_approve_journey(
    device,
    live_server,
    reference_data,
    e2e_settings,
    settings,
    tmp_path,
    mailoutbox,
    new_page,
    problems,
    screenshot,
):
    phone = device == "phone"
    settings.MEDIA_ROOT = tmp_path
    participant = UserFactory(
        roles=["participant"],
        email="rina.kusumawati@example.org",
        full_name="Rina Kusumawati, S.Hum.",
        institution_name="Perpustakaan SMA Negeri 3 Tasikmalaya",
        position="Pustakawan",
        province=Province.objects.get(name="Jawa Barat"),
        phone=PHONE,
    )
    finance = UserFactory(
        roles=["finance"], email="keuangan@example.org", full_name="Dewi Lestari, S.E."
    )
    batch = BatchFactory(
        program=ProgramFactory(
            title="Pengelolaan Perpustakaan Sekolah",
            learning_outcomes="Menyusun kebijakan pengembangan koleksi\nMelayankan sirkulasi",
        ),
        code="PPS-2026-01",
        capacity=30,
        fee=750_000,
    )
    # A second, free batch, so that the catalogue has a choice to make.
    BatchFactory(
        program=ProgramFactory(
            title="Literasi Informasi untuk Pustakawan",
            summary="Membimbing pemustaka mencari, menilai dan memakai informasi.",
            mode="blended",
        ),
        code="LIP-2026-02",
        place="Perpustakaan UPI, Bandung",
        capacity=40,
        fee=0,
    )

    # The participant logs in and opens the batch from the catalogue.
    page = new_page(device)
    log_in(page, live_server, participant.email)
    page.goto(live_server.url + reverse("training:catalogue"))
    expect(page.locator("#catalogue-results article.sn-batch")).to_have_count(2)
    batch_link = page.locator(
        f'#catalogue-results a[href="{reverse("training:batch_detail", args=[batch.pk])}"]'
    )
    expect(batch_link).to_be_visible()
    if phone:
        assert_fits_phone(page)
        screenshot(page, "catalogue-phone")
    batch_link.click()
    expect(page).to_have_url(live_server.url + reverse("training:batch_detail", args=[batch.pk]))
    if phone:
        assert_fits_phone(page)

    # Register: the form is prefilled from the profile; consent is asked each time.
    page.locator(f'main a[href="{reverse("training:register", args=[batch.pk])}"]').click()
    expect(page).to_have_url(live_server.url + reverse("training:register", args=[batch.pk]))
    assert_controls_labelled(page)
    expect(page.locator("#id_institution_name")).to_have_value(participant.institution_name)
    expect(page.locator("#id_position")).to_have_value("Pustakawan")
    expect(page.locator("#id_province option:checked")).to_have_text("Jawa Barat")
    expect(page.locator("#id_phone")).to_have_value(PHONE)
    expect(page.locator("#id_consent")).not_to_be_checked()
    if phone:
        assert_fits_phone(page)
    page.check("#id_consent")
    page.locator("main form button[type=submit]").click()

    # The registration page holds the seat and shows the invoice and the exact amount.
    expect(page).to_have_url(
        re.compile(re.escape(live_server.url) + r"/training/registrations/\d+/$")
    )
    registration = Registration.objects.select_related("invoice").get(user=participant, batch=batch)
    invoice = registration.invoice
    assert registration.state == RegistrationState.PENDING_PAYMENT
    assert registration.consent_at is not None
    assert (registration.institution_name, registration.phone) == (
        participant.institution_name,
        PHONE,
    )
    assert invoice.status == InvoiceStatus.OPEN
    assert invoice.transfer_amount == batch.fee + invoice.unique_code
    assert page.url == live_server.url + reverse(
        "training:registration_detail", args=[registration.pk]
    )
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(".sn-state")).to_have_class(re.compile(r"\btext-bg-warning\b"))
    expect(page.locator(".sn-invoice")).to_contain_text(invoice.number)
    expect(page.locator("#sn-amount")).to_have_text(format_rupiah(invoice.transfer_amount))
    expect(page.locator("#sn-amount-digits")).to_have_text(str(invoice.transfer_amount))
    expect(page.locator("#sn-reference")).to_have_text(invoice.number)
    assert_controls_labelled(page)
    if phone:
        assert_fits_phone(page)
        screenshot(page, "registration-phone")

    # Upload the PDF proof through the file input.
    upload = page.locator(
        f'form[action="{reverse("training:transfer_upload", args=[invoice.pk])}"]'
    )
    upload.locator("input[type=file][name=proof]").set_input_files(PROOF)
    upload.locator("input[name=note]").fill("Dari rekening a.n. Rina Kusumawati")
    upload.locator("button[type=submit]").click()
    expect(page).to_have_url(
        live_server.url + reverse("training:registration_detail", args=[registration.pk])
    )
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(".sn-state")).to_have_class(re.compile(r"\btext-bg-info\b"))
    expect(page.locator("#sn-payments + .list-group .list-group-item")).to_have_count(1)
    expect(upload).to_have_count(0)
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.method, payment.state, payment.amount) == (
        PaymentMethod.TRANSFER,
        PaymentState.SUBMITTED,
        invoice.transfer_amount,
    )
    assert payment.proof.name.endswith(".pdf")
    assert payment.proof.read() == PROOF.read_bytes()
    registration.refresh_from_db()
    assert registration.state == RegistrationState.PAYMENT_SUBMITTED

    # Finance, in a browser of their own, approves the transfer in the queue.
    finance_page = new_page(device)
    log_in(finance_page, live_server, finance.email)
    finance_page.goto(live_server.url + reverse("training:verification_queue"))
    row = finance_page.locator(f"#payment-{payment.pk}")
    expect(row).to_contain_text(invoice.number)
    expect(row).to_contain_text(participant.email)
    expect(
        row.locator(f'a[href="{reverse("training:payment_proof", args=[payment.pk])}"]')
    ).to_be_visible()
    if phone:
        assert_fits_phone(finance_page)
    else:
        # A staff member's navbar is the longest there is: it must still fit a laptop screen.
        width = finance_page.evaluate("document.documentElement.scrollWidth")
        assert width <= finance_page.viewport_size["width"]
        screenshot(finance_page, "verification-queue-desktop")
    # A mark on the window survives only if the row is swapped in place, not the page reloaded.
    finance_page.evaluate("window.__snSamePage = true")
    row.locator(
        f'form[action="{reverse("training:payment_approve", args=[payment.pk])}"] '
        "button[type=submit]"
    ).click()
    expect(row.locator(".alert-success")).to_be_visible()
    expect(row.locator("form")).to_have_count(0)
    assert finance_page.evaluate("window.__snSamePage") is True
    assert finance_page.url == live_server.url + reverse("training:verification_queue")
    payment.refresh_from_db()
    assert (payment.state, payment.reviewed_by) == (PaymentState.APPROVED, finance)
    approved_mail = [m for m in mailoutbox if m.to == [participant.email]][-1]
    assert invoice.number in approved_mail.subject
    assert live_server.url + reverse("training:my_registrations") in approved_mail.body

    # The participant reloads and sees the seat confirmed, with a receipt to download.
    page.goto(live_server.url + reverse("training:my_registrations"))
    card = page.locator(
        ".sn-registrations li",
        has=page.locator(
            f'a[href="{reverse("training:registration_detail", args=[registration.pk])}"]'
        ),
    )
    expect(card.locator(".sn-state")).to_have_class(re.compile(r"\btext-bg-success\b"))
    expect(
        card.locator(f'a[href="{reverse("training:receipt_pdf", args=[invoice.pk])}"]')
    ).to_be_visible()
    if phone:
        assert_fits_phone(page)
    page.goto(live_server.url + reverse("training:registration_detail", args=[registration.pk]))
    expect(page.locator(".sn-state")).to_have_class(re.compile(r"\btext-bg-success\b"))
    expect(page.locator("main .alert-success[role=status]")).to_be_visible()
    expect(page.locator(".sn-invoice .badge")).to_have_class(re.compile(r"\btext-bg-success\b"))
    registration.refresh_from_db()
    invoice.refresh_from_db()
    assert registration.state == RegistrationState.CONFIRMED
    assert invoice.status == InvoiceStatus.PAID

    assert not problems, f"the browser reported problems: {problems}"
