"""Certificate pages: the participant's list and downloads, public verification, staff pages."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sinergi.accounts.decorators import role_required
from sinergi.core.params import id_param, year_param
from sinergi.core.shortcuts import form_errors_add
from sinergi.core.spreadsheets import xlsx_response
from sinergi.training.models import Batch, Program

from . import badges, selectors, services
from .forms import (
    JpDeclarationForm,
    JpReviewForm,
    ReissueForm,
    RevokeForm,
    SignatureFormSet,
    TemplateForm,
    VerifyCredentialForm,
    VerifyForm,
    VerifyPdfForm,
)
from .models import (
    ArchiveStatus,
    Certificate,
    CertificateArchive,
    CertificateTemplate,
    JpDeclaration,
)
from .ratelimit import verification_allowed
from .selectors import MANAGERS
from .tasks import issue_for_batch

PAGE_SIZE = 50


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def _pdf_file(file, filename: str, *, inline: bool = False) -> FileResponse:
    response = FileResponse(
        file.open("rb"), as_attachment=not inline, filename=filename, content_type="application/pdf"
    )
    return _private(response)


# --- Participants -----------------------------------------------------------------------------


@login_required
@require_safe
def mine(request):
    certificates = selectors.certificates_for_holder(user=request.user)
    context = {"certificates": certificates, "badges": badges.badges_available()}
    return render(request, "certificates/mine.html", context)


@login_required
@require_safe
def download(request, pk: int):
    try:
        certificate = selectors.certificate_get_for_user(certificate_id=pk, user=request.user)
    except Certificate.DoesNotExist:
        raise Http404 from None
    return _pdf_file(certificate.pdf, f"sertifikat-{_safe(certificate.number)}.pdf")


def _own_valid_certificate(request, pk: int) -> Certificate:
    try:
        certificate = selectors.certificate_get_for_user(certificate_id=pk, user=request.user)
    except Certificate.DoesNotExist:
        raise Http404 from None
    if not certificate.is_valid or not badges.badges_available():
        raise Http404
    return certificate


@login_required
@require_safe
def credential_download(request, pk: int):
    """The certificate as an Open Badges 3.0 credential, a VC-JWT (compact JWS)."""
    certificate = _own_valid_certificate(request, pk)
    response = HttpResponse(badges.credential_jwt(certificate), content_type="application/jwt")
    response["Content-Disposition"] = (
        f'attachment; filename="badge-{_safe(certificate.number)}.jwt"'
    )
    return _private(response)


@login_required
@require_safe
def badge_download(request, pk: int):
    """The badge PNG with the credential baked in (OB 3.0 baking, iTXt)."""
    certificate = _own_valid_certificate(request, pk)
    response = HttpResponse(badges.badge_png(certificate), content_type="image/png")
    response["Content-Disposition"] = (
        f'attachment; filename="badge-{_safe(certificate.number)}.png"'
    )
    return _private(response)


# --- The JP record ------------------------------------------------------------------------------


def _record_year(request) -> int:
    return year_param(request.GET.get("year"), default=timezone.localdate().year)


@login_required
def jp_record(request):
    """The participant's JP of a year against the target, and declaring JP from outside."""
    year = _record_year(request)
    form = JpDeclarationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.jp_declaration_create(
                user=request.user,
                title=data["title"],
                organiser=data["organiser"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                jp=data["jp"],
                proof=data["proof"],
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Your JP was sent for review."))
            return redirect(f"{reverse('certificates:jp_record')}?year={data['ends_on'].year}")
    record = selectors.jp_record(user=request.user, year=year)
    status = 400 if request.method == "POST" else 200
    context = {"record": record, "form": form}
    return render(request, "certificates/jp_record.html", context, status=status)


@login_required
@require_safe
def jp_transcript(request, kind: str):
    from .transcripts import transcript_pdf, transcript_xlsx

    if kind not in ("pdf", "xlsx"):
        raise Http404
    record = selectors.jp_record(user=request.user, year=_record_year(request))
    stem = f"transkrip-jp-{record.year}"
    if kind == "xlsx":
        return _private(xlsx_response(transcript_xlsx(user=request.user, record=record), stem))
    response = HttpResponse(
        transcript_pdf(user=request.user, record=record), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
    return _private(response)


@login_required
@require_safe
def jp_proof(request, pk: int):
    try:
        declaration = selectors.jp_declaration_get_for_user(declaration_id=pk, user=request.user)
    except JpDeclaration.DoesNotExist:
        raise Http404 from None
    name = declaration.proof.name.rsplit("/", 1)[-1]
    response = FileResponse(declaration.proof.open("rb"), as_attachment=True, filename=name)
    return _private(response)


@role_required(*MANAGERS)
def jp_reviews(request):
    """Declared JP waiting for review, oldest first; accept or reject each."""
    if request.method == "POST":
        try:
            declaration = selectors.jp_declaration_get_for_user(
                declaration_id=id_param(request.POST.get("declaration"), default=0),
                user=request.user,
            )
        except JpDeclaration.DoesNotExist:
            raise Http404 from None
        form = JpReviewForm(request.POST)
        if form.is_valid():
            try:
                services.jp_declaration_review(
                    declaration=declaration,
                    actor=request.user,
                    accept=form.cleaned_data["decision"] == "accept",
                    note=form.cleaned_data["review_note"],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The declaration was reviewed."))
        else:
            messages.error(request, _("Choose accept or reject."))
        return redirect("certificates:jp_reviews")
    declarations = Paginator(selectors.jp_declarations_to_review(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "certificates/staff/jp_reviews.html", {"declarations": declarations})


# --- The issuer's public profile and keys -----------------------------------------------------


def _public_json(data: dict, content_type: str = "application/json") -> JsonResponse:
    response = JsonResponse(data, content_type=content_type, json_dumps_params={"indent": 2})
    patch_cache_control(response, public=True, max_age=300)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def issuer(request):
    """The library as an Open Badges issuer (JSON-LD Profile), the `issuer.id` of badges."""
    return _public_json(badges.issuer_profile(), "application/ld+json")


@require_safe
def issuer_jwks(request):
    """The public keys that sign the library's badges (JWKS, RFC 7517)."""
    return _public_json(badges.jwks())


@require_safe
def competencies(request):
    """The competency units (SKKNI) badges align to, each with its own anchor."""
    units = selectors.competency_units_public()
    return render(request, "certificates/competencies.html", {"units": units})


# --- Public verification ----------------------------------------------------------------------


@require_safe
def verify(request):
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        return redirect("certificates:verify_code", code=form.cleaned_data["code"])
    context = {"form": form, "pdf_form": VerifyPdfForm(), "badge_form": VerifyCredentialForm()}
    return render(request, "certificates/verify.html", context)


@require_POST
def verify_credential(request):
    """Check an uploaded badge PNG or credential: its signature, then the register."""
    if not verification_allowed(request):
        response = render(request, "certificates/verify_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    badge_form = VerifyCredentialForm(request.POST, request.FILES)
    if not badge_form.is_valid():
        context = {"form": VerifyForm(), "pdf_form": VerifyPdfForm(), "badge_form": badge_form}
        return render(request, "certificates/verify.html", context, status=400)
    upload = badge_form.cleaned_data["badge"]
    verdict = badges.credential_verify(content=upload.read(VerifyCredentialForm.MAX_BYTES + 1))
    response = render(
        request,
        "certificates/verify_badge_result.html",
        {"verdict": verdict, "form": VerifyForm(), "badge_form": VerifyCredentialForm()},
    )
    patch_cache_control(response, no_cache=True, max_age=0)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def verify_pdf(request):
    """Check an uploaded certificate PDF: its signature, then the register."""
    if not verification_allowed(request):
        response = render(request, "certificates/verify_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    pdf_form = VerifyPdfForm(request.POST, request.FILES)
    if not pdf_form.is_valid():
        context = {
            "form": VerifyForm(),
            "pdf_form": pdf_form,
            "badge_form": VerifyCredentialForm(),
        }
        return render(request, "certificates/verify.html", context, status=400)
    verdict = selectors.certificate_verify_pdf(content=pdf_form.cleaned_data["file"].read())
    response = render(
        request,
        "certificates/verify_pdf_result.html",
        {"verdict": verdict, "form": VerifyForm(), "pdf_form": VerifyPdfForm()},
    )
    patch_cache_control(response, no_cache=True, max_age=0)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def verify_code(request, code: str):
    if not verification_allowed(request):
        response = render(request, "certificates/verify_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    certificate = selectors.certificate_verify(code=code)
    form = VerifyForm(initial={"code": code})
    response = render(
        request,
        "certificates/verify_result.html",
        {"certificate": certificate, "code": code, "form": form},
        status=200 if certificate else 404,
    )
    # A revocation must show at once: never from a cache.
    patch_cache_control(response, no_cache=True, max_age=0)
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Staff: overview and templates ------------------------------------------------------------


@role_required(*MANAGERS)
def staff_home(request):
    batches = Paginator(selectors.batches_for_certificates(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"batches": batches, "programs": selectors.programs_with_templates()}
    return render(request, "certificates/staff/home.html", context)


@role_required(*MANAGERS)
def program_template(request, program_id: int):
    program = get_object_or_404(Program, pk=program_id)
    template = CertificateTemplate.objects.filter(program=program, batch__isnull=True).first()
    return _template_form(request, program=program, batch=None, template=template)


@role_required(*MANAGERS)
def batch_template(request, batch_id: int):
    batch = get_object_or_404(Batch.objects.select_related("program"), pk=batch_id)
    template = CertificateTemplate.objects.filter(batch=batch).first()
    return _template_form(request, program=batch.program, batch=batch, template=template)


def _template_form(request, *, program, batch, template):
    instance = template or CertificateTemplate(program=program, batch=batch)
    if batch is not None and template is None:
        # A batch's own template starts as a copy of the program's wording and numbering.
        base = CertificateTemplate.objects.filter(program=program, batch__isnull=True).first()
        if base is not None:
            for field in TemplateForm.Meta.fields:
                setattr(instance, field, getattr(base, field))
    form = TemplateForm(request.POST or None, request.FILES or None, instance=instance)
    formset = SignatureFormSet(
        request.POST or None, request.FILES or None, instance=instance, prefix="signatures"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        signatures = formset.save(commit=False)
        saved = services.template_save(
            template=form.save(commit=False),
            signatures=signatures,
            deleted=formset.deleted_objects,
            actor=request.user,
        )
        messages.success(request, _("The certificate template was saved."))
        if "preview" in request.POST:
            return redirect("certificates:template_preview", pk=saved.pk)
        return redirect(request.path)
    context = {
        "form": form,
        "formset": formset,
        "program": program,
        "batch": batch,
        "template": template,
        "placeholders": "{name} {program} {batch} {dates} {jp} {competencies} {number} {predicate}",
    }
    return render(request, "certificates/staff/template_form.html", context)


@role_required(*MANAGERS)
@require_safe
def template_preview(request, pk: int):
    template = get_object_or_404(
        CertificateTemplate.objects.select_related("program", "batch"), pk=pk
    )
    response = HttpResponse(
        services.template_preview_pdf(template=template), content_type="application/pdf"
    )
    response["Content-Disposition"] = 'inline; filename="contoh-sertifikat.pdf"'
    return _private(response)


# --- Staff: a batch's certificates ------------------------------------------------------------


def _batch_or_404(batch_id: int) -> Batch:
    try:
        return selectors.batch_for_certificates(batch_id=batch_id)
    except Batch.DoesNotExist:
        raise Http404 from None


@role_required(*MANAGERS)
@require_safe
def batch_certificates(request, batch_id: int):
    batch = _batch_or_404(batch_id)
    certificates = Paginator(
        selectors.batch_certificates(batch=batch).order_by("number"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "batch": batch,
        "certificates": certificates,
        "template": selectors.template_for_batch(batch=batch),
        "waiting": max(batch.completed - batch.issued, 0),
        "archives": CertificateArchive.objects.filter(batch=batch)[:3],
        "revoke_form": RevokeForm(),
        "reissue_form": ReissueForm(),
        "zip_inline_max": settings.SINERGI_CERTIFICATE_ZIP_INLINE_MAX,
    }
    return render(request, "certificates/staff/batch.html", context)


@role_required(*MANAGERS)
@require_POST
def batch_issue(request, batch_id: int):
    batch = _batch_or_404(batch_id)
    waiting = batch.completed - batch.issued
    if waiting > settings.SINERGI_CERTIFICATE_INLINE_ISSUE_MAX:
        issue_for_batch.enqueue(batch_id=batch.pk, actor_id=request.user.pk)
        messages.info(
            request,
            _("%(count)s certificates are being issued in the background; reload in a while.")
            % {"count": waiting},
        )
        return redirect("certificates:batch", batch_id=batch.pk)
    try:
        result = services.certificates_issue_for_batch(batch=batch, actor=request.user)
    except services.CertificateError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Issued %(issued)s certificates (%(already)s had one already).")
            % {"issued": result.issued, "already": result.already},
        )
    return redirect("certificates:batch", batch_id=batch.pk)


def _certificate_for_staff(request, pk: int) -> Certificate:
    try:
        return selectors.certificate_get_for_user(certificate_id=pk, user=request.user)
    except Certificate.DoesNotExist:
        raise Http404 from None


@role_required(*MANAGERS)
@require_POST
def revoke(request, pk: int):
    certificate = _certificate_for_staff(request, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.certificate_revoke(
                certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Certificate %(number)s was revoked.") % {"number": certificate.number}
            )
    else:
        messages.error(request, _("Say why the certificate is revoked."))
    return redirect("certificates:batch", batch_id=certificate.registration.batch_id)


@role_required(*MANAGERS)
@require_POST
def reissue(request, pk: int):
    certificate = _certificate_for_staff(request, pk)
    form = ReissueForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        certificate = services.certificate_reissue(
            certificate=certificate, actor=request.user, reason=reason
        )
    except services.CertificateError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Certificate %(number)s was re-issued for %(name)s (version %(version)s).")
            % {
                "number": certificate.number,
                "name": certificate.holder_name,
                "version": certificate.version,
            },
        )
    return redirect("certificates:batch", batch_id=certificate.registration.batch_id)


@role_required(*MANAGERS)
@require_POST
def batch_zip(request, batch_id: int):
    """Stream the ZIP at once for a small batch; have a task build it for a large one."""
    batch = _batch_or_404(batch_id)
    if batch.issued > settings.SINERGI_CERTIFICATE_ZIP_INLINE_MAX:
        archive = services.archive_request(batch=batch, actor=request.user)
        return redirect("certificates:archive", batch_id=batch.pk, pk=archive.pk)
    certificates = selectors.batch_certificates(batch=batch).order_by("number")
    response = StreamingHttpResponse(
        services.zip_stream(certificates.iterator(chunk_size=200)),
        content_type="application/zip",
    )
    response["Content-Disposition"] = f'attachment; filename="sertifikat-{_safe(batch.code)}.zip"'
    return _private(response)


@role_required(*MANAGERS)
@require_safe
def archive(request, batch_id: int, pk: int):
    batch = _batch_or_404(batch_id)
    try:
        archive = selectors.archive_get(archive_id=pk, batch=batch)
    except CertificateArchive.DoesNotExist:
        raise Http404 from None
    if request.GET.get("download") and archive.status == ArchiveStatus.READY:
        response = FileResponse(
            archive.file.open("rb"),
            as_attachment=True,
            filename=f"sertifikat-{_safe(batch.code)}.zip",
            content_type="application/zip",
        )
        return _private(response)
    context = {
        "batch": batch,
        "archive": archive,
        "refresh": archive.status == ArchiveStatus.PENDING,
        "download_url": reverse("certificates:archive", args=[batch.pk, archive.pk])
        + "?download=1",
    }
    return render(request, "certificates/staff/archive.html", context)
