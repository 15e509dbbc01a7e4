"""Every write of certificates: issue (one or a whole batch), re-issue, revoke, templates, ZIPs.

Numbers come from `NumberSequence`, one row per pattern and year, locked while a number is
taken, in the same transaction as the certificate: a rolled-back issue leaves no gap and two
certificates never share a number (the unique constraint on `number` is the last guard).
"""

import logging
import multiprocessing
import secrets
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.core.exceptions import ServiceError
from sinergi.core.locking import for_update
from sinergi.core.services import log_action
from sinergi.core.text import model_text_clean
from sinergi.operations.files import files_pending
from sinergi.operations.leases import lease_confirm
from sinergi.training.models import Batch, Registration, RegistrationState

from .models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    ArchiveStatus,
    Certificate,
    CertificateArchive,
    CertificateStatus,
    CertificateTemplate,
    CertificateVersion,
    DeclarationStatus,
    JpDeclaration,
    NumberSequence,
    Signature,
)
from .pdf import CertificateData, CertificateRenderer
from .selectors import completed_registrations, template_for_batch

logger = logging.getLogger(__name__)

# The numbering lock (core.locking); only the concurrency test's negative control turns it off.
LOCK_SEQUENCES = "certificates.sequences"
REASON_MAX = 255


class CertificateError(ServiceError):
    """A certificate cannot be issued or changed; the message says why, for the person."""


def _now() -> datetime:
    return timezone.now()


# --- Numbers and codes ------------------------------------------------------------------------


def numbers_take(*, pattern: str, year: int, count: int = 1) -> list[int]:
    """Take the next `count` running numbers of `pattern` in `year`.

    Call inside the transaction that uses them: the sequence row stays locked until it ends.
    """
    NumberSequence.objects.get_or_create(pattern=pattern, year=year)
    sequences = NumberSequence.objects.filter(pattern=pattern, year=year)
    sequence = for_update(sequences, name=LOCK_SEQUENCES).get()
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return list(range(first, first + count))


def number_format(pattern: str, *, seq: int, year: int) -> str:
    return pattern.format(seq=seq, year=year)


def code_generate() -> str:
    """Return a verification code nobody can guess: 12 symbols of 31, about 59 bits."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def verify_url(code: str) -> str:
    """The absolute address the QR points at."""
    return settings.SITE_URL + reverse("certificates:verify_code", args=[code])


# --- Rendering --------------------------------------------------------------------------------


def renderer_for(template: CertificateTemplate) -> CertificateRenderer:
    return CertificateRenderer.for_template(template, host_name=settings.SINERGI_HOST_NAME)


def _data(certificate: Certificate) -> CertificateData:
    return CertificateData(
        name=certificate.holder_name,
        program=certificate.program_title,
        batch=certificate.batch_code,
        starts_on=certificate.starts_on,
        ends_on=certificate.ends_on,
        jp=certificate.jp,
        number=certificate.number,
        code=certificate.code,
        verify_url=verify_url(certificate.code),
        issued_on=timezone.localdate(certificate.issued_at),
        competencies=list(certificate.competencies),
        predicate=certificate.predicate,
    )


def _pdf_name(certificate: Certificate, *, version: int | None = None) -> str:
    """Choose where the PDF goes, under a name nobody can guess (the code is secret)."""
    version = certificate.version if version is None else version
    return certificate.pdf.field.generate_filename(
        certificate, f"{certificate.code}-v{version}-{secrets.token_hex(4)}.pdf"
    )


def _store_pdf(certificate: Certificate, content: bytes, *, name: str) -> None:
    """Save the PDF under `name` (recorded as pending by the caller, see files_pending)."""
    stored = default_storage.save(name, ContentFile(content))
    if stored != name:  # the storage would not overwrite: never expected with a random name
        default_storage.delete(stored)
        raise IntegrityError(f"certificate file {name} exists already")
    certificate.pdf.name = stored


def template_preview_pdf(*, template: CertificateTemplate) -> bytes:
    """Render a sample certificate with the template, before it is used."""
    program = template.program
    batch = template.batch or program.batches.order_by("-starts_on").first()
    today = timezone.localdate()
    pattern_year = today.year
    data = CertificateData(
        name="Nama Lengkap Peserta, S.IP.",
        program=program.title,
        batch=batch.code if batch else "CONTOH-01",
        starts_on=batch.starts_on if batch else today,
        ends_on=batch.ends_on if batch else today,
        jp=program.total_jp,
        number=number_format(template.number_pattern, seq=1, year=pattern_year),
        code="CONTOH234567",
        verify_url=verify_url("CONTOH234567"),
        issued_on=today,
        competencies=[str(unit) for unit in program.competency_units.all()],
        predicate=template.predicate_for(90) if template.use_predicate else "",
    )
    return renderer_for(template).render(data, sign=False)


# --- Issuing ------------------------------------------------------------------------------------


@dataclass
class BatchIssueResult:
    issued: int
    already: int
    not_completed: int


def _snapshot(
    registration: Registration, template: CertificateTemplate, competencies: list[str], now
) -> Certificate:
    batch = registration.batch
    completion = registration.completion
    return Certificate(
        registration=registration,
        template=template,
        holder_name=registration.user.full_name or registration.user.email,
        program_title=batch.program.title,
        batch_code=batch.code,
        starts_on=batch.starts_on,
        ends_on=batch.ends_on,
        jp=batch.program.total_jp,
        competencies=competencies,
        predicate=template.predicate_for(completion.posttest_score),
        issued_at=now,
        code=code_generate(),
    )


def _competencies(batch: Batch) -> list[str]:
    return [str(unit) for unit in batch.program.competency_units.all()]


# Set in each rendering process of a pool (inherited through fork, never pickled).
_pool_renderer: CertificateRenderer | None = None


def _pool_init(renderer: CertificateRenderer) -> None:
    global _pool_renderer
    _pool_renderer = renderer


def _pool_render(data: CertificateData) -> bytes:
    return _pool_renderer.render(data)


@contextmanager
def render_pool(renderer: CertificateRenderer, processes: int):
    """Yield a pool of `processes` forked renderers, or None to render in this process.

    Rendering is pure CPU and touches no database, so a large batch uses every core: the
    children get the renderer (fonts and images loaded) by fork and only render.
    """
    if processes <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_pool_init, initargs=(renderer,)) as pool:
        yield pool


def _issue_many(
    *,
    registrations: list[Registration],
    template: CertificateTemplate,
    actor,
    notify: bool,
    renderer: CertificateRenderer | None = None,
    competencies: list[str] | None = None,
    pool=None,
) -> list[Certificate]:
    """Number, render, store and record certificates for `registrations` (one batch)."""
    if not registrations:
        return []
    renderer = renderer or renderer_for(template)
    batch = registrations[0].batch
    if competencies is None:
        competencies = _competencies(batch)
    now = _now()
    year = timezone.localdate(now).year
    certificates = [_snapshot(r, template, competencies, now) for r in registrations]
    for certificate in certificates:
        certificate.pdf.name = _pdf_name(certificate)
    names = [certificate.pdf.name for certificate in certificates]
    # The PDFs are written before the rows that name them commit: recorded as pending first,
    # so that neither an error nor a killed worker leaves files that no certificate names.
    with files_pending(names), transaction.atomic():
        # Lock the sequence first: runs issuing under one pattern then go one at a time, so
        # whoever another run issued meanwhile (a worker that resumed, a second click) is seen
        # here and skipped, and nobody is issued twice.
        numbers_take(pattern=template.number_pattern, year=year, count=0)
        issued = set(
            Certificate.objects.filter(registration__in=registrations).values_list(
                "registration_id", flat=True
            )
        )
        certificates = [c for c in certificates if c.registration_id not in issued]
        if not certificates:
            lease_confirm()
            return []
        seqs = numbers_take(pattern=template.number_pattern, year=year, count=len(certificates))
        for certificate, seq in zip(certificates, seqs, strict=True):
            certificate.number = number_format(template.number_pattern, seq=seq, year=year)
        data = [_data(certificate) for certificate in certificates]
        pdfs = pool.imap(_pool_render, data, chunksize=8) if pool else map(renderer.render, data)
        for certificate, pdf in zip(certificates, pdfs, strict=True):
            _store_pdf(certificate, pdf, name=certificate.pdf.name)
        Certificate.objects.bulk_create(certificates)
        if len(certificates) == 1:
            log_action(actor, "certificates.issued", certificates[0], {"number": seqs[0]})
        else:
            log_action(
                actor,
                "certificates.batch_issued",
                batch,
                {"count": len(certificates), "first": seqs[0], "last": seqs[-1]},
            )
        if notify:
            ids = [c.pk for c in certificates]
            transaction.on_commit(lambda: _notify(ids))
        lease_confirm()
    return certificates


def _notify(certificate_ids: list[int]) -> None:
    from .tasks import send_issued_emails

    # Chunks keep each task short; the worker renders the mails in the holder's language.
    for start in range(0, len(certificate_ids), 200):
        send_issued_emails.enqueue(certificate_ids=certificate_ids[start : start + 200])


def certificate_issue(*, registration: Registration, actor=None, notify: bool = True):
    """Issue the certificate of a completed registration; return the existing one if any."""
    existing = Certificate.objects.filter(registration=registration).first()
    if existing is not None:
        return existing
    registration = (
        Registration.objects.select_related("batch__program", "user", "completion")
        .filter(pk=registration.pk)
        .first()
    )
    if not hasattr(registration, "completion"):
        raise CertificateError(_("The participant has not completed the batch."), "not_completed")
    template = template_for_batch(batch=registration.batch)
    if template is None:
        raise CertificateError(_("The program has no certificate template yet."), "no_template")
    try:
        issued = _issue_many(
            registrations=[registration], template=template, actor=actor, notify=notify
        )
    except IntegrityError:
        issued = []
    if not issued:
        # Issued by a concurrent request a moment ago (the registration is unique).
        existing = Certificate.objects.filter(registration=registration).first()
        if existing is None:
            raise CertificateError(_("The certificate could not be issued."), "conflict")
        return existing
    return issued[0]


def certificates_issue_for_batch(
    *, batch: Batch, actor=None, notify: bool = True, processes: int = 1
) -> BatchIssueResult:
    """Issue certificates to every completed participant of `batch` who has none yet.

    With `processes` > 1 the PDFs are rendered by that many processes (for large batches).
    """
    template = template_for_batch(batch=batch)
    if template is None:
        raise CertificateError(_("The program has no certificate template yet."), "no_template")
    completed = completed_registrations(batch=batch)
    already = completed.filter(certificate__isnull=False).count()
    pending = list(
        completed.filter(certificate__isnull=True)
        .select_related("batch__program", "user", "completion")
        .order_by("user__full_name", "id")
    )
    not_completed = (
        Registration.objects.filter(batch=batch, state=RegistrationState.CONFIRMED)
        .filter(completion__isnull=True)
        .count()
    )
    issued = 0
    # Bulk issues are rendered in chunks, each in its own transaction: the sequence row is
    # locked for one chunk at a time, and an error loses at most a chunk (its numbers are
    # rolled back).
    chunk = max(settings.SINERGI_CERTIFICATE_ISSUE_CHUNK, 1)
    if pending:
        renderer = renderer_for(template)
        competencies = _competencies(batch)
        with render_pool(renderer, processes if len(pending) > chunk else 1) as pool:
            for start in range(0, len(pending), chunk):
                issued += len(
                    _issue_many(
                        registrations=pending[start : start + chunk],
                        template=template,
                        actor=actor,
                        notify=notify,
                        renderer=renderer,
                        competencies=competencies,
                        pool=pool,
                    )
                )
    return BatchIssueResult(issued=issued, already=already, not_completed=not_completed)


def certificate_reissue(*, certificate: Certificate, actor, reason: str = "") -> Certificate:
    """Render the certificate again with the holder's current name; keep the old version.

    The number and the code stay: the certificate is the same, only corrected.
    """
    name = _pdf_name(certificate, version=certificate.version + 1)
    with files_pending([name]), transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("registration__user", "template__program")
            .get(pk=certificate.pk)
        )
        if certificate.status != CertificateStatus.VALID:
            raise CertificateError(_("A revoked certificate cannot be re-issued."), "revoked")
        new_name = certificate.registration.user.full_name or certificate.holder_name
        CertificateVersion.objects.create(
            certificate=certificate,
            version=certificate.version,
            holder_name=certificate.holder_name,
            pdf=certificate.pdf.name,
            issued_at=certificate.issued_at,
            reason=reason[:REASON_MAX],
        )
        old_name = certificate.holder_name
        certificate.holder_name = new_name
        certificate.version += 1
        certificate.issued_at = _now()
        template = certificate.template or template_for_batch(batch=certificate.registration.batch)
        if template is None:
            raise CertificateError(_("The program has no certificate template yet."), "no_template")
        _store_pdf(certificate, renderer_for(template).render(_data(certificate)), name=name)
        certificate.save(update_fields=["holder_name", "version", "issued_at", "pdf"])
        log_action(
            actor,
            "certificates.reissued",
            certificate,
            {"from": old_name, "to": new_name, "version": certificate.version, "reason": reason},
        )
        ids = [certificate.pk]
        transaction.on_commit(lambda: _notify(ids))
    return certificate


def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Revoke a certificate; verification shows it as revoked, with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status == CertificateStatus.REVOKED:
            return certificate
        certificate.status = CertificateStatus.REVOKED
        certificate.revoked_reason = reason[:REASON_MAX]
        certificate.revoked_at = _now()
        certificate.save(update_fields=["status", "revoked_reason", "revoked_at"])
        log_action(actor, "certificates.revoked", certificate, {"reason": reason})
    return certificate


# --- Templates --------------------------------------------------------------------------------


def template_save(
    *,
    template: CertificateTemplate,
    signatures: Iterable[Signature] = (),
    deleted: Iterable[Signature] = (),
    actor,
) -> CertificateTemplate:
    """Save a template checked by its form, with its new, changed and removed signatures."""
    created = template.pk is None
    with transaction.atomic():
        template.save()
        for signature in deleted:
            if signature.pk:
                signature.delete()
        signatures = list(signatures)
        for signature in signatures:
            signature.template = template
            signature.save()
        if created and template.batch_id and not signatures:
            # A batch's own template keeps the program's signatories unless it names others.
            base = CertificateTemplate.objects.filter(
                program_id=template.program_id, batch__isnull=True
            ).first()
            for signature in base.signatures.all() if base else ():
                Signature.objects.create(
                    template=template,
                    name=signature.name,
                    position=signature.position,
                    image=signature.image.name,
                    order=signature.order,
                )
        log_action(
            actor,
            "certificates.template_created" if created else "certificates.template_updated",
            template,
        )
    return template


# --- ZIP archives -----------------------------------------------------------------------------


def zip_entry_name(certificate: Certificate) -> str:
    number = "".join(ch if ch.isalnum() else "-" for ch in certificate.number).strip("-")
    holder = "".join(ch if ch.isalnum() else "_" for ch in certificate.holder_name)[:60]
    return f"{number}_{holder}.pdf"


class _Sink:
    """A write-only file that hands over what was written, for streaming a ZIP as it grows."""

    def __init__(self):
        self.chunks: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def zip_stream(certificates: Iterable[Certificate]) -> Iterator[bytes]:
    """Yield a ZIP of the certificates' PDFs piece by piece (never the whole in memory).

    PDFs are already compressed, so entries are stored as they are: cheaper and no larger.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            with certificate.pdf.open("rb") as source:
                data = source.read()
            archive.writestr(zip_entry_name(certificate), data)
            yield sink.take()
    yield sink.take()


def archive_request(*, batch: Batch, actor) -> CertificateArchive:
    """Queue the building of a batch's ZIP; the status page shows when it is ready."""
    archive = CertificateArchive.objects.create(batch=batch, requested_by=actor)
    log_action(actor, "certificates.archive_requested", archive)
    from .tasks import build_archive

    archive_id = archive.pk
    transaction.on_commit(lambda: build_archive.enqueue(archive_id=archive_id))
    return archive


def archive_build(*, archive: CertificateArchive) -> CertificateArchive:
    """Write the ZIP of the batch's certificates into storage."""
    from .selectors import batch_certificates

    certificates = list(batch_certificates(batch=archive.batch).order_by("number"))
    name = f"certificates/zip/{archive.batch.code}-{secrets.token_hex(8)}.zip"
    # Pending until the archive row names it: a worker killed in between leaves no orphan.
    with files_pending([name]):
        try:
            # Built in a temporary file, then stored: works the same for local disk and S3.
            with tempfile.TemporaryFile() as target:
                for piece in zip_stream(certificates):
                    target.write(piece)
                target.seek(0)
                name = default_storage.save(name, File(target))
        except Exception as error:
            archive.status = ArchiveStatus.FAILED
            archive.error = str(error)[:1000]
            archive.finished_at = _now()
            archive.save(update_fields=["status", "error", "finished_at"])
            logger.exception("certificate archive %s failed", archive.pk)
            return archive
        archive.file.name = name
        archive.count = len(certificates)
        archive.status = ArchiveStatus.READY
        archive.finished_at = _now()
        archive.save(update_fields=["file", "count", "status", "finished_at"])
    return archive


# --- JP declarations --------------------------------------------------------------------------


def jp_declaration_create(
    *, user, title: str, organiser: str, starts_on, ends_on, jp: int, proof
) -> JpDeclaration:
    """Record JP the participant followed outside Sinergi, waiting for a reviewer."""
    values = model_text_clean(JpDeclaration, {"title": title, "organiser": organiser}, names=())
    declaration = JpDeclaration(
        user=user,
        title=values["title"],
        organiser=values["organiser"],
        starts_on=starts_on,
        ends_on=ends_on,
        jp=jp,
    )
    declaration.full_clean(exclude=["proof"])
    name = declaration.proof.field.generate_filename(declaration, proof.name)
    with files_pending([name]), transaction.atomic():
        declaration.proof.name = default_storage.save(name, proof)
        declaration.save()
        log_action(user, "certificates.jp_declared", declaration, {"jp": jp})
    return declaration


def jp_declaration_review(
    *, declaration: JpDeclaration, actor, accept: bool, note: str = ""
) -> JpDeclaration:
    """Accept or reject a pending declaration; a rejection says why."""
    note = model_text_clean(JpDeclaration, {"review_note": note}, names=())["review_note"]
    if not accept and not note.strip():
        raise ValidationError({"review_note": _("Say why the declaration is rejected.")})
    with transaction.atomic():
        declaration = JpDeclaration.objects.select_for_update().get(pk=declaration.pk)
        if declaration.status != DeclarationStatus.PENDING:
            raise ValidationError(_("This declaration was already reviewed."))
        declaration.status = DeclarationStatus.ACCEPTED if accept else DeclarationStatus.REJECTED
        declaration.review_note = note.strip()
        declaration.reviewed_by = actor
        declaration.reviewed_at = _now()
        declaration.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
        log_action(
            actor,
            "certificates.jp_accepted" if accept else "certificates.jp_rejected",
            declaration,
            {"jp": declaration.jp, "note": declaration.review_note},
        )
    return declaration
