"""Learning gain and item analysis on known data sets, on the page and in XLSX."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sinergi.learning.models import Attempt, AttemptQuestion
from sinergi.learning.selectors.quizzes import (
    item_analysis,
    learning_gain_report,
    point_biserial,
)

from .factories import ParticipantFactory, SessionFactory, UserFactory
from .quiz_data import bank_with_every_type, english_messages, make_quiz

pytestmark = pytest.mark.django_db

_english = english_messages  # autouse: messages are matched in English


def finished(quiz, registration, score, number=1):
    return Attempt.objects.create(
        quiz=quiz,
        registration=registration,
        number=number,
        state="finished",
        score=Decimal(score),
        points=Decimal(score),
        max_points=100,
    )


@pytest.fixture
def gain_batch(participant):
    """Pre/post: A 40→70 (and 50 on a first post attempt), B 60→80, C 100→90, D pre only,
    E post only."""
    bank = bank_with_every_type()
    batch = participant.batch
    pre = make_quiz(batch, bank, role="pretest")
    post = make_quiz(batch, bank, role="posttest", pass_mark=75)
    people = {"A": participant} | {
        name: ParticipantFactory(batch=batch, user__full_name=f"Peserta {name}") for name in "BCDE"
    }
    people["A"].user.full_name = "Peserta A"
    people["A"].user.save()
    for name, score in {"A": 40, "B": 60, "C": 100, "D": 20}.items():
        finished(pre, people[name], score)
    finished(post, people["A"], 50, number=1)
    finished(post, people["A"], 70, number=2)
    for name, score in {"B": 80, "C": 90, "E": 85}.items():
        finished(post, people[name], score)
    # An unconfirmed registration is not a participant.
    ParticipantFactory(batch=batch, state="cancelled")
    return batch


def test_learning_gain_arithmetic(gain_batch):
    report = learning_gain_report(batch=gain_batch)
    rows = {row.registration.user.full_name: row for row in report.rows}
    assert len(rows) == 5
    assert (rows["Peserta A"].pre, rows["Peserta A"].post) == (40, 70)  # the best post attempt
    assert rows["Peserta A"].gain == pytest.approx(0.5)  # (70 − 40) / (100 − 40)
    assert rows["Peserta B"].gain == pytest.approx(0.5)  # (80 − 60) / (100 − 60)
    assert rows["Peserta C"].gain is None  # pre-test 100: nothing left to gain, undefined
    assert rows["Peserta D"].gain is None and rows["Peserta E"].gain is None
    assert report.paired == 3 and report.undefined_gain == 1
    assert report.mean_pre == pytest.approx(200 / 3)
    assert report.mean_post == pytest.approx(80)
    assert report.mean_individual_gain == pytest.approx(0.5)
    # Hake's class gain from the means: (80 − 66.67) / (100 − 66.67) = 0.4.
    assert report.class_gain == pytest.approx(0.4)
    assert report.passed == 3  # A 70 fails a pass mark of 75; B, C and E pass


def test_learning_gain_page_and_xlsx(client, gain_batch):
    client.force_login(UserFactory(roles=["head"]))
    page = client.get(reverse("learning:learning_gain", args=[gain_batch.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "0,500" in html or "0.500" in html
    assert "0,400" in html or "0.400" in html
    export = client.get(reverse("learning:learning_gain_xlsx", args=[gain_batch.pk]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(export.content))
    participants, summary = workbook.worksheets
    data = {row[0]: row[1:] for row in participants.iter_rows(min_row=2, values_only=True)}
    assert data["Peserta A"][1:] == (40, 70, 0.5)
    assert data["Peserta C"][3] is None
    figures = [row[1] for row in summary.iter_rows(min_row=2, values_only=True)]
    assert figures[:5] == [3, 66.67, 80, 0.5, 0.4]


def test_reports_are_for_staff_who_read_reports(client, gain_batch, participant):
    client.force_login(participant.user)
    for name in ("learning_gain", "learning_gain_xlsx", "item_analysis", "item_analysis_xlsx"):
        assert client.get(reverse(f"learning:{name}", args=[gain_batch.pk])).status_code == 403
    client.force_login(UserFactory(roles=["participant"]))
    assert client.get(reverse("learning:learning_gain", args=[gain_batch.pk])).status_code == 404


# --- Item analysis ----------------------------------------------------------------------------


def test_point_biserial_known_values():
    assert point_biserial([1, 1, 0, 0], [2, 2, 0, 0]) == pytest.approx(1)
    assert point_biserial([0, 0, 1, 1], [2, 2, 0, 0]) == pytest.approx(-1)
    # By hand: means 0.4 and 1.8; sums of products 1.4, of squares 1.2 and 2.8.
    assert point_biserial([1, 0, 1, 0, 0], [3, 1, 2, 2, 1]) == pytest.approx(
        1.4 / (1.2 * 2.8) ** 0.5
    )
    assert point_biserial([1, 1, 1], [1, 2, 3]) is None  # no variance in the question
    assert point_biserial([1], [1]) is None


@pytest.fixture
def analysed_quiz(participant):
    """Three one-point questions, four participants (first attempts):
    q1 = 1 1 0 0, q2 = 1 1 0 0, q3 = 0 0 1 1. A second attempt by the first is ignored."""
    bank = bank_with_every_type()
    questions = list(bank.questions.filter(qtype="truefalse").order_by("pk")[:3])
    quiz = make_quiz(participant.batch, bank, role="quiz", questions=questions)
    people = [participant] + [ParticipantFactory(batch=participant.batch) for _ in range(3)]
    marks = [(1, 1, 0), (1, 1, 0), (0, 0, 1), (0, 0, 1)]
    for person, row in zip(people, marks, strict=True):
        attempt = finished(quiz, person, sum(row) * 100 / 3)
        for position, (question, points) in enumerate(zip(questions, row, strict=True), 1):
            AttemptQuestion.objects.create(
                attempt=attempt, question=question, position=position, max_points=1, points=points
            )
    second = finished(quiz, participant, 0, number=2)
    for position, question in enumerate(questions, 1):
        AttemptQuestion.objects.create(
            attempt=second, question=question, position=position, max_points=1, points=0
        )
    return quiz, questions


def test_item_analysis_on_a_known_data_set(analysed_quiz):
    quiz, questions = analysed_quiz
    stats = {stat.question_id: stat for stat in item_analysis(quiz=quiz)}
    q1, q2, q3 = (stats[q.pk] for q in questions)
    assert q2.facility == 0.5 and q2.discrimination is None
    assert (q1.attempts, q1.facility, q3.facility) == (4, 0.5, 0.5)
    # q1's rest of the score is q2 + q3 = 1 1 1 1: no variance, no correlation.
    assert q1.discrimination is None
    # q3's rest is q1 + q2 = 2 2 0 0: the stronger participants got q3 wrong.
    assert q3.discrimination == pytest.approx(-1)


def test_item_analysis_page_and_xlsx(client, analysed_quiz, participant):
    _quiz, questions = analysed_quiz
    client.force_login(UserFactory(roles=["program_manager"]))
    page = client.get(reverse("learning:item_analysis", args=[participant.batch_id]))
    assert page.status_code == 200 and questions[0].name in page.content.decode()
    export = client.get(reverse("learning:item_analysis_xlsx", args=[participant.batch_id]))
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[questions[2].name][2:5] == (4, 0.5, -1.0)


def test_the_batch_speakers_read_the_quiz_reports(client, gain_batch):
    speaker = UserFactory()
    SessionFactory(batch=gain_batch, speakers=[speaker])
    client.force_login(speaker)
    assert client.get(reverse("learning:learning_gain", args=[gain_batch.pk])).status_code == 200
    assert client.get(reverse("learning:item_analysis", args=[gain_batch.pk])).status_code == 200
