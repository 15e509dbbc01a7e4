"""Question banks: create and rename a bank, import GIFT or Moodle XML, delete a question.

The whole file is parsed before anything is written, so a file with an error imports nothing
and its error names the line. A small file is then written in one transaction. A large one
(over SINERGI_QUESTION_IMPORT_INLINE_MAX_BYTES) is imported by a background task
(`question_import_request` → `question_import_run`) that commits one chunk of questions at a
time, so the person sees the progress; if a chunk fails, the questions of the chunks before it
are deleted again, and nothing of the file is kept.
"""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sinergi.core.services import log_action

from ..formats import ParsedBank, QuestionFormatError
from ..formats.base import split_path
from ..formats.gift import parse_gift
from ..formats.moodlexml import parse_moodle_xml
from ..models import (
    Answer,
    AttemptQuestion,
    ImportStatus,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionFile,
    QuestionImport,
    QuizSlot,
)

logger = logging.getLogger(__name__)

GIFT, MOODLE_XML = "gift", "moodlexml"
FORMATS = {GIFT: "GIFT", MOODLE_XML: "Moodle XML"}
BANK_NAME_LENGTH = 200
# Tests turn this off to show the race the lock prevents (the negative control).
LOCK_BANKS = True
# Questions written per transaction by a background import.
IMPORT_CHUNK = 500


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
        _create_questions(bank, categories, parsed.questions)
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
    declared = {category.path: category for category in parsed.categories}
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
                    idnumber=declared[prefix].idnumber if prefix in declared else "",
                    moodle_context=declared[prefix].context if prefix in declared else "course",
                )
                existing[prefix] = category
            elif info.get(prefix) and not category.info:
                category.info = info[prefix]
                category.save(update_fields=["info"])
            parent = category
    return existing


def _create_questions(bank, categories, parsed_questions, job: QuestionImport | None = None):
    """Write `parsed_questions` with their answers and files: three inserts per call."""
    questions = Question.objects.bulk_create(
        Question(
            bank=bank,
            category=categories[parsed.category],
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
            import_job=job,
        )
        for parsed in parsed_questions
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
        for question, parsed in zip(questions, parsed_questions, strict=True)
        for position, answer in enumerate(parsed.answers)
    )
    QuestionFile.objects.bulk_create(
        QuestionFile(
            question=question,
            name=file.name,
            area=file.area,
            content_type=file.content_type,
            content=file.content,
        )
        for question, parsed in zip(questions, parsed_questions, strict=True)
        for file in parsed.files
    )
    return questions


# Background imports -------------------------------------------------------------------------


def question_import_request(
    *, bank: QuestionBank, format: str, content: bytes, filename: str, actor
) -> QuestionImport:
    """Queue the import of a large file into `bank`; its status page shows the progress."""
    if format not in FORMATS:
        raise QuestionFormatError(_("Unknown format “%(format)s”.") % {"format": format})
    from ..tasks import import_questions

    with transaction.atomic():
        job = QuestionImport.objects.create(
            bank=bank, requested_by=actor, format=format, filename=filename[:255], content=content
        )
        log_action(actor, "learning.questions.import_queued", bank, {"import": job.pk})
        job_id = job.pk
        transaction.on_commit(lambda: import_questions.enqueue(import_id=job_id))
    return job


def question_import_run(*, job: QuestionImport) -> QuestionImport:
    """Parse and write a queued import, chunk by chunk, keeping `job` up to date."""
    claimed = QuestionImport.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.READING
    )
    job.refresh_from_db()
    if not claimed:
        return job  # another worker has it, or it is finished
    language = getattr(job.requested_by, "language", "") or None
    try:
        parsed = questions_parse(format=job.format, content=bytes(job.content))
    except QuestionFormatError as error:
        with translation.override(language):
            return _import_finish(job, ImportStatus.FAILED, error=error.message)
    job.total = len(parsed.questions)
    job.status = ImportStatus.SAVING
    job.save(update_fields=["total", "status"])
    try:
        with transaction.atomic():
            bank = _lock_bank(job.bank)
            categories = _categories(bank, parsed)
        for start in range(0, len(parsed.questions), IMPORT_CHUNK):
            chunk = parsed.questions[start : start + IMPORT_CHUNK]
            with transaction.atomic():
                bank = _lock_bank(job.bank)
                _create_questions(bank, categories, chunk, job)
                job.saved = start + len(chunk)
                job.save(update_fields=["saved"])  # committed with the chunk it counts
    except Exception:
        logger.exception("question import %s failed while saving", job.pk)
        with transaction.atomic():
            Question.objects.filter(import_job=job).delete()
        job.saved = 0
        with translation.override(language):
            return _import_finish(
                job,
                ImportStatus.FAILED,
                error=str(
                    _(
                        "The import failed while saving; nothing of the file was kept. "
                        "Try again, or tell the administrator."
                    )
                ),
            )
    result = import_summary(parsed)
    log_action(
        job.requested_by,
        "learning.questions.imported",
        job.bank,
        {"format": job.format, "import": job.pk, **result.as_json()},
    )
    job.result = result.as_json()
    return _import_finish(job, ImportStatus.DONE)


def _lock_bank(bank: QuestionBank) -> QuestionBank:
    if LOCK_BANKS:
        # One import at a time per bank, so two never create the same category twice.
        return QuestionBank.objects.select_for_update().get(pk=bank.pk)
    return bank


def _import_finish(job: QuestionImport, status: str, *, error: str = "") -> QuestionImport:
    job.status = status
    job.error = error
    job.content = b""
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "content", "saved", "result", "finished_at"])
    return job


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
