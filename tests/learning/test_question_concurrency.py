"""Several staff import into one bank at the same moment: every import succeeds whole and each
category exists once. The negative control turns the bank lock off and must fail, which proves
the test sees the race the lock prevents."""

from functools import partial
from pathlib import Path

import pytest
from django.db import connection

from sinergi.learning.models import QuestionBank, QuestionCategory
from sinergi.learning.services import questions as services

from ..concurrency import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

CONTENT = (
    Path(__file__).resolve().parent.parent / "fixtures" / "questions" / "moodle_en_quiz.xml"
).read_bytes()
IMPORTS = 6


def import_all_at_once(bank) -> list[BaseException]:
    call = partial(
        services.questions_import, bank=bank, format="moodlexml", content=CONTENT, actor=None
    )
    _results, errors = run_together([call] * IMPORTS)
    return errors


def test_parallel_imports_share_the_categories():
    bank = QuestionBank.objects.create(name="Paralel")
    assert import_all_at_once(bank) == []
    assert bank.questions.count() == 3 * IMPORTS
    paths = list(QuestionCategory.objects.filter(bank=bank).values_list("path", flat=True))
    assert sorted(paths) == [
        "Default for Information Literacy",
        "Default for Information Literacy/Week 1",
        "Default for Information Literacy/Week 1/Citations",
    ]


def test_negative_control_without_the_lock_collides(monkeypatch):
    monkeypatch.setattr(services, "LOCK_BANKS", False)
    bank = QuestionBank.objects.create(name="Tanpa kunci")
    errors = import_all_at_once(bank)
    # Each thread saw no categories and created them; all but the first hit the unique path.
    assert errors, "without the lock the imports should collide"
    assert all("unique_category_path" in str(error) for error in errors)
    # The failed imports left nothing behind.
    assert bank.questions.count() == 3 * (IMPORTS - len(errors))
