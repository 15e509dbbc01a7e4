"""A program manager imports a Moodle XML bank in a real browser on a 360 px phone: upload,
preview (nothing saved yet), confirm, then the bank page with its category tree, rendered
questions and the embedded image, under the site's real Content-Security-Policy."""

from pathlib import Path

import pytest

from .conftest import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

from django.urls import reverse
from playwright.sync_api import expect

from sinergi.learning.models import QuestionBank

from ..factories import PASSWORD, UserFactory
from .test_signup_flow import assert_controls_labelled, assert_fits_phone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "questions"


def test_import_a_moodle_bank_on_a_phone(
    live_server, reference_data, e2e_settings, settings, tmp_path, new_page, problems, screenshot
):
    settings.VAR_DIR = tmp_path
    manager = UserFactory(roles=["program_manager"], email="pengelola@example.org")
    bank = QuestionBank.objects.create(name="Bank Soal Katalogisasi")
    page = new_page("phone")
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", manager.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + reverse("core:home"))

    page.goto(live_server.url + reverse("learning:bank_list"))
    page.locator(f'main a[href="{reverse("learning:bank_detail", args=[bank.pk])}"]').click()
    expect(page).to_have_url(live_server.url + reverse("learning:bank_detail", args=[bank.pk]))
    page.locator(f'main a[href="{reverse("learning:bank_import", args=[bank.pk])}"]').click()
    expect(page).to_have_url(live_server.url + reverse("learning:bank_import", args=[bank.pk]))
    page.wait_for_load_state()
    assert_fits_phone(page)
    assert_controls_labelled(page)
    page.locator("input[name=format][value=moodlexml]").check()
    page.set_input_files("input[name=file]", str(FIXTURES / "moodle_id_semua_jenis.xml"))
    page.locator("main form button[type=submit]").click()

    expect(page.locator(".sn-import-counts")).to_contain_text("multichoice")
    expect(page.locator(".sn-import-skipped")).to_contain_text("Denda keterlambatan")
    assert_fits_phone(page)
    screenshot(page, "question-import-preview-phone")
    assert not bank.questions.exists()

    page.locator("main form[action$='/import/confirm/'] button[type=submit]").click()
    expect(page).to_have_url(live_server.url + reverse("learning:bank_detail", args=[bank.pk]))
    expect(page.locator(".sn-category-tree")).to_contain_text("MARC 21")
    image = page.locator("main .sn-question-text img").first
    expect(image).to_be_visible()
    # Visible is not loaded: wait for the browser to decode the embedded image, then measure it.
    page.wait_for_function("(img) => img.complete", arg=image.element_handle())
    assert page.evaluate("(img) => img.naturalWidth", image.element_handle()) == 8
    assert_fits_phone(page)
    screenshot(page, "question-bank-phone")
    assert bank.questions.count() == 8

    # Deleting asks first (data-confirm), then the question is gone.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("main article form[data-confirm] button[type=submit]").first.click()
    expect(page.locator("main article")).to_have_count(7)
    assert bank.questions.count() == 7
    assert not problems, f"the browser reported problems: {problems}"
