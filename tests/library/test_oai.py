"""OAI-PMH 2.0: every verb and error, validated against OAI-PMH.xsd + oai_dc.xsd + MARC21slim.xsd,
and harvested by a real client (sickle)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from lxml import etree
from sickle import Sickle

from sinergi.library import oai, services
from sinergi.library.models import Title

OAI_NS = {"o": "http://www.openarchives.org/OAI/2.0/"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _admin_email(settings):
    # OAI-PMH demands a deliverable-looking address; the development default is @localhost.
    settings.SINERGI_OAI_ADMIN_EMAIL = "perpustakaan@upi.edu"


def make(n: int, **fields) -> Title:
    return services.title_create(
        actor=None,
        data=services.TitleData(
            title=f"Pengantar Ilmu Perpustakaan {n}",
            contributors=[services.ContributorData(name="Sulistyo-Basuki")],
            subjects=["Ilmu perpustakaan"],
            ddc=fields.pop("ddc", "020"),
            year=2019,
            language="ind",
            **fields,
        ),
    )


def get(client, schema, **params):
    response = client.get("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    doc = etree.fromstring(response.content)
    assert schema.validate(doc), schema.error_log
    return doc


def error_code(doc) -> str | None:
    node = doc.find("o:error", OAI_NS)
    return node.get("code") if node is not None else None


def test_identify_formats_sets(client, schema):
    make(1)
    doc = get(client, schema, verb="Identify")
    assert doc.findtext(".//o:deletedRecord", namespaces=OAI_NS) == "persistent"
    assert doc.findtext(".//o:granularity", namespaces=OAI_NS) == "YYYY-MM-DDThh:mm:ssZ"
    doc = get(client, schema, verb="ListMetadataFormats")
    prefixes = doc.xpath("//o:metadataPrefix/text()", namespaces=OAI_NS)
    assert prefixes == ["oai_dc", "marc21"]
    doc = get(client, schema, verb="ListSets")
    assert len(doc.xpath("//o:setSpec", namespaces=OAI_NS)) == 10


def test_records_in_both_formats_and_get_record(client, schema):
    title = make(1, isbn="0-306-40615-2", description="Buku dasar.")
    for prefix in ("oai_dc", "marc21"):
        doc = get(client, schema, verb="ListRecords", metadataPrefix=prefix)
        assert len(doc.xpath("//o:record", namespaces=OAI_NS)) == 1
        doc = get(
            client,
            schema,
            verb="GetRecord",
            metadataPrefix=prefix,
            identifier=oai._identifier(title.pk),
        )
        assert error_code(doc) is None
    doc = get(client, schema, verb="ListIdentifiers", metadataPrefix="oai_dc", set="ddc:000")
    assert doc.xpath("//o:setSpec/text()", namespaces=OAI_NS) == ["ddc:000"]


def test_resumption_tokens(client, schema, monkeypatch):
    monkeypatch.setattr(oai, "PAGE_SIZE", 3)
    for n in range(7):
        make(n)
    seen, token, cursors = [], None, []
    while True:
        params = {"resumptionToken": token} if token else {"metadataPrefix": "oai_dc"}
        doc = get(client, schema, verb="ListIdentifiers", **params)
        seen += doc.xpath("//o:header/o:identifier/text()", namespaces=OAI_NS)
        node = doc.find(".//o:resumptionToken", OAI_NS)
        assert node.get("completeListSize") == "7"
        cursors.append(node.get("cursor"))
        token = node.text
        if not token:
            break
    assert len(seen) == len(set(seen)) == 7
    assert cursors == ["0", "3", "6"]
    doc = get(client, schema, verb="ListIdentifiers", resumptionToken="bogus")
    assert error_code(doc) == "badResumptionToken"


def test_from_until_second_granularity_and_edits(client, schema):
    old = make(1)
    Title.objects.filter(pk=old.pk).update(updated_at=datetime(2024, 1, 1, 8, 0, 0, tzinfo=UTC))
    new = make(2)
    since = (timezone.now() - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = get(client, schema, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})
    ids = doc.xpath("//o:identifier/text()", namespaces=OAI_NS)
    assert ids == [oai._identifier(new.pk)]
    doc = get(
        client,
        schema,
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        **{"from": "2024-01-01T08:00:00Z", "until": "2024-01-01T08:00:00Z"},
    )
    assert doc.xpath("//o:identifier/text()", namespaces=OAI_NS) == [oai._identifier(old.pk)]
    # An edit moves the datestamp, so an incremental harvest sees it.
    services.title_update(actor=None, title=old, data=services.TitleData(title="Judul baru"))
    doc = get(client, schema, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})
    assert len(doc.xpath("//o:identifier", namespaces=OAI_NS)) == 2


def test_withdrawn_records_are_deleted(client, schema):
    title = make(1)
    services.title_withdraw(actor=None, title=title)
    doc = get(client, schema, verb="ListRecords", metadataPrefix="marc21")
    header = doc.find(".//o:header", OAI_NS)
    assert header.get("status") == "deleted"
    assert doc.find(".//o:metadata", OAI_NS) is None


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Dance"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2024-01-01",
                "until": "2024-01-02T00:00:00Z",
            },
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "x"}, "idDoesNotExist"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2099-01-01"},
            "noRecordsMatch",
        ),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "oai:x:title/999"}, "idDoesNotExist"),
        ({"verb": "ListSets", "resumptionToken": "abc"}, "badResumptionToken"),
    ],
)
def test_protocol_errors(client, schema, params, code):
    make(1)
    response = client.get("/oai", params)
    doc = etree.fromstring(response.content)
    assert schema.validate(doc), schema.error_log
    assert error_code(doc) == code


def test_repeated_argument_is_bad(client, schema):
    response = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=marc21")
    assert error_code(etree.fromstring(response.content)) == "badArgument"


@pytest.mark.django_db(transaction=True)
def test_sickle_harvests_everything(live_server, monkeypatch):
    monkeypatch.setattr(oai, "PAGE_SIZE", 4)
    for n in range(10):
        make(n)
    sickle = Sickle(f"{live_server.url}/oai")
    assert sickle.Identify().repositoryName
    records = list(sickle.ListRecords(metadataPrefix="oai_dc"))
    assert len(records) == 10
    assert records[0].metadata["creator"] == ["Sulistyo-Basuki"]
    marc = list(sickle.ListRecords(metadataPrefix="marc21"))
    assert len(marc) == 10
