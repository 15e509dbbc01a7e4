"""OAI-PMH guarantees: a harvest whose selection changes between pages still delivers every
record exactly once (this harvest or the next incremental one); every change to what a record
exports moves its datestamp; strict arguments that are never echoed when bad; the deploy check
of adminEmail. Every response is validated against OAI-PMH.xsd (with oai_dc and MARC21slim)."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone
from lxml import etree
from sickle import Sickle

from sinergi.library import oai, services
from sinergi.library.files import book_file_store
from sinergi.library.models import Title

from .test_oai import OAI_NS, error_code, get
from .test_reader import upload

pytestmark = pytest.mark.django_db
LONG_AGO = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _admin_email(settings):
    settings.SINERGI_OAI_ADMIN_EMAIL = "perpustakaan@upi.edu"


def catalogue(members: int, others: int) -> tuple[list[int], list[int]]:
    """Create `members` titles in ddc:300 and `others` in ddc:500, changed long ago."""
    rows = [
        Title(
            title=f"Judul {n}",
            ddc="300" if n < members else "500",
            updated_at=LONG_AGO + timedelta(seconds=n % 7, microseconds=n),
        )
        for n in range(members + others)
    ]
    made = Title.objects.bulk_create(rows)
    ids = [t.pk for t in made]
    return ids[:members], ids[members:]


def walk(client, schema, params: dict, between=None) -> tuple[list[int], str]:
    """Harvest ListIdentifiers to the end, calling `between(page)` after every page; return the
    title ids in the order sent and the first response's responseDate."""
    ids, first_date, token, page = [], None, None, 0
    while True:
        doc = get(
            client,
            schema,
            verb="ListIdentifiers",
            **({"resumptionToken": token} if token else params),
        )
        if error_code(doc) == "noRecordsMatch" and page == 0:
            return [], doc.findtext("o:responseDate", namespaces=OAI_NS)
        assert error_code(doc) is None, etree.tostring(doc)
        first_date = first_date or doc.findtext("o:responseDate", namespaces=OAI_NS)
        for header in doc.iterfind(".//o:header", OAI_NS):
            ids.append(int(header.findtext("o:identifier", namespaces=OAI_NS).rsplit("/", 1)[1]))
        page += 1
        token = doc.findtext(".//o:resumptionToken", namespaces=OAI_NS)
        if not token:
            return ids, first_date
        if between:
            between(page)


def test_records_moved_into_a_set_during_a_harvest_are_neither_lost_nor_repeated(
    client, schema, monkeypatch
):
    """The issue's case: 600 records moved into ddc:300 after page 1 of a set harvest."""
    monkeypatch.setattr(oai, "PAGE_SIZE", 50)
    members, others = catalogue(members=150, others=600)

    def move(page):
        if page == 1:
            # Moved into the set (a DDC edit moves the datestamp, as title_update does), and
            # two members edited: one already sent, one not yet.
            Title.objects.filter(pk__in=others).update(ddc="301", updated_at=timezone.now())
            Title.objects.filter(pk__in=[members[0], members[-1]]).update(updated_at=timezone.now())

    first, since = walk(client, schema, {"metadataPrefix": "oai_dc", "set": "ddc:300"}, move)
    assert len(first) == len(set(first)), "a record was sent twice in one harvest"
    # The next incremental harvest starts at the first responseDate of this one.
    second, _ = walk(client, schema, {"metadataPrefix": "oai_dc", "set": "ddc:300", "from": since})
    assert len(second) == len(set(second))
    everyone = set(members) | set(others)
    assert set(first) | set(second) == everyone, f"lost {len(everyone - set(first + second))}"
    # Exactly once: only the member edited after it was sent comes again (it changed).
    assert sorted(set(first) & set(second)) == [members[0]]
    assert members[-1] in second and members[-1] not in first


def test_records_changed_during_a_harvest_without_a_set(client, schema, monkeypatch):
    monkeypatch.setattr(oai, "PAGE_SIZE", 10)
    ids, _ = catalogue(members=45, others=0)
    touched = ids[5:40:3]

    def edit(page):
        if page == 2:
            Title.objects.filter(pk__in=touched).update(updated_at=timezone.now())

    first, since = walk(client, schema, {"metadataPrefix": "marc21"}, edit)
    second, _ = walk(client, schema, {"metadataPrefix": "marc21", "from": since})
    assert len(first) == len(set(first))
    assert set(first) | set(second) == set(ids)
    assert set(second) == set(touched)
    # Sent in order of datestamp, then id.
    stamps = dict(Title.objects.values_list("pk", "updated_at"))
    assert [(stamps[i], i) for i in second] == sorted((stamps[i], i) for i in second)


def test_last_page_when_everything_left_changed(client, schema, monkeypatch):
    """Every record after page 1 changes: the list still ends with a schema-valid page."""
    monkeypatch.setattr(oai, "PAGE_SIZE", 3)
    ids, _ = catalogue(members=6, others=0)

    def edit(page):
        Title.objects.filter(pk__in=ids[3:]).update(updated_at=timezone.now())

    first, since = walk(client, schema, {"metadataPrefix": "oai_dc"}, edit)
    second, _ = walk(client, schema, {"metadataPrefix": "oai_dc", "from": since})
    assert len(first) == len(set(first)) == 4
    assert set(first) | set(second) == set(ids)


@pytest.mark.django_db(transaction=True)
def test_sickle_harvest_with_changes_between_pages(live_server, monkeypatch, settings):
    settings.SINERGI_OAI_ADMIN_EMAIL = "perpustakaan@upi.edu"
    monkeypatch.setattr(oai, "PAGE_SIZE", 4)
    members, others = catalogue(members=10, others=12)
    sickle = Sickle(f"{live_server.url}/oai")
    headers = sickle.ListIdentifiers(metadataPrefix="oai_dc", set="ddc:300")
    since = headers.oai_response.xml.findtext(f"{{{OAI_NS['o']}}}responseDate")
    seen = [next(headers).identifier]
    Title.objects.filter(pk__in=others).update(ddc="350", updated_at=timezone.now())
    seen += [header.identifier for header in headers]
    later = [
        h.identifier
        for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="ddc:300", **{"from": since})
    ]
    assert len(seen) == len(set(seen)) == 10
    assert len(later) == len(set(later)) == 12
    assert {int(i.rsplit("/", 1)[1]) for i in seen + later} == set(members) | set(others)


# --- Datestamps ----------------------------------------------------------------------------------


def _stamp_moves(title, action) -> None:
    Title.objects.filter(pk=title.pk).update(updated_at=LONG_AGO)
    title.refresh_from_db()
    before = timezone.now()
    action(title)
    title.refresh_from_db()
    assert title.updated_at >= before


def test_every_change_to_what_a_record_exports_moves_its_datestamp(client, schema):
    title = services.title_create(actor=None, data=services.TitleData(title="Buku", ddc="020"))
    _stamp_moves(title, lambda t: book_file_store(actor=None, title=t, upload=upload("alice.epub")))
    assert title.cover  # the EPUB's cover came with it
    _stamp_moves(
        title,
        lambda t: book_file_store(actor=None, title=t, upload=upload("minimal-document.pdf")),
    )
    _stamp_moves(title, lambda t: services.pool_set(actor=None, title=t, copies=3))
    _stamp_moves(
        title,
        lambda t: services.title_update(
            actor=None, title=t, data=services.TitleData(title="Buku", ddc="340")
        ),
    )
    _stamp_moves(title, lambda t: services.title_withdraw(actor=None, title=t))
    # And a harvest from just before the last change sees it, as deleted.
    since = (timezone.now() - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = get(client, schema, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})
    header = doc.find(".//o:header", OAI_NS)
    assert header.get("status") == "deleted"
    assert header.findtext("o:setSpec", namespaces=OAI_NS) == "ddc:300"


# --- Strict arguments ----------------------------------------------------------------------------

LIST = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}


@pytest.mark.parametrize(
    "params",
    [
        {**LIST, "from": "2020-1-5"},
        {**LIST, "from": "2020-01-5"},
        {**LIST, "until": "2020-01-05T1:02:03Z"},
        {**LIST, "from": "2020-02-30"},
        {**LIST, "from": "2020-01-05T10:00:00"},
        {**LIST, "from": "2020-01-05T10:00:00+07:00"},
        {**LIST, "from": ""},
        {**LIST, "set": ""},
        {**LIST, "set": "ddc 300"},
        {**LIST, "set": "ddc:300<"},
        {"verb": "ListRecords", "metadataPrefix": ""},
        {"verb": "ListRecords", "metadataPrefix": "oai dc"},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": ""},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x:title/1 or 1"},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": 'oai:x:"><a/>'},
        {"verb": "ListMetadataFormats", "identifier": ""},
        {"verb": "ListIdentifiers", "resumptionToken": ""},
        {"verb": "ListIdentifiers", "resumptionToken": "abc\x01"},
        {"verb": "ListSets", "resumptionToken": ""},
        {**LIST, "from": "2020-01-05", "until": "2020-01-04"},
    ],
)
def test_bad_values_are_bad_arguments_and_never_echoed(client, schema, params):
    Title.objects.create(title="Satu", updated_at=LONG_AGO)
    doc = get(client, schema, **params)
    assert error_code(doc) == "badArgument"
    assert dict(doc.find("o:request", OAI_NS).attrib) == {}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"verb": ""}, "badVerb"),
        ({**LIST, "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
        ({**LIST, "set": "ddc:1000"}, "noRecordsMatch"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "x"}, "idDoesNotExist"),
        ({"verb": "ListIdentifiers", "resumptionToken": "bogus"}, "badResumptionToken"),
    ],
)
def test_other_errors_validate_and_echo_only_legal_values(client, schema, params, code):
    doc = get(client, schema, **params)
    assert error_code(doc) == code
    echoed = dict(doc.find("o:request", OAI_NS).attrib)
    assert echoed == ({} if code == "badVerb" else params)


def test_zero_padded_dates_are_accepted(client, schema):
    Title.objects.create(title="Satu", updated_at=LONG_AGO)
    for value in ("2024-03-01", "2024-03-01T08:00:00Z"):
        doc = get(client, schema, **LIST, **{"from": value, "until": value})
        assert error_code(doc) is None
        assert doc.find("o:request", OAI_NS).get("from") == value


# --- adminEmail at deployment --------------------------------------------------------------------


@pytest.mark.parametrize("email", ["perpustakaan@localhost", "", "not an address", "a@b"])
def test_check_deploy_refuses_an_invalid_admin_email(settings, email):
    settings.SINERGI_OAI_ADMIN_EMAIL = email
    with pytest.raises(SystemCheckError, match=r"library\.E001"):
        call_command("check", deploy=True, tags=["compatibility"])


def test_check_deploy_takes_a_good_admin_email(settings):
    settings.SINERGI_OAI_ADMIN_EMAIL = "perpustakaan@upi.edu"
    call_command("check", deploy=True, tags=["compatibility"])


def test_manage_py_check_deploy_exits_non_zero_on_the_default():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINERGI_")}
    env.update(DEBUG="true", DJANGO_SETTINGS_MODULE="sinergi.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "compatibility"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "library.E001" in result.stderr + result.stdout
