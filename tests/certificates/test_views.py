"""Pages: the participant's certificates, the public verification and the staff pages."""

import io
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from sinergi.certificates import services
from sinergi.certificates.models import Certificate, CertificateArchive, CertificateTemplate
from sinergi.core.models import AuditLog

from ..factories import UserFactory
from .factories import CompletionFactory, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(completion):
    return services.certificate_issue(registration=completion.registration)


@pytest.fixture
def manager_client(client):
    client.force_login(UserFactory(roles=["program_manager"]))
    return client


# --- Participants ------------------------------------------------------------------------------


def test_my_certificates_lists_own_and_downloads_the_pdf(client, certificate):
    client.force_login(certificate.registration.user)
    page = client.get(reverse("certificates:mine"))
    assert certificate.number in page.content.decode()
    response = client.get(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "private" in response["Cache-Control"]


def test_a_participant_cannot_download_another_persons_certificate(client, certificate):
    other = CompletionFactory(registration__batch=certificate.registration.batch)
    client.force_login(other.registration.user)
    response = client.get(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 404
    page = client.get(reverse("certificates:mine"))
    assert certificate.number not in page.content.decode()


def test_download_needs_login(client, certificate):
    response = client.get(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --- Public verification ---------------------------------------------------------------------


def test_verification_shows_the_certificate_and_no_other_personal_data(client, certificate):
    user = certificate.registration.user
    user.phone = "081299998888"
    user.institution_name = "Perpustakaan Rahasia"
    user.save()
    response = client.get(reverse("certificates:verify_code", args=[certificate.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "sn-verify-valid" in html
    for shown in [
        certificate.holder_name,
        certificate.number,
        certificate.program_title,
        certificate.batch_code,
        f"{certificate.jp} JP",
    ]:
        assert shown in html
    for hidden in [user.email, "081299998888", "Perpustakaan Rahasia", "Jakarta"]:
        assert hidden not in html
    assert response["X-Robots-Tag"] == "noindex"


def test_code_is_found_whatever_case_and_spacing(client, certificate):
    typed = f" {certificate.code[:4].lower()}-{certificate.code[4:]} "
    response = client.get(reverse("certificates:verify"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:verify_code", args=[certificate.code])


def test_a_revoked_certificate_verifies_as_revoked(client, certificate, admin_user):
    services.certificate_revoke(certificate=certificate, actor=admin_user, reason="Salah data")
    response = client.get(reverse("certificates:verify_code", args=[certificate.code]))
    html = response.content.decode()
    assert "sn-verify-revoked" in html and "sn-verify-valid" not in html
    assert "Salah data" in html


def test_an_unknown_code_is_not_found(client, db):
    response = client.get(reverse("certificates:verify_code", args=["ABCDEFGHJKMN"]))
    assert response.status_code == 404
    assert "sn-verify-not-found" in response.content.decode()


def test_verification_is_rate_limited_per_address(client, settings, certificate):
    settings.SINERGI_CERTIFICATE_VERIFY_PER_MINUTE = 3
    url = reverse("certificates:verify_code", args=["ABCDEFGHJKMN"])
    statuses = [client.get(url).status_code for _ in range(3)]
    assert statuses == [404, 404, 404]
    limited = client.get(reverse("certificates:verify_code", args=[certificate.code]))
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    # Another address is not affected.
    other = client.get(
        reverse("certificates:verify_code", args=[certificate.code]), REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 200


# --- Staff -------------------------------------------------------------------------------------


def test_staff_pages_are_for_program_managers_only(client, certificate):
    batch = certificate.registration.batch
    client.force_login(certificate.registration.user)
    for url in [
        reverse("certificates:staff_home"),
        reverse("certificates:batch", args=[batch.pk]),
        reverse("certificates:program_template", args=[batch.program_id]),
    ]:
        assert client.get(url).status_code == 403
    assert (
        client.post(
            reverse("certificates:revoke", args=[certificate.pk]), {"reason": "x"}
        ).status_code
        == 403
    )
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_batch_page_issues_for_all_completed(manager_client, completion):
    batch = completion.registration.batch
    CompletionFactory.create_batch(2, registration__batch=batch)
    page = manager_client.get(reverse("certificates:batch", args=[batch.pk]))
    assert reverse("certificates:batch_issue", args=[batch.pk]) in page.content.decode()
    response = manager_client.post(reverse("certificates:batch_issue", args=[batch.pk]))
    assert response.status_code == 302
    assert Certificate.objects.filter(registration__batch=batch).count() == 3
    page = manager_client.get(reverse("certificates:batch", args=[batch.pk]))
    for certificate in Certificate.objects.all():
        assert certificate.number in page.content.decode()


def test_batch_page_query_count_does_not_grow_with_certificates(
    manager_client, completion, django_assert_max_num_queries
):
    batch = completion.registration.batch
    CompletionFactory.create_batch(5, registration__batch=batch)
    services.certificates_issue_for_batch(batch=batch)
    with django_assert_max_num_queries(14):
        manager_client.get(reverse("certificates:batch", args=[batch.pk]))


def test_staff_revoke_and_reissue(manager_client, certificate):
    user = certificate.registration.user
    user.full_name = "Nama Yang Benar"
    user.save()
    manager_client.post(reverse("certificates:reissue", args=[certificate.pk]), {"reason": ""})
    certificate.refresh_from_db()
    assert (certificate.holder_name, certificate.version) == ("Nama Yang Benar", 2)
    response = manager_client.post(
        reverse("certificates:revoke", args=[certificate.pk]), {"reason": ""}
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.is_valid  # no reason: not revoked
    manager_client.post(
        reverse("certificates:revoke", args=[certificate.pk]), {"reason": "Duplikat"}
    )
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoked_reason) == ("revoked", "Duplikat")


def test_small_batch_zip_is_streamed(manager_client, completion):
    batch = completion.registration.batch
    CompletionFactory.create_batch(2, registration__batch=batch)
    services.certificates_issue_for_batch(batch=batch)
    response = manager_client.post(reverse("certificates:batch_zip", args=[batch.pk]))
    assert response.status_code == 200 and response.streaming
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert len(names) == 3
        assert all(archive.read(name).startswith(b"%PDF-") for name in names)


def test_large_batch_zip_is_built_by_a_task(manager_client, completion, settings):
    settings.SINERGI_CERTIFICATE_ZIP_INLINE_MAX = 1
    batch = completion.registration.batch
    CompletionFactory.create_batch(2, registration__batch=batch)
    services.certificates_issue_for_batch(batch=batch)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = manager_client.post(reverse("certificates:batch_zip", args=[batch.pk]))
    archive = CertificateArchive.objects.get()
    assert response["Location"] == reverse("certificates:archive", args=[batch.pk, archive.pk])
    assert (archive.status, archive.count) == ("ready", 3)
    page = manager_client.get(response["Location"])
    assert "?download=1" in page.content.decode()
    download = manager_client.get(response["Location"] + "?download=1")
    data = b"".join(download.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert len(zipped.namelist()) == 3


def test_template_editor_checks_uploads_and_wording(manager_client, completion):
    program = completion.registration.batch.program
    template = program.certificate_templates.get()
    url = reverse("certificates:program_template", args=[program.pk])
    data = {
        "title_id": "SERTIFIKAT",
        "title_en": "CERTIFICATE",
        "body_id": "telah mengikuti {program} selama {jam} JP",
        "body_en": "",
        "number_pattern": "{seq:04}/UN40.L/DL/{year}",
        "place": "Bandung",
        "predicates": "90 Sangat Memuaskan",
        "signatures-TOTAL_FORMS": "1",
        "signatures-INITIAL_FORMS": "1",
        "signatures-MIN_NUM_FORMS": "0",
        "signatures-MAX_NUM_FORMS": "4",
        "signatures-0-id": str(template.signatures.get().pk),
        "signatures-0-name": "Dr. Budi Santoso, M.Hum.",
        "signatures-0-position": "Kepala Perpustakaan",
        "signatures-0-order": "0",
    }
    bad_logo = io.BytesIO(b"not an image at all")
    bad_logo.name = "logo.png"
    response = manager_client.post(url, {**data, "logo_partner": bad_logo})
    assert response.status_code == 200
    html = response.content.decode()
    assert "jam" in html  # the unknown placeholder is named
    template.refresh_from_db()
    assert "{jam}" not in template.body_id

    from tests.zipbombs import huge_png

    huge = io.BytesIO(huge_png())
    huge.name = "logo.png"
    before = template.logo_ours.name
    response = manager_client.post(url, {**data, "logo_ours": huge})
    assert response.status_code == 200
    assert "12.000 × 12.000" in response.content.decode()
    template.refresh_from_db()
    assert template.logo_ours.name == before

    logo = io.BytesIO(png_bytes(300, 300))
    logo.name = "../../evil name.png"
    data["body_id"] = "telah mengikuti {program} sebanyak {jp} JP"
    response = manager_client.post(url, {**data, "logo_partner": logo, "preview": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:template_preview", args=[template.pk])
    template.refresh_from_db()
    assert template.logo_partner.name.startswith("certificates/assets/")
    assert "evil" not in template.logo_partner.name
    preview = manager_client.get(response["Location"])
    assert preview.content.startswith(b"%PDF-")
    assert AuditLog.objects.filter(verb="certificates.template_updated").exists()


def test_batch_template_overrides_the_programs(manager_client, completion):
    batch = completion.registration.batch
    url = reverse("certificates:batch_template", args=[batch.pk])
    page = manager_client.get(url)
    assert page.status_code == 200
    assert not CertificateTemplate.objects.filter(batch=batch).exists()
    data = {
        "title_id": "SERTIFIKAT",
        "title_en": "",
        "body_id": "telah mengikuti {program} angkatan khusus {batch} sebanyak {jp} JP",
        "body_en": "",
        "number_pattern": "{seq:03}/KHUSUS/{year}",
        "place": "Jakarta",
        "predicates": "90 Sangat Memuaskan",
        "signatures-TOTAL_FORMS": "1",
        "signatures-INITIAL_FORMS": "0",
        "signatures-MIN_NUM_FORMS": "0",
        "signatures-MAX_NUM_FORMS": "4",
        "signatures-0-order": "0",  # the empty extra form, as a browser sends it
    }
    response = manager_client.post(url, data)
    assert response.status_code == 302, (
        response.context["form"].errors,
        response.context["formset"].errors,
    )
    own = CertificateTemplate.objects.get(batch=batch)
    # The program's signatory is kept when the batch names none.
    assert [s.name for s in own.signatures.all()] == ["Dr. Budi Santoso, M.Hum."]
    certificate = services.certificate_issue(registration=completion.registration)
    assert certificate.template == own
    assert certificate.number.endswith("/KHUSUS/" + str(certificate.issued_at.year))
    assert "Jakarta" in PdfReader(certificate.pdf.open("rb")).pages[0].extract_text()


def test_my_certificates_query_count_is_fixed(client, completion, django_assert_num_queries):
    user = completion.registration.user
    services.certificate_issue(registration=completion.registration)
    for other in CompletionFactory.create_batch(3, registration__user=user):
        CertificateTemplate.objects.get_or_create(program=other.registration.batch.program)
        services.certificate_issue(registration=other.registration)
    client.force_login(user)
    # Session, user, roles for the menu, the certificates: the same for one or four.
    with django_assert_num_queries(4):
        page = client.get(reverse("certificates:mine"))
    assert page.content.decode().count("sn-certificates") == 1
    assert Certificate.objects.filter(registration__user=user).count() == 4
