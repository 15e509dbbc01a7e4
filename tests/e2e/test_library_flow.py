"""A member on a phone searches the e-book catalogue, borrows, reads a page, returns; then
queues for a title and gets it when it frees.

The PDF is drawn by the project (reportlab) and rendered by the vendored pdf.js in a real
Chromium; the EPUB (alice.epub) by the vendored epub.js. The reader page saves the position,
which the server keeps. Under the site's real Content-Security-Policy: any console error,
uncaught exception or CSP violation fails the test.
"""

from pathlib import Path

import pytest

from .conftest import CHROMIUM, eventually

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import expect

from sinergi.library import services
from sinergi.library.files import book_file_store
from sinergi.library.generated_books import pdf_bytes
from sinergi.library.models import Hold, Loan, ReadingPosition

from ..factories import UserFactory
from .test_signup_flow import assert_fits_phone
from .test_training_flow import log_in

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ebooks"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def licensed(title: str, *, copies: int, upload) -> object:
    record = services.title_create(
        actor=None,
        data=services.TitleData(
            title=title,
            contributors=[services.ContributorData(name="Ida Fajar Priyanto")],
            subjects=["Literasi informasi"],
            language="ind",
            year=2024,
        ),
        copies=copies,
    )
    book_file_store(actor=None, title=record, upload=upload)
    return record


def test_search_borrow_read_return_on_a_phone(
    live_server, reference_data, e2e_settings, new_page, problems, screenshot
):
    member = UserFactory(roles=["participant"], email="rina@example.org")
    chapters = [("Bab 1: Literasi", "Halaman pertama. " * 30), ("Bab 2: Praktik", "Kedua. " * 30)]
    title = licensed(
        "Literasi Informasi untuk Mahasiswa",
        copies=2,
        upload=SimpleUploadedFile(
            "b.pdf", pdf_bytes(title="Literasi Informasi", author="Ida", chapters=chapters)
        ),
    )

    page = new_page("phone")
    log_in(page, live_server, member.email)
    page.goto(live_server.url + reverse("library:catalogue"))
    page.fill("input[name=q]", "literasi mahasiswa")
    page.locator("form.sn-library-search button[type=submit]").click()
    page.locator(f'.sn-titles a[href="{title.get_absolute_url()}"]').click()
    expect(page.locator(".sn-availability")).to_contain_text("2")
    assert_fits_phone(page)
    page.locator(".sn-lending form[action$='/borrow/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert Loan.objects.filter(user=member, state="active").count() == 1
    screenshot(page, "library-title-phone")

    # Read: pdf.js renders page 1 of 3 onto the canvas, then the next page; the page is saved.
    page.locator(".sn-lending a[href*='/read/']").first.click()
    expect(page.locator("[data-reader=where]")).to_have_text("1 / 3")
    painted = page.evaluate(
        "() => { const c = document.querySelector('canvas');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " for (let i = 0; i < d.length; i += 4) if (d[i] < 200) return true; return false; }"
    )
    assert painted, "pdf.js drew nothing"
    page.locator("[data-reader=next]").click()
    expect(page.locator("[data-reader=where]")).to_have_text("2 / 3")
    assert_fits_phone(page)
    screenshot(page, "library-reader-phone")
    page.wait_for_function("() => document.getElementById('sn-reader').dataset.page === '2'")
    eventually(
        lambda: ReadingPosition.objects.filter(user=member, position="2").exists(),
        what="the reading position saved as page 2",
    )

    # Return it from "my loans"; the file link now refuses.
    file_url = page.locator("#sn-reader").get_attribute("data-src")
    page.goto(live_server.url + reverse("library:my_loans"))
    page.locator(".sn-loans form button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    response = page.request.get(live_server.url + file_url)
    assert response.status == 403
    assert not problems, problems


def test_read_an_epub_on_a_phone(
    live_server, reference_data, e2e_settings, new_page, problems, screenshot
):
    member = UserFactory(roles=["participant"], email="budi@example.org")
    title = licensed(
        "Alice's Adventures in Wonderland",
        copies=1,
        upload=SimpleUploadedFile("alice.epub", (FIXTURES / "alice.epub").read_bytes()),
    )
    services.loan_create(title=title, user=member)
    book = title.files.get()
    page = new_page("phone")
    log_in(page, live_server, member.email)
    page.goto(live_server.url + reverse("library:read", args=[book.pk]))
    frame = page.frame_locator(".sn-reader-epub iframe")
    expect(frame.locator("body")).not_to_be_empty(timeout=15_000)
    page.locator("[data-reader=next]").click()
    page.wait_for_function(
        "() => (document.getElementById('sn-reader').dataset.page || '').startsWith('epubcfi')"
    )
    eventually(
        lambda: ReadingPosition.objects.filter(
            user=member, position__startswith="epubcfi"
        ).exists(),
        what="the EPUB reading position saved",
    )
    assert_fits_phone(page)
    screenshot(page, "library-epub-phone")
    assert not problems, problems


def test_queue_and_get_the_title_when_it_frees(
    live_server, reference_data, e2e_settings, mailoutbox, new_page, problems
):
    reader = UserFactory(roles=["participant"], email="dewi@example.org")
    member = UserFactory(roles=["participant"], email="agus@example.org")
    title = licensed(
        "Manajemen Perpustakaan Digital",
        copies=1,
        upload=SimpleUploadedFile(
            "b.pdf", pdf_bytes(title="Manajemen", author="A", chapters=[("Bab 1", "Isi.")])
        ),
    )
    loan = services.loan_create(title=title, user=reader)

    page = new_page("phone")
    log_in(page, live_server, member.email)
    page.goto(live_server.url + title.get_absolute_url())
    page.locator(".sn-lending form[action$='/hold/'] button").click()
    expect(page.locator(".sn-queue-position")).to_contain_text("1")
    assert Hold.objects.get(user=member).state == "waiting"

    services.loan_return(loan=loan, actor=reader)  # the other reader returns it
    assert [m.to for m in mailoutbox] == [[member.email]]
    page.reload()
    page.locator(".sn-lending form[action$='/borrow/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert Loan.objects.get(user=member).state == "active"
    assert Hold.objects.get(user=member).state == "fulfilled"
    assert_fits_phone(page)
    assert not problems, problems
