"""Tanya Pustakawan: members ask, librarians answer in a thread; closed questions become FAQ."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from sinergi.accounts.decorators import role_required
from sinergi.core.htmx import wants_fragment
from sinergi.core.shortcuts import error_report, get_or_404

from .. import selectors, services
from ..forms import FaqForm, FaqSearchForm, QuestionForm, ReplyForm
from ..models import FaqEntry, QuestionState


@require_safe
def faq(request):
    form = FaqSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.faq_search(query=filters.get("q", ""), category=filters.get("category", ""))
    page = Paginator(entries, 20).get_page(request.GET.get("page"))
    template = "visits/faq.html"
    if wants_fragment(request):
        template += "#results"
    query = {name: value for name, value in request.GET.items() if name != "page" and value}
    response = render(request, template, {"form": form, "page": page, "filters": query})
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def my_questions(request):
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        question = services.question_ask(asker=request.user, **form.cleaned_data)
        messages.success(request, _("Your question has been sent to the librarians."))
        return redirect("visits:question_detail", pk=question.pk)
    questions = selectors.questions_of_user(user=request.user)
    return render(request, "visits/my_questions.html", {"form": form, "questions": questions})


def _question(request, pk: int):
    return get_or_404(selectors.question_get_for_user, question_id=pk, user=request.user)


@login_required
def question_detail(request, pk: int):
    question = _question(request, pk)
    is_staff = selectors.is_reference_staff(request.user)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Staff answering their own question (it happens) write as the asker.
        from_staff = is_staff and question.asker_id != request.user.pk
        try:
            services.question_reply(
                question=question,
                author=request.user,
                body=form.cleaned_data["body"],
                from_staff=from_staff,
            )
        except services.VisitError as error:
            error_report(request, error)
        else:
            messages.success(request, _("Message sent."))
        return redirect("visits:question_detail", pk=question.pk)
    faq_entry = FaqEntry.objects.filter(question=question).first()
    context = {
        "question": question,
        "thread": question.messages.select_related("author"),
        "form": form,
        "is_staff": is_staff,
        "faq_entry": faq_entry,
        "faq_form": FaqForm(
            initial={
                "title": question.subject,
                "answer": "\n\n".join(
                    question.messages.filter(from_staff=True).values_list("body", flat=True)
                ),
            }
        )
        if is_staff and question.state == QuestionState.CLOSED and not faq_entry
        else None,
    }
    return render(request, "visits/question_detail.html", context)


@login_required
@require_POST
def question_close(request, pk: int):
    question = _question(request, pk)
    try:
        services.question_close(question=question, actor=request.user)
    except services.VisitError as error:
        error_report(request, error)
    else:
        messages.success(request, _("The question is closed."))
    return redirect("visits:question_detail", pk=question.pk)


@role_required(*selectors.REFERENCE_STAFF)
@require_POST
def question_publish(request, pk: int):
    question = _question(request, pk)
    form = FaqForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the question and the answer to publish."))
    else:
        try:
            services.faq_publish(question=question, actor=request.user, **form.cleaned_data)
        except services.VisitError as error:
            error_report(request, error)
        else:
            messages.success(request, _("Published in the FAQ."))
    return redirect("visits:question_detail", pk=question.pk)


@role_required(*selectors.REFERENCE_STAFF)
@require_safe
def staff_questions(request):
    state = request.GET.get("state", QuestionState.OPEN)
    if state not in QuestionState.values:
        state = ""
    questions = selectors.questions_for_staff(state=state)
    page = Paginator(questions, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": {"state": state} if state else {},
        "state": state,
        "states": QuestionState.choices,
        "figures": selectors.reference_response_figures(),
    }
    return render(request, "visits/staff/questions.html", context)
