"""Reading question banks: who may see them, their categories, and the bank as a file."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from ..formats import ParsedAnswer, ParsedBank, ParsedCategory, ParsedFile, ParsedQuestion
from ..formats.moodlexml import export_moodle_xml
from ..models import (
    Answer,
    AttemptQuestion,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionFile,
    QuestionImport,
)
from .access import is_learning_manager


def bank_list(*, user) -> QuerySet[QuestionBank]:
    """Return every bank with its question count; only managers may list them."""
    if not is_learning_manager(user):
        raise PermissionDenied
    return QuestionBank.objects.annotate(question_count=Count("questions")).order_by("name")


def bank_get_for_manager(*, user, bank_id: int) -> QuestionBank:
    if not is_learning_manager(user):
        raise PermissionDenied
    bank = QuestionBank.objects.filter(pk=bank_id).first()
    if bank is None:
        raise Http404
    return bank


def question_import_get(*, user, bank: QuestionBank, import_id: int) -> QuestionImport:
    """Return an import into `bank` (whose access the caller checked) for a manager."""
    if not is_learning_manager(user):
        raise PermissionDenied
    job = QuestionImport.objects.filter(pk=import_id, bank=bank).defer("content").first()
    if job is None:
        raise Http404
    return job


def question_get_for_manager(*, user, question_id: int) -> Question:
    if not is_learning_manager(user):
        raise PermissionDenied
    question = Question.objects.select_related("bank").filter(pk=question_id).first()
    if question is None:
        raise Http404
    return question


def question_file_get(*, user, question_id: int, name: str) -> QuestionFile:
    """Return an image of a question for a manager, or for a participant whose attempt holds
    the question; 404 for anyone else."""
    file = QuestionFile.objects.filter(question_id=question_id, name=name).first()
    if file is None or not user.is_authenticated:
        raise Http404
    if is_learning_manager(user):
        return file
    if AttemptQuestion.objects.filter(
        question_id=question_id, attempt__registration__user=user
    ).exists():
        return file
    raise Http404


@dataclass(frozen=True)
class CategoryRow:
    category: QuestionCategory
    depth: int
    count: int  # questions in this category itself


def category_tree(*, bank: QuestionBank) -> list[CategoryRow]:
    """Return the bank's categories in tree order (paths sort parents first), with counts."""
    categories = bank.categories.annotate(question_count=Count("questions")).order_by("path")
    rows = []
    depth_of: dict[int, int] = {}
    for category in categories:
        depth = depth_of.get(category.parent_id, -1) + 1 if category.parent_id else 0
        depth_of[category.pk] = depth
        rows.append(CategoryRow(category, depth, category.question_count))
    return rows


def question_picker(*, bank_id: int | None, category_id: int | None = None) -> QuerySet[Question]:
    """Return the questions a quiz's picker pages through: light rows, in the bank's order."""
    questions = (
        Question.objects.filter(bank_id=bank_id)
        .select_related("category")
        .only("id", "name", "qtype", "category__path")
        .order_by("category__path", "name", "pk")
    )
    if category_id is not None:
        questions = questions.filter(category_id=category_id)
    return questions


def bank_questions(*, bank: QuestionBank, category: QuestionCategory | None = None):
    """Return the bank's questions with answers, files and category, ready to show."""
    questions = (
        Question.objects.filter(bank=bank)
        .select_related("category")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.order_by("position", "id")),
            Prefetch("files", queryset=QuestionFile.objects.only("id", "question_id", "name")),
        )
        .order_by("category__path", "id")
    )
    if category is not None:
        questions = questions.filter(category=category)
    return questions


def bank_as_parsed(*, bank: QuestionBank) -> ParsedBank:
    """Return the bank as format-neutral data (for export, and to compare round trips)."""
    parsed = ParsedBank(
        categories=[
            ParsedCategory(
                path=category.path,
                info=category.info,
                idnumber=category.idnumber,
                context=category.moodle_context,
            )
            for category in bank.categories.order_by("path")
        ]
    )
    questions = (
        Question.objects.filter(bank=bank)
        .select_related("category")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.order_by("position", "id")), "files"
        )
        .order_by("category__path", "id")
    )
    for question in questions:
        parsed.questions.append(
            ParsedQuestion(
                qtype=question.qtype,
                name=question.name,
                text=question.text,
                text_format=question.text_format,
                category=question.category.path,
                general_feedback=question.general_feedback,
                default_mark=question.default_mark,
                penalty=question.penalty,
                single=question.single,
                shuffle_answers=question.shuffle_answers,
                case_sensitive=question.case_sensitive,
                options=question.options or {},
                answers=[
                    ParsedAnswer(
                        text=answer.text,
                        fraction=answer.fraction,
                        feedback=answer.feedback,
                        text_format=answer.text_format,
                        tolerance=answer.tolerance,
                        match=answer.match,
                    )
                    for answer in question.answers.all()
                ],
                files=[
                    ParsedFile(
                        name=file.name,
                        content=bytes(file.content),
                        content_type=file.content_type,
                        area=file.area,
                    )
                    for file in question.files.all()
                ],
            )
        )
    return parsed


def bank_export_moodle_xml(*, bank: QuestionBank) -> bytes:
    return export_moodle_xml(bank_as_parsed(bank=bank))
