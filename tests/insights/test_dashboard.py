"""The head's dashboard figures: completion, pass rate, learning gain, satisfaction and the
speakers' ratings (hidden while too few participants answered)."""

from decimal import Decimal

import pytest

from sinergi.insights.selectors.dashboard import head_dashboard
from sinergi.learning.models import (
    Attempt,
    Completion,
    Item,
    Module,
    QuestionBank,
    Quiz,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)

from ..factories import BatchFactory
from .helpers import paid_registrations, session, speaker

pytestmark = pytest.mark.django_db


def _quiz(module, role, position):
    item = Item.objects.create(module=module, kind="quiz", title=role, position=position)
    return Quiz.objects.create(
        item=item, bank=QuestionBank.objects.get_or_create(name="B")[0], role=role, pass_mark=70
    )


def _attempt(quiz, registration, score, number=1):
    Attempt.objects.create(
        quiz=quiz, registration=registration, number=number, state="finished", score=Decimal(score)
    )


def test_learning_and_satisfaction_figures_per_batch():
    batch = BatchFactory(starts_on="2027-03-02", ends_on="2027-03-06", fee=500_000)
    a, b, c, d = paid_registrations(batch, 4)
    teacher = speaker()
    taught = session(batch, teacher)
    module = Module.objects.create(batch=batch, title="M")
    pre, post = _quiz(module, "pretest", 0), _quiz(module, "posttest", 1)
    # a: 40 -> 70 (passes, g = 0.5); b: 50 -> 60 then 90 (best 90, passes, g = 0.8);
    # c: 20 -> 50 (fails, g = 0.375); d: no finished post-test (fails, no gain).
    for registration, pre_score, post_scores in (
        (a, 40, [70]),
        (b, 50, [60, 90]),
        (c, 20, [50]),
        (d, 30, []),
    ):
        _attempt(pre, registration, pre_score)
        for number, score in enumerate(post_scores, start=1):
            _attempt(post, registration, score, number)
    Attempt.objects.create(
        quiz=post, registration=d, number=1, state="in_progress", score=Decimal(99)
    )
    Completion.objects.create(registration=a, attendance_percent=100)
    Completion.objects.create(registration=b, attendance_percent=90)

    item = Item.objects.create(module=module, kind="survey", title="Evaluasi", position=2)
    survey = Survey.objects.create(item=item)
    about_org = SurveyQuestion.objects.create(
        survey=survey, scope="organisation", kind="likert", text="O"
    )
    about_speaker = SurveyQuestion.objects.create(
        survey=survey, scope="speaker", kind="likert", text="S"
    )
    for registration, rating in ((a, 5), (b, 4)):
        SurveyResponse.objects.create(survey=survey, registration=registration)
        SurveyAnswer.objects.create(survey=survey, question=about_org, rating=rating)
        SurveyAnswer.objects.create(
            survey=survey,
            question=about_speaker,
            session=taught,
            speaker=teacher,
            rating=rating - 1,
        )

    data = head_dashboard(year=2027)
    (row,) = data.batches
    assert row.participants == 4 and row.finance.revenue == 2_000_000
    assert row.completion_rate == Decimal("50.0")
    assert row.pass_rate == Decimal("50.0")
    assert row.mean_gain == Decimal("0.558")  # (0.5 + 0.8 + 0.375) / 3
    assert row.satisfaction == Decimal("4.50")
    # Two responses: too few to show a speaker's rating without revealing who gave it.
    assert data.speaker_ratings == []

    SurveyResponse.objects.create(survey=survey, registration=c)
    SurveyAnswer.objects.create(
        survey=survey, question=about_speaker, session=taught, speaker=teacher, rating=5
    )
    (rating,) = head_dashboard(year=2027).speaker_ratings
    assert rating.mean == Decimal("4.00") and rating.answers == 3
    assert head_dashboard(year=2026).batches == []


def test_ebook_loans_of_the_year_when_the_library_is_installed(client):
    from django.apps import apps
    from django.urls import reverse
    from django.utils import timezone

    from ..factories import UserFactory

    if not apps.is_installed("sinergi.library"):
        assert head_dashboard(year=2026).loans is None
        return
    from sinergi.library.models import Loan, Title

    title = Title.objects.create(title="Pedoman Perpustakaan Sekolah", updated_at=timezone.now())
    reader = UserFactory(roles=["participant"])
    now = timezone.now()
    Loan.objects.create(title=title, user=reader, started_at=now, due_at=now)
    Loan.objects.create(
        title=title, user=reader, state="returned", started_at=now, due_at=now, returned_at=now
    )
    assert head_dashboard(year=now.year).loans == {"loans": 2, "active": 1, "readers": 1}
    client.force_login(UserFactory(roles=["head"]))
    page = client.get(reverse("insights:dashboard"), {"year": now.year}).content.decode()
    assert 'data-loans="loans">2<' in page
