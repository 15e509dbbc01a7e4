"""Progress and completion: the participant's progress page, the staff completion table and the
reports hub that links every report of a batch."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sinergi.core.shortcuts import form_errors_add
from sinergi.core.spreadsheets import xlsx_response
from sinergi.training.models import Registration, RegistrationState

from ..exports import completion_xlsx
from ..forms_completion import CompletionRulesForm
from ..selectors.access import (
    classroom_get,
    classroom_get_for_manager,
    classroom_get_for_participant,
)
from ..selectors.progress import (
    batch_assignments,
    batch_quizzes,
    completion_preview,
    learning_gain,
    progress_for,
    rule_set_for,
)
from ..selectors.surveys import surveys_of_batch
from ..services import completion
from ..services.completion import completion_wait_message


class CompletionOverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the audit log."),
    )


@login_required
def progress(request, batch_id: int):
    access = classroom_get_for_participant(user=request.user, batch_id=batch_id)
    return render(
        request,
        "learning/progress.html",
        {
            "batch": access.batch,
            "progress": progress_for(registration=access.registration),
            "wait_message": completion_wait_message(batch=access.batch),
        },
    )


def _participant_of(access, registration_id: int) -> Registration:
    registration = (
        Registration.objects.select_related("user", "batch")
        .filter(pk=registration_id, batch=access.batch, state=RegistrationState.CONFIRMED)
        .first()
    )
    if registration is None:
        raise Http404
    return registration


@login_required
def participant_progress(request, batch_id: int, registration_id: int):
    access = classroom_get(user=request.user, batch_id=batch_id)
    if not (access.can_read_reports or access.is_speaker):
        raise PermissionDenied
    registration = _participant_of(access, registration_id)
    return _participant_page(request, access, registration, CompletionOverrideForm())


def _participant_page(request, access, registration, form, status=200):
    progress = progress_for(registration=registration)
    wait_message = completion_wait_message(batch=access.batch)
    may_override = (
        access.can_manage and wait_message and progress.complete and not progress.completed_at
    )
    context = {
        "batch": access.batch,
        "progress": progress,
        "staff": True,
        "wait_message": wait_message,
        "override_form": form if may_override else None,
    }
    return render(request, "learning/progress.html", context, status=status)


@login_required
@require_POST
def completion_override(request, batch_id: int, registration_id: int):
    access = classroom_get_for_manager(user=request.user, batch_id=batch_id)
    registration = _participant_of(access, registration_id)
    form = CompletionOverrideForm(request.POST)
    if form.is_valid():
        try:
            completion.completion_override(
                registration=registration, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The completion is recorded."))
            return redirect("learning:participant_progress", batch_id, registration.pk)
    return _participant_page(request, access, registration, form, status=400)


@login_required
def completion_rules(request, batch_id: int):
    """Set the batch's rules of completion, with a preview of who completes under them."""
    access = classroom_get_for_manager(user=request.user, batch_id=batch_id)
    batch = access.batch
    quizzes, assignments = batch_quizzes(batch), batch_assignments(batch)
    current = rule_set_for(batch)
    form = CompletionRulesForm(
        request.POST or None,
        quizzes=quizzes,
        assignments=assignments,
        initial=CompletionRulesForm.initial_for(current, quizzes),
    )
    proposed, status = current, 200
    if request.method == "POST":
        if form.is_valid():
            proposed = form.rule_set()
            if request.POST.get("action") == "save":
                try:
                    saved = completion.completion_rules_save(
                        batch=batch, actor=request.user, **form.service_fields()
                    )
                except ValidationError as error:
                    form_errors_add(form, error)
                    status = 400
                else:
                    messages.success(
                        request,
                        ngettext(
                            "The rules are saved; %(count)d participant completed now.",
                            "The rules are saved; %(count)d participants completed now.",
                            saved.completed,
                        )
                        % {"count": saved.completed},
                    )
                    return redirect("learning:completion_rules", batch.pk)
        else:
            status = 400
    rows = completion_preview(batch=batch, rules=proposed)
    context = {
        "batch": batch,
        "form": form,
        "current": current,
        "proposed": proposed,
        "previewed": request.method == "POST" and form.is_valid(),
        "rows": rows,
        "would_complete": sum(1 for row in rows if row.would_complete),
        "already": sum(1 for row in rows if row.completed_at),
        "wait_message": completion_wait_message(batch=batch),
    }
    return render(request, "learning/completion_rules.html", context, status=status)


def completion_rows(batch) -> list:
    registrations = (
        Registration.objects.filter(batch=batch, state=RegistrationState.CONFIRMED)
        .select_related("user", "batch", "completion")
        .order_by("user__full_name")
    )
    return [
        (registration, progress_for(registration=registration)) for registration in registrations
    ]


@login_required
def completion_page(request, batch_id: int):
    access = classroom_get(user=request.user, batch_id=batch_id)
    if not access.can_read_reports:
        raise PermissionDenied
    rows = completion_rows(access.batch)
    if request.GET.get("format") == "xlsx":
        data = completion_xlsx(
            [
                [
                    registration.user.full_name,
                    registration.institution_name,
                    float(entry.attendance_percent),
                    float(entry.pretest_score) if entry.pretest_score is not None else None,
                    float(entry.posttest_score) if entry.posttest_score is not None else None,
                    learning_gain(entry.pretest_score, entry.posttest_score),
                    sum(1 for a in entry.assignments if a["passed"]),
                    entry.surveys_filled >= entry.surveys_total,
                    entry.completed_at.replace(tzinfo=None) if entry.completed_at else None,
                ]
                for registration, entry in rows
            ]
        )
        return xlsx_response(data, f"kelulusan-{access.batch.code}")
    done = sum(1 for _, entry in rows if entry.completed_at)
    return render(
        request,
        "learning/completion.html",
        # Readers (the head) see the report; only managers may open the rules.
        {"batch": access.batch, "rows": rows, "done": done, "can_manage": access.can_manage},
    )


# The batch's reports, by URL name.
REPORTS = [
    ("learning:completion", _("Completion"), _("Who has completed and what each still misses")),
    (
        "learning:learning_gain",
        _("Learning gain"),
        _("Pre-test and post-test scores and the normalised gain"),
    ),
    ("learning:item_analysis", _("Item analysis"), _("Difficulty and discrimination per question")),
    ("learning:attendance_matrix", _("Attendance"), _("Participants × sessions")),
    ("learning:grading_queue", _("Assignments"), _("Assignments waiting for a grade")),
    ("learning:essay_queue", _("Essays"), _("Essay answers waiting for a grade")),
]


GRADING_QUEUES = ("learning:grading_queue", "learning:essay_queue")


@login_required
def reports(request, batch_id: int):
    access = classroom_get(user=request.user, batch_id=batch_id)
    if not (access.can_read_reports or access.is_speaker):
        raise PermissionDenied
    may_grade = access.can_manage or access.is_speaker
    links = []
    for name, title, description in REPORTS:
        if name == "learning:completion" and not access.can_read_reports:
            continue
        # The grading queues are for graders; a reader (the head) would only meet a 403.
        if name in GRADING_QUEUES and not may_grade:
            continue
        links.append((reverse(name, args=[batch_id]), title, description))
    surveys = [
        (reverse("learning:survey_results", args=[batch_id, survey.item_id]), survey.item.title)
        for survey in surveys_of_batch(batch=access.batch)
    ]
    return render(
        request,
        "learning/reports.html",
        {"batch": access.batch, "links": links, "surveys": surveys},
    )


urlpatterns = [
    path("batches/<int:batch_id>/progress/", progress, name="progress"),
    path(
        "batches/<int:batch_id>/participants/<int:registration_id>/progress/",
        participant_progress,
        name="participant_progress",
    ),
    path("batches/<int:batch_id>/completion/", completion_page, name="completion"),
    path("batches/<int:batch_id>/completion/rules/", completion_rules, name="completion_rules"),
    path(
        "batches/<int:batch_id>/participants/<int:registration_id>/complete/",
        completion_override,
        name="completion_override",
    ),
    path("batches/<int:batch_id>/reports/", reports, name="reports"),
]
