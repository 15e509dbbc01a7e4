"""OPDS 1.2: every feed kind validates against the OPDS 1.2 RELAX NG grammar (jing and lxml)
and is read by feedparser (a real Atom/OPDS client library)."""

import base64
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from lxml import etree

from sinergi.accounts.services import api_token_create
from sinergi.library import services
from sinergi.library.files import book_file_store
from sinergi.library.models import Subject

from .factories import PASSWORD_FOR_TESTS, UserFactory
from .test_reader import upload

RNG = Path(__file__).parent.parent / "fixtures" / "schemas" / "opds" / "opds.rng"
ATOM = {"a": "http://www.w3.org/2005/Atom"}

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def grammar():
    return etree.RelaxNG(etree.parse(str(RNG)))


@pytest.fixture
def catalogue():
    licensed = services.title_create(
        actor=None,
        data=services.TitleData(
            title="Manajemen Koleksi Digital",
            contributors=[services.ContributorData(name="Ani Suryani")],
            subjects=["Perpustakaan digital"],
            description="Panduan mengelola koleksi digital.",
            language="ind",
            year=2021,
            isbn="978-0-306-40615-7",
        ),
        copies=2,
    )
    book_file_store(actor=None, title=licensed, upload=upload("alice.epub"))
    free = services.title_create(
        actor=None,
        data=services.TitleData(
            title="Open Access Reader", open_access=True, subjects=["Perpustakaan digital"]
        ),
    )
    book_file_store(actor=None, title=free, upload=upload("minimal-document.pdf"))
    return licensed, free


def fetch(client, judge, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    return judge.atom(response.content)


def test_every_feed_kind_validates_and_parses(client, grammar, judge, catalogue):
    licensed, _free = catalogue
    subject = Subject.objects.get(name="Perpustakaan digital")
    for url in (
        reverse("opds_root"),
        reverse("opds_new"),
        reverse("opds_popular"),
        reverse("opds_subjects"),
        reverse("opds_subject", args=[subject.pk]),
        reverse("opds_search") + "?q=koleksi",
    ):
        fetch(client, judge, url)
    doc, parsed = fetch(client, judge, reverse("opds_new"))
    entries = {e.title: e for e in parsed.entries}
    assert set(entries) == {"Manajemen Koleksi Digital", "Open Access Reader"}
    rels = {link.rel for link in entries["Manajemen Koleksi Digital"].links}
    assert "http://opds-spec.org/acquisition/borrow" in rels
    assert "http://opds-spec.org/image" in rels
    assert entries["Manajemen Koleksi Digital"].summary == "Panduan mengelola koleksi digital."
    assert entries["Manajemen Koleksi Digital"].author == "Ani Suryani"
    assert entries["Manajemen Koleksi Digital"].tags[0].term == "Perpustakaan digital"
    open_links = [
        link for link in entries["Open Access Reader"].links if link.rel.endswith("open-access")
    ]
    assert open_links and open_links[0].type == "application/pdf"
    assert client.get(open_links[0].href).status_code == 200
    availability = doc.xpath("//*[local-name()='availability' and @copies]")[0]
    assert (availability.get("copies"), availability.get("available")) == ("2", "2")
    # The search feed finds by words, and the single-entry document validates too.
    _doc, parsed = fetch(client, judge, reverse("opds_search") + "?q=koleksi")
    assert [e.title for e in parsed.entries] == ["Manajemen Koleksi Digital"]
    judge.atom(client.get(reverse("opds_entry", args=[licensed.pk])).content)


def test_the_grammar_can_fail(client, grammar, judge, catalogue, tmp_path):
    doc = etree.fromstring(client.get(reverse("opds_new")).content)
    entry = doc.find("a:entry", ATOM)
    entry.remove(entry.find("a:id", ATOM))
    assert not grammar.validate(doc)
    # jing, on the grammar as published, refuses it too.
    broken = tmp_path / "broken.xml"
    broken.write_bytes(etree.tostring(doc))
    result = subprocess.run(
        ["jing", "-c", str(RNG.parent / "opds.rnc"), str(broken)], capture_output=True, text=True
    )
    assert result.returncode != 0 and "id" in result.stdout


def test_opensearch_description(client):
    response = client.get(reverse("opds_opensearch"))
    doc = etree.fromstring(response.content)
    url = doc.find("{http://a9.com/-/spec/opensearch/1.1/}Url")
    assert "{searchTerms}" in url.get("template")


def test_loans_shelf_behind_http_basic(client, grammar, judge, catalogue):
    licensed, _free = catalogue
    user = UserFactory()
    services.loan_create(title=licensed, user=user)
    url = reverse("opds_loans")
    anonymous = client.get(url)
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Basic")
    wrong = base64.b64encode(f"{user.email}:nope".encode()).decode()
    assert client.get(url, HTTP_AUTHORIZATION=f"Basic {wrong}").status_code == 401
    good = base64.b64encode(f"{user.email}:{PASSWORD_FOR_TESTS}".encode()).decode()
    _doc, parsed = fetch(client, judge, url, HTTP_AUTHORIZATION=f"Basic {good}")
    assert [e.title for e in parsed.entries] == ["Manajemen Koleksi Digital"]
    _token, raw = api_token_create(user=user, name="reader app")
    token = base64.b64encode(f"{user.email}:{raw}".encode()).decode()
    _doc, parsed = fetch(client, judge, url, HTTP_AUTHORIZATION=f"Basic {token}")
    assert len(parsed.entries) == 1
    other = UserFactory()
    theirs = base64.b64encode(f"{other.email}:{PASSWORD_FOR_TESTS}".encode()).decode()
    _doc, parsed = fetch(client, judge, url, HTTP_AUTHORIZATION=f"Basic {theirs}")
    assert parsed.entries == []


def test_feed_pages_link_on_without_counting(client, judge):
    for n in range(30):
        services.title_create(actor=None, data=services.TitleData(title=f"Judul {n}"))
    _doc, first = fetch(client, judge, reverse("opds_new"))
    assert len(first.entries) == 25
    assert first.entries[0].title == "Judul 29"  # newest first
    next_link = next(link.href for link in first.feed.links if link.rel == "next")
    _doc, second = fetch(client, judge, next_link.replace("http://testserver", ""))
    assert len(second.entries) == 5
    assert not [link for link in second.feed.links if link.rel == "next"]
    assert client.get(reverse("opds_new") + "?page=3").status_code == 404
    assert client.get(reverse("opds_new") + "?page=x").status_code == 404
