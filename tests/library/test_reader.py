"""E-book files: checked on upload, streamed through short-lived signed URLs while on loan."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sinergi.library import services
from sinergi.library.files import book_check, book_file_store
from sinergi.library.models import ReadingPosition

from .factories import LicensePoolFactory, TitleFactory, UserFactory

FIXTURES = Path(__file__).parent.parent / "fixtures"
pytestmark = pytest.mark.django_db


def upload(name: str) -> SimpleUploadedFile:
    path = FIXTURES / "ebooks" / name if (FIXTURES / "ebooks" / name).exists() else FIXTURES / name
    return SimpleUploadedFile(name, path.read_bytes())


def test_epub_metadata_and_cover():
    meta = book_check(upload("alice.epub"))
    assert meta.kind == "epub"
    assert meta.title == "Alice's Adventures in Wonderland"
    assert meta.creators == ["Lewis Carroll"]
    assert meta.cover and meta.cover_ext in (".jpg", ".png")


def test_pdf_metadata():
    meta = book_check(upload("minimal-document.pdf"))
    assert (meta.kind, meta.pages) == ("pdf", 1)


@pytest.mark.parametrize(
    "name", ["ocf-mimetype-file-missing-error.epub", "libreoffice-writer-password.pdf"]
)
def test_bad_books_are_refused_with_a_reason(name):
    with pytest.raises(ValidationError) as info:
        book_check(upload(name))
    assert info.value.messages


def test_not_a_book_is_refused():
    with pytest.raises(ValidationError):
        book_check(SimpleUploadedFile("x.epub", b"hello"))


def test_the_file_url_refuses_after_the_loan_ends(client, settings):
    pool = LicensePoolFactory(copies=1)
    book = book_file_store(actor=None, title=pool.title, upload=upload("minimal-document.pdf"))
    user = UserFactory()
    client.force_login(user)
    read_url = reverse("library:read", args=[book.pk])
    assert client.get(read_url).status_code == 302  # not on loan: back to the title page
    loan = services.loan_create(title=pool.title, user=user)
    page = client.get(read_url)
    assert page.status_code == 200
    file_url = page.context["file_url"]
    streamed = client.get(file_url)
    assert streamed.status_code == 200
    assert b"".join(streamed.streaming_content).startswith(b"%PDF")
    assert streamed["Cache-Control"].startswith("private") or "private" in streamed["Cache-Control"]
    # Another person cannot use the link.
    other = UserFactory()
    client.force_login(other)
    assert client.get(file_url).status_code == 403
    client.force_login(user)
    services.loan_return(loan=loan, actor=user)
    assert client.get(file_url).status_code == 403


def test_the_file_url_expires(client, settings, monkeypatch):
    title = TitleFactory(open_access=True)
    book = book_file_store(actor=None, title=title, upload=upload("minimal-document.pdf"))
    file_url = client.get(reverse("library:read", args=[book.pk])).context["file_url"]
    assert client.get(file_url).status_code == 200
    settings.SINERGI_FILE_URL_SECONDS = 60
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 61)
    assert client.get(file_url).status_code == 403
    tampered = file_url.replace(":", ";", 1)
    monkeypatch.setattr(time, "time", real)
    assert client.get(tampered).status_code in (403, 404)


def test_reader_page_and_position(client):
    pool = LicensePoolFactory(copies=1)
    book = book_file_store(actor=None, title=pool.title, upload=upload("alice.epub"))
    user = UserFactory()
    client.force_login(user)
    services.loan_create(title=pool.title, user=user)
    url = reverse("library:position_save", args=[book.pk])
    assert client.post(url, {"position": "epubcfi(/6/4!/4/2/1:0)"}).status_code == 200
    page = client.get(reverse("library:read", args=[book.pk]))
    assert page.context["position"] == "epubcfi(/6/4!/4/2/1:0)"
    assert "blob:" in page["Content-Security-Policy"]
    assert ReadingPosition.objects.get().position.startswith("epubcfi")
    assert pool.title.__class__.objects.get(pk=pool.title.pk).cover


def test_loans_end_after_the_period(client):
    pool = LicensePoolFactory(copies=1)
    user = UserFactory()
    loan = services.loan_create(title=pool.title, user=user)
    services.loans_expire(now=loan.due_at + timedelta(seconds=1))
    loan.refresh_from_db()
    assert loan.state == "expired"


def test_a_withdrawn_titles_file_is_not_found_by_its_id_except_by_staff(client, settings):
    """The file door takes the user: a member who borrowed a title that was then withdrawn
    finds its file nowhere (reader, signed link, OPDS); staff still find it."""
    from .test_opds_lending import basic

    pool = LicensePoolFactory(copies=1)
    book = book_file_store(actor=None, title=pool.title, upload=upload("minimal-document.pdf"))
    member = UserFactory()
    services.loan_create(title=pool.title, user=member)
    client.force_login(member)
    file_url = client.get(reverse("library:read", args=[book.pk])).context["file_url"]
    pool.title.withdrawn = True
    pool.title.save()
    assert client.get(reverse("library:read", args=[book.pk])).status_code == 404
    assert client.get(file_url).status_code == 404
    opds = reverse("opds_file", args=[book.pk])
    assert client.get(opds, HTTP_AUTHORIZATION=basic(member)).status_code == 404
    librarian = UserFactory(roles=["librarian"])
    client.force_login(librarian)
    staff = client.get(reverse("library:read", args=[book.pk]))
    assert staff.status_code == 302  # found; reading it still needs a loan
    assert staff["Location"] == pool.title.get_absolute_url()
