"""Pages: the head's dashboard, finance's budgets and payment lists, speakers and their own
pages (profile, schedule, invitations, materials, evaluations)."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.accounts.decorators import role_required
from sinergi.accounts.models import Role, User
from sinergi.accounts.selectors import user_has_role
from sinergi.core.formatting import month_abbreviations
from sinergi.core.params import id_param, year_param
from sinergi.core.shortcuts import form_errors_add
from sinergi.core.spreadsheets import xlsx_response
from sinergi.learning.models import Session
from sinergi.training.models import Batch, BatchStatus, Program

from . import charts, exports, services
from .forms import (
    BudgetForm,
    DeclineForm,
    InviteForm,
    MaterialForm,
    SpeakerProfileForm,
    StaffSpeakerForm,
)
from .models import InvitationState, SessionInvitation
from .selectors import dashboard as dashboard_selectors
from .selectors import finance as finance_selectors
from .selectors import speakers as speaker_selectors
from .selectors.finance import masked

HEAD = (Role.HEAD,)
FINANCE_READERS = finance_selectors.FINANCE_READERS


def _int(value, default=None):
    return id_param(value, default)


def _year(value, default):
    return year_param(value, default)


# --- Dashboard ------------------------------------------------------------------------------


@role_required(*HEAD)
def dashboard(request):
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today.year)
    if not 2000 <= year <= 2100:
        year = today.year
    program_id = _int(request.GET.get("program"))
    data = dashboard_selectors.head_dashboard(year=year, program_id=program_id)
    export = request.GET.get("export", "")
    if export:
        tables = exports.TABLES if export == "all" else (export,)
        if not set(tables) <= set(exports.TABLES):
            raise Http404
        content = exports.dashboard_xlsx(dashboard=data, tables=tables, actor=request.user)
        return xlsx_response(content, f"dasbor-{year}-{export}")
    rows = data.batches
    context = {
        "data": data,
        "year": year,
        "years": sorted(set(data.years) | {today.year}, reverse=True),
        "programs": Program.objects.order_by("title"),
        "program_id": program_id,
        "money_chart": charts.grouped_bars(
            [row.batch.code for row in rows],
            [
                (_("Revenue"), charts.BLUE, [row.finance.revenue for row in rows]),
                (_("Costs"), charts.ORANGE, [row.finance.costs for row in rows]),
                (_("Profit"), charts.GREEN, [row.finance.profit for row in rows]),
            ],
            title=_("Revenue, costs and profit per batch"),
        ),
        "monthly_chart": charts.line_chart(
            month_abbreviations(),
            [
                (_("Revenue"), charts.BLUE, [revenue for _m, revenue, _c in data.monthly]),
                (_("Costs"), charts.ORANGE, [costs for _m, _r, costs in data.monthly]),
            ],
            title=_("Revenue and costs by the month batches start"),
        ),
        "province_chart": charts.horizontal_bars(
            data.by_province[:10], title=_("Participants by province")
        ),
        "type_chart": charts.horizontal_bars(
            data.by_institution_type,
            title=_("Participants by institution type"),
            color=charts.GREEN,
        ),
        "exports": exports.TABLES,
    }
    return render(request, "insights/dashboard.html", context)


# --- Budgets --------------------------------------------------------------------------------


@role_required(*FINANCE_READERS)
def budgets(request):
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today.year)
    finances = finance_selectors.batch_finances(
        Batch.objects.filter(starts_on__year=year).exclude(status=BatchStatus.CANCELLED)
    )
    return render(
        request,
        "insights/budgets.html",
        {
            "finances": finances,
            "year": year,
            "years": sorted(
                set(dashboard_selectors.dashboard_years()) | {today.year}, reverse=True
            ),
        },
    )


def _budget_initial(finance) -> dict:
    budget = finance.budget
    initial = {
        "planned_participants": budget.planned_participants if budget else finance.batch.capacity,
        "partner_share_kind": budget.partner_share_kind if budget else "none",
        "partner_share_amount": budget.partner_share_amount if budget else None,
        "partner_share_percent": budget.partner_share_percent if budget else None,
    }
    for category, line in finance.lines.items():
        if line:
            initial[f"{category}_planned"] = line.planned
            initial[f"{category}_actual"] = line.actual
            initial[f"{category}_description"] = line.description
    return initial


@role_required(*FINANCE_READERS)
def budget(request, batch_id: int):
    try:
        batch = finance_selectors.batch_get_for_finance(batch_id=batch_id, user=request.user)
    except Batch.DoesNotExist as error:
        raise Http404 from error
    may_edit = finance_selectors.is_finance(request.user)
    finance = finance_selectors.batch_finance(batch=batch)
    form = BudgetForm(initial=_budget_initial(finance))
    if request.method == "POST":
        if not may_edit:
            raise Http404
        form = BudgetForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.budget_save(
                    batch=batch,
                    actor=request.user,
                    lines=form.lines(),
                    planned_participants=data["planned_participants"],
                    partner_share_kind=data["partner_share_kind"],
                    partner_share_amount=data.get("partner_share_amount") or 0,
                    partner_share_percent=data.get("partner_share_percent") or Decimal(0),
                )
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(
                    request, _("The budget of %(code)s is saved.") % {"code": batch.code}
                )
                return redirect("insights:budget", batch_id=batch.pk)
    return render(
        request,
        "insights/budget.html",
        {
            "batch": batch,
            "finance": finance,
            "form": form,
            "may_edit": may_edit,
            "registration_open": batch.registration_is_open(),
            "sessions": speaker_selectors.sessions_of_batch(batch=batch),
            "may_invite": user_has_role(request.user, Role.PROGRAM_MANAGER),
        },
    )


@role_required(Role.FINANCE)
def payment_list(request, batch_id: int):
    try:
        batch = finance_selectors.batch_get_for_finance(batch_id=batch_id, user=request.user)
    except Batch.DoesNotExist as error:
        raise Http404 from error
    finance = finance_selectors.batch_finance(batch=batch)
    content = exports.payment_list_xlsx(finance=finance, actor=request.user)
    return xlsx_response(content, f"honorarium-{batch.code}")


# --- Speakers (staff) -----------------------------------------------------------------------


@role_required(*speaker_selectors.SPEAKER_READERS)
def speakers(request):
    people = list(speaker_selectors.speakers_list())
    for person in people:
        profile = getattr(person, "speaker_profile", None)
        person.shown_npwp = masked(profile.npwp, user=request.user) if profile else ""
        person.shown_account = (
            masked(profile.bank_account_number, user=request.user) if profile else ""
        )
    return render(
        request,
        "insights/speakers.html",
        {"people": people, "may_manage": speaker_selectors.may_manage_speakers(request.user)},
    )


def _profile_initial(profile) -> dict:
    if profile is None:
        return {}
    return {
        "name_with_title": profile.name_with_title,
        "institution": profile.institution,
        "expertise": profile.expertise,
        "bio": profile.bio,
        "bank_name": profile.bank_name,
        "bank_account_holder": profile.bank_account_holder,
        "honorarium_class": profile.honorarium_class_id,
    }


PAYMENT_FIELDS = ("npwp", "bank_name", "bank_account_number", "bank_account_holder")


def _save_profile(request, *, user, form_class, set_class: bool, payment_details: bool = True):
    """Show or save a speaker's profile. Without `payment_details` (a program manager) the tax
    and bank fields are not offered, so only the speaker and finance can change where the
    money goes."""
    profile = speaker_selectors.profile_of(user)
    form = form_class(
        initial=_profile_initial(profile)
        or {"name_with_title": user.full_name, "institution": user.institution_name}
    )
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
    if not payment_details:
        for name in PAYMENT_FIELDS:
            del form.fields[name]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.speaker_profile_save(
                user=user,
                actor=request.user,
                name_with_title=data["name_with_title"],
                institution=data["institution"],
                expertise=data["expertise"],
                bio=data["bio"],
                photo=data.get("photo"),
                honorarium_class=data.get("honorarium_class"),
                set_class=set_class,
                npwp=data.get("npwp") or None,
                bank_name=data.get("bank_name") or None,
                bank_account_number=data.get("bank_account_number") or None,
                bank_account_holder=data.get("bank_account_holder") or None,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The speaker profile is saved."))
            return None, profile, True
    return form, profile, False


@role_required(*speaker_selectors.SPEAKER_MANAGERS)
def speaker_edit(request, speaker_id: int):
    try:
        speaker = speaker_selectors.speaker_get_for_user(speaker_id=speaker_id, user=request.user)
    except User.DoesNotExist as error:
        raise Http404 from error
    form, profile, saved = _save_profile(
        request,
        user=speaker,
        form_class=StaffSpeakerForm,
        set_class=True,
        payment_details=finance_selectors.is_finance(request.user),
    )
    if saved:
        return redirect("insights:speakers")
    return render(
        request,
        "insights/speaker_form.html",
        {
            "form": form,
            "speaker": speaker,
            "profile": profile,
            "shown_npwp": masked(profile.npwp, user=request.user) if profile else "",
            "shown_account": masked(profile.bank_account_number, user=request.user)
            if profile
            else "",
            "year": timezone.localdate().year,
            # The statement answers finance only (and the speaker, on their own schedule).
            "may_read_statement": finance_selectors.is_finance(request.user),
        },
    )


@role_required(Role.FINANCE, Role.SPEAKER)
def statement(request, speaker_id: int):
    year = _year(request.GET.get("year"), timezone.localdate().year)
    if not finance_selectors.is_finance(request.user) and speaker_id != request.user.pk:
        raise Http404
    try:
        speaker = speaker_selectors.speaker_get_for_user(speaker_id=speaker_id, user=request.user)
    except User.DoesNotExist as error:
        raise Http404 from error
    profile = speaker_selectors.profile_of(speaker)
    lines = finance_selectors.honoraria_of_speaker(speaker=speaker, year=year)
    content = exports.statement_pdf(
        speaker=speaker, profile=profile, lines=lines, year=year, actor=request.user
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"honorarium-{speaker.pk}-{year}.pdf"
    )
    return response


@role_required(Role.PROGRAM_MANAGER)
def session_invite(request, session_id: int):
    try:
        session = speaker_selectors.session_get_for_manager(
            session_id=session_id, user=request.user
        )
    except Session.DoesNotExist as error:
        raise Http404 from error
    form = InviteForm()
    if request.method == "POST":
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                services.invitation_send(
                    session=session,
                    speaker=form.cleaned_data["speaker"],
                    actor=request.user,
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(request, _("The invitation is on its way."))
                return redirect("insights:session_invite", session_id=session.pk)
    return render(
        request,
        "insights/session_invite.html",
        {
            "session": session,
            "form": form,
            "invitations": speaker_selectors.invitations_of_session(session=session),
        },
    )


# --- A speaker's own pages ------------------------------------------------------------------


@role_required(Role.SPEAKER)
def my_profile(request):
    form, profile, saved = _save_profile(
        request, user=request.user, form_class=SpeakerProfileForm, set_class=False
    )
    if saved:
        return redirect("insights:my_profile")
    return render(
        request,
        "insights/my_profile.html",
        {
            "form": form,
            "profile": profile,
            "shown_npwp": masked(profile.npwp, user=request.user) if profile else "",
            "shown_account": masked(profile.bank_account_number, user=request.user)
            if profile
            else "",
        },
    )


@role_required(Role.SPEAKER)
def my_schedule(request):
    sessions = list(speaker_selectors.sessions_of_speaker(speaker=request.user))
    now = timezone.now()
    return render(
        request,
        "insights/my_schedule.html",
        {
            "upcoming": [s for s in sessions if s.starts_at is None or s.starts_at >= now],
            "past": [s for s in sessions if s.starts_at is not None and s.starts_at < now][::-1],
            "invitations": speaker_selectors.pending_invitations(speaker=request.user),
            "material_form": MaterialForm(),
            "year": now.year,
            # Someone who is not a speaker (an admin looking) has no statement to open.
            "is_speaker": speaker_selectors.is_speaker(request.user),
        },
    )


@role_required(Role.SPEAKER)
def my_evaluations(request):
    return render(
        request,
        "insights/my_evaluations.html",
        {"batches": speaker_selectors.evaluations_of_speaker(speaker=request.user)},
    )


@role_required(Role.SPEAKER)
def invitation(request, invitation_id: int):
    try:
        invite = speaker_selectors.invitation_get_for_speaker(
            invitation_id=invitation_id, speaker=request.user
        )
    except SessionInvitation.DoesNotExist as error:
        raise Http404 from error
    form = DeclineForm()
    if request.method == "POST":
        accept = request.POST.get("answer") == "accept"
        form = DeclineForm(request.POST)
        if form.is_valid():
            try:
                services.invitation_respond(
                    invitation=invite,
                    speaker=request.user,
                    accept=accept,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("You accepted the invitation.")
                    if accept
                    else _("You declined the invitation."),
                )
            return redirect("insights:invitation", invitation_id=invite.pk)
    return render(
        request,
        "insights/invitation.html",
        {"invitation": invite, "form": form, "pending": invite.state == InvitationState.PENDING},
    )


@require_POST
@role_required(Role.SPEAKER)
def material_upload(request, session_id: int):
    try:
        session = speaker_selectors.session_get_for_speaker(
            session_id=session_id, speaker=request.user
        )
    except Session.DoesNotExist as error:
        raise Http404 from error
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.material_upload(
                session=session,
                speaker=request.user,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The material is in the classroom."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("insights:my_schedule") + f"#session-{session.pk}")
