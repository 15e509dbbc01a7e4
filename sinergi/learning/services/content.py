"""Curricula: a program's template, each batch's own copy, their modules and items.

A batch's copy is made once from the template (`curriculum_copy_to_batch`); afterwards the two
are separate rows, so editing a running batch never changes the template or a past batch.
Rich text is sanitised here, on the way in, so templates may show it as it is.
"""

import re
from urllib.parse import parse_qs, urlsplit

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from sinergi.core.services import log_action
from sinergi.core.uploads import DOCX, PDF, PPTX, validate_upload
from sinergi.training.models import Batch, Program, Registration

from ..models import (
    Assignment,
    Item,
    ItemKind,
    Module,
    Quiz,
    QuizRole,
    QuizSlot,
    RubricCriterion,
    Session,
    Survey,
    SurveyQuestion,
)
from .completion import completion_recompute, item_mark_complete

# What a page may contain: text structure, lists, tables, links and images. Nothing that runs.
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
FILE_KINDS = {PDF, DOCX, PPTX}
FILE_MAX_BYTES = 20 * 1024 * 1024
# Items the participant marks as done themselves; the others are done by attending,
# submitting or filling in.
SELF_COMPLETED = (ItemKind.PAGE, ItemKind.FILE, ItemKind.VIDEO, ItemKind.LINK)

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^\d{5,12}$")
YOUTUBE_EMBED = "https://www.youtube-nocookie.com/embed/"
VIMEO_EMBED = "https://player.vimeo.com/video/"


def html_sanitise(html: str) -> str:
    """Return `html` with only harmless tags and attributes; links get rel="noopener"."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def video_embed_url(url: str) -> str | None:
    """Return the privacy-enhanced embed address of a YouTube or Vimeo link, else None."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = parts.path.strip("/")
    video_id = ""
    if host in {"youtube.com", "youtube-nocookie.com"}:
        if path == "watch":
            video_id = parse_qs(parts.query).get("v", [""])[0]
        elif path.split("/")[0] in {"embed", "shorts", "live", "v"} and "/" in path:
            video_id = path.split("/")[1]
    elif host == "youtu.be":
        video_id = path.split("/")[0]
    if video_id:
        return YOUTUBE_EMBED + video_id if _YOUTUBE_ID.match(video_id) else None
    if host in {"vimeo.com", "player.vimeo.com"}:
        candidate = path.split("/")[-1] if path else ""
        if _VIMEO_ID.match(candidate):
            return f"{VIMEO_EMBED}{candidate}?dnt=1"
    return None


# Modules ------------------------------------------------------------------------------------


def _siblings(module: Module):
    if module.program_id:
        return Module.objects.filter(program_id=module.program_id)
    return Module.objects.filter(batch_id=module.batch_id)


def module_create(
    *,
    actor,
    title: str,
    description: str = "",
    program: Program | None = None,
    batch: Batch | None = None,
) -> Module:
    """Add a module at the end of a program's template or of a batch's curriculum."""
    if (program is None) == (batch is None):
        raise ValueError("a module belongs to a program or to a batch")
    with transaction.atomic():
        owner = {"program": program} if program else {"batch": batch}
        last = Module.objects.filter(**owner).aggregate(last=Max("position"))["last"]
        module = Module.objects.create(
            title=title.strip(),
            description=description.strip(),
            position=0 if last is None else last + 1,
            **owner,
        )
        log_action(actor, "learning.module.created", module, {"title": module.title})
    return module


def module_update(*, module: Module, actor, title: str, description: str = "") -> Module:
    module.title = title.strip()
    module.description = description.strip()
    with transaction.atomic():
        module.save(update_fields=["title", "description"])
        log_action(actor, "learning.module.updated", module, {"title": module.title})
    return module


def _move(rows: list, row, direction: str) -> list:
    """Return `rows` with `row` moved one place up or down."""
    index = next(i for i, other in enumerate(rows) if other.pk == row.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(rows):
        rows[index], rows[target] = rows[target], rows[index]
    return rows


def _renumber(rows: list) -> None:
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])


def module_move(*, module: Module, direction: str, actor) -> None:
    """Move a module one place up or down ("up" / "down")."""
    with transaction.atomic():
        rows = list(_siblings(module).select_for_update().order_by("position", "id"))
        _renumber(_move(rows, module, direction))
        log_action(actor, "learning.module.moved", module, {"direction": direction})


def module_delete(*, module: Module, actor) -> None:
    """Delete a module and its items (a batch's items with their participants' work)."""
    with transaction.atomic():
        log_action(actor, "learning.module.deleted", module, {"title": module.title})
        module.delete()


# Items --------------------------------------------------------------------------------------


def _check_file(file) -> None:
    try:
        validate_upload(file, allowed=FILE_KINDS, max_bytes=FILE_MAX_BYTES)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error


def _check_fields(*, kind: str, fields: dict, module: Module, item: Item | None = None) -> None:
    errors: dict[str, str] = {}
    if kind == ItemKind.VIDEO and not video_embed_url(fields.get("url", "")):
        errors["url"] = _("Give a YouTube or Vimeo link to the video.")
    if kind == ItemKind.LINK and not fields.get("url"):
        errors["url"] = _("Give the address of the link.")
    if kind == ItemKind.FILE and not fields.get("file") and not (item and item.file):
        errors["file"] = _("Choose a PDF, Word or PowerPoint file.")
    if kind == ItemKind.QUIZ and item is None and not fields.get("bank"):
        errors["bank"] = _("Choose the question bank the quiz draws from.")
    session = fields.get("session")
    if session is not None and (module.batch_id is None or session.batch_id != module.batch_id):
        errors["session"] = _("Choose a session of this batch.")
    requires = fields.get("requires")
    if requires is not None:
        same_curriculum = (
            requires.module.program_id == module.program_id
            and requires.module.batch_id == module.batch_id
        )
        if not same_curriculum or (item is not None and requires.pk == item.pk):
            errors["requires"] = _("Choose another item of this curriculum.")
    if errors:
        raise ValidationError(errors)


ITEM_FIELDS = ("title", "body", "url", "jp", "available_from", "requires", "session")


def item_create(*, module: Module, kind: str, actor, **fields) -> Item:
    """Add an item at the end of `module`; a quiz, assignment or survey gets its settings row.

    `fields` may hold title, body (HTML, sanitised here), file, url, jp, available_from,
    requires, session, and for a quiz `bank` and `role`.
    """
    if kind not in ItemKind.values:
        raise ValidationError({"kind": _("Choose the kind of item.")})
    _check_fields(kind=kind, fields=fields, module=module)
    if kind == ItemKind.FILE:
        _check_file(fields["file"])
    with transaction.atomic():
        last = Item.objects.filter(module=module).aggregate(last=Max("position"))["last"]
        item = Item(module=module, kind=kind, position=0 if last is None else last + 1)
        for name in ITEM_FIELDS:
            if name in fields:
                setattr(item, name, fields[name])
        item.body = html_sanitise(item.body) if kind == ItemKind.PAGE else ""
        if kind == ItemKind.FILE:
            item.file = fields["file"]
        if kind == ItemKind.SESSION and module.batch_id and item.session is None:
            item.session = Session.objects.create(
                batch_id=module.batch_id, title=item.title, jp=item.jp or 1
            )
        item.save()
        if kind == ItemKind.QUIZ:
            Quiz.objects.create(
                item=item, bank=fields["bank"], role=fields.get("role") or QuizRole.QUIZ
            )
        elif kind == ItemKind.ASSIGNMENT:
            Assignment.objects.create(item=item)
        elif kind == ItemKind.SURVEY:
            from .surveys import survey_add_default_questions

            survey_add_default_questions(survey=Survey.objects.create(item=item))
        log_action(actor, "learning.item.created", item, {"kind": kind, "title": item.title})
    return item


def item_update(*, item: Item, actor, **fields) -> Item:
    """Change an item's title, text, link, file, restrictions or session."""
    _check_fields(kind=item.kind, fields=fields, module=item.module, item=item)
    if item.kind == ItemKind.FILE and fields.get("file"):
        _check_file(fields["file"])
    changed = []
    for name in ITEM_FIELDS:
        if name in fields:
            setattr(item, name, fields[name])
            changed.append(name)
    if "body" in fields:
        item.body = html_sanitise(item.body) if item.kind == ItemKind.PAGE else ""
    if item.kind == ItemKind.FILE and fields.get("file"):
        item.file = fields["file"]
        changed.append("file")
    with transaction.atomic():
        item.save(update_fields=changed or None)
        if item.kind == ItemKind.QUIZ and fields.get("role"):
            Quiz.objects.filter(item=item).update(role=fields["role"])
        log_action(actor, "learning.item.updated", item, {"fields": sorted(changed)})
    return item


def item_move(*, item: Item, direction: str, actor) -> None:
    with transaction.atomic():
        rows = list(
            Item.objects.filter(module_id=item.module_id)
            .select_for_update()
            .order_by("position", "id")
        )
        _renumber(_move(rows, item, direction))
        log_action(actor, "learning.item.moved", item, {"direction": direction})


def item_delete(*, item: Item, actor) -> None:
    with transaction.atomic():
        log_action(actor, "learning.item.deleted", item, {"title": item.title, "kind": item.kind})
        item.delete()


def item_complete_by_participant(*, item: Item, registration: Registration) -> bool:
    """Record that the participant read, watched or opened `item`; return whether it is new."""
    if item.kind not in SELF_COMPLETED:
        raise ValidationError(_("This item is completed by taking part, not by a button."))
    with transaction.atomic():
        created = item_mark_complete(item=item, registration=registration)
        completion_recompute(registration=registration)
    return created


# Copying the template -----------------------------------------------------------------------


def _copy_quiz(source: Quiz, item: Item) -> None:
    slots = list(source.slots.all())
    source.pk, source.id, source.item = None, None, item
    source._state.adding = True
    source.save()
    for slot in slots:
        slot.pk, slot.id, slot.quiz = None, None, source
        slot._state.adding = True
    QuizSlot.objects.bulk_create(slots)


def _copy_assignment(source: Assignment, item: Item) -> None:
    criteria = list(source.criteria.all())
    source.pk, source.id, source.item = None, None, item
    source._state.adding = True
    source.save()
    RubricCriterion.objects.bulk_create(
        RubricCriterion(
            assignment=source,
            title=criterion.title,
            max_points=criterion.max_points,
            position=criterion.position,
        )
        for criterion in criteria
    )


def _copy_survey(source: Survey, item: Item) -> None:
    questions = list(source.questions.all())
    survey = Survey.objects.create(item=item, intro=source.intro)
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(
            survey=survey,
            scope=question.scope,
            kind=question.kind,
            text=question.text,
            position=question.position,
        )
        for question in questions
    )


def curriculum_copy_to_batch(*, batch: Batch, actor) -> list[Module]:
    """Copy the program's template into `batch`, once; return the batch's modules.

    Modules and items are copied with their quiz (and slots), assignment (and rubric) and survey
    (and questions). Each live-session item gets an unscheduled Session of the batch, as long as
    the item says. A batch that already has a curriculum is left as it is.
    """
    with transaction.atomic():
        # The batch row is the lock: two staff pressing "copy" at once make one copy.
        Batch.objects.select_for_update().get(pk=batch.pk)
        if Module.objects.filter(batch=batch).exists():
            return list(Module.objects.filter(batch=batch))
        templates = list(
            Module.objects.filter(program_id=batch.program_id).prefetch_related(
                "items__quiz__slots", "items__assignment__criteria", "items__survey__questions"
            )
        )
        copied_items: dict[int, Item] = {}
        requires: list[tuple[Item, int]] = []
        modules = []
        for template in templates:
            module = Module.objects.create(
                batch=batch,
                title=template.title,
                description=template.description,
                position=template.position,
            )
            modules.append(module)
            for source in template.items.all():
                item = Item(
                    module=module,
                    kind=source.kind,
                    title=source.title,
                    position=source.position,
                    body=source.body,
                    file=source.file.name if source.file else "",
                    url=source.url,
                    jp=source.jp,
                    available_from=source.available_from,
                    copied_from=source,
                )
                if source.kind == ItemKind.SESSION:
                    item.session = Session.objects.create(
                        batch=batch, title=source.title, jp=source.jp or 1
                    )
                item.save()
                copied_items[source.pk] = item
                if source.requires_id:
                    requires.append((item, source.requires_id))
                if source.kind == ItemKind.QUIZ and hasattr(source, "quiz"):
                    _copy_quiz(source.quiz, item)
                elif source.kind == ItemKind.ASSIGNMENT and hasattr(source, "assignment"):
                    _copy_assignment(source.assignment, item)
                elif source.kind == ItemKind.SURVEY and hasattr(source, "survey"):
                    _copy_survey(source.survey, item)
        for item, source_id in requires:
            # A prerequisite points at the batch's own copy, never back into the template.
            item.requires = copied_items.get(source_id)
            item.save(update_fields=["requires"])
        log_action(
            actor,
            "learning.curriculum.copied",
            batch,
            {"modules": len(modules), "items": len(copied_items)},
        )
    return modules
