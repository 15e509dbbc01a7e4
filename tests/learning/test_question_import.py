"""Importing into a bank: one transaction, the commands, round trips through the database,
guarded deletes, and random damage that never half-imports."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sinergi.core.models import AuditLog
from sinergi.learning.formats import QuestionFormatError
from sinergi.learning.formats.moodlexml import parse_moodle_xml
from sinergi.learning.models import (
    Answer,
    Attempt,
    AttemptQuestion,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionFile,
    Quiz,
)
from sinergi.learning.selectors.questions import bank_as_parsed, bank_export_moodle_xml
from sinergi.learning.services.questions import (
    bank_create,
    bank_rename,
    question_delete,
    questions_import,
)
from tests.i18n import indonesian

from .factories import ItemFactory, ParticipantFactory, QuestionBankFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "questions"


@pytest.fixture(autouse=True)
def _english():
    """The assertions read the English messages (the Indonesian ones come with translations)."""
    with translation.override("en"):
        yield


DEMO_BANK = Path(__file__).resolve().parents[2] / "sinergi" / "learning" / "data" / "demo_bank.gift"
MOODLE_ID = (FIXTURES / "moodle_id_semua_jenis.xml").read_bytes()
GIFT = (FIXTURES / "giftFormatPhpExamples.gift").read_bytes()


def counts():
    return (
        QuestionBank.objects.count(),
        QuestionCategory.objects.count(),
        Question.objects.count(),
        Answer.objects.count(),
        QuestionFile.objects.count(),
    )


@pytest.mark.django_db
def test_import_moodle_xml_creates_categories_questions_files(admin_user):
    result = questions_import(
        bank_name="Katalogisasi", format="moodlexml", content=MOODLE_ID, actor=admin_user
    )
    bank = result.bank
    assert result.imported == 8 and len(result.skipped) == 2
    assert list(bank.categories.values_list("path", "parent__path")) == [
        ("Katalogisasi", None),
        ("Katalogisasi/MARC 21", "Katalogisasi"),
        ("Katalogisasi/RDA", "Katalogisasi"),
    ]
    tag = bank.questions.get(name="Tag 245")
    assert tag.files.get().name == "cantuman.png"
    assert bytes(tag.files.get().content).startswith(b"\x89PNG")
    assert tag.answers.count() == 3
    log = AuditLog.objects.get(verb="learning.questions.imported")
    assert log.actor == admin_user and log.data["imported"] == 8


@pytest.mark.django_db
def test_same_categories_are_reused_on_a_second_import(admin_user):
    bank = QuestionBankFactory(name="Ulang")
    for _ in range(2):
        questions_import(bank=bank, format="moodlexml", content=MOODLE_ID, actor=admin_user)
    assert bank.categories.count() == 3
    assert bank.questions.count() == 16


@pytest.mark.django_db
def test_a_broken_file_imports_nothing(admin_user):
    before = counts()
    with pytest.raises(QuestionFormatError):
        questions_import(
            bank_name="Baru",
            format="gift",
            content=(FIXTURES / "malformed.gift").read_bytes(),
            actor=admin_user,
        )
    with pytest.raises(QuestionFormatError):
        questions_import(
            bank_name="Baru",
            format="moodlexml",
            content=(FIXTURES / "malformed_fraction.xml").read_bytes(),
            actor=admin_user,
        )
    assert counts() == before


@pytest.mark.django_db
def test_a_failure_while_writing_rolls_back(admin_user, monkeypatch):
    from sinergi.learning.services import questions as service

    original = service._create_questions

    def fail_after_writing(*args):
        original(*args)  # the questions are in; then the disk fills
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "_create_questions", fail_after_writing)
    before = counts()
    with pytest.raises(RuntimeError):
        questions_import(bank_name="Rollback", format="gift", content=GIFT, actor=admin_user)
    assert counts() == before


@pytest.mark.django_db
def test_round_trip_through_the_database(admin_user):
    first = questions_import(
        bank_name="Asal", format="moodlexml", content=MOODLE_ID, actor=admin_user
    ).bank
    xml = bank_export_moodle_xml(bank=first)
    second = questions_import(
        bank_name="Salinan", format="moodlexml", content=xml, actor=admin_user
    ).bank
    assert bank_as_parsed(bank=second) == bank_as_parsed(bank=first)


@pytest.mark.django_db
def test_demo_bank_round_trip(admin_user):
    bank = questions_import(
        bank_name="Demo", format="gift", content=DEMO_BANK.read_bytes(), actor=admin_user
    ).bank
    post = bank.categories.get(path="Diklat Perpustakaan Digital/Post-test")
    assert post.questions.count() >= 20
    copy = questions_import(
        bank_name="Demo 2",
        format="moodlexml",
        content=bank_export_moodle_xml(bank=bank),
        actor=admin_user,
    ).bank
    assert bank_as_parsed(bank=copy) == bank_as_parsed(bank=bank)


@pytest.mark.django_db
def test_bank_create_and_rename(admin_user):
    bank = bank_create(name="  Bank   Katalog ", actor=admin_user)
    assert bank.name == "Bank Katalog"
    with pytest.raises(ValidationError):
        bank_create(name="Bank Katalog", actor=admin_user)
    other = bank_create(name="Bank Lain", actor=admin_user)
    with pytest.raises(ValidationError):
        bank_rename(bank=other, name="Bank Katalog", actor=admin_user)
    bank_rename(bank=other, name="Bank OAI-PMH", actor=admin_user)
    other.refresh_from_db()
    assert other.name == "Bank OAI-PMH"
    assert AuditLog.objects.filter(verb="learning.bank.renamed").count() == 1


@pytest.mark.django_db
def test_question_used_in_an_attempt_cannot_be_deleted(admin_user):
    bank = questions_import(bank_name="Dipakai", format="gift", content=GIFT, actor=admin_user).bank
    used, unused = bank.questions.all()[:2]
    registration = ParticipantFactory()
    item = ItemFactory(kind="quiz", module__batch=registration.batch)
    quiz = Quiz.objects.create(item=item, role="posttest", bank=bank)
    attempt = Attempt.objects.create(quiz=quiz, registration=registration)
    AttemptQuestion.objects.create(attempt=attempt, question=used, position=1, max_points=1)
    with pytest.raises(ValidationError) as caught:
        question_delete(question=used, actor=admin_user)
    assert "cannot be deleted" in caught.value.messages[0]
    assert Question.objects.filter(pk=used.pk).exists()
    question_delete(question=unused, actor=admin_user)
    assert not Question.objects.filter(pk=unused.pk).exists()
    assert AuditLog.objects.filter(verb="learning.question.deleted").count() == 1


# Commands -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_command_json_shape():
    out = StringIO()
    call_command(
        "import_questions",
        "--format",
        "moodlexml",
        "--bank",
        "Perintah",
        str(FIXTURES / "moodle_id_semua_jenis.xml"),
        "--json",
        stdout=out,
    )
    payload = json.loads(out.getvalue())
    assert payload == {
        "imported": 8,
        "by_type": {
            "multichoice": 2,
            "truefalse": 1,
            "shortanswer": 1,
            "numerical": 1,
            "matching": 1,
            "essay": 1,
            "description": 1,
        },
        "categories": 2,
        "skipped": [
            {
                "question": "Denda keterlambatan",
                "reason": "The question type “calculated” is not supported by Sinergi.",
            },
            {
                "question": "Seret kata",
                "reason": "The question type “ddwtos” is not supported by Sinergi.",
            },
        ],
    }
    assert out.getvalue().count("\n") <= 1  # one JSON object, nothing else


@pytest.mark.django_db
def test_import_command_gift_counts():
    out = StringIO()
    call_command(
        "import_questions", "--format", "gift", "--bank", "G", str(FIXTURES / "options1.gift"),
        "--json", stdout=out,
    )  # fmt: skip
    payload = json.loads(out.getvalue())
    assert payload["imported"] == 14
    assert payload["by_type"] == {
        "multichoice": 8,
        "truefalse": 1,
        "shortanswer": 4,
        "numerical": 1,
    }


@pytest.mark.django_db
def test_import_command_error_names_the_line_and_imports_nothing():
    before = counts()
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_questions", "--format", "gift", "--bank", "X",
            str(FIXTURES / "malformed.gift"), "--json",
        )  # fmt: skip
    assert "Line 5:" in str(caught.value)
    assert "Nothing was imported" in str(caught.value)
    assert counts() == before


def test_import_command_exit_status_and_stderr(tmp_path):
    """Run as a person would: a non-zero exit and the message on stderr."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SINERGI_VAR_DIR": str(tmp_path),
    }
    # The file is read before the database is touched, so no migration is needed.
    done = subprocess.run(
        [sys.executable, "manage.py", "import_questions", "--format", "moodlexml", "--bank", "B",
         str(FIXTURES / "malformed_unclosed.xml"), "--json"],
        cwd=root, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode != 0
    assert done.stdout == ""
    # Shown in the default language: "Line 5: The file is not well-formed XML (column …".
    line = indonesian("Line %(line)s: %(problem)s") % {"line": 5, "problem": ""}
    problem = indonesian("The file is not well-formed XML (column %(column)s): %(problem)s")
    assert line + problem.split("%(column)s")[0] in done.stderr


@pytest.mark.django_db
def test_export_command_writes_moodle_xml(admin_user):
    questions_import(bank_name="Ekspor", format="gift", content=GIFT, actor=admin_user)
    out = StringIO()
    call_command("export_questions", "--format", "moodlexml", "--bank", "Ekspor", stdout=out)
    assert out.getvalue().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    assert out.getvalue().count('<question type="multichoice">') == 4
    with pytest.raises(CommandError):
        call_command("export_questions", "--format", "moodlexml", "--bank", "Tidak ada")


# Random damage --------------------------------------------------------------------------------


def _damage(data: bytes, draw) -> bytes:
    kind = draw(st.sampled_from(["truncate", "insert", "flip", "delete"]))
    position = draw(st.integers(min_value=0, max_value=len(data) - 1))
    if kind == "truncate":
        return data[:position]
    if kind == "insert":
        return data[:position] + draw(st.binary(min_size=1, max_size=8)) + data[position:]
    if kind == "flip":
        bit = 1 << draw(st.integers(min_value=0, max_value=7))
        return data[:position] + bytes([data[position] ^ bit]) + data[position + 1 :]
    return data[:position] + data[position + draw(st.integers(1, 16)) :]


SOURCES = {
    "gift": [
        GIFT,
        (FIXTURES / "options1.gift").read_bytes(),
        (FIXTURES / "numerical1.gift").read_bytes(),
    ],
    "moodlexml": [MOODLE_ID, (FIXTURES / "moodle_en_quiz.xml").read_bytes()],
}


@pytest.mark.django_db
@pytest.mark.parametrize("format", ["gift", "moodlexml"])
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_damage_is_a_clean_import_or_a_clear_error(format, data, admin_user):
    damaged = data.draw(st.sampled_from(SOURCES[format]))
    for _ in range(data.draw(st.integers(1, 3))):
        if damaged:
            damaged = _damage(damaged, data.draw)
    with transaction.atomic():
        before = counts()
        try:
            result = questions_import(
                bank_name="Rusak", format=format, content=damaged, actor=admin_user
            )
        except QuestionFormatError as error:
            event("refused with a clear error")
            assert error.message.strip()
            assert counts() == before  # nothing, not even the bank
        else:
            event("imported")
            # All of it: every question the file holds, with its answers, and it can go back
            # out to Moodle XML and in again.
            bank = result.bank
            assert bank.questions.count() == result.imported
            parsed = bank_as_parsed(bank=bank)
            assert (
                sum(len(q.answers) for q in parsed.questions)
                == Answer.objects.filter(question__bank=bank).count()
            )
            assert parse_moodle_xml(bank_export_moodle_xml(bank=bank)).questions == parsed.questions
        transaction.set_rollback(True)
