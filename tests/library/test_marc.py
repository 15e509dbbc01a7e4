"""MARC 21 import and export on the real files from ../shared/testdata/marc (see SOURCES.md)."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from sinergi.library.isbn import isbn_to_13
from sinergi.library.marc import MarcFileError, marc_import, title_to_marcxml_element
from sinergi.library.models import Title

MARC = Path(__file__).parent.parent / "fixtures" / "marc"
SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "schemas" / "xsd"

pytestmark = pytest.mark.django_db


def run_import(name: str) -> dict:
    out = io.StringIO()
    call_command("import_marc", str(MARC / name), "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("test.dat", 10),
        ("marc8.dat", 1),
        ("utf8_with_leader_flag.dat", 1),
        ("utf8_without_leader_flag.dat", 1),
        ("regression45.dat", 12),
        ("1251.dat", 6),
        ("utf8_invalid.mrc", 1),
        ("ils_plympton_01.mrc", 36),
        ("batch.xml", 2),
    ],
)
def test_every_valid_record_of_each_file_is_imported(name, count):
    result = run_import(name)
    assert result["imported"] + result["updated"] == count
    assert result["skipped"] == []


def test_all_binary_files_hold_seventy_valid_records():
    total = 0
    for name in sorted(MARC.glob("*.dat")) + sorted(MARC.glob("*.mrc")):
        result = json.loads(_json(name))
        total += result["imported"] + result["updated"]
    assert total == 70


def _json(path: Path) -> str:
    out = io.StringIO()
    call_command("import_marc", str(path), "--json", stdout=out)
    return out.getvalue()


def test_broken_records_are_skipped_with_position_and_reason():
    result = run_import("bad_records.mrc")
    assert result["imported"] + result["updated"] == 2
    assert [s["record"] for s in result["skipped"]] == [2, 3, 4, 5, 6, 7]
    assert all(s["reason"] for s in result["skipped"])
    title = Title.objects.first()
    assert (title.title, title.subtitle) == (
        "The pragmatic programmer",
        "from journeyman to master",
    )


def test_schema_invalid_marcxml_record_is_skipped():
    result = run_import("bad_tag.xml")
    assert result["imported"] == 0
    assert result["skipped"][0]["record"] == 1
    assert "Leader" in result["skipped"][0]["reason"]


def test_marc8_and_mislabelled_utf8_decode_to_the_same_text():
    run_import("marc8.dat")
    marc8 = Title.objects.get()
    marc8_names = [c.name for c in marc8.contributors.all()]
    Title.objects.all().delete()
    run_import("utf8_without_leader_flag.dat")
    utf8 = Title.objects.get()
    assert marc8.title == utf8.title == "Escape from loneliness"
    assert marc8_names == [c.name for c in utf8.contributors.all()] == ["Tournier, Paul"]
    assert marc8.search_text == utf8.search_text


def test_reimport_updates_instead_of_duplicating():
    first = run_import("test.dat")
    assert first["imported"] == 10
    again = run_import("test.dat")
    assert again == {"imported": 0, "updated": 10, "skipped": [], "warnings": []}
    assert Title.objects.count() == 10


def test_mapping_of_a_record():
    run_import("test.dat")
    title = Title.objects.get(title__startswith="ActivePerl with ASP and ADO")
    assert title.isbn == isbn_to_13("0471383147")
    assert title.year == 2000
    assert title.contributors.first().name.startswith("Martin")
    assert title.subjects.exists()


def test_a_file_that_is_not_marc_imports_nothing(tmp_path):
    for content in (b"just some text\nnothing here\n", b"<html><body>hi</body></html>", b""):
        path = tmp_path / "not.mrc"
        path.write_bytes(content)
        with pytest.raises(CommandError):
            call_command("import_marc", str(path), "--json", stdout=io.StringIO())
    assert Title.objects.count() == 0


def test_round_trip_marcxml_and_iso2709(tmp_path):
    run_import("ils_plympton_01.mrc")
    before = {
        t.isbn or t.control_number: (t.title, t.year, sorted(s.name for s in t.subjects.all()))
        for t in Title.objects.prefetch_related("subjects")
    }
    for fmt in ("xml", "iso2709"):
        out = io.BytesIO()
        stdout = io.TextIOWrapper(out, encoding="utf-8")
        call_command("export_marc", "--format", fmt, stdout=stdout)
        stdout.flush()
        path = tmp_path / f"export.{fmt}"
        path.write_bytes(out.getvalue())
        result = json.loads(_json(path))
        assert result == {"imported": 0, "updated": 36, "skipped": [], "warnings": []}, fmt
        after = {
            t.isbn or t.control_number: (t.title, t.year, sorted(s.name for s in t.subjects.all()))
            for t in Title.objects.prefetch_related("subjects")
        }
        assert after == before


def test_exported_marcxml_validates_against_marc21slim():
    run_import("test.dat")
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "MARC21slim.xsd")))
    for title in Title.objects.all():
        element = title_to_marcxml_element(title)
        assert schema.validate(element), schema.error_log


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0-306-40615-2", "9780306406157"),
        ("978-0-306-40615-7", "9780306406157"),
        ("080442957X", "9780804429573"),
    ],
)
def test_isbn_validation(raw, expected):
    assert isbn_to_13(raw) == expected


@pytest.mark.parametrize("raw", ["0-306-40615-3", "9780306406158", "abc", "12345"])
def test_invalid_isbn_is_refused(raw):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        isbn_to_13(raw)


GOOD = (MARC / "test.dat").read_bytes()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(GOOD) - 1), st.binary(min_size=1, max_size=4)
        ),
        min_size=1,
        max_size=6,
    )
)
def test_damaged_marc_never_crashes_nor_half_imports(damage):
    data = bytearray(GOOD)
    for position, replacement in damage:
        data[position : position + len(replacement)] = replacement
    before = Title.objects.count()
    try:
        report = marc_import(data=bytes(data))
    except MarcFileError:
        assert Title.objects.count() == before
        return
    assert report.imported + report.updated + len(report.skipped) >= 1
    for skipped in report.skipped:
        assert skipped["record"] >= 1 and skipped["reason"]


MARCXML_WITH_ENTITY = (
    '<?xml version="1.0"?>\n{doctype}'
    '<collection xmlns="http://www.loc.gov/MARC21/slim"><record>'
    "<leader>00000nam a2200000 a 4500</leader>"
    '<datafield tag="245" ind1="0" ind2="0"><subfield code="a">Kamus &amp; &foo; sejarah'
    "</subfield></datafield></record></collection>"
)


@pytest.mark.parametrize(
    "doctype",
    [
        "",
        '<!DOCTYPE collection [<!ENTITY foo "bar">]>\n',
        '<!DOCTYPE collection SYSTEM "marc.dtd">\n',
    ],
)
def test_marcxml_with_an_entity_ends_in_a_clear_error_not_a_traceback(tmp_path, doctype):
    """An undeclared (or declared, never resolved) entity used to crash in the re-parse of
    each record: lxml.etree.XMLSyntaxError out of the command."""
    path = tmp_path / "entity.xml"
    path.write_text(MARCXML_WITH_ENTITY.format(doctype=doctype))
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("import_marc", str(path), "--json", stdout=io.StringIO())
    message = str(error.value)
    assert "foo" in message and "line" in message
    assert Title.objects.count() == 0
