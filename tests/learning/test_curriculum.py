"""Copying a program's curriculum template into a batch: everything comes along, once, and the
copies are independent of the template and of each other."""

import pytest
from django.urls import reverse

from sinergi.learning.models import (
    Assignment,
    Item,
    ItemKind,
    Module,
    Quiz,
    QuizSlot,
    RubricCriterion,
    Session,
    Survey,
    SurveyQuestion,
)
from sinergi.learning.services import content

from ..factories import BatchFactory, ProgramFactory, UserFactory
from .factories import QuestionCategoryFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return UserFactory(roles=["program_manager"])


@pytest.fixture
def template(manager):
    """A program with a two-module template holding one item of every kind."""
    program = ProgramFactory()
    first = content.module_create(actor=manager, program=program, title="Modul 1")
    second = content.module_create(actor=manager, program=program, title="Modul 2")
    category = QuestionCategoryFactory()
    question = QuestionFactory(category=category, bank=category.bank)
    page = content.item_create(
        module=first, kind=ItemKind.PAGE, actor=manager, title="Pengantar", body="<p>Isi</p>"
    )
    content.item_create(
        module=first, kind=ItemKind.SESSION, actor=manager, title="Sesi katalogisasi", jp=3
    )
    quiz_item = content.item_create(
        module=first,
        kind=ItemKind.QUIZ,
        actor=manager,
        title="Pre-test",
        bank=category.bank,
        role="pretest",
    )
    quiz = quiz_item.quiz
    QuizSlot.objects.create(quiz=quiz, question=question, position=0)
    QuizSlot.objects.create(quiz=quiz, category=category, count=5, position=1)
    assignment_item = content.item_create(
        module=second, kind=ItemKind.ASSIGNMENT, actor=manager, title="RTL", requires=page
    )
    assignment = assignment_item.assignment
    assignment.late_policy = "penalty"
    assignment.late_penalty_percent = 10
    assignment.save()
    RubricCriterion.objects.create(assignment=assignment, title="Isi", max_points=60)
    RubricCriterion.objects.create(assignment=assignment, title="Bahasa", max_points=40)
    content.item_create(module=second, kind=ItemKind.SURVEY, actor=manager, title="Evaluasi")
    content.item_create(
        module=second, kind=ItemKind.LINK, actor=manager, title="OPAC", url="https://opac.upi.edu"
    )
    return program


def test_copy_brings_every_module_item_and_setting(template, manager):
    batch = BatchFactory(program=template)
    modules = content.curriculum_copy_to_batch(batch=batch, actor=manager)
    assert [module.title for module in modules] == ["Modul 1", "Modul 2"]
    items = Item.objects.filter(module__batch=batch)
    assert sorted(items.values_list("kind", flat=True)) == sorted(
        ["page", "session", "quiz", "assignment", "survey", "link"]
    )
    assert all(item.copied_from and item.copied_from.module.program == template for item in items)

    session_item = items.get(kind="session")
    assert session_item.session.batch == batch
    assert session_item.session.jp == 3 and session_item.session.starts_at is None

    quiz = Quiz.objects.get(item__module__batch=batch)
    assert quiz.role == "pretest"
    assert quiz.slots.count() == 2 and quiz.slots.filter(count=5).exists()

    assignment = Assignment.objects.get(item__module__batch=batch)
    assert assignment.late_policy == "penalty" and assignment.late_penalty_percent == 10
    assert list(assignment.criteria.values_list("title", "max_points")) == [
        ("Isi", 60),
        ("Bahasa", 40),
    ]
    # The prerequisite points at the batch's own copy of the page, not at the template.
    assert assignment.item.requires == items.get(kind="page")

    survey = Survey.objects.get(item__module__batch=batch)
    template_survey = Survey.objects.get(item__module__program=template)
    assert survey.questions.count() == template_survey.questions.count() > 0


def test_a_batch_is_copied_once(template, manager):
    batch = BatchFactory(program=template)
    content.curriculum_copy_to_batch(batch=batch, actor=manager)
    content.curriculum_copy_to_batch(batch=batch, actor=manager)
    assert Module.objects.filter(batch=batch).count() == 2
    assert Session.objects.filter(batch=batch).count() == 1


def test_editing_a_batch_copy_changes_neither_the_template_nor_another_batch(template, manager):
    running, past = BatchFactory(program=template), BatchFactory(program=template)
    content.curriculum_copy_to_batch(batch=running, actor=manager)
    content.curriculum_copy_to_batch(batch=past, actor=manager)

    page = Item.objects.get(module__batch=running, kind="page")
    content.item_update(item=page, actor=manager, title="Pengantar baru", body="<p>Baru</p>")
    module = Module.objects.filter(batch=running).first()
    content.module_update(module=module, actor=manager, title="Modul 1 (revisi)")
    assignment = Assignment.objects.get(item__module__batch=running)
    assignment.criteria.filter(title="Isi").update(max_points=70)
    content.item_delete(item=Item.objects.get(module__batch=running, kind="link"), actor=manager)
    SurveyQuestion.objects.filter(survey__item__module__batch=running).delete()

    assert Item.objects.get(module__program=template, kind="page").title == "Pengantar"
    assert Item.objects.get(module__batch=past, kind="page").body == "<p>Isi</p>"
    assert Module.objects.filter(program=template, title="Modul 1").exists()
    assert Module.objects.filter(batch=past, title="Modul 1").exists()
    assert (
        RubricCriterion.objects.get(assignment__item__module__batch=past, title="Isi").max_points
        == 60
    )
    assert (
        RubricCriterion.objects.get(
            assignment__item__module__program=template, title="Isi"
        ).max_points
        == 60
    )
    assert Item.objects.filter(module__batch=past, kind="link").exists()
    assert SurveyQuestion.objects.filter(survey__item__module__batch=past).exists()

    # And the other way round: editing the template leaves the batches alone.
    template_page = Item.objects.get(module__program=template, kind="page")
    content.item_update(item=template_page, actor=manager, title="Template baru")
    assert Item.objects.get(module__batch=past, kind="page").title == "Pengantar"


def test_copy_button_in_the_batch_editor(client, template, manager):
    batch = BatchFactory(program=template)
    client.force_login(manager)
    page = client.get(reverse("learning:batch_curriculum", args=[batch.pk])).content.decode()
    assert reverse("learning:curriculum_copy", args=[batch.pk]) in page
    response = client.post(reverse("learning:curriculum_copy", args=[batch.pk]))
    assert response.status_code == 302
    assert Module.objects.filter(batch=batch).count() == 2
    page = client.get(reverse("learning:batch_curriculum", args=[batch.pk])).content.decode()
    assert reverse("learning:curriculum_copy", args=[batch.pk]) not in page


def test_only_managers_copy(client, template):
    batch = BatchFactory(program=template)
    client.force_login(UserFactory(roles=["head"]))
    assert client.post(reverse("learning:curriculum_copy", args=[batch.pk])).status_code == 403
    assert not Module.objects.filter(batch=batch).exists()
