"""Issuing, numbering, codes, re-issue and revocation, through the services."""

import io
import re

import pytest
from django.core import mail
from pypdf import PdfReader

from sinergi.certificates import services
from sinergi.certificates.models import (
    CODE_ALPHABET,
    Certificate,
    CertificateStatus,
    CertificateVersion,
    NumberSequence,
)
from sinergi.core.models import AuditLog

from .factories import CertificateTemplateFactory, CompletionFactory

pytestmark = pytest.mark.django_db


def pdf_text(certificate) -> str:
    with certificate.pdf.open("rb") as file:
        return PdfReader(io.BytesIO(file.read())).pages[0].extract_text()


def test_issue_snapshots_the_registration_and_renders_a_landscape_pdf(
    completion, django_capture_on_commit_callbacks
):
    registration = completion.registration
    registration.user.full_name = "Ni Luh Putu Wéndy Ayu, S.IP."
    registration.user.save()

    with django_capture_on_commit_callbacks(execute=True):
        certificate = services.certificate_issue(registration=registration)

    assert certificate.holder_name == "Ni Luh Putu Wéndy Ayu, S.IP."
    assert certificate.program_title == registration.batch.program.title
    assert certificate.batch_code == registration.batch.code
    assert certificate.jp == registration.batch.program.total_jp
    assert certificate.predicate == ""  # the template does not use one
    year = certificate.issued_at.astimezone().year
    assert certificate.number == f"0001/UN40.L/DL/{year}"
    with certificate.pdf.open("rb") as file:
        reader = PdfReader(io.BytesIO(file.read()))
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    text = page.extract_text()
    assert "SERTIFIKAT" in text
    assert "diberikan kepada" in text
    assert "Ni Luh Putu Wéndy Ayu, S.IP." in text
    assert f"sebanyak {certificate.jp} JP" in text
    assert certificate.number in text and certificate.code in text
    assert "Dr. Budi Santoso, M.Hum." in text
    assert AuditLog.objects.filter(verb="certificates.issued").count() == 1
    # The participant is told, with the link to the page and the verification address.
    (message,) = mail.outbox
    assert message.to == [registration.user.email]
    assert certificate.number in message.subject
    assert f"/certificates/verify/{certificate.code}/" in message.body


def test_issue_is_idempotent_per_registration(completion):
    first = services.certificate_issue(registration=completion.registration)
    again = services.certificate_issue(registration=completion.registration)
    assert again.pk == first.pk
    assert Certificate.objects.count() == 1
    assert NumberSequence.objects.get().last == 1


def test_issue_needs_a_completion_and_a_template(db):
    completion = CompletionFactory()  # no template for its program
    with pytest.raises(services.CertificateError) as error:
        services.certificate_issue(registration=completion.registration)
    assert error.value.code == "no_template"

    from ..learning.factories import ParticipantFactory

    participant = ParticipantFactory()
    CertificateTemplateFactory(program=participant.batch.program)
    with pytest.raises(services.CertificateError) as error:
        services.certificate_issue(registration=participant)
    assert error.value.code == "not_completed"


def test_codes_are_long_random_and_without_look_alike_characters(completion):
    assert not set("01OIL") & set(CODE_ALPHABET)
    codes = {services.code_generate() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) >= 10 and set(code) <= set(CODE_ALPHABET) for code in codes)
    certificate = services.certificate_issue(registration=completion.registration)
    assert re.fullmatch(rf"[{CODE_ALPHABET}]{{12}}", certificate.code)


def test_numbers_follow_the_pattern_without_gaps_and_per_year(completion):
    template = completion.registration.batch.program.certificate_templates.get()
    template.number_pattern = "DIKLAT/{year}/{seq:05}"
    template.save()
    others = CompletionFactory.create_batch(3, registration__batch=completion.registration.batch)

    result = services.certificates_issue_for_batch(batch=completion.registration.batch)

    assert (result.issued, result.already) == (4, 0)
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    year = Certificate.objects.first().issued_at.astimezone().year
    assert numbers == [f"DIKLAT/{year}/{n:05d}" for n in range(1, 5)]
    assert len(others) == 3
    assert services.numbers_take(pattern="DIKLAT/{year}/{seq:05}", year=year + 1) == [1]


def test_predicate_comes_from_the_post_test_score(completion):
    template = completion.registration.batch.program.certificate_templates.get()
    template.use_predicate = True
    template.save()
    for score, words in [(95, "Sangat Memuaskan"), (85, "Memuaskan"), (72, "Baik"), (10, "Cukup")]:
        assert template.predicate_for(score) == words
    certificate = services.certificate_issue(registration=completion.registration)
    assert certificate.predicate == "Sangat Memuaskan"  # the factory's score is 92
    assert "Sangat Memuaskan" in pdf_text(certificate)


def test_reissue_keeps_the_number_and_code_and_the_old_version(completion):
    user = completion.registration.user
    certificate = services.certificate_issue(registration=completion.registration)
    old_pdf = certificate.pdf.name
    old_name = certificate.holder_name
    user.full_name = "Siti Rahmawati, S.IP., M.Hum."
    user.save()

    reissued = services.certificate_reissue(
        certificate=certificate, actor=None, reason="Nama diperbaiki"
    )

    assert (reissued.number, reissued.code) == (certificate.number, certificate.code)
    assert reissued.version == 2
    assert reissued.holder_name == "Siti Rahmawati, S.IP., M.Hum."
    assert reissued.pdf.name != old_pdf
    assert "Siti Rahmawati, S.IP., M.Hum." in pdf_text(reissued)
    version = CertificateVersion.objects.get(certificate=certificate)
    assert (version.version, version.holder_name, version.pdf.name) == (1, old_name, old_pdf)
    assert version.pdf.storage.exists(old_pdf)  # the previous PDF is kept
    assert NumberSequence.objects.get().last == 1  # no new number was taken
    assert AuditLog.objects.filter(verb="certificates.reissued").exists()


def test_revoke_needs_a_reason_and_blocks_reissue(completion, admin_user):
    certificate = services.certificate_issue(registration=completion.registration)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.certificate_revoke(certificate=certificate, actor=admin_user, reason="  ")
    revoked = services.certificate_revoke(
        certificate=certificate, actor=admin_user, reason="Data kehadiran keliru"
    )
    assert revoked.status == CertificateStatus.REVOKED
    assert revoked.revoked_reason == "Data kehadiran keliru"
    with pytest.raises(services.CertificateError):
        services.certificate_reissue(certificate=revoked, actor=admin_user)


def test_bulk_issue_counts_already_issued_and_not_completed(
    completion, django_capture_on_commit_callbacks
):
    from ..learning.factories import ParticipantFactory

    batch = completion.registration.batch
    services.certificate_issue(registration=completion.registration)
    CompletionFactory.create_batch(2, registration__batch=batch)
    ParticipantFactory(batch=batch)  # confirmed, not completed
    with django_capture_on_commit_callbacks(execute=True):
        result = services.certificates_issue_for_batch(batch=batch)

    assert (result.issued, result.already, result.not_completed) == (2, 1, 1)
    assert len(mail.outbox) == 2
    assert AuditLog.objects.filter(verb="certificates.batch_issued").get().data["count"] == 2


def test_bulk_issue_renders_in_several_processes(completion, settings):
    settings.SINERGI_CERTIFICATE_ISSUE_CHUNK = 2
    batch = completion.registration.batch
    CompletionFactory.create_batch(4, registration__batch=batch)

    result = services.certificates_issue_for_batch(batch=batch, processes=2, notify=False)

    assert result.issued == 5
    certificates = list(Certificate.objects.order_by("number"))
    assert [c.number[:4] for c in certificates] == ["0001", "0002", "0003", "0004", "0005"]
    for certificate in certificates:
        # Each PDF was rendered for its own holder, whichever process drew it.
        assert certificate.holder_name in pdf_text(certificate)
        assert certificate.number in pdf_text(certificate)


def test_names_with_rare_letters_print_as_written(completion):
    """Font subsets are reused between PDFs; a name with letters outside them still prints."""
    batch = completion.registration.batch
    rare = CompletionFactory(
        registration__batch=batch, registration__user__full_name="Muḥammad Ṣāliḥ Ŋgurah"
    )
    services.certificates_issue_for_batch(batch=batch, notify=False)
    plain = Certificate.objects.get(registration=completion.registration)
    assert plain.holder_name in pdf_text(plain)
    assert "Muḥammad Ṣāliḥ Ŋgurah" in pdf_text(
        Certificate.objects.get(registration=rare.registration)
    )
