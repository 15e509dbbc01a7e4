"""MARC records made in Sinergi, edits applied to imported records, and encodings."""

import io
import json
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from pymarc import MARCReader

from sinergi.library import services
from sinergi.library.forms import TitleForm
from sinergi.library.marc import MarcFileError, marc_import, title_to_marc
from sinergi.library.models import Title

from .factories import UserFactory

MARC = Path(__file__).parent.parent / "fixtures" / "marc"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def run_import(name: str) -> dict:
    out = io.StringIO()
    call_command("import_marc", str(MARC / name), "--json", stdout=out)
    return json.loads(out.getvalue())


def made(**fields) -> Title:
    data = {
        "title": "The art of preservation",
        "contributors": [
            services.ContributorData("Suryani, A.", "aut"),
            services.ContributorData(
                "Perpustakaan Nasional Republik Indonesia", "aut", "organization"
            ),
            services.ContributorData("Charles, Ray", "prf"),
        ],
        "place": "Bandung",
        "publisher": "UPI Press",
        "year": 2024,
        "language": "eng",
        "open_access": True,
        "subjects": ["Preservation"],
    }
    data.update(fields)
    return services.title_create(actor=None, data=services.TitleData(**data))


@time_machine.travel("2026-03-01 06:00:00+07:00", tick=False)
def test_a_record_made_in_sinergi_has_a_proper_008_and_names():
    title = made()
    record = title_to_marc(Title.objects.get(pk=title.pk))
    f008 = record["008"].data
    assert len(f008) == 40
    assert f008[:6] == "260301"  # the day it was entered in WIB (in UTC still 28 February)
    assert f008[6:15] == "s2024    "
    assert f008[15:18] == "io "  # Bandung
    assert f008[18:22] == "||||"  # illustrations: not recorded, so not claimed
    assert f008[23] == "o"  # an online resource
    assert f008[35:38] == "eng"
    assert record.get("007").data.startswith("cr")
    assert list(record["245"].indicators) == ["1", "4"]  # "The " is skipped in filing
    assert record["100"]["a"] == "Suryani, A."  # the initial keeps its full stop
    assert record["100"].indicator1 == "1"
    assert record.get("110") is None  # one main entry; the corporate author is 710
    (corporate,) = record.get_fields("710")
    assert list(corporate.indicators) == ["2", " "] and corporate["4"] == "aut"
    (performer,) = record.get_fields("700")
    assert performer["4"] == "prf"
    (link,) = record.get_fields("856")
    assert list(link.indicators) == ["4", "0"] and link["u"].endswith(title.get_absolute_url())
    assert record["040"]["b"] == "ind"
    assert [f["a"] for f in record.get_fields("338")] == ["online resource"]


def test_a_record_that_is_not_online_says_so():
    title = made(open_access=False, place="London", title="Arsip dan memori", language="ind")
    record = title_to_marc(Title.objects.get(pk=title.pk))
    f008 = record["008"].data
    assert f008[23] == " " and f008[15:18] == "enk"
    assert record.get("007") is None
    assert record["245"].indicator2 == "0"
    assert list(record.get_fields("856")[0].indicators) == ["4", "2"]


def test_a_corporate_main_entry_is_110():
    title = made(
        contributors=[services.ContributorData("White House Web Team", "aut", "organization")]
    )
    record = title_to_marc(Title.objects.get(pk=title.pk))
    assert record["110"]["a"] == "White House Web Team"
    assert record["110"].indicator1 == "2"
    assert record.get_fields("100", "700") == []


def test_imported_names_keep_their_kind_role_and_initials():
    run_import("batch.xml")
    house = Title.objects.get(title="The White House")
    assert [(c.name, c.kind) for c in house.contributors.all()] == [
        ("White House Web Team", "organization")
    ]
    ray = Title.objects.get(title="The Great Ray Charles")
    assert ("Charles, Ray", "prf") in [(c.name, c.role) for c in ray.contributors.all()]
    run_import("test.dat")
    assert Title.objects.filter(contributors__name="Brown, Martin C.").exists()


def staff_client(client):
    client.force_login(UserFactory(roles=["librarian"]))
    return client


def test_editing_in_the_staff_form_keeps_001_003_and_the_untouched_fields(client):
    run_import("ils_plympton_01.mrc")
    title = Title.objects.order_by("id").first()
    before = title_to_marc(title)
    staff_client(client)
    initial = TitleForm.initial_for(title)
    form = {k: ("on" if v is True else v) for k, v in initial.items() if v not in (None, False)}
    unchanged = client.post(reverse("library:title_edit", args=[title.pk]), form)
    assert unchanged.status_code == 302
    title = Title.objects.get(pk=title.pk)
    assert (title.control_number, title.control_source) == (
        before["001"].data.strip(),
        before["003"].data.strip(),
    )
    assert title_to_marc(title).as_marc() == before.as_marc()  # a save without change

    form["title"] = "Little Women, again"
    client.post(reverse("library:title_edit", args=[title.pk]), form)
    after = title_to_marc(Title.objects.get(pk=title.pk))
    assert after["245"]["a"].startswith("Little Women, again")
    assert (
        after["245"]["a"][len("Little Women, again") :] == before["245"]["a"][len("Little Women") :]
    )  # the ISBD punctuation that was there
    changed = {"005", "245"}
    for tag in {f.tag for f in before.fields} - changed:
        assert [str(f) for f in after.get_fields(tag)] == [
            str(f) for f in before.get_fields(tag)
        ], tag
    assert before.get("005") is None  # this record came without one
    edited = Title.objects.get(pk=title.pk)
    assert after["005"].data == timezone.localtime(edited.updated_at).strftime("%Y%m%d%H%M%S.0")


def test_edits_to_names_and_subjects_touch_only_those_fields():
    run_import("batch.xml")
    ray = Title.objects.get(title="The Great Ray Charles")
    before = title_to_marc(ray)
    names = [services.ContributorData(c.name, c.role) for c in ray.contributors.all()]
    names.append(services.ContributorData("Quincy Jones Orchestra", "prf", "organization"))
    subjects = [*[s.name for s in ray.subjects.all()][1:], "Soul music"]
    services.title_update(
        actor=None,
        title=ray,
        data=services.TitleData(
            title=ray.title,
            contributors=names,
            subjects=subjects,
            year=ray.year,
            language=ray.language,
            publisher=ray.publisher,
            place=ray.place,
            isbn=ray.isbn,
            ddc=ray.ddc,
            description=ray.description,
            subtitle=ray.subtitle,
            edition=ray.edition,
        ),
    )
    after = title_to_marc(Title.objects.get(pk=ray.pk))
    old_names = [str(f) for f in before.get_fields("100", "700", "710")]
    new_names = [str(f) for f in after.get_fields("100", "700", "710")]
    assert new_names[: len(old_names)] == old_names
    assert after.get_fields("710")[-1]["a"] == "Quincy Jones Orchestra"
    assert after.get_fields("710")[-1]["4"] == "prf"
    assert after.get_fields("653")[-1]["a"] == "Soul music"
    assert len(after.get_fields("650")) == len(before.get_fields("650")) - 1
    untouched = {f.tag for f in before.fields} - {"005", "650", "653", "700", "710", "856"}
    for tag in untouched:
        assert [str(f) for f in after.get_fields(tag)] == [str(f) for f in before.get_fields(tag)]


def test_windows_1251_is_converted_with_a_warning_never_mojibake():
    result = run_import("1251.dat")
    assert result["imported"] == 6
    assert [w["record"] for w in result["warnings"]] == [1, 2, 3, 4, 5, 6]
    assert all("cp1251" in w["warning"] for w in result["warnings"])
    title = Title.objects.get(control_number="ru03-000001RKP")
    assert title.title.startswith("Основы гидравлического расчета")
    assert title.contributors.get().name == "Ильина, Татьяна Николаевна"
    exported = title_to_marc(title)
    assert exported["100"]["a"] == "Ильина, Татьяна Николаевна"
    assert title.marc_source.encoding == "cp1251"


def test_marc8_and_utf8_need_no_warning():
    for name in ("marc8.dat", "utf8_without_leader_flag.dat", "test.dat", "regression45.dat"):
        assert run_import(name)["warnings"] == [], name


@translation.override("en")
def test_an_encoding_that_cannot_be_recognised_is_refused():
    record = next(MARCReader((MARC / "test.dat").open("rb")))
    record["245"]["a"] = "Xx"
    data = bytearray(record.as_marc())
    position = data.index(b"Xx")
    data[position : position + 2] = b"\x81\x98"  # not MARC-8, not UTF-8, no code page's text
    with pytest.raises(MarcFileError, match="not recognised"):
        marc_import(data=bytes(data))
    report = marc_import(data=(MARC / "marc8.dat").read_bytes() + bytes(data))
    assert report.imported == 1
    assert report.skipped[0]["record"] == 2
    assert "not recognised" in report.skipped[0]["reason"]
    assert Title.objects.get().title == "Escape from loneliness"


@pytest.mark.parametrize("name", ["test.dat", "ils_plympton_01.mrc"])
def test_oai_marc21_reads_the_source_records_in_a_fixed_number_of_queries(
    client, name, django_assert_max_num_queries
):
    run_import(name)
    with django_assert_max_num_queries(9):
        response = client.get("/oai?verb=ListRecords&metadataPrefix=marc21")
    assert response.status_code == 200
    assert b'tag="856"' in response.content
