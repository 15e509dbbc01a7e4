"""Quiz pages: settings for staff, the participant's intro, attempt, submit and review pages,
the essay grading queue, and the quiz reports (learning gain, item analysis) with XLSX.

The attempt page works as a plain form (each "save" posts the page's answers) and, with HTMX,
saves each answer as it changes (`attempt_answer`); `static/learning/quiz.js` shows the
countdown from the server's deadline and the saved state of each question.
"""

import functools
import hashlib
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.core.htmx import wants_fragment
from sinergi.core.middleware import sessionless
from sinergi.core.params import id_param, int_param
from sinergi.core.spreadsheets import workbook_bytes, xlsx_response

from ..forms_quizzes import (
    RANDOM_ROWS,
    EssayGradeForm,
    QuizSettingsForm,
    posted_positions,
    posted_response,
)
from ..grading import ResponseError
from ..models import AttemptQuestion, AttemptState, Item, ItemKind, QuizRole
from ..selectors.access import (
    classroom_get,
    classroom_get_for_grader,
    classroom_get_for_participant,
    is_learning_manager,
)
from ..selectors.content import item_open_for
from ..selectors.questions import question_picker
from ..selectors.quizzes import (
    attempt_get_for_participant,
    attempt_question_count,
    attempt_question_for_grader,
    attempt_questions,
    attempt_row_texts,
    attempts_of,
    grading_queue,
    item_analysis,
    learning_gain_report,
    quiz_for_item,
    quizzes_of_batch,
    review_allowed,
)
from ..services import quizzes as service

# A 20-question pre- or post-test fits one page, as diklat tests usually are; longer ones page.
PAGE_SIZE = 20
# Questions listed per page of the quiz settings' picker (a bank may hold hundreds of thousands).
PICKER_PAGE_SIZE = 50


# --- Staff: settings -------------------------------------------------------------------------


def _settings_back(item) -> str:
    if item.module.batch_id:
        return reverse("learning:batch_curriculum", args=[item.module.batch_id])
    return reverse("learning:program_curriculum", args=[item.module.program_id])


@login_required
def quiz_settings(request, item_id: int):
    """Settings of a quiz item, of a batch or of a program's template (managers only)."""
    item = Item.objects.select_related("module").filter(pk=item_id, kind=ItemKind.QUIZ).first()
    if item is None or not is_learning_manager(request.user):
        raise Http404
    quiz = quiz_for_item(item)
    initial = {"attempts_allowed": 1, "pass_mark": 70, "review": "after_submit"}
    initial.update(shuffle_questions=True, shuffle_answers=True, role=QuizRole.QUIZ)
    if quiz is not None:
        slots = list(quiz.slots.all())
        initial.update(
            role=quiz.role,
            bank=quiz.bank_id,
            questions=[slot.question_id for slot in slots if slot.question_id],
            time_limit_minutes=quiz.time_limit_minutes,
            attempts_allowed=quiz.attempts_allowed,
            opens_at=quiz.opens_at,
            closes_at=quiz.closes_at,
            shuffle_questions=quiz.shuffle_questions,
            shuffle_answers=quiz.shuffle_answers,
            pass_mark=quiz.pass_mark,
            review=quiz.review,
        )
        for n, slot in enumerate([slot for slot in slots if slot.category_id][:RANDOM_ROWS]):
            initial[f"random_{n}_category"] = slot.category_id
            initial[f"random_{n}_count"] = slot.count
    form = QuizSettingsForm(request.POST or None, initial=initial, bank=quiz.bank if quiz else None)
    # Moving through the question picker posts the form too, but only to show another page.
    browsing = "picker_page" in request.POST or "picker_show" in request.POST
    if request.method == "POST" and not browsing and form.is_valid():
        data = form.cleaned_data
        slots = [service.SlotSpec(question=question) for question in data["questions"]]
        for n in range(RANDOM_ROWS):
            if data.get(f"random_{n}_category"):
                slots.append(
                    service.SlotSpec(
                        category=data[f"random_{n}_category"], count=data[f"random_{n}_count"]
                    )
                )
        try:
            service.quiz_configure(
                actor=request.user,
                item=item,
                role=data["role"],
                bank=data["bank"],
                slots=slots,
                time_limit_minutes=data["time_limit_minutes"],
                attempts_allowed=data["attempts_allowed"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                shuffle_questions=data["shuffle_questions"],
                shuffle_answers=data["shuffle_answers"],
                pass_mark=data["pass_mark"],
                review=data["review"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Quiz settings saved."))
            return redirect(_settings_back(item))
    context = {"item": item, "quiz": quiz, "form": form, "back": _settings_back(item)}
    context.update(_question_picker(request, form, initial))
    return render(request, "learning/quiz_settings.html", context)


def _question_picker(request, form, initial) -> dict:
    """One page of the bank's questions to tick, however large the bank: the questions chosen
    on other pages travel as hidden fields, and moving between pages posts the form (keeping
    everything typed) without saving it."""
    source = request.POST if request.method == "POST" else request.GET
    bank_id = _picked_bank(form)
    category_id = _digits(source.get("picker_category"))
    if form.is_bound:
        chosen = {int(value) for value in form.data.getlist("questions") if _digits(value)}
    else:
        chosen = set(initial.get("questions") or [])
    questions = question_picker(bank_id=bank_id, category_id=category_id)
    page = Paginator(questions, PICKER_PAGE_SIZE).get_page(source.get("picker_page"))
    shown = {question.pk for question in page.object_list}
    return {
        "picker_page": page,
        "picker_chosen": chosen,
        "picker_hidden": sorted(chosen - shown),
        "picker_category": category_id,
        "picker_categories": form.fields["random_0_category"].queryset,
    }


def _picked_bank(form) -> int | None:
    bank_id = form.data.get("bank") if form.is_bound else form.initial.get("bank")
    return _digits(bank_id)


def _digits(value) -> int | None:
    return id_param(value)


# --- Participant: intro, start ---------------------------------------------------------------


def _quiz_of(access, item_id: int):
    # A participant reaches a quiz only once its restrictions (date, prerequisite) let them.
    item, _state = item_open_for(access=access, item_id=item_id)
    quiz = quiz_for_item(item) if item.kind == ItemKind.QUIZ else None
    if quiz is None:
        raise Http404
    return item, quiz


@login_required
def quiz_detail(request, batch_id: int, item_id: int):
    """The quiz's intro: rules, the participant's attempts and best score, start or continue."""
    access = classroom_get(user=request.user, batch_id=batch_id)
    item, quiz = _quiz_of(access, item_id)
    now = timezone.now()
    context = {
        "access": access,
        "batch": access.batch,
        "item": item,
        "quiz": quiz,
        "question_count": sum(slot.count for slot in quiz.slots.all()),
        "window_problem": service.quiz_window_problem(quiz, now),
    }
    if access.registration is not None:
        attempts = attempts_of(quiz=quiz, registration=access.registration)
        for attempt in attempts:
            if service.attempt_is_overdue(attempt, now):
                service.attempt_submit(attempt=attempt, actor=None, now=now, automatic=True)
                attempt.refresh_from_db()
        open_attempt = next((a for a in attempts if a.state == AttemptState.IN_PROGRESS), None)
        scores = [a.score for a in attempts if a.state == AttemptState.FINISHED]
        context.update(
            attempts=attempts,
            open_attempt=open_attempt,
            best_score=max(scores) if scores else None,
            attempts_left=(
                None if not quiz.attempts_allowed else max(quiz.attempts_allowed - len(attempts), 0)
            ),
        )
    return render(request, "learning/quiz_detail.html", context)


@login_required
def quiz_start(request, batch_id: int, item_id: int):
    """Start (or continue) the participant's attempt. A GET, e.g. a link to the quiz, shows the
    intro instead: nothing starts the clock without the participant pressing the button."""
    if request.method != "POST":
        return redirect("learning:quiz_detail", batch_id, item_id)
    access = classroom_get_for_participant(user=request.user, batch_id=batch_id)
    item, quiz = _quiz_of(access, item_id)
    try:
        attempt = service.attempt_start(quiz=quiz, registration=access.registration)
    except service.QuizError as error:
        messages.error(request, error.message)
        return redirect("learning:quiz_detail", batch_id, item.pk)
    # The answer is the attempt's first page itself, not a redirect to it: when a class starts
    # together, every request waits its turn, and a redirect would make each person wait twice
    # (quiz.js puts the page's own address in the address bar). Starting again is harmless:
    # it gives back the open attempt.
    item.module.batch = access.batch
    quiz.item = item
    attempt.quiz, attempt.registration = quiz, access.registration
    return _attempt_page_response(request, attempt, page=1)


# --- Participant: the attempt ----------------------------------------------------------------


def _own_attempt(request, attempt_id: int):
    return attempt_get_for_participant(user=request.user, attempt_id=attempt_id)


def _closed_redirect(request, attempt):
    """Send the participant of a closed (or just timed-out) attempt to its review."""
    if service.attempt_is_overdue(attempt):
        service.attempt_submit(attempt=attempt, actor=None, automatic=True)
        messages.warning(
            request, _("Time is up: your attempt was submitted with the answers saved.")
        )
    return redirect("learning:attempt_review", attempt.pk)


def _save_posted(request, attempt) -> dict[int, str]:
    """Save every answer in the posted page; return the messages of those refused."""
    errors: dict[int, str] = {}
    for position in posted_positions(request.POST):
        try:
            service.attempt_answer_save(
                attempt_id=attempt.pk,
                user=request.user,
                position=position,
                raw=posted_response(request.POST, position),
            )
        except ResponseError as error:
            errors[position] = str(error.message)
        except AttemptQuestion.DoesNotExist:
            raise Http404 from None
    return errors


@login_required
def attempt_page(request, attempt_id: int):
    """The questions of an open attempt, a page at a time; POST saves the page (without JS)."""
    attempt = _own_attempt(request, attempt_id)
    if attempt.state != AttemptState.IN_PROGRESS or service.attempt_is_overdue(attempt):
        return _closed_redirect(request, attempt)
    page = int_param(request.GET.get("page"), default=1, high=10_000)
    if request.method != "POST":
        return _attempt_page_response(request, attempt, page=page)
    try:
        errors = _save_posted(request, attempt)
    except service.AttemptClosed as error:
        messages.warning(request, error.message)
        return redirect("learning:attempt_review", attempt.pk)
    if errors:  # the page again, with what is saved and what was refused
        return _attempt_page_response(request, attempt, page=page, errors=errors)
    go = request.POST.get("go", "")
    if go == "finish":
        return redirect("learning:attempt_submit", attempt.pk)
    target = page + 1 if go == "next" else page - 1 if go == "previous" else page
    messages.success(request, _("Your answers are saved."))
    target = min(target, _pages(attempt_question_count(attempt)))
    return redirect(f"{reverse('learning:attempt', args=[attempt.pk])}?page={max(target, 1)}")


def _pages(questions: int) -> int:
    return max((questions + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def _attempt_page_response(request, attempt, *, page: int, errors=None) -> HttpResponse:
    """Render a page of the open attempt (`page` is brought within the attempt's pages)."""
    errors = errors or {}
    rows = attempt_questions(attempt, texts=False)
    pages = _pages(len(rows))
    page = min(page, pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    _question_cards(request, attempt, shown, errors)
    item = attempt.quiz.item
    return render(
        request,
        "learning/attempt_page.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "item": item,
            "batch": item.module.batch,
            "rows": shown,
            "page": page,
            "pages": pages,
            "answered": sum(1 for row in rows if row.response is not None),
            "total": sum(1 for row in rows if row.question.qtype != "description"),
            "now": timezone.now(),
        },
        status=422 if errors else 200,
    )


# The questions of the attempt page. A question not yet answered looks the same to everyone
# who drew it with its answers in the same order: it is rendered once per language and kept in
# the cache, with stand-ins for its place on the page and its autosave URL, which are put in for
# each participant. At the start of a test a thousand pages are made of a few dozen renderings.
# The cache key is made of everything the card shows (and the template's own text), so an edited
# question or template is rendered afresh. Answered questions are rendered each time.
_PLACE = f"snplace{secrets.token_hex(6)}"
_SAVE_URL = f"snsave{secrets.token_hex(6)}"
_CARD = "learning/attempt_page.html#question"
CARD_CACHE_SECONDS = 3600


def _question_cards(request, attempt, rows, errors: dict[int, str]) -> None:
    """Give each row its `card`: the HTML of the question with its autosave URL."""
    session_key = request.session.session_key or ""
    # One reverse() for the page (80 µs each), the positions put into its last number.
    mark = 987654321
    head, _mark, tail = reverse("learning:attempt_answer", args=[attempt.pk, mark]).rpartition(
        str(mark)
    )
    keys: dict[int, str] = {}
    for row in rows:
        row.error = errors.get(row.position)
        key = service.answer_key(row=row, user_id=request.user.pk, session_key=session_key)
        row.save_url = f"{head}{row.position}{tail}?{urlencode({'k': key})}"
        if row.response is None and row.saved_at is None and not row.error:
            keys[row.position] = _card_cache_key(row)
    cached = cache.get_many(list(keys.values())) if keys else {}
    fresh: dict[str, str] = {}
    for row in rows:
        key = keys.get(row.position)
        if key is None:
            attempt_row_texts(row)
            context = {"row": row, "p": row.position, "save_url": row.save_url}
            row.card = render_to_string(_CARD, context)
            continue
        if key not in cached:
            attempt_row_texts(row)
            fresh[key] = cached[key] = render_to_string(
                _CARD, {"row": row, "p": _PLACE, "save_url": _SAVE_URL}
            )
        card = cached[key].replace(_PLACE, str(row.position))
        row.card = mark_safe(card.replace(_SAVE_URL, escape(row.save_url)))  # noqa: S308 - ours
    if fresh:
        cache.set_many(fresh, CARD_CACHE_SECONDS)


def _card_cache_key(row) -> str:
    question = row.question
    parts = [
        _card_template_digest(),
        translation.get_language(),
        str(question.pk),
        question.updated_at.isoformat(),
        question.qtype,
        str(question.single),
        str(row.max_points),
        question.text_format,
        question.text,
    ]
    for answer in row.shown_answers:
        parts += [str(answer.id), answer.text_format, answer.text, answer.match]
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
    return f"learning:question-card:{digest}"


@functools.cache
def _card_template_digest() -> str:
    source = get_template("learning/attempt_page.html").template.source
    return hashlib.blake2b(source.encode(), digest_size=8).hexdigest()


@sessionless
@require_POST
def attempt_answer(request, attempt_id: int, position: int):
    """Save one answer as the participant goes (HTMX, or JSON for scripts).

    With the answer key the attempt page put in the URL (`?k=`), for the session cookie it was
    made for: one query, no session or user loaded. Without one: the signed-in path, four."""
    shape = service.answer_key_read(
        request.GET.get("k"),
        session_key=request.COOKIES.get(settings.SESSION_COOKIE_NAME),
        attempt_id=attempt_id,
        position=position,
    )
    if shape is None:
        return _attempt_answer_signed_in(request, attempt_id, position)

    def save(raw):
        return service.attempt_answer_save_keyed(shape=shape, raw=raw)

    return _answer_saved(request, attempt_id, position, save)


@login_required
def _attempt_answer_signed_in(request, attempt_id: int, position: int):
    def save(raw):
        return service.attempt_answer_save(
            attempt_id=attempt_id, user=request.user, position=position, raw=raw
        )

    return _answer_saved(request, attempt_id, position, save)


def _answer_saved(request, attempt_id: int, position: int, save) -> HttpResponse:
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        saved_at = save(posted_response(request.POST, position))
    except AttemptQuestion.DoesNotExist:
        raise Http404 from None
    except (ResponseError, service.AttemptClosed) as error:
        closed = isinstance(error, service.AttemptClosed)
        if wants_json:
            return JsonResponse(
                {"error": str(error.message), "closed": closed}, status=409 if closed else 422
            )
        response = _saved_fragment(position=position, error=error.message)
        if closed:
            response["HX-Redirect"] = reverse("learning:attempt_review", args=[attempt_id])
        return response
    if wants_json:
        return JsonResponse({"saved_at": saved_at.isoformat()})
    if not wants_fragment(request):
        return redirect("learning:attempt", attempt_id)
    return _saved_fragment(position=position, saved_at=saved_at)


def _saved_fragment(**context) -> HttpResponse:
    # Without the request: the context processors (navigation, roles) would cost queries on
    # the busiest request of a quiz, for a fragment that shows none of them.
    return HttpResponse(render_to_string("learning/attempt_page.html#saved", context))


@login_required
def attempt_submit(request, attempt_id: int):
    """Confirm, then submit: the attempt is graded at once."""
    attempt = _own_attempt(request, attempt_id)
    if attempt.state != AttemptState.IN_PROGRESS or service.attempt_is_overdue(attempt):
        return _closed_redirect(request, attempt)
    if request.method == "POST":
        attempt = service.attempt_submit(attempt=attempt, actor=request.user)
        if attempt.state == AttemptState.NEEDS_GRADING:
            messages.info(request, _("Submitted. Your essay answers wait for a grader."))
        else:
            messages.success(request, _("Submitted and graded."))
        return redirect("learning:attempt_review", attempt.pk)
    rows = attempt_questions(attempt)
    unanswered = [row for row in rows if row.response is None and row.max_points]
    return render(
        request,
        "learning/attempt_submit.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "item": attempt.quiz.item,
            "unanswered": unanswered,
            "total": len(rows),
        },
    )


@login_required
def attempt_review(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    if attempt.state == AttemptState.IN_PROGRESS:
        if not service.attempt_is_overdue(attempt):
            return redirect("learning:attempt", attempt.pk)
        attempt = service.attempt_submit(attempt=attempt, actor=None, automatic=True)
    quiz = attempt.quiz
    show = review_allowed(attempt, timezone.now())
    rows = attempt_questions(attempt) if show else []
    for row in rows:
        _mark_review(row)
    return render(
        request,
        "learning/attempt_review.html",
        {
            "attempt": attempt,
            "quiz": quiz,
            "item": quiz.item,
            "batch": quiz.item.module.batch,
            "show": show,
            "rows": rows,
            "passed": attempt.score is not None and attempt.score >= quiz.pass_mark,
        },
    )


def _mark_review(row) -> None:
    """Set on each shown answer whether the participant chose it, for the review page."""
    response = row.response or {}
    row.given_text = response.get("text") or response.get("value") or ""
    chosen = set(response.get("choices", []))
    pairs = response.get("pairs", {})
    choice_text = {answer.id: answer.match for answer in row.shown_answers}
    for answer in row.shown_answers:
        answer.chosen = answer.id in chosen
        answer.given_match = choice_text.get(pairs.get(str(answer.id)), "")


# --- Graders: essays -------------------------------------------------------------------------


@login_required
def essay_queue(request, batch_id: int):
    access = classroom_get_for_grader(user=request.user, batch_id=batch_id)
    rows = list(grading_queue(batch=access.batch)[:100])
    return render(
        request,
        "learning/quiz_essay_queue.html",
        {"batch": access.batch, "rows": rows, "form": EssayGradeForm()},
    )


@login_required
def essay_grade(request, batch_id: int, pk: int):
    access = classroom_get_for_grader(user=request.user, batch_id=batch_id)
    row = attempt_question_for_grader(batch=access.batch, pk=pk)
    form = EssayGradeForm(
        request.POST or None, initial={"points": row.points, "comment": row.grader_comment}
    )
    if request.method == "POST" and form.is_valid():
        try:
            service.essay_grade(
                actor=request.user,
                attempt_question=row,
                points=form.cleaned_data["points"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error("points", error.message_dict.get("points"))
        except service.QuizError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Essay graded."))
            return redirect("learning:essay_queue", batch_id)
    return render(
        request,
        "learning/quiz_essay_grade.html",
        {"batch": access.batch, "row": row, "form": form},
        status=422 if form.errors else 200,
    )


# --- Reports ---------------------------------------------------------------------------------


def _report_access(request, batch_id: int):
    """Staff who read reports, and the batch's speakers (they grade these participants)."""
    access = classroom_get(user=request.user, batch_id=batch_id)
    if not (access.can_read_reports or access.is_speaker):
        raise PermissionDenied
    return access


def _score(value) -> float | None:
    return None if value is None else round(float(value), 2)


def _gain(value) -> float | None:
    return None if value is None else round(value, 3)


@login_required
def learning_gain(request, batch_id: int):
    access = _report_access(request, batch_id)
    report = learning_gain_report(batch=access.batch)
    return render(
        request, "learning/quiz_learning_gain.html", {"batch": access.batch, "report": report}
    )


@login_required
def learning_gain_xlsx(request, batch_id: int):
    access = _report_access(request, batch_id)
    report = learning_gain_report(batch=access.batch)
    rows = [
        [
            row.registration.user.full_name,
            row.registration.institution_name,
            _score(row.pre),
            _score(row.post),
            _gain(row.gain),
        ]
        for row in report.rows
    ]
    summary = [
        [_("Participants with both tests"), report.paired],
        [_("Mean pre-test score"), _score(report.mean_pre)],
        [_("Mean post-test score"), _score(report.mean_post)],
        [_("Mean of individual gains (g)"), _gain(report.mean_individual_gain)],
        [_("Class gain from the means, Hake ⟨g⟩"), _gain(report.class_gain)],
        [_("Participants with a pre-test of 100 (g undefined)"), report.undefined_gain],
    ]
    content = workbook_bytes(
        [
            (
                _("Learning gain"),
                [_("Participant"), _("Institution"), _("Pre-test"), _("Post-test"), "g"],
                rows,
            ),
            (_("Summary"), [_("Figure"), _("Value")], summary),
        ]
    )
    return xlsx_response(content, f"learning-gain-{access.batch.code}")


@login_required
def item_analysis_page(request, batch_id: int):
    access = _report_access(request, batch_id)
    quizzes = [(quiz, item_analysis(quiz=quiz)) for quiz in quizzes_of_batch(access.batch)]
    return render(
        request, "learning/quiz_item_analysis.html", {"batch": access.batch, "quizzes": quizzes}
    )


@login_required
def item_analysis_xlsx(request, batch_id: int):
    access = _report_access(request, batch_id)
    headers = [
        _("Question"),
        _("Type"),
        _("Attempts"),
        _("Facility index"),
        _("Discrimination (point-biserial)"),
        _("Mean points"),
        _("Maximum points"),
    ]
    sheets = []
    for quiz in quizzes_of_batch(access.batch):
        rows = [
            [
                stat.name,
                stat.qtype,
                stat.attempts,
                _gain(stat.facility),
                _gain(stat.discrimination),
                _gain(stat.mean_points),
                stat.max_points,
            ]
            for stat in item_analysis(quiz=quiz)
        ]
        sheets.append((f"{quiz.pk} {quiz.item.title}", headers, rows))
    if not sheets:
        sheets.append((_("Item analysis"), headers, []))
    return xlsx_response(workbook_bytes(sheets), f"item-analysis-{access.batch.code}")


urlpatterns = [
    path("items/<int:item_id>/quiz/", quiz_settings, name="quiz_settings"),
    path("batches/<int:batch_id>/quizzes/<int:item_id>/", quiz_detail, name="quiz_detail"),
    path("batches/<int:batch_id>/quizzes/<int:item_id>/start/", quiz_start, name="quiz_start"),
    path("attempts/<int:attempt_id>/", attempt_page, name="attempt"),
    path(
        "attempts/<int:attempt_id>/answers/<int:position>/", attempt_answer, name="attempt_answer"
    ),
    path("attempts/<int:attempt_id>/submit/", attempt_submit, name="attempt_submit"),
    path("attempts/<int:attempt_id>/review/", attempt_review, name="attempt_review"),
    path("batches/<int:batch_id>/grading/essays/", essay_queue, name="essay_queue"),
    path("batches/<int:batch_id>/grading/essays/<int:pk>/", essay_grade, name="essay_grade"),
    path("batches/<int:batch_id>/reports/learning-gain/", learning_gain, name="learning_gain"),
    path(
        "batches/<int:batch_id>/reports/learning-gain.xlsx",
        learning_gain_xlsx,
        name="learning_gain_xlsx",
    ),
    path("batches/<int:batch_id>/reports/item-analysis/", item_analysis_page, name="item_analysis"),
    path(
        "batches/<int:batch_id>/reports/item-analysis.xlsx",
        item_analysis_xlsx,
        name="item_analysis_xlsx",
    ),
]
