"""Pinned query counts of the library's list pages and feeds: they must not grow with rows."""

import pytest
from django.urls import reverse

from sinergi.library import services
from sinergi.library.files import book_file_store

from .factories import LicensePoolFactory, UserFactory
from .test_reader import upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def catalogue(n: int):
    for i in range(n):
        title = services.title_create(
            actor=None,
            data=services.TitleData(
                title=f"Kearsipan Digital {i}",
                contributors=[services.ContributorData(name=f"Penulis {i}")],
                subjects=["Kearsipan", f"Topik {i}"],
                language="ind",
                year=2020,
            ),
            copies=2,
        )
        book_file_store(actor=None, title=title, upload=upload("minimal-document.pdf"))


@pytest.mark.parametrize("n", [3, 12])
def test_catalogue_and_feeds(client, n, django_assert_max_num_queries):
    catalogue(n)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("library:catalogue") + "?q=kearsipan").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("opds_new")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc").status_code == 200


@pytest.mark.parametrize("n", [1, 3])
def test_my_loans(client, n, django_assert_max_num_queries):
    user = UserFactory()
    for _i in range(n):
        pool = LicensePoolFactory(copies=1)
        services.loan_create(title=pool.title, user=user)
        services.hold_create(title=LicensePoolFactory.create(copies=0).title, user=user)
    client.force_login(user)
    with django_assert_max_num_queries(12 + n):  # one queue position per hold
        assert client.get(reverse("library:my_loans")).status_code == 200
