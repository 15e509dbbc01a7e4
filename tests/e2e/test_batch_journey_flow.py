"""A program manager prepares a batch in the browser: sets its rules of completion with a
preview, is stopped from opening a batch that has no post-test (the checklist says why), and
is refused a session outside the batch's dates. On a 360 px phone, under the site's real
Content-Security-Policy: a console error, uncaught exception or CSP violation fails the test.
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

from sinergi.learning.models import Attempt, Attendance, Completion, CompletionRules, Quiz
from tests.i18n import indonesian

from ..factories import UserFactory
from ..learning.factories import (
    ItemFactory,
    ModuleFactory,
    ParticipantFactory,
    QuestionBankFactory,
    SessionFactory,
    SurveyFactory,
)
from ..training.readiness_data import ready_batch
from .test_signup_flow import assert_fits_phone
from .test_training_flow import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(reference_data):
    return UserFactory(roles=["program_manager"], email="program@example.org")


def test_manager_sets_completion_rules_and_sees_the_preview(
    live_server, e2e_settings, manager, new_page, problems, screenshot
):
    first = ParticipantFactory(user__full_name="Ani Lestari")
    batch = first.batch
    second = ParticipantFactory(batch=batch, user__full_name="Budi Santoso")
    session = SessionFactory(batch=batch, starts_at=timezone.now() - timedelta(hours=2))
    module = ModuleFactory(batch=batch)
    posttest = Quiz.objects.create(
        item=ItemFactory(module=module, kind="quiz", title="Post-test"),
        role="posttest",
        bank=QuestionBankFactory(),
        pass_mark=70,
    )
    SurveyFactory(item__module=module)
    for registration, score in ((first, 65), (second, 40)):
        Attendance.objects.create(
            session=session, registration=registration, status="present", method="code"
        )
        Attempt.objects.create(
            quiz=posttest,
            registration=registration,
            number=1,
            state="finished",
            submitted_at=timezone.now(),
            score=score,
            max_points=20,
            points=score / 5,
        )
    page = new_page("phone")
    log_in(page, live_server, manager.email)
    page.goto(live_server.url + reverse("learning:completion_rules", args=[batch.pk]))
    assert_fits_phone(page)
    expect(page.locator(".sn-preview-summary")).to_contain_text("0 peserta akan lulus")

    page.fill("input[name=min_attendance_percent]", "50")
    page.check(f"input[name=test_{posttest.pk}]")
    page.fill(f"input[name=mark_{posttest.pk}]", "60")
    page.uncheck("input[name=require_survey]")
    page.get_by_role("button", name=indonesian("Preview")).click()
    expect(page.locator(".sn-preview-summary")).to_contain_text("1 peserta akan lulus")
    expect(page.locator(".sn-would-complete")).to_have_count(1)
    expect(page.locator(".sn-would-complete")).to_contain_text("Ani Lestari")
    assert not CompletionRules.objects.exists()  # a preview saves nothing
    assert_fits_phone(page)
    screenshot(page, "completion-rules-preview-phone")

    page.get_by_role("button", name=indonesian("Save and re-check participants")).click()
    expect(page.locator(".sn-messages")).to_contain_text("1 peserta lulus sekarang")
    assert list(Completion.objects.values_list("registration", flat=True)) == [first.pk]
    expect(page.locator(".sn-rules-summary").first).to_contain_text(
        "Post-test lulus dengan nilai minimal 60"
    )
    assert not problems, problems


def test_a_batch_without_post_test_cannot_open_and_the_checklist_says_why(
    live_server, e2e_settings, settings, manager, new_page, problems, screenshot
):
    settings.SINERGI_BANK_ACCOUNT = "1234567890"
    batch = ready_batch(posttest=False)
    page = new_page("phone")
    log_in(page, live_server, manager.email)
    page.goto(live_server.url + reverse("training:batch_manage", args=[batch.pk]))
    item = page.locator(".sn-readiness-posttest")
    expect(item).to_have_class(re.compile(r"\bsn-blocking\b"))
    expect(item).to_contain_text(indonesian("needed to open"))
    expect(page.locator(".sn-readiness .sn-blocking")).to_have_count(1)
    assert_fits_phone(page)
    screenshot(page, "batch-readiness-phone")

    page.goto(live_server.url + reverse("training:batch_edit", args=[batch.pk]))
    page.select_option("select[name=status]", "open")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(
        "Angkatan belum dapat dibuka untuk pendaftaran. Yang kurang: Post-test."
    )
    batch.refresh_from_db()
    assert batch.status == "draft"

    # The checklist's link leads to where the post-test is added.
    page.goto(live_server.url + reverse("training:batch_manage", args=[batch.pk]))
    item.get_by_role("link").click()
    expect(page).to_have_url(
        live_server.url + reverse("learning:batch_curriculum", args=[batch.pk])
    )
    assert not problems, problems


def test_a_session_outside_the_batch_dates_is_refused_with_the_message(
    live_server, e2e_settings, manager, new_page, problems
):
    batch = ready_batch()
    speaker = UserFactory(roles=["speaker"], full_name="Dr. Narasumber")
    page = new_page("phone")
    log_in(page, live_server, manager.email)
    page.goto(live_server.url + reverse("learning:session_create", args=[batch.pk]))
    expect(page.locator("main")).to_contain_text(
        "Sesi harus berlangsung dalam rentang tanggal angkatan: "
    )  # the form says the rule before anyone breaks it
    day_before = batch.starts_on - timedelta(days=1)
    page.fill("input[name=title]", "Sesi terlalu awal")
    page.fill("input[name=date]", day_before.isoformat())
    page.fill("input[name=time]", "09:00")
    page.fill("input[name=jp]", "2")
    page.check(f"input[name=speakers][value='{speaker.pk}']")
    page.fill("input[name=meeting_url]", "https://meet.example.org/x")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("(WIB); sesi ini pada")
    assert not batch.sessions.filter(title="Sesi terlalu awal").exists()
    assert_fits_phone(page)
    assert not problems, problems
