"""Finance enters a batch's actual costs; the head of library sees the profit change.

Two browsers: finance on a desktop fills the budget form (planned and actual costs), the head
on a 360 px phone reads the dashboard of the year, with its server-drawn charts. Finance then
enters a higher actual cost and the head, reloading, sees the profit fall by that much. Under
the site's real Content-Security-Policy: any console error, uncaught exception or CSP
violation fails the test.
"""

import pytest

from .conftest import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

from django.urls import reverse
from playwright.sync_api import expect

from sinergi.core.formatting import format_rupiah

from ..factories import BatchFactory, UserFactory
from ..insights.helpers import paid_registrations, session, speaker
from .test_signup_flow import assert_controls_labelled, assert_fits_phone
from .test_training_flow import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_finance_enters_actual_costs_and_the_head_sees_the_profit_change(
    live_server, reference_data, e2e_settings, new_page, problems, screenshot
):
    finance = UserFactory(roles=["finance"], email="keuangan@example.org")
    head = UserFactory(roles=["head"], email="kepala@example.org")
    batch = BatchFactory(code="PPS-2026-09", fee=750_000, capacity=10, status="finished")
    paid_registrations(batch, 6)  # Rp4.500.000
    session(batch, speaker(), jp=2)  # Rp1.800.000 honorarium
    year = batch.starts_on.year
    dashboard_url = live_server.url + reverse("insights:dashboard") + f"?year={year}"

    # The head, on a phone: no costs entered yet, so only the honoraria count.
    head_page = new_page("phone")
    log_in(head_page, live_server, head.email)
    head_page.goto(dashboard_url)
    row_profit = head_page.locator(f"#batch-{batch.code} [data-profit]")
    expect(row_profit).to_have_text(format_rupiah(4_500_000 - 1_800_000))
    expect(head_page.locator("svg.sn-chart").first).to_be_visible()
    assert_fits_phone(head_page)

    # Finance, on a desktop: the plan, and what consumption actually cost.
    finance_page = new_page("desktop")
    log_in(finance_page, live_server, finance.email)
    finance_page.goto(live_server.url + reverse("insights:budgets") + f"?year={year}")
    finance_page.locator(f"#budget-{batch.code}").click()
    form = finance_page.locator("#budget-form")
    assert_controls_labelled(finance_page)
    form.locator("input[name=consumption_planned]").fill("300000")
    form.locator("input[name=consumption_actual]").fill("450000")
    form.locator("input[name=platform_planned]").fill("250000")
    form.get_by_role("button").click()
    expect(finance_page.locator("[data-figure=profit]")).to_have_text(
        format_rupiah(4_500_000 - 1_800_000 - 450_000 - 250_000)
    )
    screenshot(finance_page, "budget-desktop")

    head_page.reload()
    expect(row_profit).to_have_text(format_rupiah(2_000_000))
    expect(head_page.locator("[data-figure=profit]")).to_have_text(format_rupiah(2_000_000))

    # The platform bill comes in higher than planned: the head sees it at once.
    finance_page.locator("#budget-form input[name=platform_actual]").fill("550000")
    finance_page.locator("#budget-form").get_by_role("button").click()
    expect(finance_page.locator("[data-figure=profit]")).to_have_text(format_rupiah(1_700_000))
    head_page.reload()
    expect(row_profit).to_have_text(format_rupiah(1_700_000))
    screenshot(head_page, "head-dashboard-phone")

    # The XLSX export of the batches table downloads.
    with head_page.expect_download() as download:
        head_page.locator("a[href*='export=batches']").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert not problems, f"the browser reported problems: {problems}"
