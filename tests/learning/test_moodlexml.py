"""The Moodle XML reader and writer: every type, embedded images, skipped types, broken and
hostile files, and the round trip writer → reader."""

import base64
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from sinergi.learning.formats import QuestionFormatError
from sinergi.learning.formats.gift import parse_gift
from sinergi.learning.formats.moodlexml import export_moodle_xml, parse_moodle_xml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "questions"


@pytest.fixture(autouse=True)
def _english():
    """The assertions read the English messages (the Indonesian ones come with translations)."""
    with translation.override("en"):
        yield


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAFElEQVR4nGM8ISfHgA0wYRUdtBIA0MoBFD5jqJkAAAAASUVORK5CYII="
)


def parse(name: str):
    return parse_moodle_xml((FIXTURES / name).read_bytes())


def test_indonesian_bank_every_type():
    bank = parse("moodle_id_semua_jenis.xml")
    assert bank.by_type() == {
        "multichoice": 2,
        "truefalse": 1,
        "shortanswer": 1,
        "numerical": 1,
        "matching": 1,
        "essay": 1,
        "description": 1,
    }
    assert [(c.path, c.info) for c in bank.categories] == [
        ("Katalogisasi/MARC 21", "<p>Soal tentang format MARC 21.</p>"),
        ("Katalogisasi/RDA", "Resource Description and Access"),
    ]
    by_name = {q.name: q for q in bank.questions}
    tag = by_name["Tag 245"]
    assert tag.category == "Katalogisasi/MARC 21"
    assert tag.text_format == "html"
    assert '<img src="@@PLUGINFILE@@/cantuman.png"' in tag.text
    assert [(f.name, f.content_type, f.content) for f in tag.files] == [
        ("cantuman.png", "image/png", PNG)
    ]
    assert tag.default_mark == 2 and tag.penalty == Decimal("0.3333333")
    assert tag.answers[0].text == "<p>Judul &amp; pernyataan tanggung jawab</p>"
    assert tag.answers[1].feedback == "Edisi ada di tag 250."
    assert tag.general_feedback == "<p>Tag 245 = <em>Title Statement</em>.</p>"
    assert tag.options["correct_feedback"] == "Jawaban Anda benar."
    assert tag.options["idnumber"] == "KAT-245"
    multi = by_name["Elemen Dublin Core (jawaban ganda)"]
    assert (multi.single, multi.shuffle_answers, multi.text_format) == (False, False, "moodle")
    assert [a.fraction for a in multi.answers] == [Decimal("0.5"), Decimal("0.5"), -1]
    truefalse = by_name["RDA menggantikan AACR2"]
    assert truefalse.category == "Katalogisasi/RDA"
    assert [(a.text, a.fraction) for a in truefalse.answers] == [("true", 1), ("false", 0)]
    short = by_name["Singkatan RDA"]
    assert short.case_sensitive is True
    assert short.answers[1].text == "Resource Description*"
    numerical = by_name["Jumlah elemen Dublin Core"]
    assert [(a.text, a.tolerance, a.fraction) for a in numerical.answers] == [
        ("15", 0, 1),
        ("15", 1, Decimal("0.5")),
    ]
    assert numerical.options["units"] == [{"unit": "elemen", "multiplier": 1.0}]
    matching = by_name["Pasangan tag MARC"]
    assert [(a.text, a.match) for a in matching.answers] == [
        ("<p>020</p>", "ISBN"),
        ("<p>082</p>", "Nomor DDC"),
        ("<p>650</p>", "Subjek topikal"),
        ("", "Nomor ISSN"),
    ]
    essay = by_name["Rencana tindak lanjut"]
    assert essay.options["response_lines"] == 15
    assert essay.options["response_required"] is True
    assert "pelatihan staf" in essay.options["grader_info"]
    assert by_name["Petunjuk"].text_format == "markdown"
    assert [
        (s.question, "calculated" in s.reason or "ddwtos" in s.reason) for s in bank.skipped
    ] == [
        ("Denda keterlambatan", True),
        ("Seret kata", True),
    ]


def test_english_bank_nested_categories_and_skips():
    bank = parse("moodle_en_quiz.xml")
    assert bank.by_type() == {"multichoice": 1, "truefalse": 1, "numerical": 1}
    assert [c.path for c in bank.categories] == [
        "Default for Information Literacy/Week 1",
        "Default for Information Literacy/Week 1/Citations",
    ]
    boolean = bank.questions[0]
    assert boolean.answers[2].fraction == Decimal("0.3333333")
    assert bank.questions[2].answers[1].text == "*"
    assert [s.question for s in bank.skipped] == ["Cloze citation", "Random matching"]
    assert "multianswer" in bank.skipped[0].reason


@pytest.mark.parametrize(
    ("name", "words", "line"),
    [
        ("malformed_unclosed.xml", "not well-formed", 5),
        ("not_a_quiz.xml", "not a Moodle XML question file", 2),
        ("malformed_fraction.xml", "not a percentage", 11),
    ],
)
def test_broken_files_name_the_place(name, words, line):
    with pytest.raises(QuestionFormatError) as caught:
        parse(name)
    assert words in caught.value.message
    assert caught.value.line == line
    assert f"line {line}" in caught.value.message.lower()


def test_element_is_named():
    with pytest.raises(QuestionFormatError) as caught:
        parse("malformed_fraction.xml")
    assert caught.value.message.startswith("Element <answer> at line 11:")


@pytest.mark.parametrize("name", ["xxe.xml", "billion_laughs.xml"])
def test_dtd_and_entities_are_refused(name):
    with pytest.raises(QuestionFormatError) as caught:
        parse(name)
    assert "DTD" in caught.value.message


def test_bad_base64_is_an_error():
    content = (
        (FIXTURES / "moodle_id_semua_jenis.xml").read_bytes().replace(b"iVBORw0K", b"iV*BORw0K")
    )
    with pytest.raises(QuestionFormatError) as caught:
        parse_moodle_xml(content)
    assert caught.value.element == "file"
    assert "base64" in caught.value.message


@pytest.mark.parametrize("name", ["moodle_id_semua_jenis.xml", "moodle_en_quiz.xml"])
def test_round_trip_xml(name):
    bank = parse(name)
    again = parse_moodle_xml(export_moodle_xml(bank))
    assert again.questions == bank.questions
    assert again.categories == bank.categories


@pytest.mark.parametrize(
    "name",
    ["giftFormatPhpExamples.gift", "options1.gift", "numerical1.gift", "multiLineFeedback1.gift"],
)
def test_round_trip_from_gift(name):
    bank = parse_gift((FIXTURES / name).read_bytes())
    again = parse_moodle_xml(export_moodle_xml(bank))
    assert again.questions == bank.questions
    assert again.category_paths() == bank.category_paths()
