"""Full-text search (FTS5 on SQLite, tsvector on PostgreSQL) with facets, through one selector."""

import importlib

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


def ids(titles) -> list[int]:
    return [t.pk for t in titles]


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
    services.pool_set(actor=None, title=make("Literasi Digital", open_access=True), copies=1)
    services.pool_set(actor=None, title=make("Literasi Media"), copies=1)
    facets = search("literasi").facets
    assert dict(facets["availability"]) == {"open": 2, "licensed": 2, "available": 1}


def test_the_plain_backend_searches_and_filters_too(catalogue, settings):
    a, b, _c = catalogue
    settings.SINERGI_LIBRARY_SEARCH = "like"
    result = search("literasi")
    assert set(ids(result.titles)) == {a.pk, b.pk}
    assert (result.total, result.total_capped, result.facets_capped) == (2, False, False)
    assert ids(search("literasi", language="eng").titles) == [b.pk]


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


# --- Ranking, capped facets and counts, filters inside the index ---------------------------------


def test_a_word_in_the_title_ranks_above_the_same_word_in_the_description():
    # The older record (which wins ties) has the word only in its description, twice.
    described = make("Panduan Layanan", description="Sejarah arsip sejarah kota.", language="ind")
    titled = make("Sejarah Kota Bandung", description="Panduan layanan.", language="ind")
    assert ids(search("sejarah").titles) == [titled.pk, described.pk]


def test_every_word_in_the_title_comes_before_some_of_them():
    partly = make("Arsip Sekolah", subjects=["Sejarah"])
    wholly = make("Sejarah Arsip Sekolah")
    # Scored alone (bm25, ts_rank), the words side by side in the text would win over the
    # title's words far apart.
    close = make("Sejarah Kota", description="Sejarah arsip, sejarah arsip, sejarah arsip.")
    far = make("Sejarah Kota", subtitle="catatan kota " * 30 + "arsip")
    assert ids(search("sejarah arsip").titles) == [wholly.pk, far.pk, close.pk, partly.pk]


def test_a_title_word_weighs_more_when_not_every_word_is_in_the_title():
    body_only = make("Panduan", description="Sejarah arsip, sejarah arsip.")
    one_in_title = make("Sejarah Kota", description="Dari arsip.")
    assert ids(search("sejarah arsip").titles) == [one_in_title.pk, body_only.pk]


def test_slices_of_the_ranking_join_up_across_title_and_other_matches(monkeypatch):
    monkeypatch.setattr(selectors, "FACET_WINDOW", 2)
    in_title = [make(f"Kearsipan Digital {n}") for n in range(3)]
    elsewhere = [make(f"Buku {n}", subjects=["Kearsipan"]) for n in range(4)]
    result = search("kearsipan")
    whole = ids(result.titles)
    assert set(whole[:3]) == {t.pk for t in in_title}
    assert set(whole[3:]) == {t.pk for t in elsewhere}
    for start in range(len(whole)):
        assert ids(result.titles[start : start + 2]) == whole[start : start + 2]
    assert ids(result.titles[5:50]) == whole[5:]
    assert result.titles[3].pk == whole[3]


def test_facets_count_the_best_matches_only_and_say_so(client, monkeypatch, settings):
    monkeypatch.setattr(selectors, "FACET_WINDOW", 2)
    for n in range(3):
        make(f"Literasi Media {n}", language="ind" if n else "eng", year=2000 + n)
    result = search("literasi")
    assert result.facets_capped
    assert sum(n for _lang, n in result.facets["language"]) == 2
    assert result.total == 3 and not result.total_capped
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/library/?q=literasi").content.decode()
    assert "Counted in the best 2 matches." in page
    assert "3 titles" in page
    browse = client.get("/library/").content.decode()
    assert "Counted in the 2 most recently changed titles." in browse
    monkeypatch.setattr(selectors, "FACET_WINDOW", 3)
    assert not search("literasi").facets_capped
    assert "Counted in" not in client.get("/library/?q=literasi").content.decode()


def test_counts_stop_at_the_cap_and_say_so(client, monkeypatch, settings):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    monkeypatch.setattr(selectors, "FACET_WINDOW", 1)
    for n in range(3):
        make(f"Literasi Media {n}")
    result = search("literasi")
    assert (result.total, result.total_capped) == (2, True)
    assert len(ids(result.titles)) == 3  # the titles themselves are all there
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "2+ titles" in client.get("/library/?q=literasi").content.decode()
    assert "2+ titles" in client.get("/library/").content.decode()
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    assert (search("literasi").total, search("literasi").total_capped) == (3, False)


@pytest.fixture
def shelf():
    """Twelve records with one word, spread over every facet, best match not always first."""
    titles = []
    for n in range(12):
        titles.append(
            make(
                f"Kearsipan {n}" if n % 3 else f"Buku {n}",
                description="" if n % 3 else "kearsipan",
                subjects=["Arsip" if n % 2 else "Sejarah"],
                language="eng" if n % 4 == 0 else "ind",
                year=2000 + n % 3,
                open_access=n % 5 == 0,
                copies=None if n % 5 == 0 or n % 7 == 0 else 1,
            )
        )
    book_file_store(actor=None, title=titles[4], upload=upload("minimal-document.pdf"))
    services.loan_create(title=titles[2], user=UserFactory())
    return titles


@pytest.mark.parametrize("window", [1, 3, 1000])
@pytest.mark.parametrize(
    "filters",
    [
        {"language": "eng"},
        {"language": "ind"},
        {"year": "2001"},
        {"subject": "Arsip"},
        {"subject": "Tidak ada"},
        {"format": "pdf"},
        {"availability": "open"},
        {"availability": "licensed"},
        {"availability": "available"},
        {"language": "ind", "year": "2002", "availability": "licensed"},
    ],
)
def test_filters_give_exactly_the_matching_records_in_rank_order(
    shelf, monkeypatch, filters, window
):
    # A small window makes the checked-first filters fall back to the index query.
    monkeypatch.setattr(selectors, "FACET_WINDOW", window)
    everything = ids(search("kearsipan").titles)
    assert set(everything) == {t.pk for t in shelf}
    wanted = set(
        selectors._filtered(selectors.Title.objects.filter(pk__in=everything), filters).values_list(
            "pk", flat=True
        )
    )
    result = search("kearsipan", **filters)
    assert ids(result.titles) == [pk for pk in everything if pk in wanted]
    assert result.total == len(wanted)


def test_withdrawn_records_are_found_by_staff_only(catalogue):
    a, _b, _c = catalogue
    services.title_withdraw(actor=None, title=a)
    assert a.pk not in ids(search("literasi").titles)
    staff = UserFactory(roles=["librarian"])
    found = selectors.catalogue_search(user=staff, text="literasi")
    assert a.pk in ids(found.titles)


@pytest.mark.parametrize("window", [1, 1000])
def test_a_new_pool_and_a_new_file_reach_the_filters(catalogue, monkeypatch, window):
    monkeypatch.setattr(selectors, "FACET_WINDOW", window)  # 1: inside the index
    _a, b, _c = catalogue
    d = make("Literasi Digital")
    assert d.pk not in ids(search("literasi", availability="licensed").titles)
    services.pool_set(actor=None, title=d, copies=1)
    assert d.pk in ids(search("literasi", availability="licensed").titles)
    book_file_store(actor=None, title=d, upload=upload("minimal-document.pdf"))
    assert set(ids(search("literasi", format="pdf").titles)) == {b.pk, d.pk}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
def test_the_migration_builds_the_same_index_as_the_services(catalogue):
    a, _b, _c = catalogue
    services.title_withdraw(actor=None, title=a)
    make("Naskah Sunda", subtitle="Kajian Filologi", language="sun", year=1999)
    migration = importlib.import_module("sinergi.library.migrations.0003_search_columns")

    def index():
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid, title, body, tags FROM library_title_fts ORDER BY rowid")
            return [(r, t, b, sorted(tags.lower().split())) for r, t, b, tags in cursor.fetchall()]

    by_services = index()
    assert any("xwithdrawn" in tags and "xpool" in tags for *_r, tags in by_services)
    assert any("xformat706466" in tags for *_r, tags in by_services)  # "pdf"
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM library_title_fts")
        cursor.execute(migration.FTS5_FILL)
    assert index() == by_services


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the narrow table is PostgreSQL's")
def test_the_migration_fills_the_same_search_rows_as_the_services(catalogue):
    a, _b, _c = catalogue
    services.title_withdraw(actor=None, title=a)
    make("Naskah Sunda", subtitle="Kajian Filologi", language="sun", year=1999)
    make("Tanpa Tahun", language="")
    migration = importlib.import_module("sinergi.library.migrations.0004_title_search")

    def rows():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT title_id, words::text, language, year, withdrawn, open_access, licensed "
                "FROM library_title_search ORDER BY title_id"
            )
            return cursor.fetchall()

    by_services = rows()
    assert len(by_services) == selectors.Title.objects.count()
    assert any(withdrawn and licensed for *_r, withdrawn, _o, licensed in by_services)
    assert any(open_access for *_r, open_access, _l in by_services)
    assert any("'filologi'" in words for _t, words, *_r in by_services)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # CREATE INDEX wants no checks pending
        cursor.execute("DROP INDEX library_title_search_words")
        cursor.execute("DELETE FROM library_title_search")
    with connection.schema_editor() as editor:
        migration.forwards(None, editor)
    assert rows() == by_services
