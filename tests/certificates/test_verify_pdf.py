"""Anyone uploads a certificate PDF and learns whether it is genuine: its signature judged
against the library's chain (pyHanko), then the register (revoked since?)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from sinergi.certificates import services
from sinergi.core import signing

pytestmark = pytest.mark.django_db

URL = "/certificates/verify/pdf/"


@pytest.fixture
def dev_key(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.SINERGI_SIGNING_DEVELOPMENT = True
    signing._load.cache_clear()
    call_command("signing_dev_key")
    yield
    signing._load.cache_clear()


def upload(client, content: bytes):
    return client.post(URL, {"file": SimpleUploadedFile("sertifikat.pdf", content)})


def state(response) -> str:
    text = response.content.decode()
    return text.split('data-state="', 1)[1].split('"', 1)[0]


def pdf_of(certificate) -> bytes:
    with certificate.pdf.open("rb") as file:
        return file.read()


def test_the_verify_page_offers_the_upload(client):
    page = client.get(reverse("certificates:verify")).content.decode()
    assert 'action="/certificates/verify/pdf/"' in page and 'enctype="multipart/form-data"' in page


def test_a_genuine_pdf_is_valid_and_then_revoked(client, completion, dev_key, admin_user):
    assert reverse("certificates:verify_pdf") == URL
    certificate = services.certificate_issue(registration=completion.registration)
    content = pdf_of(certificate)

    response = upload(client, content)
    assert response.status_code == 200 and state(response) == "valid"
    page = response.content.decode()
    assert certificate.number in page and "DEVELOPMENT" in page
    assert (
        response["Cache-Control"].startswith("no-cache") or "no-cache" in response["Cache-Control"]
    )

    services.certificate_revoke(certificate=certificate, actor=admin_user, reason="Data keliru")
    response = upload(client, content)
    assert state(response) == "revoked" and "Data keliru" in response.content.decode()


def test_a_changed_byte_is_tampered(client, completion, dev_key):
    content = bytearray(pdf_of(services.certificate_issue(registration=completion.registration)))
    at = content.index(b"/Title")
    content[at + 1] = ord("t")
    assert state(upload(client, bytes(content))) == "tampered"


def test_a_pdf_signed_with_another_key_is_untrusted(client, completion, dev_key, settings):
    content = pdf_of(services.certificate_issue(registration=completion.registration))
    # The library's key changes (a new development key, a new root): the old PDF no longer
    # chains to what the library signs under.
    call_command("signing_dev_key", "--force")
    assert state(upload(client, content)) == "untrusted"


def test_an_unsigned_pdf_and_a_file_that_is_no_pdf(client, completion, settings):
    settings.DEBUG = False
    signing._load.cache_clear()
    content = pdf_of(services.certificate_issue(registration=completion.registration))
    assert state(upload(client, content)) == "unsigned"
    response = upload(client, b"GIF89a not a pdf")
    assert response.status_code == 400
    assert (
        "bukan berkas PDF" in response.content.decode() or "not a PDF" in response.content.decode()
    )
