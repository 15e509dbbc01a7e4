"""A participant goes through a batch's classroom on a phone, from pre-test to completion.

Pre-test → check in to the live session with the speaker's code → read the material and mark it
done → submit the follow-up plan (rencana tindak lanjut) → the speaker grades it → post-test →
evaluation → the progress page shows the batch completed. Every page must fit a 360 px screen
and run under the site's Content-Security-Policy with no console error.
"""

import re

import pytest

from .conftest import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from sinergi.learning import grading
from sinergi.learning.models import (
    Attempt,
    Attendance,
    Completion,
    ItemKind,
    QuizRole,
    Submission,
)
from sinergi.learning.services import assignments, content, quizzes
from sinergi.learning.services.attendance import session_update

from ..factories import UserFactory
from ..learning.factories import (
    ParticipantFactory,
    QuestionCategoryFactory,
    QuestionFactory,
)
from .test_signup_flow import assert_fits_phone
from .test_training_flow import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def build_classroom(batch, manager, speaker):
    """Pre-test and post-test of two questions each, a live session now, a page, an
    assignment and the evaluation."""
    category = QuestionCategoryFactory(name="Tes", path="Tes")
    for text in ("MARC 21 adalah format metadata.", "DDC kelas 600 adalah teknologi."):
        QuestionFactory(category=category, bank=category.bank, text=text)
    bank = category.bank

    def module(title):
        return content.module_create(actor=manager, title=title, batch=batch)

    def item(module, kind, title, **fields):
        return content.item_create(module=module, kind=kind, actor=manager, title=title, **fields)

    opening = module("Orientasi")
    pretest = item(opening, ItemKind.QUIZ, "Pre-test", bank=bank, role=QuizRole.PRETEST)
    main = module("Materi inti")
    session_item = item(main, ItemKind.SESSION, "Sesi 1: Katalogisasi", jp=2)
    session_update(
        session=session_item.session,
        actor=manager,
        title="Sesi 1: Katalogisasi",
        starts_at=timezone.now() - timezone.timedelta(minutes=5),
        jp=2,
        speakers=[speaker],
        meeting_url="https://meet.example.org/katalogisasi",
    )
    page = item(
        main,
        ItemKind.PAGE,
        "Bacaan: MARC 21",
        body="<p>MARC 21 memakai <strong>tag</strong> tiga digit.</p>",
    )
    plan = item(main, ItemKind.ASSIGNMENT, "Rencana tindak lanjut")
    closing = module("Penutup")
    posttest = item(closing, ItemKind.QUIZ, "Post-test", bank=bank, role=QuizRole.POSTTEST)
    survey = item(closing, ItemKind.SURVEY, "Evaluasi")
    for quiz_item, role in ((pretest, QuizRole.PRETEST), (posttest, QuizRole.POSTTEST)):
        quizzes.quiz_configure(
            actor=manager,
            item=quiz_item,
            role=role,
            bank=bank,
            slots=[quizzes.SlotSpec(question=q) for q in bank.questions.all()],
            time_limit_minutes=20,
            attempts_allowed=2,
            pass_mark=70 if role == QuizRole.POSTTEST else 0,
        )
    return {
        "pretest": pretest,
        "session": session_item.session,
        "page": page,
        "plan": plan,
        "posttest": posttest,
        "survey": survey,
    }


def take_quiz(page, live_server, batch, quiz_item, registration, *, right: bool):
    page.goto(live_server.url + reverse("learning:quiz_detail", args=[batch.pk, quiz_item.pk]))
    assert_fits_phone(page)
    page.locator(
        f'form[action="{reverse("learning:quiz_start", args=[batch.pk, quiz_item.pk])}"] button'
    ).click()
    expect(page).to_have_url(re.compile(r"/learning/attempts/\d+/"))
    page.wait_for_load_state()  # htmx listens from here on
    attempt = Attempt.objects.get(
        quiz=quiz_item.quiz, registration=registration, state="in_progress"
    )
    for row in attempt.questions.select_related("question").order_by("position"):
        answers = list(row.question.answers.all())
        choice = grading.correct_response(row.question, answers)["choices"][0]
        if not right:
            choice = next(answer.pk for answer in answers if answer.pk != choice)
        page.locator(f"#q{row.position}-a{choice}").check()
        # Saved as the participant goes: the indicator answers from the server.
        expect(page.locator(f"#saved-{row.position}")).to_contain_text(re.compile(r"\d\d:\d\d"))
    assert_fits_phone(page)
    page.locator('button[name="go"][value="finish"]').click()
    page.locator(
        f'form[action="{reverse("learning:attempt_submit", args=[attempt.pk])}"] button'
    ).click()
    expect(page).to_have_url(re.compile(r"/learning/attempts/\d+/review/"))
    attempt.refresh_from_db()
    return attempt


def test_participant_goes_from_pretest_to_completion_on_a_phone(
    live_server, reference_data, e2e_settings, settings, tmp_path, new_page, problems, screenshot
):
    settings.MEDIA_ROOT = tmp_path
    manager = UserFactory(roles=["program_manager"], email="program@example.org")
    speaker = UserFactory(
        roles=["speaker"], email="narasumber@example.org", full_name="Dr. Rina Pustaka, M.Hum."
    )
    registration = ParticipantFactory(
        user__email="ayu.lestari@example.org", user__full_name="Ayu Lestari, A.Md."
    )
    batch = registration.batch
    parts = build_classroom(batch, manager, speaker)
    participant = registration.user

    page = new_page("phone")
    log_in(page, live_server, participant.email)

    # The classroom lists the modules; the material waits for nothing, the pre-test comes first.
    page.goto(live_server.url + reverse("learning:classroom", args=[batch.pk]))
    expect(page.locator("main")).to_contain_text("Orientasi")
    assert_fits_phone(page)
    screenshot(page, "classroom-phone")

    pretest = take_quiz(page, live_server, batch, parts["pretest"], registration, right=False)
    assert pretest.state == "finished" and pretest.score == Decimal(0)

    # The speaker shows the check-in code on their own screen; the participant types it.
    session = parts["session"]
    session_url = live_server.url + reverse("learning:session_detail", args=[batch.pk, session.pk])
    speaker_page = new_page("desktop")
    log_in(speaker_page, live_server, speaker.email)
    speaker_page.goto(session_url)
    code = speaker_page.locator(".sn-checkin-code").inner_text().strip()
    assert len(code) == 6
    page.goto(session_url)
    assert_fits_phone(page)
    page.locator(".sn-checkin-form input[name=code]").fill(code.lower())
    page.locator(".sn-checkin-form button[type=submit]").click()
    expect(page.locator(".sn-checked-in")).to_be_visible()
    assert Attendance.objects.get(session=session, registration=registration).status == "present"

    # Read the material and mark it done.
    page.goto(live_server.url + reverse("learning:item_detail", args=[batch.pk, parts["page"].pk]))
    expect(page.locator(".sn-page-body strong")).to_have_text("tag")
    page.locator(
        f'form[action="{reverse("learning:item_done", args=[batch.pk, parts["page"].pk])}"] button'
    ).click()
    expect(page.locator(".sn-done")).to_be_visible()

    # Submit the follow-up plan; the speaker grades it.
    page.goto(live_server.url + reverse("learning:item_detail", args=[batch.pk, parts["plan"].pk]))
    form = page.locator(".sn-submission-form")
    form.locator("textarea").fill(
        "Menata ulang katalog daring sekolah dalam tiga bulan; ukurannya jumlah penelusuran."
    )
    assert_fits_phone(page)
    form.locator("button[type=submit]").click()
    expect(page.locator(".sn-submission")).to_be_visible()
    submission = Submission.objects.get(registration=registration)
    assignments.submission_grade(
        submission=submission, actor=speaker, score=Decimal(85), feedback="Rencana jelas."
    )

    posttest = take_quiz(page, live_server, batch, parts["posttest"], registration, right=True)
    assert posttest.score == Decimal(100)
    assert not Completion.objects.filter(registration=registration).exists()  # evaluation left

    # The evaluation: a rating for every item, a comment for the speaker.
    page.goto(
        live_server.url + reverse("learning:survey_fill", args=[batch.pk, parts["survey"].pk])
    )
    expect(page.locator("main")).to_contain_text("Dr. Rina Pustaka")
    assert_fits_phone(page)
    for group in page.locator("[role=radiogroup]").all():
        group.locator("label").nth(4).click()
    page.locator("textarea").first.fill("Penjelasan runtut dan contoh nyata.")
    page.locator(".sn-survey-submit").click()
    expect(page.locator(".sn-survey-done")).to_be_visible()

    # Completed at once, and the progress page says so.
    assert Completion.objects.filter(registration=registration).exists()
    page.goto(live_server.url + reverse("learning:progress", args=[batch.pk]))
    expect(page.locator(".sn-completed")).to_be_visible()
    expect(page.locator(".sn-requirements .sn-met")).to_have_count(4)
    assert_fits_phone(page)
    screenshot(page, "progress-phone")
    assert not problems, problems
