"""Progress and completion: the participant's progress page, the staff completion table and the
reports hub that links every report of a batch."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from sinergi.core.spreadsheets import xlsx_response
from sinergi.training.models import Registration, RegistrationState

from ..exports import completion_xlsx
from ..selectors.access import classroom_get, classroom_get_for_participant
from ..selectors.progress import learning_gain, progress_for
from ..selectors.surveys import surveys_of_batch


@login_required
def progress(request, batch_id: int):
    access = classroom_get_for_participant(user=request.user, batch_id=batch_id)
    return render(
        request,
        "learning/progress.html",
        {"batch": access.batch, "progress": progress_for(registration=access.registration)},
    )


@login_required
def participant_progress(request, batch_id: int, registration_id: int):
    access = classroom_get(user=request.user, batch_id=batch_id)
    if not (access.can_read_reports or access.is_speaker):
        raise PermissionDenied
    registration = (
        Registration.objects.select_related("user")
        .filter(pk=registration_id, batch=access.batch, state=RegistrationState.CONFIRMED)
        .first()
    )
    if registration is None:
        raise Http404
    return render(
        request,
        "learning/progress.html",
        {"batch": access.batch, "progress": progress_for(registration=registration), "staff": True},
    )


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
def completion(request, batch_id: int):
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
        {"batch": access.batch, "rows": rows, "done": done},
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
    path("batches/<int:batch_id>/completion/", completion, name="completion"),
    path("batches/<int:batch_id>/reports/", reports, name="reports"),
]
