"""Assignment pages: the settings (due date, late policy, rubric), the participant's submission
on the item page, the grading queue and the grading page, and the protected submitted files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sinergi.core.files import protected_file_response
from sinergi.core.shortcuts import form_errors_add

from ..forms_classroom import AssignmentSettingsForm, GradeForm, RubricForm, SubmissionForm
from ..models import Assignment, ItemKind, Submission, SubmissionState
from ..selectors.access import (
    ClassroomAccess,
    classroom_get,
    classroom_get_for_grader,
)
from ..selectors.content import ItemLocked, item_get_for_manager, item_open_for
from ..services import assignments as services


def _assignment(item) -> Assignment:
    assignment = Assignment.objects.filter(item=item).prefetch_related("criteria").first()
    if assignment is None:
        raise Http404
    return assignment


def assignment_context(request, *, access: ClassroomAccess, item, form=None) -> dict:
    """What the item page shows about an assignment: the task, the work and the grade."""
    assignment = _assignment(item)
    submission = None
    policy = None
    if access.registration is not None:
        submission = Submission.objects.filter(
            assignment=assignment, registration=access.registration
        ).first()
        policy = services.submit_policy(assignment=assignment, submission=submission)
        if form is None and policy.allowed:
            form = SubmissionForm(
                assignment=assignment,
                initial={"text": submission.text if submission else ""},
            )
    criteria = list(assignment.criteria.all())
    rubric = []
    if submission is not None and submission.state == SubmissionState.GRADED:
        rubric = [
            (criterion, submission.rubric_points.get(str(criterion.pk))) for criterion in criteria
        ]
    return {
        "assignment": assignment,
        "criteria": criteria,
        "submission": submission,
        "policy": policy,
        "submission_form": form,
        "rubric_result": rubric,
        "may_grade": access.can_manage or access.is_speaker,
    }


@login_required
@require_POST
def submit(request, batch_id: int, item_id: int):
    access = classroom_get(user=request.user, batch_id=batch_id)
    if access.registration is None:
        raise Http404
    try:
        item, state = item_open_for(access=access, item_id=item_id)
    except ItemLocked:
        raise Http404 from None
    if item.kind != ItemKind.ASSIGNMENT:
        raise Http404
    assignment = _assignment(item)
    form = SubmissionForm(request.POST, request.FILES, assignment=assignment)
    if form.is_valid():
        try:
            services.submission_submit(
                assignment=assignment,
                registration=access.registration,
                text=form.cleaned_data.get("text", ""),
                file=form.cleaned_data.get("file"),
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Your work has been submitted."))
            return redirect("learning:item_detail", batch_id=batch_id, item_id=item.pk)
    context = {
        "access": access,
        "batch": access.batch,
        "item": item,
        "state": state,
        **assignment_context(request, access=access, item=item, form=form),
    }
    return render(request, "learning/item_detail.html", context, status=400)


@login_required
def assignment_settings(request, item_id: int):
    """Staff set the due date, late policy, scores and rubric of an assignment item."""
    item = item_get_for_manager(user=request.user, item_id=item_id)
    if item.kind != ItemKind.ASSIGNMENT:
        raise Http404
    assignment = _assignment(item)
    form = AssignmentSettingsForm(
        request.POST if "settings" in request.POST else None, instance=assignment
    )
    criteria_text = "\n".join(f"{c.title} | {c.max_points}" for c in assignment.criteria.all())
    rubric_form = RubricForm(
        request.POST if "rubric" in request.POST else None,
        initial={"criteria": criteria_text},
    )
    back = reverse("learning:item_edit", args=[item.pk])
    if request.method == "POST" and "settings" in request.POST and form.is_valid():
        # The service saves; the ModelForm only validated the input.
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        assignment.refresh_from_db()
        try:
            services.assignment_update(assignment=assignment, actor=request.user, **values)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Assignment saved."))
            return redirect("learning:assignment_settings", item_id=item.pk)
    if request.method == "POST" and "rubric" in request.POST and rubric_form.is_valid():
        try:
            services.rubric_set(
                assignment=assignment,
                actor=request.user,
                criteria=rubric_form.cleaned_data["criteria"],
            )
        except ValidationError as error:
            form_errors_add(rubric_form, error)
        else:
            messages.success(request, _("Rubric saved."))
            return redirect("learning:assignment_settings", item_id=item.pk)
    return render(
        request,
        "learning/assignment_settings.html",
        {
            "item": item,
            "assignment": assignment,
            "form": form,
            "rubric_form": rubric_form,
            "back": back,
        },
    )


@login_required
def grading_queue(request, batch_id: int):
    access = classroom_get_for_grader(user=request.user, batch_id=batch_id)
    submissions = (
        Submission.objects.filter(assignment__item__module__batch=access.batch)
        .select_related("assignment__item", "registration__user", "graded_by")
        .order_by("state", "submitted_at", "id")
    )
    waiting = [s for s in submissions if s.state == SubmissionState.SUBMITTED]
    graded = [s for s in submissions if s.state == SubmissionState.GRADED]
    return render(
        request,
        "learning/assignment_queue.html",
        {"access": access, "batch": access.batch, "waiting": waiting, "graded": graded},
    )


def _submission_for_grader(access: ClassroomAccess, submission_id: int) -> Submission:
    submission = (
        Submission.objects.select_related(
            "assignment__item__module", "registration__user", "graded_by"
        )
        .filter(pk=submission_id, assignment__item__module__batch=access.batch)
        .first()
    )
    if submission is None:
        raise Http404
    return submission


@login_required
def grade(request, batch_id: int, submission_id: int):
    access = classroom_get_for_grader(user=request.user, batch_id=batch_id)
    submission = _submission_for_grader(access, submission_id)
    assignment = submission.assignment
    score = submission.score if submission.raw_score is None else submission.raw_score
    initial = {"score": score, "feedback": submission.feedback}
    for key, points in (submission.rubric_points or {}).items():
        initial[f"criterion_{key}"] = points
    form = GradeForm(request.POST or None, assignment=assignment, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.submission_grade(
                submission=submission,
                actor=request.user,
                feedback=form.cleaned_data["feedback"],
                score=form.cleaned_data.get("score"),
                rubric_points=form.rubric_points(),
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Grade saved."))
            return redirect("learning:grading_queue", batch_id=batch_id)
    return render(
        request,
        "learning/assignment_grade.html",
        {"batch": access.batch, "submission": submission, "assignment": assignment, "form": form},
    )


@login_required
@require_safe
def submission_file(request, batch_id: int, submission_id: int):
    """Stream submitted work to its author and to the batch's graders; never from MEDIA_URL."""
    access = classroom_get(user=request.user, batch_id=batch_id)
    submission = (
        Submission.objects.filter(pk=submission_id, assignment__item__module__batch=access.batch)
        .select_related("registration")
        .first()
    )
    if submission is None:
        raise Http404
    is_author = access.registration is not None and (
        submission.registration_id == access.registration.pk
    )
    if not (is_author or access.can_manage or access.is_speaker or access.can_read_reports):
        raise Http404
    return protected_file_response(submission.file, stem=f"tugas-{submission.pk}")


urlpatterns = [
    path("batches/<int:batch_id>/items/<int:item_id>/submit/", submit, name="assignment_submit"),
    path("items/<int:item_id>/assignment/", assignment_settings, name="assignment_settings"),
    path("batches/<int:batch_id>/grading/", grading_queue, name="grading_queue"),
    path("batches/<int:batch_id>/submissions/<int:submission_id>/", grade, name="grade"),
    path(
        "batches/<int:batch_id>/submissions/<int:submission_id>/file/",
        submission_file,
        name="submission_file",
    ),
]
