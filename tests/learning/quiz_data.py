"""A small question bank of every type, and quizzes on it, made with the ORM (no importer)."""

from decimal import Decimal

import pytest
from django.utils import timezone, translation

from sinergi.learning.models import Answer, Question, QuestionBank, QuestionCategory
from sinergi.learning.services.quizzes import SlotSpec, quiz_configure

from .factories import ItemFactory, ModuleFactory


def bank_with_every_type(name: str = "Bank Soal Kepustakawanan") -> QuestionBank:
    """One question of each type in category "Dasar", and five true/false ones in "Dasar/TF"."""
    bank = QuestionBank.objects.create(name=name)
    base = QuestionCategory.objects.create(bank=bank, name="Dasar", path="Dasar")
    tf = QuestionCategory.objects.create(bank=bank, name="TF", path="Dasar/TF", parent=base)

    def make(qtype, name, text, answers=(), category=base, **fields):
        question = Question.objects.create(
            bank=bank, category=category, qtype=qtype, name=name, text=text, **fields
        )
        Answer.objects.bulk_create(
            Answer(question=question, position=i, **answer) for i, answer in enumerate(answers)
        )
        return question

    make(
        "multichoice",
        "MC satu",
        "Format metadata bibliografis yang dipakai perpustakaan?",
        [
            {"text": "MARC 21", "fraction": 1},
            {"text": "EPUB", "fraction": 0},
            {"text": "PDF", "fraction": 0},
        ],
    )
    make(
        "multichoice",
        "MC banyak",
        "Mana yang protokol pertukaran metadata?",
        [
            {"text": "OAI-PMH", "fraction": Decimal("0.5")},
            {"text": "Z39.50", "fraction": Decimal("0.5")},
            {"text": "JPEG", "fraction": -1},
        ],
        single=False,
    )
    make(
        "shortanswer",
        "Isian",
        "Singkatan Perpustakaan Nasional?",
        [{"text": "Perpusnas", "fraction": 1}],
    )
    make(
        "numerical",
        "Angka",
        "Berapa JP satu hari pelatihan?",
        [{"text": "8", "fraction": 1, "tolerance": 0}],
    )
    make(
        "matching",
        "Jodohkan",
        "Jodohkan standar dengan kegunaannya.",
        [
            {"text": "MARC 21", "match": "Cantuman bibliografis"},
            {"text": "OPDS", "match": "Katalog e-book"},
        ],
    )
    make("essay", "Esai", "Tuliskan rencana tindak lanjut Anda.")
    make("description", "Petunjuk", "Bacalah setiap soal dengan teliti.", default_mark=0)
    for n in range(5):
        make(
            "truefalse",
            f"BS {n + 1}",
            f"Pernyataan {n + 1} benar?",
            [{"text": "true", "fraction": 1}, {"text": "false", "fraction": 0}],
            category=tf,
        )
    return bank


def quiz_item(batch=None, *, program=None, title="Post-test"):
    module = ModuleFactory(batch=None, program=program) if program else ModuleFactory(batch=batch)
    return ItemFactory(module=module, kind="quiz", title=title, body="")


def make_quiz(batch, bank, *, role="posttest", questions=None, actor=None, **settings):
    """A quiz with the given questions (default: every question of the bank but the essay)."""
    if questions is None:
        questions = list(bank.questions.exclude(qtype="essay").order_by("pk"))
    settings.setdefault("shuffle_questions", False)
    settings.setdefault("shuffle_answers", False)
    return quiz_configure(
        actor=actor,
        item=quiz_item(batch, title=role),
        role=role,
        bank=bank,
        slots=[SlotSpec(question=q) for q in questions],
        **settings,
    )


def answer_everything_right(attempt, user):
    """Save a full-marks response to every question of the attempt, through the service."""
    from sinergi.learning.grading import correct_response
    from sinergi.learning.services.quizzes import attempt_answer_save

    for row in attempt.questions.select_related("question").prefetch_related("question__answers"):
        response = correct_response(row.question, list(row.question.answers.all()))
        if row.question.qtype == "essay":
            response = {"text": "Saya akan menata ulang koleksi referensi."}
        if response is not None:
            attempt_answer_save(
                attempt_id=attempt.pk, user=user, position=row.position, raw=response
            )


def soon(minutes=0, **kwargs):
    return timezone.now() + timezone.timedelta(minutes=minutes, **kwargs)


@pytest.fixture(autouse=True)
def english_messages():
    """Match messages in English (the msgids); the site's default language is Indonesian.
    Test modules take it with `_english = english_messages`."""
    with translation.override("en"):
        yield
