"""MARC round trip: every file of ../shared/testdata/marc (copied to tests/fixtures/marc) is
imported and exported again, and pymarc compares the records field by field. Outside judges:
yaz-marcdump reads both exports, the MARCXML export validates against MARC21slim.xsd.

Differences between what comes in and what goes out, each checked or explained here:

- The leader's record length (00-04) and base address (12-16) are computed again, and leader/09
  is 'a': every export is UTF-8, whatever the file was in (MARC-8, Windows-1251).
- bad_records.mrc's valid records have a leader with blank record type and bibliographic level
  (leader/06-07), which MARC21slim.xsd refuses; they go out as 'a' and 'm' (language material,
  monograph), what their fields describe.
- Each record gains one 856 of its own, the link to its page in Sinergi (ind2 '0' when the title
  can be read online, '2' when the page is about it). Nothing else is added.
- regression45.dat has eleven 752 fields with three indicator characters; MARC has two, pymarc
  reads two (the third, a stray backslash, is dropped on reading) and two go out.
- utf8_invalid.mrc has a subfield delimiter followed by U+FFFD; pymarc reads the code as the
  character after it and that is what goes out.
- bad_records.mrc: the six broken records are skipped on import (test_marc.py); its two valid
  records (the same book, with neither ISBN nor 001 to match them by) both go out.
- bad_tag.xml has no valid record; nothing is imported and nothing goes out.
"""

import io
import subprocess
import warnings
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from lxml import etree
from pymarc import MARCReader, Record, parse_xml_to_array

MARC = Path(__file__).parent.parent / "fixtures" / "marc"
SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "schemas" / "xsd"

pytestmark = pytest.mark.django_db

# How the test itself reads each file, independently of the importer: the encoding the bytes
# are really in (SOURCES.md), not what leader/09 claims.
FILE_ENCODING = {
    "utf8_without_leader_flag.dat": "force-utf8",
    "1251.dat": "cp1251",
}


def read_input(name: str) -> list[Record]:
    data = (MARC / name).read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name.endswith(".xml"):
            try:
                return [r for r in parse_xml_to_array(io.BytesIO(data), strict=False) if r]
            except Exception:  # bad_tag.xml: pymarc refuses its leader
                return []
        how = FILE_ENCODING.get(name)
        if how == "cp1251":
            return [
                Record(data=chunk + b"\x1d", file_encoding="cp1251")
                for chunk in data.split(b"\x1d")
                if chunk.strip()
            ]
        reader = MARCReader(io.BytesIO(data), permissive=True, force_utf8=how == "force-utf8")
        return [r for r in reader if r is not None]


def fields_of(record: Record) -> list[tuple]:
    out = []
    for f in record.fields:
        if f.is_control_field():
            out.append((f.tag, f.data))
        else:
            subfields = tuple((s.code, s.value) for s in f.subfields)
            out.append((f.tag, f.indicator1 + f.indicator2, subfields))
    return out


def own_link(field: tuple) -> bool:
    return field[0] == "856" and any(
        code == "u" and value.startswith(settings.SITE_URL) for code, value in field[2]
    )


def key_of(record: Record) -> tuple:
    f001, f245 = record.get("001"), record.get("245")
    return (f001.data if f001 else "", " ".join(f245.get_subfields("a")) if f245 else "")


def export(fmt: str) -> bytes:
    out = io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8")
    call_command("export_marc", "--format", fmt, stdout=stdout)
    stdout.flush()
    return out.getvalue()


def read_export(data: bytes, fmt: str) -> list[Record]:
    if fmt == "xml":
        return parse_xml_to_array(io.BytesIO(data), strict=True)
    return list(MARCReader(io.BytesIO(data), to_unicode=True))


ALL_FILES = sorted(p.name for p in MARC.iterdir() if p.suffix in (".dat", ".mrc", ".xml"))


def test_every_file_of_the_test_data_is_covered():
    assert len(ALL_FILES) == 11


@pytest.mark.parametrize("name", ALL_FILES)
def test_imported_records_go_out_with_every_field_they_came_with(name, tmp_path):
    call_command("import_marc", str(MARC / name), "--json", stdout=io.StringIO())
    expected = read_input(name)  # the export is in the order the titles were made
    if name == "bad_tag.xml":
        assert expected == []
    for fmt in ("iso2709", "xml"):
        data = export(fmt)
        records = read_export(data, fmt)
        assert len(records) == len(expected), fmt
        for record, source in zip(records, expected, strict=True):
            assert key_of(record) == key_of(source)
            out = fields_of(record)
            assert sum(own_link(f) for f in out) == 1
            assert [f for f in out if not own_link(f)] == fields_of(source), (fmt, key_of(record))
            leader = source.leader
            if name == "bad_records.mrc":
                assert leader[6:8] == "  " and record.leader[6:8] == "am"
                leader = leader[:6] + "am" + leader[8:]
            assert record.leader[5:9] + record.leader[10:12] == leader[5:9] + leader[10:12]
            assert record.leader[17:] == leader[17:]
            assert record.leader[9] == "a"
        path = tmp_path / f"export.{fmt}"
        path.write_bytes(data)
        yaz_reads(path, fmt, len(expected))
        if fmt == "xml":
            schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "MARC21slim.xsd")))
            assert schema.validate(etree.parse(str(path))), schema.error_log


def yaz_reads(path: Path, fmt: str, count: int) -> None:
    """yaz-marcdump (Index Data's YAZ) reads the export: exit 0, no complaint, every record."""
    result = subprocess.run(
        ["yaz-marcdump", "-i", "marcxml" if fmt == "xml" else "marc", "-o", "line", str(path)],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert b"Warning" not in result.stderr and b"Bad" not in result.stderr, result.stderr
    lines = result.stdout.decode("utf-8").splitlines()
    leaders = [line for line in lines if line[:5].isdigit() and len(line) == 24]
    assert len(leaders) == count
