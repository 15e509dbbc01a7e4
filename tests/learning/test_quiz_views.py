"""Quiz pages through HTTP: settings, intro, attempt (HTMX and plain form), submit, review,
essay grading and who may see what."""

import re
from datetime import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from sinergi.learning.models import Attempt, AttemptState, Quiz

from .factories import ParticipantFactory, SessionFactory, UserFactory
from .quiz_data import bank_with_every_type, english_messages, make_quiz, quiz_item

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}

_english = english_messages  # autouse: messages are matched in English


@pytest.fixture
def bank(db):
    return bank_with_every_type()


@pytest.fixture
def quiz(participant, bank):
    return make_quiz(participant.batch, bank, time_limit_minutes=30)


def start(client, quiz) -> Attempt:
    batch_id = quiz.item.module.batch_id
    response = client.post(reverse("learning:quiz_start", args=[batch_id, quiz.item_id]))
    attempt = Attempt.objects.get(quiz=quiz)
    # The answer is the attempt's first page, which tells the browser its own address.
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-url="{reverse("learning:attempt", args=[attempt.pk])}"' in page
    assert f"/learning/attempts/{attempt.pk}/answers/1/?k=" in page
    return attempt


def row_of(attempt, qtype):
    rows = attempt.questions.select_related("question").filter(question__qtype=qtype)
    return rows.order_by("question_id").first()


def test_intro_start_and_every_question_type_on_the_page(participant_client, quiz):
    intro = participant_client.get(
        reverse("learning:quiz_detail", args=[quiz.item.module.batch_id, quiz.item_id])
    )
    assert intro.status_code == 200
    assert "30 menit" in intro.content.decode() or "30 minutes" in intro.content.decode()
    attempt = start(participant_client, quiz)
    page = participant_client.get(reverse("learning:attempt", args=[attempt.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for qtype in ("multichoice", "truefalse", "shortanswer", "numerical", "matching"):
        assert f"sn-q-{qtype}" in html
    deadline = re.search(r'id="sn-countdown" data-deadline="([^"]+)"', html).group(1)
    assert datetime.fromisoformat(deadline) == attempt.deadline
    assert html.count("hx-post=") == 10  # ten questions to answer, and a description
    assert "learning/quiz.js" in html


def test_htmx_saves_one_answer_in_a_constant_number_of_queries(
    participant_client, quiz, django_assert_num_queries
):
    attempt = start(participant_client, quiz)
    row = row_of(attempt, "shortanswer")
    url = reverse("learning:attempt_answer", args=[attempt.pk, row.position])
    data = {f"q{row.position}-kind": "text", f"q{row.position}-text": "Perpusnas"}
    # The session, the user, then the service's read and conditional UPDATE.
    with django_assert_num_queries(4):
        response = participant_client.post(url, data, **HTMX)
    assert response.status_code == 200
    assert b"sn-saved" in response.content and b"text-success" in response.content
    row.refresh_from_db()
    assert row.response == {"text": "Perpusnas"}


SAVE_URL = re.compile(r'hx-post="([^"]+)"')


def cards(response) -> dict[int, str]:
    """The question cards of an attempt page by position: each fieldset's attributes and body."""
    html = response.content.decode()
    fieldsets = re.findall(r'<fieldset[^>]* id="q(\d+)"(.*?)</fieldset>', html, re.DOTALL)
    return {int(position): body for position, body in fieldsets}


def page_save_urls(client, attempt) -> dict[int, str]:
    """The autosave URL of each question on the attempt page, as HTMX would post to it."""
    page = client.get(reverse("learning:attempt", args=[attempt.pk]))
    urls = {p: SAVE_URL.search(body) for p, body in cards(page).items()}
    return {p: found.group(1).replace("&amp;", "&") for p, found in urls.items() if found}


def test_the_pages_autosave_saves_in_one_query_without_the_session(
    participant_client, quiz, django_assert_num_queries
):
    attempt = start(participant_client, quiz)
    urls = page_save_urls(participant_client, attempt)
    for qtype, data in (
        ("shortanswer", lambda p, row: {f"q{p}-kind": "text", f"q{p}-text": "Perpusnas"}),
        (
            "multichoice",
            lambda p, row: {f"q{p}-kind": "choices", f"q{p}-choice": row.answer_order[0]},
        ),
        ("numerical", lambda p, row: {f"q{p}-kind": "value", f"q{p}-value": "8"}),
    ):
        row = row_of(attempt, qtype)
        assert "?k=" in urls[row.position]
        # Only the conditional UPDATE: no session, no user, no question read.
        with django_assert_num_queries(1):
            response = participant_client.post(urls[row.position], data(row.position, row), **HTMX)
        assert response.status_code == 200 and b"text-success" in response.content
        row.refresh_from_db()
        assert row.response is not None and row.saved_at is not None


def test_an_answer_key_is_checked_like_the_session(client, participant, quiz):
    client.force_login(participant.user)
    attempt = start(client, quiz)
    urls = page_save_urls(client, attempt)
    row = row_of(attempt, "shortanswer")
    p = row.position
    data = {f"q{p}-kind": "text", f"q{p}-text": "Perpusnas"}
    # A key for another question does not move to this one: the signed-in path saves instead.
    other_position = next(position for position in urls if position != p)
    moved = urls[other_position].split("?")[1]
    url = reverse("learning:attempt_answer", args=[attempt.pk, p])
    assert client.post(f"{url}?{moved}", data, **HTMX).status_code == 200
    # Another person with the key (and their own session) is refused: the key is bound to the
    # session it was made for, and without it they are just someone else.
    other = ParticipantFactory(batch=participant.batch)
    client.force_login(other.user)
    assert client.post(urls[p], {**data, f"q{p}-text": "x"}, **HTMX).status_code == 404
    client.logout()
    signed_out = client.post(urls[p], {**data, f"q{p}-text": "x"}, **HTMX)
    assert signed_out.status_code == 302 and "/login" in signed_out["Location"]
    row.refresh_from_db()
    assert row.response == {"text": "Perpusnas"}


def test_an_answer_key_saves_nothing_once_the_registration_is_cancelled(
    participant_client, participant, quiz
):
    attempt = start(participant_client, quiz)
    urls = page_save_urls(participant_client, attempt)
    row = row_of(attempt, "shortanswer")
    participant.state = "cancelled"
    participant.save(update_fields=["state"])
    data = {f"q{row.position}-kind": "text", f"q{row.position}-text": "Perpusnas"}
    assert participant_client.post(urls[row.position], data, **HTMX).status_code == 404
    row.refresh_from_db()
    assert row.response is None


def test_an_answer_key_after_submitting_says_the_attempt_is_closed(participant_client, quiz):
    attempt = start(participant_client, quiz)
    urls = page_save_urls(participant_client, attempt)
    participant_client.post(reverse("learning:attempt_submit", args=[attempt.pk]))
    row = row_of(attempt, "shortanswer")
    data = {f"q{row.position}-kind": "text", f"q{row.position}-text": "Perpusnas"}
    response = participant_client.post(urls[row.position], data, **HTMX)
    assert response["HX-Redirect"] == reverse("learning:attempt_review", args=[attempt.pk])
    assert b"sn-not-saved" in response.content
    row.refresh_from_db()
    assert row.response is None


def test_the_autosave_speaks_the_language_of_the_cookie(participant_client, quiz, settings):
    attempt = start(participant_client, quiz)
    urls = page_save_urls(participant_client, attempt)
    row = row_of(attempt, "numerical")
    data = {f"q{row.position}-kind": "value", f"q{row.position}-value": "delapan"}
    participant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    indonesian = participant_client.post(urls[row.position], data, **HTMX)
    participant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = participant_client.post(urls[row.position], data, **HTMX)
    assert b"Enter a number" in english.content
    assert b"Enter a number" not in indonesian.content and b"sn-not-saved" in indonesian.content


def test_unanswered_questions_are_rendered_once_and_answered_ones_each_time(
    participant_client, participant, quiz, monkeypatch, settings
):
    from django.core.cache import cache

    from sinergi.learning.views import quizzes as quiz_views

    cache.clear()
    attempt = start(participant_client, quiz)
    page_url = reverse("learning:attempt", args=[attempt.pk])
    first = cards(participant_client.get(page_url))
    rendered = []
    real = quiz_views.attempt_row_texts
    monkeypatch.setattr(
        quiz_views,
        "attempt_row_texts",
        lambda row, **kw: rendered.append(row.pk) or real(row, **kw),
    )
    again = cards(participant_client.get(page_url))
    assert rendered == [] and again == first
    # Another participant who drew the same question gets it from the cache, in their own place
    # on their page and with their own autosave key.
    other = ParticipantFactory(batch=participant.batch)
    participant_client.force_login(other.user)
    participant_client.post(
        reverse("learning:quiz_start", args=[quiz.item.module.batch_id, quiz.item_id])
    )
    theirs = Attempt.objects.get(quiz=quiz, registration=other)
    their_cards = cards(participant_client.get(reverse("learning:attempt", args=[theirs.pk])))
    assert f"/learning/attempts/{theirs.pk}/answers/" in "".join(their_cards.values())
    assert f"/learning/attempts/{attempt.pk}/" not in "".join(their_cards.values())
    # An answered question is rendered with the answer, each time.
    participant_client.force_login(participant.user)
    row = row_of(attempt, "shortanswer")
    urls = page_save_urls(participant_client, attempt)
    rendered.clear()
    data = {f"q{row.position}-kind": "text", f"q{row.position}-text": "Perpusnas"}
    participant_client.post(urls[row.position], data, **HTMX)
    answered = cards(participant_client.get(page_url))
    assert rendered == [row.pk]
    assert 'value="Perpusnas"' in answered[row.position]
    # An edited question, or another language, is rendered afresh.
    question = row_of(attempt, "multichoice").question
    question.text = "Soal yang diperbaiki"
    question.save()
    participant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    assert "Soal yang diperbaiki" in "".join(cards(participant_client.get(page_url)).values())


def test_autosave_answers_json_for_scripts(participant_client, quiz):
    attempt = start(participant_client, quiz)
    row = row_of(attempt, "numerical")
    url = reverse("learning:attempt_answer", args=[attempt.pk, row.position])
    ok = participant_client.post(
        url,
        {f"q{row.position}-kind": "value", f"q{row.position}-value": "8"},
        HTTP_ACCEPT="application/json",
    )
    assert ok.status_code == 200 and "saved_at" in ok.json()
    bad = participant_client.post(
        url,
        {f"q{row.position}-kind": "value", f"q{row.position}-value": "x"},
        HTTP_ACCEPT="application/json",
    )
    assert bad.status_code == 422
    assert "number" in bad.json()["error"].lower() or "angka" in bad.json()["error"].lower()
    row.refresh_from_db()
    assert row.response == {"value": "8"}


def test_a_bad_answer_over_htmx_is_shown_and_nothing_lost(participant_client, quiz):
    attempt = start(participant_client, quiz)
    row = row_of(attempt, "multichoice")
    url = reverse("learning:attempt_answer", args=[attempt.pk, row.position])
    response = participant_client.post(
        url, {f"q{row.position}-kind": "choices", f"q{row.position}-choice": "999999"}, **HTMX
    )
    assert response.status_code == 200 and b"sn-not-saved" in response.content


def test_the_plain_form_saves_the_page_and_finishes_without_javascript(participant_client, quiz):
    attempt = start(participant_client, quiz)
    mc = row_of(attempt, "multichoice")
    rows = list(attempt.questions.select_related("question").prefetch_related("question__answers"))
    data = {}
    for row in rows:
        p, q = row.position, row.question
        answers = list(q.answers.all())
        if q.qtype in ("multichoice", "truefalse"):
            data[f"q{p}-kind"] = "choices"
            data[f"q{p}-choice"] = [a.pk for a in answers if a.fraction > 0]
        elif q.qtype == "shortanswer":
            data.update({f"q{p}-kind": "text", f"q{p}-text": "perpusnas"})
        elif q.qtype == "numerical":
            data.update({f"q{p}-kind": "value", f"q{p}-value": "8,0"})
        elif q.qtype == "matching":
            data[f"q{p}-kind"] = "pairs"
            for answer in answers:
                data[f"q{p}-pair-{answer.pk}"] = answer.pk
    data["go"] = "finish"
    response = participant_client.post(reverse("learning:attempt", args=[attempt.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:attempt_submit", args=[attempt.pk])
    confirm = participant_client.get(response["Location"])
    assert confirm.status_code == 200 and b"sn-narrow" in confirm.content
    done = participant_client.post(reverse("learning:attempt_submit", args=[attempt.pk]))
    assert done["Location"] == reverse("learning:attempt_review", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED and attempt.score == 100
    review = participant_client.get(done["Location"])
    assert review.status_code == 200 and b"sn-review-question" in review.content
    assert mc.question.answers.get(fraction=1).text.encode() in review.content


def test_a_plain_form_with_a_bad_answer_keeps_the_good_ones(participant_client, quiz):
    attempt = start(participant_client, quiz)
    short, number = row_of(attempt, "shortanswer"), row_of(attempt, "numerical")
    response = participant_client.post(
        reverse("learning:attempt", args=[attempt.pk]),
        {
            f"q{short.position}-kind": "text",
            f"q{short.position}-text": "Perpusnas",
            f"q{number.position}-kind": "value",
            f"q{number.position}-value": "delapan",
            "go": "next",
        },
    )
    assert response.status_code == 422
    assert b"sn-not-saved" in response.content
    short.refresh_from_db()
    assert short.response == {"text": "Perpusnas"}


def test_nobody_reads_or_saves_another_persons_attempt(client, participant, quiz):
    client.force_login(participant.user)
    attempt = start(client, quiz)
    other = ParticipantFactory(batch=participant.batch)
    client.force_login(other.user)
    position = attempt.questions.first().position
    for name in ("learning:attempt", "learning:attempt_submit", "learning:attempt_review"):
        assert client.get(reverse(name, args=[attempt.pk])).status_code == 404
    saved = client.post(
        reverse("learning:attempt_answer", args=[attempt.pk, position]),
        {f"q{position}-kind": "text", f"q{position}-text": "x"},
        **HTMX,
    )
    assert saved.status_code == 404
    assert client.post(reverse("learning:attempt_submit", args=[attempt.pk])).status_code == 404
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS


def test_outsiders_cannot_start_a_quiz(client, quiz):
    client.force_login(UserFactory(roles=["participant"]))
    url = reverse("learning:quiz_start", args=[quiz.item.module.batch_id, quiz.item_id])
    assert client.post(url).status_code == 404


def test_a_save_after_the_time_is_up_closes_the_attempt(participant_client, quiz):
    attempt = start(participant_client, quiz)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timezone.timedelta(seconds=1)
    )
    row = row_of(attempt, "shortanswer")
    response = participant_client.post(
        reverse("learning:attempt_answer", args=[attempt.pk, row.position]),
        {f"q{row.position}-kind": "text", f"q{row.position}-text": "Perpusnas"},
        **HTMX,
    )
    assert response["HX-Redirect"] == reverse("learning:attempt_review", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    # The page of a closed attempt sends the participant to the result.
    page = participant_client.get(reverse("learning:attempt", args=[attempt.pk]))
    assert page["Location"] == reverse("learning:attempt_review", args=[attempt.pk])


def test_review_shows_only_the_score_when_the_quiz_says_so(participant_client, quiz):
    Quiz.objects.filter(pk=quiz.pk).update(review="none")
    attempt = start(participant_client, quiz)
    participant_client.post(reverse("learning:attempt_submit", args=[attempt.pk]))
    review = participant_client.get(reverse("learning:attempt_review", args=[attempt.pk]))
    assert b"sn-result" in review.content and b"sn-review-question" not in review.content


# --- Staff ------------------------------------------------------------------------------------


def test_staff_configure_a_quiz_for_a_batch_item(client, participant, bank):
    manager = UserFactory(roles=["program_manager"])
    client.force_login(manager)
    item = quiz_item(participant.batch, title="Pre-test")
    url = reverse("learning:quiz_settings", args=[item.pk])
    assert client.get(url).status_code == 200
    tf = bank.categories.get(path="Dasar/TF")
    response = client.post(
        url,
        {
            "role": "pretest",
            "bank": bank.pk,
            "questions": [bank.questions.get(name="Isian").pk],
            "random_0_category": tf.pk,
            "random_0_count": 3,
            "time_limit_minutes": 20,
            "attempts_allowed": 1,
            "pass_mark": 60,
            "review": "after_close",
            "shuffle_questions": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    quiz = Quiz.objects.get(item=item)
    assert (quiz.role, quiz.time_limit_minutes, quiz.pass_mark) == ("pretest", 20, 60)
    assert quiz.shuffle_questions and not quiz.shuffle_answers
    assert [(s.question_id is not None, s.count) for s in quiz.slots.all()] == [
        (True, 1),
        (False, 3),
    ]
    # Too many random questions: the page says so, nothing changes.
    response = client.post(
        url,
        {
            "role": "pretest",
            "bank": bank.pk,
            "random_0_category": tf.pk,
            "random_0_count": 9,
            "attempts_allowed": 1,
            "pass_mark": 60,
            "review": "after_close",
        },
    )
    assert response.status_code == 200 and "Dasar/TF" in response.content.decode()
    assert quiz.slots.count() == 2


def test_only_managers_reach_quiz_settings(client, participant, bank):
    item = quiz_item(participant.batch)
    client.force_login(participant.user)
    assert client.get(reverse("learning:quiz_settings", args=[item.pk])).status_code == 404


def test_a_speaker_grades_essays_from_the_queue(client, participant, bank):
    speaker = UserFactory()
    SessionFactory(batch=participant.batch, speakers=[speaker])
    quiz = make_quiz(participant.batch, bank, questions=[bank.questions.get(name="Esai")])
    client.force_login(participant.user)
    attempt = start(client, quiz)
    row = attempt.questions.get()
    client.post(
        reverse("learning:attempt_answer", args=[attempt.pk, row.position]),
        {f"q{row.position}-kind": "text", f"q{row.position}-text": "Rencana saya: katalog daring."},
        **HTMX,
    )
    client.post(reverse("learning:attempt_submit", args=[attempt.pk]))
    # The participant cannot see the queue.
    assert (
        client.get(reverse("learning:essay_queue", args=[participant.batch_id])).status_code == 403
    )

    client.force_login(speaker)
    queue = client.get(reverse("learning:essay_queue", args=[participant.batch_id]))
    assert b"katalog daring" in queue.content
    url = reverse("learning:essay_grade", args=[participant.batch_id, row.pk])
    refused = client.post(url, {"points": "5"})
    assert refused.status_code == 422
    graded = client.post(url, {"points": "0.75", "comment": "Bagus"})
    assert graded.status_code == 302
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED and attempt.score == 75


def test_a_speaker_of_another_batch_cannot_grade(client, participant, bank):
    outsider = UserFactory()
    SessionFactory(speakers=[outsider])
    client.force_login(outsider)
    assert (
        client.get(reverse("learning:essay_queue", args=[participant.batch_id])).status_code == 404
    )


def test_html_in_question_text_is_cleaned(participant_client, participant, bank):
    question = bank.questions.get(name="Isian")
    question.text = (
        '<p>Apa <b>singkatan</b>?</p><script>alert(1)</script><img src=x onerror="alert(2)">'
    )
    question.text_format = "html"
    question.save()
    quiz = make_quiz(participant.batch, bank, questions=[question])
    attempt = start(participant_client, quiz)
    html = participant_client.get(reverse("learning:attempt", args=[attempt.pk])).content.decode()
    assert "<b>singkatan</b>" in html
    assert "alert(1)" not in html and "onerror" not in html
    assert not re.search(r"<script>(?!.*src)", html)


def test_a_long_quiz_pages_and_the_buttons_move_between_pages(
    participant_client, quiz, monkeypatch
):
    monkeypatch.setattr("sinergi.learning.views.quizzes.PAGE_SIZE", 4)
    attempt = start(participant_client, quiz)
    url = reverse("learning:attempt", args=[attempt.pk])
    first = participant_client.get(url).content.decode()
    assert first.count("sn-question ") == 4 and 'id="q1"' in first
    assert 'value="next"' in first and 'value="finish"' not in first
    moved = participant_client.post(f"{url}?page=1", {"go": "next"})
    assert moved["Location"] == f"{url}?page=2"
    second = participant_client.get(moved["Location"]).content.decode()
    assert 'id="q5"' in second and 'id="q1"' not in second
    last = participant_client.get(f"{url}?page=99").content.decode()
    assert 'id="q9"' in last and 'value="finish"' in last


def test_the_start_is_the_first_page_and_sending_it_again_changes_nothing(
    participant_client, quiz, django_assert_num_queries
):
    """The start answers with the page (one request, not a redirect and a page), made from what
    it drew without reading it back; a browser that sends the start again (reload without
    JavaScript) gets the same attempt's page back."""
    url = reverse("learning:quiz_start", args=[quiz.item.module.batch_id, quiz.item_id])
    ContentType.objects.get_for_model(Attempt)  # the log's, kept by the process after its first
    # Session, user, access, item, quiz; under the registration's lock: its attempts, the
    # questions and answers to draw from, the attempt, its questions, the log; the roles.
    with django_assert_num_queries(16):
        first = participant_client.post(url)
    attempt = Attempt.objects.get(quiz=quiz)
    page = participant_client.get(reverse("learning:attempt", args=[attempt.pk]))
    assert first.status_code == page.status_code == 200
    assert len(cards(first)) == 11 and cards(first) == cards(page)
    # Session, user, access, item, quiz, the open attempt under the lock, the page.
    with django_assert_num_queries(13):
        again = participant_client.post(url)
    assert again.status_code == 200
    assert Attempt.objects.filter(quiz=quiz).count() == 1
    assert cards(again) == cards(page)


def test_a_link_to_start_shows_the_intro_and_starts_nothing(participant_client, quiz):
    batch_id = quiz.item.module.batch_id
    response = participant_client.get(reverse("learning:quiz_start", args=[batch_id, quiz.item_id]))
    assert response["Location"] == reverse("learning:quiz_detail", args=[batch_id, quiz.item_id])
    assert not Attempt.objects.filter(quiz=quiz).exists()


def test_a_cancelled_participant_can_no_longer_save(participant_client, participant, quiz):
    attempt = start(participant_client, quiz)
    participant.state = "cancelled"
    participant.save()
    row = row_of(attempt, "shortanswer")
    response = participant_client.post(
        reverse("learning:attempt_answer", args=[attempt.pk, row.position]),
        {f"q{row.position}-kind": "text", f"q{row.position}-text": "Perpusnas"},
        **HTMX,
    )
    assert response.status_code == 404


def test_a_locked_quiz_cannot_be_opened_or_started_by_url(participant_client, quiz):
    quiz.item.available_from = timezone.now() + timezone.timedelta(days=1)
    quiz.item.save(update_fields=["available_from"])
    batch_id = quiz.item.module.batch_id
    detail = reverse("learning:quiz_detail", args=[batch_id, quiz.item_id])
    assert participant_client.get(detail).status_code == 403
    started = participant_client.post(reverse("learning:quiz_start", args=[batch_id, quiz.item_id]))
    assert started.status_code == 403
    assert not Attempt.objects.filter(quiz=quiz).exists()
