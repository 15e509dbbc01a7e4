"""Evaluation surveys: participants fill them once; staff edit them and read the aggregates;
speakers read the aggregates about their own sessions only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.core.spreadsheets import xlsx_response

from ..exports import survey_results_xlsx
from ..models import ItemKind, SurveyQuestionKind, SurveyResponse, SurveyScope
from ..selectors.access import classroom_get, classroom_get_for_manager, item_get_for_batch
from ..selectors.content import item_open_for
from ..selectors.surveys import survey_results
from ..services import surveys as services


def _survey(access, item_id: int, *, as_participant: bool = False):
    if as_participant:
        # A participant reaches the survey only once its restrictions let them.
        item, _state = item_open_for(access=access, item_id=item_id)
    else:
        item = item_get_for_batch(batch=access.batch, item_id=item_id)
    if item.kind != ItemKind.SURVEY or not hasattr(item, "survey"):
        raise Http404
    return item.survey


@login_required
def survey_fill(request, batch_id: int, item_id: int):
    access = classroom_get(user=request.user, batch_id=batch_id)
    if access.registration is None:
        if access.can_read_reports or access.is_speaker:
            return redirect("learning:survey_results", batch_id=batch_id, item_id=item_id)
        raise PermissionDenied
    survey = _survey(access, item_id, as_participant=True)
    already = SurveyResponse.objects.filter(survey=survey, registration=access.registration)
    errors: dict = {}
    if request.method == "POST" and not already.exists():
        try:
            services.survey_submit(
                survey=survey, registration=access.registration, data=request.POST
            )
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {}
            if not errors:
                messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you: your evaluation has been saved."))
            return redirect("learning:survey_fill", batch_id=batch_id, item_id=item_id)
    questions = list(survey.questions.all())
    subjects = []
    for subject in services.survey_subjects(survey=survey):
        scope = SurveyScope.ORGANISATION if subject.session is None else SurveyScope.SPEAKER
        fields = [
            {
                "question": question,
                "name": services.field_name(question, subject),
                "value": request.POST.get(services.field_name(question, subject), ""),
                "error": errors.get(services.field_name(question, subject), [""])[0],
            }
            for question in questions
            if question.scope == scope
        ]
        if fields:
            subjects.append({"subject": subject, "fields": fields})
    return render(
        request,
        "learning/survey_fill.html",
        {
            "batch": access.batch,
            "survey": survey,
            "subjects": subjects,
            "done": already.exists(),
            "has_errors": bool(errors),
            "likert": range(1, 6),
            "LIKERT": SurveyQuestionKind.LIKERT,
        },
    )


@login_required
def survey_edit(request, batch_id: int, item_id: int):
    access = classroom_get_for_manager(user=request.user, batch_id=batch_id)
    survey = _survey(access, item_id)
    if request.method == "POST":
        try:
            services.survey_question_add(
                survey=survey,
                scope=request.POST.get("scope", ""),
                kind=request.POST.get("kind", ""),
                text=request.POST.get("text", ""),
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("learning:survey_edit", batch_id=batch_id, item_id=item_id)
    return render(
        request,
        "learning/survey_edit.html",
        {
            "batch": access.batch,
            "survey": survey,
            "questions": survey.questions.all(),
            "answered": SurveyResponse.objects.filter(survey=survey).exists(),
            "scopes": SurveyScope.choices,
            "kinds": SurveyQuestionKind.choices,
        },
    )


@login_required
@require_POST
def survey_question_delete(request, batch_id: int, item_id: int, question_id: int):
    access = classroom_get_for_manager(user=request.user, batch_id=batch_id)
    survey = _survey(access, item_id)
    question = survey.questions.filter(pk=question_id).first()
    if question is None:
        raise Http404
    try:
        services.survey_question_delete(question=question, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("learning:survey_edit", batch_id=batch_id, item_id=item_id)


@login_required
def survey_results_view(request, batch_id: int, item_id: int):
    access = classroom_get(user=request.user, batch_id=batch_id)
    if not (access.can_read_reports or access.is_speaker):
        raise PermissionDenied
    survey = _survey(access, item_id)
    # A speaker who is not also staff sees only what was said about them.
    speaker = None if access.can_read_reports else request.user
    results = survey_results(survey=survey, speaker=speaker)
    if request.GET.get("format") == "xlsx" and not results.hidden:
        return xlsx_response(survey_results_xlsx(results), f"evaluasi-{access.batch.code}")
    return render(
        request,
        "learning/survey_results.html",
        {"batch": access.batch, "survey": survey, "results": results, "own_only": speaker},
    )


urlpatterns = [
    path(
        "batches/<int:batch_id>/surveys/<int:item_id>/",
        survey_fill,
        name="survey_fill",
    ),
    path(
        "batches/<int:batch_id>/surveys/<int:item_id>/edit/",
        survey_edit,
        name="survey_edit",
    ),
    path(
        "batches/<int:batch_id>/surveys/<int:item_id>/questions/<int:question_id>/delete/",
        survey_question_delete,
        name="survey_question_delete",
    ),
    path(
        "batches/<int:batch_id>/surveys/<int:item_id>/results/",
        survey_results_view,
        name="survey_results",
    ),
]
