"""Reads with rules: which template applies, who may see which certificate."""

import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from sinergi.accounts.models import Role
from sinergi.accounts.selectors import user_has_role
from sinergi.core.signing import SignatureCheck, pdf_signature_check
from sinergi.training.models import (
    Batch,
    CompetencyUnit,
    Program,
    Registration,
    RegistrationState,
)

from .models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Certificate,
    CertificateArchive,
    CertificateStatus,
    CertificateTemplate,
    DeclarationStatus,
    JpDeclaration,
)

# Program managers run certificates; an administrator holds every role.
MANAGERS = (Role.PROGRAM_MANAGER,)

_NOT_CODE = re.compile(rf"[^{CODE_ALPHABET}]")


def is_certificate_manager(user) -> bool:
    return user_has_role(user, *MANAGERS)


def code_normalise(text: str) -> str:
    """Return what someone typed as a code: upper case, without spaces or dashes."""
    return re.sub(r"[\s\-]", "", text or "").upper()


def code_is_well_formed(code: str) -> bool:
    return len(code) == CODE_LENGTH and not _NOT_CODE.search(code)


def template_for_batch(*, batch: Batch) -> CertificateTemplate | None:
    """Return the batch's own template, else its program's, else None."""
    templates = CertificateTemplate.objects.select_related("program", "batch").prefetch_related(
        "signatures"
    )
    return (
        templates.filter(batch=batch).first()
        or templates.filter(program_id=batch.program_id, batch__isnull=True).first()
    )


def completed_registrations(*, batch: Batch) -> QuerySet[Registration]:
    """Registrations of `batch` that completed (a Completion exists) and are still confirmed."""
    return Registration.objects.filter(
        batch=batch, state=RegistrationState.CONFIRMED, completion__isnull=False
    )


def certificate_verify(*, code: str) -> Certificate | None:
    """Return the certificate with `code` (as typed), or None; for the public check."""
    code = code_normalise(code)
    if not code_is_well_formed(code):
        return None
    return Certificate.objects.filter(code=code).first()


def certificates_for_holder(*, user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(registration__user=user).order_by("-issued_at")


def certificate_get_for_user(*, certificate_id: int, user) -> Certificate:
    """Return the certificate if `user` holds it or manages certificates; else DoesNotExist."""
    certificates = Certificate.objects.select_related("registration__batch", "template")
    if not is_certificate_manager(user):
        certificates = certificates.filter(registration__user=user)
    return certificates.get(pk=certificate_id)


def certificates_list(*, batch_id: int | None = None) -> QuerySet[Certificate]:
    """Every certificate, or one batch's, for program managers (the caller checks the role)."""
    certificates = Certificate.objects.order_by("batch_code", "number")
    if batch_id is not None:
        certificates = certificates.filter(registration__batch_id=batch_id)
    return certificates


def batch_certificates(*, batch: Batch) -> QuerySet[Certificate]:
    return Certificate.objects.filter(registration__batch=batch)


def batches_for_certificates() -> QuerySet[Batch]:
    """Batches with their completion and certificate counts, newest first, for staff."""
    confirmed = Q(registrations__state=RegistrationState.CONFIRMED)
    return (
        Batch.objects.select_related("program")
        .annotate(
            completed=Count(
                "registrations",
                filter=confirmed & Q(registrations__completion__isnull=False),
                distinct=True,
            ),
            issued=Count(
                "registrations", filter=Q(registrations__certificate__isnull=False), distinct=True
            ),
        )
        .order_by("-starts_on", "code")
    )


def batch_for_certificates(*, batch_id: int) -> Batch:
    return batches_for_certificates().get(pk=batch_id)


def programs_with_templates() -> QuerySet[Program]:
    return Program.objects.annotate(
        has_template=Count(
            "certificate_templates", filter=Q(certificate_templates__batch__isnull=True)
        )
    ).order_by("title")


def archive_get(*, archive_id: int, batch: Batch) -> CertificateArchive:
    return CertificateArchive.objects.get(pk=archive_id, batch=batch)


@dataclass(frozen=True)
class PdfVerification:
    """The verdict on an uploaded certificate PDF: `state` is one of unsigned, tampered,
    untrusted, not_found, revoked, valid."""

    state: str
    check: SignatureCheck
    certificate: Certificate | None = None


SIGNATURE_REASON = "Sertifikat "


def certificate_verify_pdf(*, content: bytes) -> PdfVerification:
    """Judge an uploaded certificate PDF by its own signature and by the register.

    The signature must be intact and made under the library's chain; the certificate it names
    (its number, in the signature's reason) must exist and must not have been revoked since.
    """
    check = pdf_signature_check(content)
    if not check.signed:
        return PdfVerification("unsigned", check)
    if not check.intact:
        return PdfVerification("tampered", check)
    if not check.trusted:
        return PdfVerification("untrusted", check)
    number = check.reason.removeprefix(SIGNATURE_REASON) if check.reason else ""
    certificate = Certificate.objects.filter(number=number).first() if number else None
    if certificate is None:
        return PdfVerification("not_found", check)
    if not certificate.is_valid:
        return PdfVerification("revoked", check, certificate)
    return PdfVerification("valid", check, certificate)


def competency_units_public():
    """The competency units some program teaches, for the public page badges align to."""
    return CompetencyUnit.objects.filter(programs__isnull=False).distinct().order_by("code")


# --- The JP record ----------------------------------------------------------------------------


@dataclass(frozen=True)
class JpEntry:
    """One line of a JP record: a training completed here or an accepted declaration."""

    title: str
    organiser: str
    starts_on: date
    ends_on: date
    jp: int
    source: str  # "sinergi" or "declared"
    reference: str  # the certificate's number, or "" for a declaration


@dataclass(frozen=True)
class JpRecord:
    year: int
    entries: list[JpEntry]
    total: int
    target: int
    years: list[int]
    pending: list[JpDeclaration]

    @property
    def reached(self) -> bool:
        return self.total >= self.target

    @property
    def missing(self) -> int:
        return max(self.target - self.total, 0)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.total / self.target)) if self.target else 100


def jp_record(*, user, year: int) -> JpRecord:
    """Return `user`'s JP for `year`: every valid certificate (by the training's last day) and
    every accepted declaration, across programs and partners, with the year's target. Five
    queries whatever the size."""
    certificates = Certificate.objects.filter(
        registration__user=user, status=CertificateStatus.VALID
    )
    declarations = JpDeclaration.objects.filter(user=user)
    accepted = declarations.filter(status=DeclarationStatus.ACCEPTED)
    years = {d.year for d in certificates.dates("ends_on", "year")}
    years |= {d.year for d in accepted.dates("ends_on", "year")}
    years.add(year)
    entries = [
        JpEntry(
            title=certificate.program_title,
            organiser=certificate.registration.batch.program.organisers
            or settings.SINERGI_HOST_NAME,
            starts_on=certificate.starts_on,
            ends_on=certificate.ends_on,
            jp=certificate.jp,
            source="sinergi",
            reference=certificate.number,
        )
        for certificate in certificates.filter(ends_on__year=year).select_related(
            "registration__batch__program"
        )
    ]
    entries += [
        JpEntry(
            title=declaration.title,
            organiser=declaration.organiser,
            starts_on=declaration.starts_on,
            ends_on=declaration.ends_on,
            jp=declaration.jp,
            source="declared",
            reference="",
        )
        for declaration in accepted.filter(ends_on__year=year)
    ]
    entries.sort(key=lambda entry: (entry.ends_on, entry.title))
    return JpRecord(
        year=year,
        entries=entries,
        total=sum(entry.jp for entry in entries),
        target=settings.SINERGI_JP_TARGET,
        years=sorted(years, reverse=True),
        pending=list(declarations.exclude(status=DeclarationStatus.ACCEPTED).order_by("-id")),
    )


def jp_declaration_get_for_user(*, declaration_id: int, user) -> JpDeclaration:
    """Return the declaration if `user` made it or reviews declarations; else DoesNotExist."""
    declarations = JpDeclaration.objects.select_related("user")
    if not is_certificate_manager(user):
        declarations = declarations.filter(user=user)
    return declarations.get(pk=declaration_id)


def jp_declarations_to_review() -> QuerySet[JpDeclaration]:
    return (
        JpDeclaration.objects.filter(status=DeclarationStatus.PENDING)
        .select_related("user")
        .order_by("created_at", "id")
    )
