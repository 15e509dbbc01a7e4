"""A newcomer signs up, verifies the e-mail, logs in, fills the profile and switches language.

Runs in Chromium on a 360 px phone and on a desktop screen, under the site's real
Content-Security-Policy: any console error, uncaught exception or CSP violation fails the test.
"""

import re

import pytest

from .conftest import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

from django.urls import reverse
from playwright.sync_api import expect

from sinergi.accounts.models import User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "kopi-Tubruk-2024!"
VERIFY_LINK = re.compile(r"https?://\S+/accounts/verify/[^/\s]+/[^/\s]+/")


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


UNLABELLED_CONTROLS = """
() => [...document.querySelectorAll("main input:not([type=hidden]), main select, main textarea")]
  .filter((el) => !el.labels.length && !el.getAttribute("aria-label")
                  && !el.getAttribute("aria-labelledby"))
  .map((el) => el.name || el.id || el.outerHTML)
"""


def assert_controls_labelled(page) -> None:
    assert page.evaluate(UNLABELLED_CONTROLS) == [], f"unlabelled form controls on {page.url}"


def assert_fits_phone(page) -> None:
    # A click may have started a navigation: measure the page that loads, not the gap between.
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width}px wide on a 360px screen"


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_signup_to_profile_journey(
    device, live_server, reference_data, e2e_settings, mailoutbox, new_page, problems, screenshot
):
    phone = device == "phone"
    email = f"siti.{device}@example.org"
    page = new_page(device)

    # Home, in Indonesian although the browser asks for English.
    page.goto(live_server.url + reverse("core:home"))
    assert html_lang(page) == "id"
    expect(page.locator(".navbar-toggler")).to_be_visible(visible=phone)
    screenshot(page, f"home-{device}")
    if phone:
        assert_fits_phone(page)

    # Sign up from the call to action on the home page.
    page.locator(f'main a[href="{reverse("accounts:signup")}"]').click()
    expect(page).to_have_url(live_server.url + reverse("accounts:signup"))
    if phone:
        assert_fits_phone(page)
        screenshot(page, "signup-phone")
    assert_controls_labelled(page)
    page.fill("#id_full_name", "Siti Rahmawati, S.IP.")
    page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_consent")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .bi-envelope-check")).to_be_visible()
    assert html_lang(page) == "id"

    # The verification e-mail was sent at once and links to this server.
    assert len(mailoutbox) == 1, "the verification e-mail was not sent synchronously"
    assert mailoutbox[0].to == [email]
    link = VERIFY_LINK.search(mailoutbox[0].body).group(0)
    assert link.startswith(live_server.url + "/")
    page.goto(link)
    expect(page).to_have_url(live_server.url + reverse("accounts:login"))
    expect(page.locator(".alert-success")).to_be_visible()
    assert User.objects.get(email=email).email_verified
    assert_controls_labelled(page)
    if phone:
        assert_fits_phone(page)
    else:
        screenshot(page, "login-desktop")

    # Log in; the home page then offers the profile.
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + reverse("core:home"))
    page.locator(f'main a[href="{reverse("accounts:profile")}"]').click()
    expect(page).to_have_url(live_server.url + reverse("accounts:profile"))
    assert_controls_labelled(page)

    # Fill institution, province and phone; the saved values show after the redirect.
    page.fill("#id_institution_name", "Perpustakaan Universitas Siliwangi")
    page.select_option("#id_institution_type", label="Perpustakaan perguruan tinggi")
    page.select_option("#id_province", label="Jawa Barat")
    page.fill("#id_phone", "0812-3456-7890")
    page.locator("main form:has(#id_province) button[type=submit]").click()
    expect(page).to_have_url(live_server.url + reverse("accounts:profile"))
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#id_institution_name")).to_have_value("Perpustakaan Universitas Siliwangi")
    expect(page.locator("#id_institution_type option:checked")).to_have_text(
        "Perpustakaan perguruan tinggi"
    )
    expect(page.locator("#id_province option:checked")).to_have_text("Jawa Barat")
    expect(page.locator("#id_phone")).to_have_value("+6281234567890")
    user = User.objects.get(email=email)
    assert (user.institution_name, user.province.name, user.phone) == (
        "Perpustakaan Universitas Siliwangi",
        "Jawa Barat",
        "+6281234567890",
    )
    if phone:
        assert_fits_phone(page)
    screenshot(page, f"profile-{device}")

    # Switch to English with the navbar form (behind the toggler on a phone).
    english = page.locator('#sn-nav button[name="language"][value="en"]')
    if phone:
        expect(english).to_be_hidden()
        page.locator(".navbar-toggler").tap()
        expect(page.locator("#sn-nav")).to_have_class(re.compile(r"\bshow\b"))
    english.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_server.url + reverse("accounts:profile"))
    user.refresh_from_db()
    assert user.language == "en"

    assert not problems, f"the browser reported problems: {problems}"
