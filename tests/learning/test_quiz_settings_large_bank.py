"""The quiz settings page stays fast however large the bank: the question picker shows one page,
its queries are pinned, and choices made on other pages survive paging and are saved.

(Before: every question of the bank was a checkbox; a bank of 393,216 questions took 96 s.)"""

import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sinergi.learning.models import Quiz
from sinergi.learning.services.questions import questions_import

from ..factories import UserFactory
from .quiz_data import quiz_item

pytestmark = pytest.mark.django_db
QUESTIONS = 3000
PINNED_QUERIES = 13


def big_gift(count: int) -> bytes:
    return "\n".join(
        f"$CATEGORY: Besar/Bagian {n % 3}\n::Soal {n:05d}:: MARC nomor {n}? {{T}}\n"
        for n in range(count)
    ).encode()


@pytest.fixture
def big_bank():
    manager = UserFactory(roles=["admin"])
    return questions_import(
        bank_name="Bank besar", format="gift", content=big_gift(QUESTIONS), actor=manager
    ).bank


@pytest.fixture
def manager_client(client):
    client.force_login(UserFactory(roles=["program_manager"], language="en"))
    return client


def checkboxes(html: str) -> list[str]:
    return re.findall(
        r'type="checkbox" class="form-check-input" name="questions" value="(\d+)"', html
    )


def settings_data(bank, **extra):
    data = {
        "role": "posttest",
        "bank": bank.pk,
        "attempts_allowed": 1,
        "pass_mark": 70,
        "review": "after_submit",
    }
    data.update(extra)
    return data


def test_the_settings_page_of_a_quiz_on_a_large_bank_shows_one_page(
    manager_client, participant, big_bank
):
    assert big_bank.questions.count() == QUESTIONS
    item = quiz_item(participant.batch)
    url = reverse("learning:quiz_settings", args=[item.pk])
    first = big_bank.questions.order_by("category__path", "name", "pk").first()
    response = manager_client.post(
        url, settings_data(big_bank, questions=[first.pk], random_0_category="", random_0_count="")
    )
    assert response.status_code == 302
    manager_client.get(url)  # warm the template and session caches
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        page = manager_client.get(url)
        seconds = time.perf_counter() - started
    html = page.content.decode()
    assert page.status_code == 200
    assert len(checkboxes(html)) == 50
    assert f'value="{first.pk}" id="id_questions_{first.pk}" checked' in html
    assert "Showing 1–50 of 3000." in html or "1–50" in html
    # Pinned: session, user, item, quiz, slots, banks, 3 category lists, picker page + count...
    # nothing that grows with the bank.
    assert len(queries) == PINNED_QUERIES, "\n".join(q["sql"] for q in queries.captured_queries)
    assert seconds < 1.0, seconds


def test_the_query_count_does_not_grow_with_the_bank(manager_client, participant, big_bank):
    from sinergi.learning.models import QuestionBank, QuestionCategory

    small = QuestionBank.objects.create(name="Kecil")
    category = QuestionCategory.objects.create(bank=small, name="A", path="A")
    small.questions.create(category=category, qtype="truefalse", name="S1", text="?")
    counts = []
    for bank in (small, big_bank):
        item = quiz_item(participant.batch)
        url = reverse("learning:quiz_settings", args=[item.pk])
        manager_client.post(url, settings_data(bank, picker_show="1"))
        with CaptureQueriesContext(connection) as queries:
            manager_client.post(url, settings_data(bank, picker_show="1"))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_choices_survive_paging_and_are_saved(manager_client, participant, big_bank):
    item = quiz_item(participant.batch)
    url = reverse("learning:quiz_settings", args=[item.pk])
    page_one = checkboxes(
        manager_client.post(url, settings_data(big_bank, picker_show="1")).content.decode()
    )
    chosen_first = page_one[:2]
    # Tick two on page 1, go to page 3: nothing saved yet, the two travel as hidden fields.
    response = manager_client.post(
        url, settings_data(big_bank, questions=chosen_first, picker_page="3")
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Quiz.objects.filter(item=item).exists()
    assert "Page 3 of 60" in html
    for pk in chosen_first:
        assert f'<input type="hidden" name="questions" value="{pk}">' in html
    page_three = checkboxes(html)
    assert not set(page_three) & set(chosen_first)
    # Tick one on page 3 and save: all three are the quiz's fixed questions.
    response = manager_client.post(
        url, settings_data(big_bank, questions=[*chosen_first, page_three[0]])
    )
    assert response.status_code == 302
    quiz = Quiz.objects.get(item=item)
    assert sorted(str(s.question_id) for s in quiz.slots.all()) == sorted(
        [*chosen_first, page_three[0]]
    )


def test_the_picker_filters_by_category(manager_client, participant, big_bank):
    item = quiz_item(participant.batch)
    url = reverse("learning:quiz_settings", args=[item.pk])
    category = big_bank.categories.get(path="Besar/Bagian 1")
    html = manager_client.post(
        url, settings_data(big_bank, picker_show="1", picker_category=category.pk)
    ).content.decode()
    assert "of 1000." in html
    ids = [int(pk) for pk in checkboxes(html)]
    assert set(big_bank.questions.filter(pk__in=ids).values_list("category", flat=True)) == {
        category.pk
    }
