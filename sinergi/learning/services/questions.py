"""Question banks: create and rename a bank, import GIFT or Moodle XML, delete a question.

An import runs in one transaction: the whole file is parsed before anything is written, so a
file with an error imports nothing, and a failure while writing rolls everything back.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sinergi.core.services import log_action

from ..formats import ParsedBank, QuestionFormatError
from ..formats.base import split_path
from ..formats.gift import parse_gift
from ..formats.moodlexml import parse_moodle_xml
from ..models import (
    Answer,
    AttemptQuestion,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionFile,
    QuizSlot,
)

GIFT, MOODLE_XML = "gift", "moodlexml"
FORMATS = {GIFT: "GIFT", MOODLE_XML: "Moodle XML"}
BANK_NAME_LENGTH = 200
# Tests turn this off to show the race the lock prevents (the negative control).
LOCK_BANKS = True


@dataclass
class ImportResult:
    """What an import brought (or, for a preview, would bring) into a bank."""

    imported: int
    by_type: dict[str, int]
    categories: int
    skipped: list[dict[str, str]] = field(default_factory=list)
    bank: QuestionBank | None = None

    def as_json(self) -> dict:
        return {
            "imported": self.imported,
            "by_type": self.by_type,
            "categories": self.categories,
            "skipped": self.skipped,
        }


def questions_parse(*, format: str, content: bytes) -> ParsedBank:
    """Return the parsed file; raise QuestionFormatError (naming the line or element)."""
    if format == GIFT:
        return parse_gift(content)
    if format == MOODLE_XML:
        return parse_moodle_xml(content)
    raise QuestionFormatError(_("Unknown format “%(format)s”.") % {"format": format})


def import_summary(parsed: ParsedBank) -> ImportResult:
    return ImportResult(
        imported=len(parsed.questions),
        by_type=parsed.by_type(),
        categories=len(parsed.category_paths()),
        skipped=[{"question": skip.question, "reason": skip.reason} for skip in parsed.skipped],
    )


def _clean_bank_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the bank a name.")}, code="required")
    if len(name) > BANK_NAME_LENGTH:
        raise ValidationError(
            {"name": _("A bank name has at most 200 characters.")}, code="max_length"
        )
    return name


def bank_create(*, name: str, description: str = "", actor) -> QuestionBank:
    name = _clean_bank_name(name)
    with transaction.atomic():
        if QuestionBank.objects.filter(name=name).exists():
            raise ValidationError(
                {"name": _("A question bank with this name exists already.")}, code="unique"
            )
        bank = QuestionBank.objects.create(name=name, description=description)
        log_action(actor, "learning.bank.created", bank)
    return bank


def bank_rename(*, bank: QuestionBank, name: str, actor) -> QuestionBank:
    name = _clean_bank_name(name)
    with transaction.atomic():
        if QuestionBank.objects.filter(name=name).exclude(pk=bank.pk).exists():
            raise ValidationError(
                {"name": _("A question bank with this name exists already.")}, code="unique"
            )
        old = bank.name
        bank.name = name
        bank.save(update_fields=["name"])
        log_action(actor, "learning.bank.renamed", bank, {"from": old})
    return bank


def questions_import(
    *,
    format: str,
    content: bytes,
    actor,
    bank: QuestionBank | None = None,
    bank_name: str = "",
) -> ImportResult:
    """Import a GIFT or Moodle XML file into `bank` (or the bank called `bank_name`, created
    if missing). Raise QuestionFormatError for a file that cannot be read: nothing is saved."""
    parsed = questions_parse(format=format, content=content)
    with transaction.atomic():
        if bank is None:
            bank, created = QuestionBank.objects.get_or_create(name=_clean_bank_name(bank_name))
            if created:
                log_action(actor, "learning.bank.created", bank)
        if LOCK_BANKS:
            # One import at a time per bank, so two never create the same category twice.
            bank = QuestionBank.objects.select_for_update().get(pk=bank.pk)
        categories = _categories(bank, parsed)
        for parsed_question in parsed.questions:
            _create_question(bank, categories[parsed_question.category], parsed_question)
        result = import_summary(parsed)
        result.bank = bank
        log_action(
            actor,
            "learning.questions.imported",
            bank,
            {"format": format, **result.as_json()},
        )
    return result


def _categories(bank: QuestionBank, parsed: ParsedBank) -> dict[str, QuestionCategory]:
    """Return the bank's category for each path of the file, creating missing ones (and
    their parents)."""
    existing = {category.path: category for category in bank.categories.all()}
    info = {category.path: category.info for category in parsed.categories}
    for path in parsed.category_paths():
        names = split_path(path)
        parent = None
        for depth in range(1, len(names) + 1):
            prefix = "/".join(name.replace("/", "//") for name in names[:depth])
            category = existing.get(prefix)
            if category is None:
                category = QuestionCategory.objects.create(
                    bank=bank,
                    parent=parent,
                    name=names[depth - 1],
                    path=prefix,
                    info=info.get(prefix, ""),
                )
                existing[prefix] = category
            elif info.get(prefix) and not category.info:
                category.info = info[prefix]
                category.save(update_fields=["info"])
            parent = category
    return existing


def _create_question(bank, category, parsed) -> Question:
    question = Question.objects.create(
        bank=bank,
        category=category,
        qtype=parsed.qtype,
        name=parsed.name,
        text=parsed.text,
        text_format=parsed.text_format,
        general_feedback=parsed.general_feedback,
        default_mark=parsed.default_mark,
        penalty=parsed.penalty,
        single=parsed.single,
        shuffle_answers=parsed.shuffle_answers,
        case_sensitive=parsed.case_sensitive,
        options=parsed.options,
    )
    Answer.objects.bulk_create(
        Answer(
            question=question,
            text=answer.text,
            text_format=answer.text_format,
            fraction=answer.fraction,
            feedback=answer.feedback,
            tolerance=answer.tolerance,
            match=answer.match,
            position=position,
        )
        for position, answer in enumerate(parsed.answers)
    )
    QuestionFile.objects.bulk_create(
        QuestionFile(
            question=question, name=file.name, content_type=file.content_type, content=file.content
        )
        for file in parsed.files
    )
    return question


def question_delete(*, question: Question, actor) -> None:
    """Delete a question no quiz and no attempt uses; raise ValidationError otherwise."""
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        attempts = AttemptQuestion.objects.filter(question=question).count()
        if attempts:
            raise ValidationError(
                _(
                    "“%(name)s” cannot be deleted: participants answered it in %(count)s "
                    "attempt(s), and their results must stay as they were."
                ),
                code="protected",
                params={"name": question.name, "count": attempts},
            )
        quizzes = sorted(
            {
                str(slot.quiz)
                for slot in QuizSlot.objects.filter(question=question).select_related("quiz__item")
            }
        )
        if quizzes:
            raise ValidationError(
                _("“%(name)s” cannot be deleted: it is a fixed question of the quiz %(quizzes)s."),
                code="protected",
                params={"name": question.name, "quizzes": ", ".join(quizzes)},
            )
        log_action(
            actor,
            "learning.question.deleted",
            question.bank,
            {"question": question.pk, "name": question.name, "type": question.qtype},
        )
        question.delete()
