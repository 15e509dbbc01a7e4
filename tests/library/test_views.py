"""The library pages: title page actions, my loans, staff records, files, licenses, e-resources."""

import pytest
from django.urls import reverse

from sinergi.core.models import AuditLog
from sinergi.library import services
from sinergi.library.models import EResource, Hold, Loan, Title

from .factories import LicensePoolFactory, TitleFactory, UserFactory
from .test_reader import upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_borrow_read_return_through_the_pages(client):
    pool = LicensePoolFactory(copies=1)
    user = UserFactory()
    client.force_login(user)
    page = client.get(pool.title.get_absolute_url())
    assert b"1 of 1" in page.content or b"1 dari 1" in page.content
    response = client.post(reverse("library:title_borrow", args=[pool.title.pk]))
    assert response.status_code == 302
    loan = Loan.objects.get(user=user)
    mine = client.get(reverse("library:my_loans"))
    assert pool.title.title.encode() in mine.content
    client.post(reverse("library:loan_return", args=[loan.pk]))
    loan.refresh_from_db()
    assert loan.state == "returned"


def test_queue_position_shown_and_someone_elses_loan_is_404(client):
    pool = LicensePoolFactory(copies=1)
    holder = UserFactory()
    loan = services.loan_create(title=pool.title, user=holder)
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("library:title_hold", args=[pool.title.pk]))
    assert Hold.objects.get(user=user).state == "waiting"
    page = client.get(pool.title.get_absolute_url())
    assert page.context["position"] == 1
    assert client.post(reverse("library:loan_return", args=[loan.pk])).status_code == 404


def test_anonymous_sees_the_catalogue_but_must_sign_in_to_borrow(client):
    pool = LicensePoolFactory(copies=1)
    assert client.get(reverse("library:catalogue")).status_code == 200
    assert client.get(pool.title.get_absolute_url()).status_code == 200
    response = client.post(reverse("library:title_borrow", args=[pool.title.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Loan.objects.exists()


def test_withdrawn_title_is_404_for_members(client):
    title = TitleFactory(withdrawn=True)
    client.force_login(UserFactory())
    assert client.get(title.get_absolute_url()).status_code == 404


def test_staff_create_edit_license_and_upload(client):
    member = UserFactory()
    client.force_login(member)
    assert client.get(reverse("library:title_new")).status_code == 403
    client.force_login(UserFactory(roles=["librarian"]))
    response = client.post(
        reverse("library:title_new"),
        {
            "title": "Preservasi Naskah Kuno",
            "authors": "Ani Suryani\nBudi Santoso | edt",
            "isbn": "0-306-40615-2",
            "language": "ind",
            "subjects": "Preservasi; Naskah kuno",
            "year": "2022",
        },
    )
    assert response.status_code == 302
    title = Title.objects.get()
    assert title.isbn == "9780306406157"
    assert [(c.name, c.role) for c in title.contributors.all()] == [
        ("Ani Suryani", "aut"),
        ("Budi Santoso", "edt"),
    ]
    bad = client.post(reverse("library:title_edit", args=[title.pk]), {"title": "X", "isbn": "1"})
    assert bad.status_code == 200 and bad.context["form"].errors["isbn"]
    client.post(reverse("library:title_pool", args=[title.pk]), {"copies": "3"})
    assert title.__class__.objects.get().pool.copies == 3
    response = client.post(
        reverse("library:title_upload", args=[title.pk]), {"file": upload("alice.epub")}
    )
    assert response.status_code == 302
    assert title.files.get().kind == "epub"
    refused = client.post(
        reverse("library:title_upload", args=[title.pk]),
        {"file": upload("ocf-mimetype-file-missing-error.epub")},
    )
    assert refused.status_code == 200 and refused.context["form"].errors["file"]
    assert AuditLog.objects.filter(verb="library.title.created").exists()


def test_eresources_browse_and_count_clicks(client):
    EResource.objects.create(name="Hidden", url="https://example.org/h", is_active=False)
    resource = EResource.objects.create(
        name="e-Resources Perpusnas",
        provider="Perpustakaan Nasional RI",
        access_route="perpusnas",
        url="https://e-resources.perpusnas.go.id/",
    )
    page = client.get(reverse("library:eresources"))
    assert b"e-Resources Perpusnas" in page.content and b"Hidden" not in page.content
    response = client.get(reverse("library:eresource_go", args=[resource.pk]))
    assert response.status_code == 302 and response["Location"] == resource.url
    resource.refresh_from_db()
    assert resource.clicks == 1
    client.force_login(UserFactory(roles=["librarian"]))
    response = client.post(
        reverse("library:eresource_new"),
        {"name": "DOAJ", "url": "https://doaj.org", "access_route": "open", "is_active": "on"},
    )
    assert response.status_code == 302
    assert EResource.objects.filter(name="DOAJ").exists()


def test_nav_has_the_library_group(client):
    page = client.get("/")
    assert reverse("library:catalogue").encode() in page.content
