"""Partnership pages. Thin: parse, call one selector or service, render.

Cooperation officers run agreements; the head reads everything; a partner officer reads its
own institution's agreements and acts on the steps that are the partner's.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sinergi.accounts.decorators import role_required
from sinergi.accounts.models import Role
from sinergi.core.htmx import wants_fragment
from sinergi.core.params import year_param
from sinergi.core.shortcuts import form_errors_add
from sinergi.core.spreadsheets import xlsx_response

from . import exports, selectors, services
from .forms import (
    ActivityForm,
    AgreementFilterForm,
    AgreementForm,
    ContactForm,
    DocumentForm,
    OfficerForm,
    PartnerForm,
    SigningForm,
    StepCompleteForm,
    StepReturnForm,
    TerminateForm,
    VisitDeclineForm,
    VisitOutcomeForm,
    VisitRequestForm,
    VisitScheduleForm,
)
from .models import (
    Agreement,
    AgreementDocument,
    AgreementStatus,
    AgreementStep,
    DocumentVersion,
    Evidence,
    InstitutionalVisit,
    Partner,
    PartnerType,
    StepState,
    VisitStatus,
)

STAFF = (Role.COOPERATION_OFFICER, Role.HEAD)
MANAGERS = (Role.COOPERATION_OFFICER,)
READERS = (*STAFF, Role.PARTNER)
PAGE_SIZE = 30


def _agreement_or_404(request, pk: int) -> Agreement:
    try:
        return selectors.agreement_get_for_user(agreement_id=pk, user=request.user)
    except Agreement.DoesNotExist:
        raise Http404 from None


def _partner_or_404(request, pk: int) -> Partner:
    try:
        return selectors.partner_get_for_user(partner_id=pk, user=request.user)
    except Partner.DoesNotExist:
        raise Http404 from None


def _visit_or_404(request, pk: int) -> InstitutionalVisit:
    try:
        return selectors.visit_get_for_user(visit_id=pk, user=request.user)
    except InstitutionalVisit.DoesNotExist:
        raise Http404 from None


def _year(request) -> int:
    value = request.GET.get("year", "")
    return year_param(value, timezone.localdate().year, low=2000, high=2100)


def _private_file(field, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(field.open("rb"), as_attachment=True, filename=filename)
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


# --- Dashboard --------------------------------------------------------------------------------


@role_required(*STAFF)
def dashboard(request):
    today = timezone.localdate()
    figures = selectors.dashboard_figures(today=today)
    type_labels = dict(PartnerType.choices)
    context = {
        "figures": figures,
        "status_cards": [
            (status, label, figures["counts"][status])
            for status, label in AgreementStatus.choices
            if status
            in (
                AgreementStatus.ACTIVE,
                AgreementStatus.EXPIRING,
                AgreementStatus.EXPIRED,
                AgreementStatus.IN_PROCESS,
            )
        ],
        "by_type": [
            (type_labels.get(row["type"], row["type"]), row["n"]) for row in figures["by_type"]
        ],
        "by_province": figures["by_province"],
        "expiring": selectors.agreement_list(
            user=request.user, status=AgreementStatus.EXPIRING, today=today
        ).order_by("ends_on"),
        "overdue": [
            (step, selectors.working_days_late(step, today))
            for step in selectors.overdue_steps(user=request.user, today=today)
        ],
        "idle": selectors.agreements_without_activity(year=today.year, today=today),
        "reminders": selectors.reminders_for(user=request.user),
        "year": today.year,
        "visits_waiting": selectors.visits_for_user(user=request.user)
        .filter(status=VisitStatus.REQUESTED)
        .count(),
        "can_manage": selectors.can_manage(request.user),
    }
    return render(request, "partners/dashboard.html", context)


@require_POST
@role_required(*STAFF)
def reminder_dismiss(request, pk: int):
    reminder = selectors.reminders_for(user=request.user, limit=None).filter(pk=pk).first()
    if reminder is None:
        raise Http404
    services.reminder_dismiss(reminder=reminder, actor=request.user)
    if wants_fragment(request):
        return HttpResponse("")
    return redirect("partners:dashboard")


# --- Agreements -------------------------------------------------------------------------------


@role_required(*READERS)
def agreement_list(request):
    partners = selectors.partners_for_user(user=request.user)
    form = AgreementFilterForm(request.GET or None, partners=partners)
    filters = {}
    if form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    agreements = selectors.agreement_list(
        user=request.user,
        status=filters.get("status", ""),
        kind=filters.get("kind", ""),
        partner=filters["partner"].pk if filters.get("partner") else None,
        query=filters.get("q", ""),
    )
    page = Paginator(agreements, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {
        key: request.GET[key] for key in ("q", "status", "kind", "partner") if request.GET.get(key)
    }
    context = {
        "form": form,
        "page": page,
        "filters": query,
        "can_manage": selectors.can_manage(request.user),
    }
    response = render(
        request,
        "partners/agreement_list.html#results"
        if wants_fragment(request)
        else "partners/agreement_list.html",
        context,
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(*MANAGERS)
def agreement_create(request):
    initial = {}
    for key in ("kind", "partner", "parent"):
        value = request.GET.get(key, "")
        if value:
            initial[key] = value
    form = AgreementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The agreement is saved."))
            return redirect("partners:agreement_detail", pk=agreement.pk)
    return render(request, "partners/agreement_form.html", {"form": form, "agreement": None})


@role_required(*MANAGERS)
def agreement_edit(request, pk: int):
    agreement = _agreement_or_404(request, pk)
    form = AgreementForm(request.POST or None, instance=agreement)
    if request.method == "POST" and form.is_valid():
        stored = _agreement_or_404(request, pk)
        try:
            services.agreement_update(agreement=stored, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The agreement is saved."))
            return redirect("partners:agreement_detail", pk=pk)
    return render(request, "partners/agreement_form.html", {"form": form, "agreement": agreement})


def _detail_context(request, agreement: Agreement, **forms) -> dict:
    today = timezone.localdate()
    timeline = selectors.agreement_timeline(agreement=agreement, today=today)
    current = next((item.step for item in timeline if item.step.state == StepState.CURRENT), None)
    may_act = current is not None and selectors.user_may_act_on_step(
        user=request.user, step=current
    )
    missing = selectors.missing_documents(step=current) if current else []
    manage = selectors.can_manage(request.user)
    if may_act and current.signs_agreement and "complete_form" not in forms:
        forms["complete_form"] = SigningForm(
            initial={
                "our_number": agreement.our_number,
                "partner_number": agreement.partner_number,
                "signed_on": today,
            }
        )
    context = {
        "agreement": agreement,
        "status": agreement.status,
        "status_label": AgreementStatus(agreement.status).label,
        "timeline": timeline,
        "current": current,
        "may_act": may_act,
        "missing": missing,
        "missing_labels": [
            label for kind, label in DocumentForm.base_fields["kind"].choices if kind in missing
        ],
        "complete_form": forms.get("complete_form") or StepCompleteForm(),
        "return_form": forms.get("return_form") or StepReturnForm(),
        "document_form": forms.get("document_form")
        or DocumentForm(initial={"kind": (missing or ["other"])[0]}),
        "documents": selectors.agreement_documents(agreement=agreement),
        "may_upload": selectors.user_may_upload(user=request.user, agreement=agreement),
        "can_manage": manage,
        "is_staff": selectors.is_cooperation_staff(request.user),
        "can_renew": manage and agreement.status in services.RENEWABLE,
        "renewals": list(agreement.renewals.order_by("-created_at")),
        "children": list(agreement.children.order_by("kind", "title")),
        "batches": selectors.agreement_batches(agreement),
        "visits": list(selectors.agreement_visits(agreement)),
        "activities": list(selectors.agreement_activities(agreement)),
        "terminate_form": forms.get("terminate_form")
        or TerminateForm(initial={"terminated_on": today}),
        "year": today.year,
    }
    return context


@role_required(*READERS)
def agreement_detail(request, pk: int):
    agreement = _agreement_or_404(request, pk)
    return render(request, "partners/agreement_detail.html", _detail_context(request, agreement))


def _after_action(request, agreement_id: int, message: str | None = None):
    agreement = _agreement_or_404(request, agreement_id)
    if message and not wants_fragment(request):
        # A swapped timeline shows the change itself; a message would wait for the next page.
        messages.success(request, message)
    if wants_fragment(request):
        return render(
            request,
            "partners/agreement_detail.html#process",
            _detail_context(request, agreement),
        )
    return redirect("partners:agreement_detail", pk=agreement_id)


def _render_with_errors(request, agreement_id: int, **forms):
    agreement = _agreement_or_404(request, agreement_id)
    template = (
        "partners/agreement_detail.html#process"
        if wants_fragment(request)
        else "partners/agreement_detail.html"
    )
    return render(
        request,
        template,
        _detail_context(request, agreement, **forms),
        status=422 if not wants_fragment(request) else 200,
    )


@require_POST
@role_required(*MANAGERS)
def process_start(request, pk: int):
    agreement = _agreement_or_404(request, pk)
    try:
        services.agreement_process_start(agreement=agreement, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("partners:agreement_detail", pk=pk)
    return _after_action(request, pk, _("The cooperation process has started."))


def _step_or_404(request, pk: int, step_id: int) -> tuple[Agreement, AgreementStep]:
    agreement = _agreement_or_404(request, pk)
    step = agreement.steps.filter(pk=step_id).first()
    if step is None:
        raise Http404
    step.agreement = agreement
    return agreement, step


@require_POST
@role_required(*READERS)
def step_complete(request, pk: int, step_id: int):
    _agreement, step = _step_or_404(request, pk, step_id)
    if not selectors.user_may_act_on_step(user=request.user, step=step):
        raise PermissionDenied
    form = (SigningForm if step.signs_agreement else StepCompleteForm)(request.POST)
    if form.is_valid():
        try:
            services.step_complete(step=step, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            return _after_action(request, pk, _("Step %(order)s is done.") % {"order": step.order})
    return _render_with_errors(request, pk, complete_form=form)


@require_POST
@role_required(*READERS)
def step_return(request, pk: int, step_id: int):
    _agreement, step = _step_or_404(request, pk, step_id)
    if not selectors.user_may_act_on_step(user=request.user, step=step):
        raise PermissionDenied
    form = StepReturnForm(request.POST)
    if form.is_valid():
        try:
            target = services.step_return(
                step=step, actor=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            return _after_action(
                request,
                pk,
                _("The agreement is sent back to step %(order)s.") % {"order": target.order},
            )
    return _render_with_errors(request, pk, return_form=form)


@require_POST
@role_required(*READERS)
def document_upload(request, pk: int):
    agreement = _agreement_or_404(request, pk)
    if not selectors.user_may_upload(user=request.user, agreement=agreement):
        raise PermissionDenied
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        document = None
        if form.cleaned_data.get("document"):
            document = AgreementDocument.objects.filter(
                agreement=agreement, pk=form.cleaned_data["document"]
            ).first()
            if document is None:
                raise Http404
        try:
            services.document_upload(
                agreement=agreement,
                actor=request.user,
                kind=document.kind if document else form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
                document=document,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            return _after_action(request, pk, _("The document is uploaded."))
    return _render_with_errors(request, pk, document_form=form)


@require_safe
@role_required(*READERS)
def document_download(request, pk: int):
    try:
        version = selectors.document_version_get_for_user(version_id=pk, user=request.user)
    except DocumentVersion.DoesNotExist:
        raise Http404 from None
    document = version.document
    filename = f"{slugify(document.title) or document.kind}-v{version.number}.{version.file_kind}"
    return _private_file(version.file, filename, CONTENT_TYPES[version.file_kind])


@require_POST
@role_required(*MANAGERS)
def renewal_start(request, pk: int):
    agreement = _agreement_or_404(request, pk)
    try:
        renewal = services.agreement_renewal_start(agreement=agreement, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("partners:agreement_detail", pk=pk)
    messages.success(request, _("The renewal is started: its process begins with step 1."))
    return redirect("partners:agreement_detail", pk=renewal.pk)


@require_POST
@role_required(*MANAGERS)
def agreement_terminate(request, pk: int):
    agreement = _agreement_or_404(request, pk)
    form = TerminateForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_terminate(
                agreement=agreement,
                actor=request.user,
                on=form.cleaned_data["terminated_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The agreement is terminated."))
            return redirect("partners:agreement_detail", pk=pk)
    return _render_with_errors(request, pk, terminate_form=form)


@role_required(*MANAGERS)
def activity_create(request, pk: int):
    agreement = _agreement_or_404(request, pk)
    form = ActivityForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_create(agreement=agreement, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The activity is recorded."))
            return redirect("partners:agreement_detail", pk=pk)
    return render(request, "partners/activity_form.html", {"form": form, "agreement": agreement})


@require_safe
@role_required(*READERS)
def evidence_download(request, pk: int):
    try:
        evidence = selectors.evidence_get_for_user(evidence_id=pk, user=request.user)
    except Evidence.DoesNotExist:
        raise Http404 from None
    extension = {"jpeg": "jpg"}.get(evidence.file_kind, evidence.file_kind)
    return _private_file(
        evidence.file, f"evidence-{evidence.pk}.{extension}", CONTENT_TYPES[evidence.file_kind]
    )


@require_safe
@role_required(*STAFF)
def agreement_report(request, pk: int):
    agreement = _agreement_or_404(request, pk)
    year = _year(request)
    content = exports.agreement_report(agreement=agreement, year=year, actor=request.user)
    return xlsx_response(content, f"report-{year}-agreement-{agreement.pk}")


@require_safe
@role_required(*STAFF)
def partner_report(request, pk: int):
    partner = _partner_or_404(request, pk)
    year = _year(request)
    content = exports.partner_report(partner=partner, year=year, actor=request.user)
    return xlsx_response(content, f"report-{year}-{slugify(partner.short_name or partner.name)}")


# --- Partners ---------------------------------------------------------------------------------


@role_required(*READERS)
def partner_list(request):
    partners = selectors.partners_for_user(user=request.user).order_by("name")
    page = Paginator(partners, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/partner_list.html",
        {"page": page, "filters": {}, "can_manage": selectors.can_manage(request.user)},
    )


@role_required(*MANAGERS)
def partner_create(request):
    return _partner_form(request, partner=None)


@role_required(*MANAGERS)
def partner_edit(request, pk: int):
    return _partner_form(request, partner=_partner_or_404(request, pk))


def _partner_form(request, *, partner):
    form = PartnerForm(request.POST or None, request.FILES or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.partner_save(partner=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The partner is saved."))
            return redirect("partners:partner_detail", pk=partner.pk)
    return render(request, "partners/partner_form.html", {"form": form, "partner": partner})


@require_safe
@role_required(*READERS)
def partner_logo(request, pk: int):
    partner = _partner_or_404(request, pk)
    if not partner.logo:
        raise Http404
    with partner.logo.open("rb") as stored:
        head = stored.read(8)
    content_type = "image/png" if head.startswith(b"\x89PNG") else "image/jpeg"
    response = FileResponse(partner.logo.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, max_age=3600)
    return response


@role_required(*READERS)
def partner_detail(request, pk: int):
    partner = _partner_or_404(request, pk)
    manage = selectors.can_manage(request.user)
    contact_form = ContactForm(prefix="contact")
    officer_form = OfficerForm(prefix="officer")
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if "contact-name" in request.POST:
            contact_form = ContactForm(request.POST, prefix="contact")
            if contact_form.is_valid():
                try:
                    services.partner_contact_add(
                        partner=partner, actor=request.user, **contact_form.cleaned_data
                    )
                except ValidationError as error:
                    form_errors_add(contact_form, error)
                else:
                    messages.success(request, _("The contact is added."))
                    return redirect("partners:partner_detail", pk=pk)
        else:
            officer_form = OfficerForm(request.POST, prefix="officer")
            if officer_form.is_valid():
                services.partner_officer_link(
                    partner=partner, user=officer_form.cleaned_data["email"], actor=request.user
                )
                messages.success(request, _("The officer is linked to this partner."))
                return redirect("partners:partner_detail", pk=pk)
    agreements = selectors.agreement_list(user=request.user, partner=partner.pk)
    context = {
        "partner": partner,
        "agreements": agreements,
        "contacts": partner.contacts.all(),
        "officers": partner.officers.select_related("user"),
        "can_manage": manage,
        "is_staff": selectors.is_cooperation_staff(request.user),
        "show_phone": selectors.is_cooperation_staff(request.user),
        "contact_form": contact_form,
        "officer_form": officer_form,
        "year": timezone.localdate().year,
        "visits": partner.visits.order_by("-proposed_on")[:10]
        if selectors.is_cooperation_staff(request.user)
        else [],
    }
    return render(request, "partners/partner_detail.html", context)


# --- Institutional visits ---------------------------------------------------------------------


def visit_request(request):
    """Anyone may ask to visit; a signed-in person finds the request under their account."""
    initial = {}
    if request.user.is_authenticated:
        user = request.user
        initial = {
            "institution_name": user.institution_name,
            "contact_name": user.full_name,
            "contact_email": user.email,
            "contact_phone": user.phone,
        }
    form = VisitRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_request_create(requested_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            return render(request, "partners/visit_requested.html", {"visit": visit})
    return render(request, "partners/visit_request.html", {"form": form})


@role_required(*STAFF)
def visit_list(request):
    status = request.GET.get("status", "")
    visits = selectors.visits_for_user(user=request.user).order_by("-created_at")
    if status in VisitStatus.values:
        visits = visits.filter(status=status)
    else:
        status = ""
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/visit_list.html",
        {
            "page": page,
            "status": status,
            "statuses": VisitStatus.choices,
            "filters": {"status": status} if status else {},
        },
    )


@role_required(*STAFF)
def visit_manage(request, pk: int):
    visit = _visit_or_404(request, pk)
    manage = selectors.can_manage(request.user)
    schedule_form = VisitScheduleForm(
        prefix="schedule",
        initial={
            "scheduled_at": visit.scheduled_at or None,
            "hosts": list(visit.hosts.all()),
            "agenda": visit.agenda,
            "partner": visit.partner_id,
            "agreement": visit.agreement_id,
        },
    )
    outcome_form = VisitOutcomeForm(
        prefix="outcome", initial={"outcome": visit.outcome, "follow_ups": visit.follow_ups}
    )
    decline_form = VisitDeclineForm(prefix="decline")
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "schedule":
                schedule_form = VisitScheduleForm(request.POST, prefix="schedule")
                if schedule_form.is_valid():
                    services.visit_schedule(
                        visit=visit, actor=request.user, **schedule_form.cleaned_data
                    )
                    messages.success(
                        request, _("The visit is scheduled; the contact is told by e-mail.")
                    )
                    return redirect("partners:visit_manage", pk=pk)
            elif action == "outcome":
                outcome_form = VisitOutcomeForm(request.POST, prefix="outcome")
                if outcome_form.is_valid():
                    services.visit_record_outcome(
                        visit=visit, actor=request.user, **outcome_form.cleaned_data
                    )
                    messages.success(request, _("The outcome is recorded."))
                    return redirect("partners:visit_manage", pk=pk)
            elif action == "decline":
                decline_form = VisitDeclineForm(request.POST, prefix="decline")
                if decline_form.is_valid():
                    services.visit_decline(
                        visit=visit, actor=request.user, **decline_form.cleaned_data
                    )
                    messages.success(
                        request, _("The visit is declined; the contact is told by e-mail.")
                    )
                    return redirect("partners:visit_manage", pk=pk)
            else:
                raise Http404
        except ValidationError as error:
            target = {"schedule": schedule_form, "outcome": outcome_form, "decline": decline_form}[
                action
            ]
            form_errors_add(target, error)
    context = {
        "visit": visit,
        "can_manage": manage,
        "schedule_form": schedule_form,
        "outcome_form": outcome_form,
        "decline_form": decline_form,
        "open": visit.status in (VisitStatus.REQUESTED, VisitStatus.SCHEDULED),
        "scheduled": visit.status in (VisitStatus.SCHEDULED, VisitStatus.DONE),
    }
    return render(request, "partners/visit_manage.html", context)


@role_required(Role.PARTICIPANT, Role.PARTNER, *STAFF, Role.SPEAKER)
def my_visits(request):
    visits = InstitutionalVisit.objects.filter(requested_by=request.user).order_by("-created_at")
    return render(request, "partners/my_visits.html", {"visits": visits})
