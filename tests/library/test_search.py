"""Full-text search (FTS5 on SQLite, tsvector on PostgreSQL) with facets, through one selector."""

import pytest
from django.db import connection

from sinergi.library import selectors, services
from sinergi.library.files import book_file_store

from .factories import UserFactory
from .test_reader import upload

pytestmark = pytest.mark.django_db


def make(title, **fields):
    copies = fields.pop("copies", None)
    return services.title_create(
        actor=None, data=services.TitleData(title=title, **fields), copies=copies
    )


@pytest.fixture
def catalogue():
    a = make(
        "Literasi Informasi di Perguruan Tinggi",
        contributors=[services.ContributorData(name="Ida Fajar Priyanto")],
        subjects=["Literasi informasi"],
        language="ind",
        year=2020,
        isbn="0-306-40615-2",
        copies=1,
    )
    b = make(
        "Information Literacy in Practice",
        subjects=["Literasi informasi", "Information literacy"],
        language="eng",
        year=2018,
        description="Teaching information skills in universities.",
        open_access=True,
    )
    c = make("Kimia Organik", subjects=["Kimia"], language="ind", year=2020, copies=2)
    book_file_store(actor=None, title=b, upload=upload("minimal-document.pdf"))
    return a, b, c


def search(text="", **filters):
    return selectors.catalogue_search(user=UserFactory(), text=text, filters=filters)


def test_the_backend_follows_the_database():
    expected = "postgres" if connection.vendor == "postgresql" else "fts5"
    assert selectors.search_backend() == expected


def test_words_in_title_contributors_subjects_isbn_and_description(catalogue):
    a, b, c = catalogue
    assert {t.pk for t in search("literasi").titles} == {a.pk, b.pk}
    assert [t.pk for t in search("Priyanto").titles] == [a.pk]
    assert [t.pk for t in search("9780306406157").titles] == [a.pk]
    assert [t.pk for t in search("universities").titles] == [b.pk]
    assert [t.pk for t in search("kimia organik").titles] == [c.pk]
    assert list(search("zzzz").titles) == []


def test_facets_and_filters(catalogue):
    a, b, c = catalogue
    result = search("")
    assert result.total == 3
    assert dict(result.facets["language"]) == {"ind": 2, "eng": 1}
    assert dict(result.facets["subject"])["Literasi informasi"] == 2
    assert dict(result.facets["format"]) == {"pdf": 1}
    assert dict(result.facets["availability"]) == {"open": 1, "licensed": 2, "available": 2}
    assert [t.pk for t in search("", language="eng").titles] == [b.pk]
    assert {t.pk for t in search("", year="2020").titles} == {a.pk, c.pk}
    assert [t.pk for t in search("", format="pdf").titles] == [b.pk]
    assert [t.pk for t in search("literasi", availability="open").titles] == [b.pk]
    services.loan_create(title=a, user=UserFactory())
    assert [t.pk for t in search("", availability="available").titles] == [c.pk]


def test_edits_reach_the_index(catalogue):
    a, _b, _c = catalogue
    services.title_update(
        actor=None, title=a, data=services.TitleData(title="Perilaku Pencarian Informasi")
    )
    assert [t.pk for t in search("pencarian").titles] == [a.pk]
    assert a.pk not in {t.pk for t in search("perguruan").titles}


def test_odd_input_never_breaks_the_query(catalogue):
    for text in ['"', "AND OR NOT", "*", "(", "literasi)", "NEAR(", "a'b", "%_"]:
        list(search(text).titles)


def test_catalogue_page_query_count_is_pinned(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        response = client.get("/library/?q=literasi")
    assert response.status_code == 200
    assert b"Literasi Informasi di Perguruan Tinggi" in response.content
