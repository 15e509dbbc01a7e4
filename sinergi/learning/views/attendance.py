"""Sessions and attendance pages: the schedule, the speaker's check-in page (short code and a
rotating QR refreshed by HTMX), self check-in, marking and correcting, the attendance matrix
with its XLSX export, and the calendar (one event, or a participant's subscribed feed)."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sinergi.core.formatting import format_date_range, format_short_datetime
from sinergi.core.htmx import wants_fragment
from sinergi.core.shortcuts import form_errors_add
from sinergi.core.spreadsheets import workbook_bytes, xlsx_response
from sinergi.training.models import Registration, RegistrationState

from .. import ical
from ..forms_classroom import AttendanceMarkForm, CheckinCodeForm, SessionForm
from ..models import Attendance, CheckinMethod, Session
from ..selectors.access import (
    ClassroomAccess,
    classroom_get,
    classroom_get_for_grader,
    classroom_get_for_manager,
)
from ..selectors.attendance import (
    attendance_matrix,
    batch_sessions,
    session_attendance,
    session_get_for_batch,
    session_may_take_attendance,
    user_sessions,
)
from ..services import attendance as services

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _checkin_url(request, session: Session, token: str) -> str:
    url = reverse("learning:session_checkin", args=[session.batch_id, session.pk])
    return request.build_absolute_uri(f"{url}?t={token}")


def _own_attendance(session: Session, registration: Registration | None) -> Attendance | None:
    if registration is None:
        return None
    return Attendance.objects.filter(session=session, registration=registration).first()


def session_context(request, *, access: ClassroomAccess, session: Session) -> dict:
    """What a page about one session shows its reader (also used by the item page)."""
    window = services.checkin_window(session)
    now = timezone.now()
    own = _own_attendance(session, access.registration)
    return {
        "session": session,
        "window": window,
        "checkin_open": bool(window and window.is_open(now)),
        "own_attendance": own,
        "own_attended": own is not None and own.status in services.ATTENDED,
        "code_form": CheckinCodeForm() if access.registration else None,
        "google_url": ical.google_calendar_url(session) if session.starts_at else None,
        "may_take_attendance": session_may_take_attendance(
            access=access, session=session, user=request.user
        ),
    }


# Schedule -----------------------------------------------------------------------------------


@login_required
def session_list(request, batch_id: int):
    access = classroom_get(user=request.user, batch_id=batch_id)
    return render(
        request,
        "learning/session_list.html",
        {"access": access, "batch": access.batch, "sessions": batch_sessions(batch=access.batch)},
    )


def _batch_dates(batch) -> str:
    return format_date_range(batch.starts_on, batch.ends_on)


@login_required
def session_create(request, batch_id: int):
    access = classroom_get_for_manager(user=request.user, batch_id=batch_id)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                batch=access.batch, actor=request.user, **form.service_fields()
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Session saved."))
            return redirect("learning:session_detail", batch_id=batch_id, session_id=session.pk)
    return render(
        request,
        "learning/session_form.html",
        {"batch": access.batch, "form": form, "batch_dates": _batch_dates(access.batch)},
    )


@login_required
def session_edit(request, batch_id: int, session_id: int):
    access = classroom_get_for_manager(user=request.user, batch_id=batch_id)
    session = session_get_for_batch(batch=access.batch, session_id=session_id)
    form = SessionForm(request.POST or None, initial=SessionForm.initial_for(session))
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(session=session, actor=request.user, **form.service_fields())
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Session saved."))
            return redirect("learning:session_detail", batch_id=batch_id, session_id=session.pk)
    return render(
        request,
        "learning/session_form.html",
        {
            "batch": access.batch,
            "form": form,
            "session": session,
            "batch_dates": _batch_dates(access.batch),
        },
    )


@login_required
@require_POST
def session_delete(request, batch_id: int, session_id: int):
    access = classroom_get_for_manager(user=request.user, batch_id=batch_id)
    session = session_get_for_batch(batch=access.batch, session_id=session_id)
    services.session_delete(session=session, actor=request.user)
    messages.success(request, _("Session deleted."))
    return redirect("learning:session_list", batch_id=batch_id)


# One session: the participant's view and the speaker's check-in page ------------------------


def _qr_context(request, session: Session) -> dict:
    token = services.qr_token(session=session)
    url = _checkin_url(request, session, token)
    return {
        "session": session,
        "qr_url": url,
        "qr_image": segno.make(url, error="m").svg_data_uri(scale=6, border=2),
        # Poll a few times per step, so the code on the screen is never more than a few
        # seconds older than the current one.
        "qr_refresh_seconds": max(5, settings.SINERGI_CHECKIN_QR_STEP_SECONDS // 3),
    }


@login_required
def session_detail(request, batch_id: int, session_id: int):
    access = classroom_get(user=request.user, batch_id=batch_id)
    session = session_get_for_batch(batch=access.batch, session_id=session_id)
    context = {
        "access": access,
        "batch": access.batch,
        **session_context(request, access=access, session=session),
    }
    if context["may_take_attendance"]:
        services.session_checkin_prepare(session=session)
        context.update(_qr_context(request, session))
        context["rows"] = session_attendance(session=session)
        context["statuses"] = AttendanceMarkForm.base_fields["status"].choices
    return render(request, "learning/session_detail.html", context)


def _grader_session(request, batch_id: int, session_id: int) -> tuple[ClassroomAccess, Session]:
    access = classroom_get_for_grader(user=request.user, batch_id=batch_id)
    session = session_get_for_batch(batch=access.batch, session_id=session_id)
    if not session_may_take_attendance(access=access, session=session, user=request.user):
        raise PermissionDenied
    return access, session


@login_required
@require_safe
def session_qr(request, batch_id: int, session_id: int):
    """The QR fragment the speaker's page polls; the token inside changes every few seconds."""
    _access, session = _grader_session(request, batch_id, session_id)
    services.session_checkin_prepare(session=session)
    response = render(request, "learning/session_detail.html#qr", _qr_context(request, session))
    patch_cache_control(response, no_store=True)
    return response


@login_required
@require_POST
def session_code_renew(request, batch_id: int, session_id: int):
    _access, session = _grader_session(request, batch_id, session_id)
    services.session_code_renew(session=session, actor=request.user)
    messages.success(request, _("The session has a new check-in code."))
    return redirect("learning:session_detail", batch_id=batch_id, session_id=session_id)


@login_required
def session_checkin(request, batch_id: int, session_id: int):
    """Self check-in: GET (from the QR) asks to confirm; POST checks in by code or token."""
    access = classroom_get(user=request.user, batch_id=batch_id)
    session = session_get_for_batch(batch=access.batch, session_id=session_id)
    if access.registration is None:
        raise PermissionDenied
    token = request.POST.get("t") or request.GET.get("t") or ""
    form = CheckinCodeForm(request.POST if "code" in request.POST else None)
    if request.method == "POST":
        try:
            if token:
                services.attendance_checkin(
                    session=session,
                    registration=access.registration,
                    method=CheckinMethod.QR,
                    token=token,
                )
            elif form.is_valid():
                services.attendance_checkin(
                    session=session,
                    registration=access.registration,
                    method=CheckinMethod.CODE,
                    code=form.cleaned_data["code"],
                )
            else:
                raise ValidationError(_("Type the code shown by the speaker."))
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            attendance = _own_attendance(session, access.registration)
            messages.success(
                request,
                _("You are checked in: %(status)s.") % {"status": attendance.get_status_display()},
            )
            return redirect("learning:session_detail", batch_id=batch_id, session_id=session_id)
    own = _own_attendance(session, access.registration)
    return render(
        request,
        "learning/session_checkin.html",
        {
            "batch": access.batch,
            "session": session,
            "token": token,
            "form": form,
            "own_attended": own is not None and own.status in services.ATTENDED,
            "own_attendance": own,
        },
    )


@login_required
@require_POST
def attendance_mark(request, batch_id: int, session_id: int, registration_id: int):
    """Mark or correct one participant's attendance (a row of the speaker's list, via HTMX)."""
    access, session = _grader_session(request, batch_id, session_id)
    registration = Registration.objects.filter(
        pk=registration_id, batch=access.batch, state=RegistrationState.CONFIRMED
    ).first()
    if registration is None:
        raise Http404
    form = AttendanceMarkForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.attendance_mark(
                session=session, registration=registration, actor=request.user, **form.cleaned_data
            )
        except ValidationError as failure:
            error = failure.messages[0]
    else:
        error = _("Choose present, late, excused or absent.")
    if wants_fragment(request):
        response = render(
            request,
            "learning/session_detail.html#attendance-row",
            {
                "batch": access.batch,
                "session": session,
                "registration": registration,
                "attendance": _own_attendance(session, registration),
                "statuses": AttendanceMarkForm.base_fields["status"].choices,
                "row_error": error,
            },
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Attendance saved."))
    return redirect(
        reverse("learning:session_detail", args=[batch_id, session_id])
        + f"#registration-{registration.pk}"
    )


# The matrix -------------------------------------------------------------------------------


@login_required
def matrix(request, batch_id: int):
    access = classroom_get(user=request.user, batch_id=batch_id)
    if not (access.can_read_reports or access.is_speaker):
        raise PermissionDenied
    return render(
        request,
        "learning/attendance_matrix.html",
        {"access": access, "batch": access.batch, "matrix": attendance_matrix(batch=access.batch)},
    )


def matrix_xlsx_bytes(batch) -> bytes:
    data = attendance_matrix(batch=batch)
    headers = [_("Name"), _("Institution")]
    for session in data.sessions:
        when = format_short_datetime(session.starts_at) if session.starts_at else ""
        headers.append(f"{session.title} {when}".strip())
    headers.append(_("Attendance (%)"))
    rows = [
        [row.registration.user.full_name, row.registration.institution_name]
        + [cell.get_status_display() if cell else "" for cell in row.cells]
        + [float(row.percent)]
        for row in data.rows
    ]
    return workbook_bytes([(_("Attendance"), headers, rows)])


@login_required
@require_safe
def matrix_xlsx(request, batch_id: int):
    access = classroom_get(user=request.user, batch_id=batch_id)
    if not (access.can_read_reports or access.is_speaker):
        raise PermissionDenied
    return xlsx_response(matrix_xlsx_bytes(access.batch), f"presensi-{access.batch.code}")


# Calendar ---------------------------------------------------------------------------------


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, private=True)
    return response


@login_required
@require_safe
def session_ics(request, batch_id: int, session_id: int):
    access = classroom_get(user=request.user, batch_id=batch_id)
    session = session_get_for_batch(batch=access.batch, session_id=session_id)
    if session.starts_at is None:
        raise Http404
    return _ics(ical.calendar([session]), f"sesi-{session.pk}.ics")


@login_required
def calendar_page(request):
    """Show the participant their feed address and their sessions."""
    url = reverse("learning:calendar_feed", args=[ical.feed_token(request.user)])
    feed_url = request.build_absolute_uri(url)
    return render(
        request,
        "learning/session_calendar.html",
        {
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
            "sessions": user_sessions(user=request.user),
        },
    )


@require_safe
def calendar_feed(request, token: str):
    """A participant's sessions for a calendar app; the secret address is the only key."""
    user = ical.feed_user(token)
    if user is None:
        raise Http404
    name = _("Sinergi sessions")
    return _ics(ical.calendar(user_sessions(user=user), name=name), "sinergi.ics")


urlpatterns = [
    path("batches/<int:batch_id>/sessions/", session_list, name="session_list"),
    path("batches/<int:batch_id>/sessions/new/", session_create, name="session_create"),
    path(
        "batches/<int:batch_id>/sessions/<int:session_id>/",
        session_detail,
        name="session_detail",
    ),
    path(
        "batches/<int:batch_id>/sessions/<int:session_id>/edit/",
        session_edit,
        name="session_edit",
    ),
    path(
        "batches/<int:batch_id>/sessions/<int:session_id>/delete/",
        session_delete,
        name="session_delete",
    ),
    path("batches/<int:batch_id>/sessions/<int:session_id>/qr/", session_qr, name="session_qr"),
    path(
        "batches/<int:batch_id>/sessions/<int:session_id>/code/",
        session_code_renew,
        name="session_code_renew",
    ),
    path(
        "batches/<int:batch_id>/sessions/<int:session_id>/checkin/",
        session_checkin,
        name="session_checkin",
    ),
    path(
        "batches/<int:batch_id>/sessions/<int:session_id>/attendance/<int:registration_id>/",
        attendance_mark,
        name="attendance_mark",
    ),
    path(
        "batches/<int:batch_id>/sessions/<int:session_id>/event.ics",
        session_ics,
        name="session_ics",
    ),
    path("batches/<int:batch_id>/attendance/", matrix, name="attendance_matrix"),
    path("batches/<int:batch_id>/attendance.xlsx", matrix_xlsx, name="attendance_matrix_xlsx"),
    path("calendar/", calendar_page, name="calendar"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
]
