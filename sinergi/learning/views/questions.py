"""Question bank pages for staff: banks, a bank with its categories and questions, importing
GIFT or Moodle XML with a preview before anything is saved, export to Moodle XML, deleting a
question. Program managers and admins only.

A file larger than SINERGI_QUESTION_IMPORT_INLINE_MAX_BYTES skips the preview: a background task
parses and imports it, and its status page (polled by HTMX, refreshed without JavaScript) shows
the progress, then what came in or the line that stopped it.

Between the preview and the confirmation the uploaded file waits under var/question-imports/,
named by a random token that only the uploader's session knows, with its SHA-256 kept in the
session too; it is deleted when confirmed, and stale ones after a day.
"""

import hashlib
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.accounts.decorators import role_required
from sinergi.core.htmx import wants_fragment
from sinergi.core.shortcuts import form_errors_add

from ..formats import QuestionFormatError
from ..formats.render import render_text
from ..forms_questions import BankForm, BankRenameForm, QuestionImportForm
from ..models import QuestionType
from ..selectors import questions as selectors
from ..selectors.access import MANAGERS
from ..services import questions as services

PAGE_SIZE = 50
STASH_KEY = "learning_question_imports"
STASH_MAX_AGE = 24 * 60 * 60
# Embedded files shown in the page; anything else (SVG included) is only downloaded.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def _stash_dir() -> Path:
    return Path(settings.VAR_DIR) / "question-imports"


def _file_url(question_id: int):
    return lambda name: reverse("learning:question_file", args=[question_id, name])


def question_display(question) -> dict:
    """Return what a question's preview shows: the text and answers as safe HTML."""
    file_url = _file_url(question.pk)
    answers = [
        {
            "text": render_text(answer.text, answer.text_format, file_url),
            "match": answer.match,
            "fraction": answer.fraction,
            "percent": round(float(answer.fraction) * 100, 2),
            "tolerance": answer.tolerance,
            "feedback": render_text(answer.feedback, answer.text_format, file_url),
        }
        for answer in question.answers.all()
    ]
    return {
        "question": question,
        "text": render_text(question.text, question.text_format, file_url),
        "general_feedback": render_text(question.general_feedback, question.text_format, file_url),
        "answers": answers,
    }


# Banks --------------------------------------------------------------------------------------


@role_required(*MANAGERS)
def bank_list(request):
    form = BankForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bank = services.bank_create(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The question bank was created."))
            return redirect("learning:bank_detail", pk=bank.pk)
    banks = selectors.bank_list(user=request.user)
    return render(request, "learning/bank_list.html", {"banks": banks, "form": form})


@role_required(*MANAGERS)
def bank_detail(request, pk: int):
    bank = selectors.bank_get_for_manager(user=request.user, bank_id=pk)
    tree = selectors.category_tree(bank=bank)
    category = None
    if request.GET.get("category"):
        category = next(
            (row.category for row in tree if str(row.category.pk) == request.GET["category"]), None
        )
        if category is None:
            raise Http404
    page = Paginator(selectors.bank_questions(bank=bank, category=category), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "bank": bank,
        "tree": tree,
        "category": category,
        "page": page,
        "questions": [question_display(question) for question in page.object_list],
        "rename_form": BankRenameForm(initial={"name": bank.name}),
        "total": sum(row.count for row in tree),
    }
    return render(request, "learning/bank_detail.html", context)


@require_POST
@role_required(*MANAGERS)
def bank_rename(request, pk: int):
    bank = selectors.bank_get_for_manager(user=request.user, bank_id=pk)
    form = BankRenameForm(request.POST)
    if form.is_valid():
        try:
            services.bank_rename(bank=bank, name=form.cleaned_data["name"], actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The bank was renamed."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("learning:bank_detail", pk=bank.pk)


@role_required(*MANAGERS)
def bank_export(request, pk: int):
    bank = selectors.bank_get_for_manager(user=request.user, bank_id=pk)
    content = selectors.bank_export_moodle_xml(bank=bank)
    response = HttpResponse(content, content_type="application/xml; charset=utf-8")
    filename = f"{slugify(bank.name) or 'bank'}-moodle.xml"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# Import: upload → preview → confirm ------------------------------------------------------


@role_required(*MANAGERS)
def bank_import(request, pk: int):
    bank = selectors.bank_get_for_manager(user=request.user, bank_id=pk)
    form = QuestionImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["content"]
        import_format = form.cleaned_data["format"]
        if len(content) > settings.SINERGI_QUESTION_IMPORT_INLINE_MAX_BYTES:
            # Too large to read, let alone save, within a request: a task imports it.
            job = services.question_import_request(
                bank=bank,
                format=import_format,
                content=content,
                filename=form.cleaned_data["file"].name,
                actor=request.user,
            )
            return redirect("learning:bank_import_status", pk=bank.pk, import_id=job.pk)
        context = {
            "bank": bank,
            "format_label": services.FORMATS[import_format],
            "filename": form.cleaned_data["file"].name,
        }
        try:
            parsed = services.questions_parse(format=import_format, content=content)
        except QuestionFormatError as error:
            context["error"] = error.message
            return render(request, "learning/bank_import_preview.html", context, status=422)
        summary = services.import_summary(parsed)
        context.update(
            {
                "summary": summary,
                "type_counts": [
                    (QuestionType(qtype).label, qtype, count)
                    for qtype, count in summary.by_type.items()
                ],
                "parsed": parsed,
                "token": _stash(request, bank=bank, import_format=import_format, content=content),
            }
        )
        return render(request, "learning/bank_import_preview.html", context)
    context = {
        "bank": bank,
        "form": form,
        "inline_max": settings.SINERGI_QUESTION_IMPORT_INLINE_MAX_BYTES,
    }
    return render(request, "learning/bank_import.html", context)


@require_POST
@role_required(*MANAGERS)
def bank_import_confirm(request, pk: int):
    bank = selectors.bank_get_for_manager(user=request.user, bank_id=pk)
    pending = _unstash(request, token=request.POST.get("token", ""), bank=bank)
    if pending is None:
        messages.error(
            request, _("That upload has expired or was already imported; upload it again.")
        )
        return redirect("learning:bank_import", pk=bank.pk)
    import_format, content = pending
    try:
        result = services.questions_import(
            bank=bank, format=import_format, content=content, actor=request.user
        )
    except QuestionFormatError as error:
        messages.error(request, error.message)
        return redirect("learning:bank_import", pk=bank.pk)
    messages.success(
        request,
        _("%(count)s question(s) imported; %(skipped)s skipped.")
        % {"count": result.imported, "skipped": len(result.skipped)},
    )
    return redirect("learning:bank_detail", pk=bank.pk)


@role_required(*MANAGERS)
def bank_import_status(request, pk: int, import_id: int):
    """The progress of a background import: a page, or (for HTMX polling) its status part."""
    bank = selectors.bank_get_for_manager(user=request.user, bank_id=pk)
    job = selectors.question_import_get(user=request.user, bank=bank, import_id=import_id)
    context = {
        "bank": bank,
        "job": job,
        "format_label": services.FORMATS.get(job.format, job.format),
        "type_counts": [
            (QuestionType(qtype).label, count)
            for qtype, count in (job.result.get("by_type") or {}).items()
        ],
    }
    template = "learning/bank_import_status.html"
    if wants_fragment(request):
        template += "#import-status"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def _stash(request, *, bank, import_format: str, content: bytes) -> str:
    """Keep an uploaded file until it is confirmed; return the token that names it."""
    directory = _stash_dir()
    directory.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in directory.glob("*.upload"):
        try:
            if now - old.stat().st_mtime > STASH_MAX_AGE:
                old.unlink()
        except OSError:
            pass  # another request removed it first
    token = secrets.token_urlsafe(24)
    (directory / f"{token}.upload").write_bytes(content)
    stash = {
        key: entry
        for key, entry in request.session.get(STASH_KEY, {}).items()
        if now - entry["at"] <= STASH_MAX_AGE
    }
    stash[token] = {
        "bank": bank.pk,
        "format": import_format,
        "sha256": hashlib.sha256(content).hexdigest(),
        "at": now,
    }
    request.session[STASH_KEY] = stash
    return token


def _unstash(request, *, token: str, bank) -> tuple[str, bytes] | None:
    """Return (format, content) of this session's upload `token` for `bank`, removing it."""
    stash = request.session.get(STASH_KEY, {})
    entry = stash.pop(token, None) if token else None
    request.session[STASH_KEY] = stash
    if entry is None or entry["bank"] != bank.pk or time.time() - entry["at"] > STASH_MAX_AGE:
        return None
    file = _stash_dir() / f"{token}.upload"
    try:
        content = file.read_bytes()
        file.unlink()
    except OSError:
        return None
    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
        return None
    return entry["format"], content


# Questions ----------------------------------------------------------------------------------


@require_POST
@role_required(*MANAGERS)
def question_delete(request, pk: int):
    question = selectors.question_get_for_manager(user=request.user, question_id=pk)
    bank = question.bank
    try:
        services.question_delete(question=question, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The question was deleted."))
    return redirect("learning:bank_detail", pk=bank.pk)


def question_file(request, pk: int, name: str):
    """An image embedded in a question: managers, and participants who got the question."""
    file = selectors.question_file_get(user=request.user, question_id=pk, name=name)
    inline = file.content_type in INLINE_TYPES
    response = HttpResponse(
        bytes(file.content),
        content_type=file.content_type if inline else "application/octet-stream",
    )
    response["Content-Disposition"] = content_disposition_header(not inline, file.name)
    response["X-Content-Type-Options"] = "nosniff"
    # A file came from someone else's Moodle: never let it run anything on our origin.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, max-age=3600"
    return response


urlpatterns = [
    path("banks/", bank_list, name="bank_list"),
    path("banks/<int:pk>/", bank_detail, name="bank_detail"),
    path("banks/<int:pk>/rename/", bank_rename, name="bank_rename"),
    path("banks/<int:pk>/import/", bank_import, name="bank_import"),
    path("banks/<int:pk>/import/confirm/", bank_import_confirm, name="bank_import_confirm"),
    path(
        "banks/<int:pk>/import/<int:import_id>/",
        bank_import_status,
        name="bank_import_status",
    ),
    path("banks/<int:pk>/export/", bank_export, name="bank_export"),
    path("questions/<int:pk>/delete/", question_delete, name="question_delete"),
    path("questions/<int:pk>/files/<str:name>", question_file, name="question_file"),
]
