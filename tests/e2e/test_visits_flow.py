"""A member books a visit on a phone, shows the QR ticket, and the desk checks it in.

The member opens the reading room, picks today's slot and books it; the ticket page shows
the QR code (a real PNG from the server) and the code. The services desk, on a phone of its
own, opens the check-in page, types the code (a headless Chromium has no camera, so the typed
fallback is what is tested; the camera path uses the same form), and sees "valid"; typing it
again says "already used". Under the site's real Content-Security-Policy: any console error,
uncaught exception or CSP violation fails the test.
"""

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine

from .conftest import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from sinergi.visits.models import Reservation, ServicePoint, VisitSlot

from ..factories import UserFactory
from .test_signup_flow import assert_controls_labelled, assert_fits_phone
from .test_training_flow import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_book_show_ticket_and_check_in_on_phones(
    request, live_server, reference_data, e2e_settings, mailoutbox, new_page, problems, screenshot
):
    # The slot must start and end today (WIB): the test runs at ten in the morning of today, so
    # it holds at any real hour (the browser's cookies stay valid: the date is today's).
    ten = datetime.combine(
        timezone.localdate(), time(10, 0), tzinfo=timezone.get_current_timezone()
    )
    traveller = time_machine.travel(ten, tick=True)
    traveller.start()
    request.addfinalizer(traveller.stop)
    now = timezone.localtime()
    member = UserFactory(
        roles=["participant"], email="rina@example.org", full_name="Rina Kusumawati, S.Hum."
    )
    desk = UserFactory(roles=["services_desk"], email="layanan@example.org")
    point = ServicePoint.objects.create(
        name="Ruang Baca Lantai 2",
        slug="ruang-baca-lantai-2",
        location="Gedung Perpustakaan UPI, lantai 2",
        capacity=40,
        walk_in_percent=25,
    )
    starts = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    slot = VisitSlot.objects.create(
        service_point=point,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=40,
        walk_in_seats=10,
    )

    # The member finds the reading room and books today's slot.
    page = new_page("phone")
    log_in(page, live_server, member.email)
    page.goto(live_server.url + reverse("visits:home"))
    page.locator(f'main a[href="{point.get_absolute_url()}"]').click()
    expect(page.locator(f"#slot-{slot.pk}")).to_contain_text("30")
    assert_fits_phone(page)
    page.locator(f"#slot-{slot.pk} button[type=submit]").click()

    # The ticket: QR image loaded from the server, the code, the times.
    reservation = Reservation.objects.get(user=member)
    expect(page).to_have_url(
        live_server.url + reverse("visits:ticket_detail", args=[reservation.pk])
    )
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#sn-ticket-code")).to_have_text(reservation.code)
    qr = page.locator("img.sn-qr")
    expect(qr).to_be_visible()
    # The PNG comes from the server, with the session: it must really load and be a QR image.
    width = page.evaluate(
        """() => new Promise((resolve) => {
          const img = document.querySelector("img.sn-qr");
          if (img.complete) { resolve(img.naturalWidth); return; }
          img.addEventListener("load", () => resolve(img.naturalWidth));
          img.addEventListener("error", () => resolve(0));
        })"""
    )
    assert width > 100
    expect(
        page.locator(f'a[href="{reverse("visits:ticket_pdf", args=[reservation.pk])}"]')
    ).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "visit-ticket-phone")
    assert [m.to for m in mailoutbox] == [[member.email]]

    # The desk, on its own phone, types the code on the check-in page.
    desk_page = new_page("phone")
    log_in(desk_page, live_server, desk.email)
    desk_page.goto(live_server.url + reverse("visits:check_in"))
    assert_controls_labelled(desk_page)
    assert_fits_phone(desk_page)
    # No camera here: the page says to type, and the typed form does the work.
    expect(desk_page.locator("#sn-scan-start")).to_be_hidden()
    desk_page.evaluate("window.__snSamePage = true")
    desk_page.fill("#id_code", reservation.code.lower())
    desk_page.locator("#sn-checkin-form button[type=submit]").click()
    result = desk_page.locator(".sn-checkin-result")
    expect(result).to_have_attribute("data-status", "valid")
    expect(result).to_contain_text(member.full_name)
    expect(desk_page.locator("#id_code")).to_have_value("")
    screenshot(desk_page, "visit-check-in-phone")
    reservation.refresh_from_db()
    assert reservation.state == "checked_in"
    assert reservation.checked_in_by == desk

    # The same ticket again.
    desk_page.fill("#id_code", reservation.code)
    desk_page.locator("#sn-checkin-form button[type=submit]").click()
    expect(result).to_have_attribute("data-status", "used")
    assert desk_page.evaluate("window.__snSamePage") is True

    # The member's ticket now says they arrived.
    page.reload()
    expect(page.locator(".sn-state")).to_have_class(re.compile(r"\btext-bg-success\b"))
    expect(page.locator("img.sn-qr")).to_have_count(0)

    assert not problems, f"the browser reported problems: {problems}"
