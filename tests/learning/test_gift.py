"""The GIFT reader on real files (Moodle's own examples) and on broken ones."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from sinergi.learning.formats import QuestionFormatError
from sinergi.learning.formats.gift import parse_gift

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "questions"


@pytest.fixture(autouse=True)
def _english():
    """The assertions read the English messages (the Indonesian ones come with translations)."""
    with translation.override("en"):
        yield


DEMO_BANK = Path(__file__).resolve().parents[2] / "sinergi" / "learning" / "data" / "demo_bank.gift"


def parse(name: str):
    return parse_gift((FIXTURES / name).read_bytes())


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "giftFormatPhpExamples.gift",
            {"multichoice": 4, "truefalse": 1, "shortanswer": 2, "numerical": 2, "matching": 1},
        ),
        ("options1.gift", {"multichoice": 8, "truefalse": 1, "shortanswer": 4, "numerical": 1}),
        ("numerical1.gift", {"numerical": 10}),
        ("multiLineFeedback1.gift", {"multichoice": 2}),
    ],
)
def test_counts_by_type_match_sources(name, expected):
    bank = parse(name)
    assert bank.by_type() == expected
    assert len(bank.questions) == sum(expected.values())
    assert bank.skipped == []


def test_format_php_examples_in_detail():
    questions = parse("giftFormatPhpExamples.gift").questions
    tomb = questions[1]
    assert tomb.qtype == "multichoice"
    assert tomb.text == "Grant is _____ in Grant's tomb."  # missing word
    assert [(a.text, a.fraction) for a in tomb.answers] == [
        ("buried", 0),
        ("entombed", 1),
        ("living", 0),
    ]
    assert questions[2].qtype == "truefalse"
    assert [(a.text, a.fraction) for a in questions[2].answers] == [("true", 0), ("false", 1)]
    born = questions[4]
    assert (born.qtype, born.answers[0].text, born.answers[0].tolerance) == ("numerical", "1822", 5)
    match = questions[5]
    assert [(a.text, a.match) for a in match.answers] == [
        ("Canada", "Ottawa"),
        ("Italy", "Rome"),
        ("Japan", "Tokyo"),
    ]
    named = questions[6]
    assert named.name == "Grant's Tomb"
    assert named.answers[1].feedback == "Right answer!"
    difficult = questions[7]
    assert difficult.answers[1].fraction == Decimal("0.5")
    assert difficult.answers[1].feedback == "comment on answer"
    hometown = questions[8]
    assert hometown.qtype == "shortanswer"
    assert hometown.text == "Jesus Christ was from _____."
    assert [a.fraction for a in hometown.answers] == [1, Decimal("0.75"), Decimal("0.25")]
    multi = questions[9]
    assert [(a.text, a.fraction, a.tolerance) for a in multi.answers] == [
        ("1822", 1, 0),
        ("1822", Decimal("0.5"), 2),
    ]
    assert multi.answers[1].feedback == (
        "He was born in 1822.\nYou get 50% credit for being close."
    )
    assert multi.line == 40


def test_options_escapes_weights_and_formats():
    questions = parse("options1.gift").questions
    assert questions[0].line == 6
    assert questions[5].text_format == "markdown"
    assert questions[5].text == "Who's buried in **Grant's tomb**?"
    assert questions[6].answers[0].feedback == "No one is buried in Grant's tomb."
    multiple = questions[10]
    assert multiple.single is False
    assert [a.fraction for a in multiple.answers] == [0, Decimal("0.5"), Decimal("0.5"), 0]
    negative = questions[11]
    assert [a.fraction for a in negative.answers] == [
        Decimal("-0.5"),
        Decimal("0.5"),
        Decimal("0.5"),
        Decimal("-0.5"),
    ]
    assert [a.text for a in questions[12].answers] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    control = questions[13]
    assert [a.text for a in control.answers] == ["~", "=", "#", "{", "}", "\\"]
    assert control.answers[5].fraction == 1
    assert control.answers[5].feedback.startswith("Correct! \\ (backslash) is not")


def test_numerical_ranges_and_html():
    questions = parse("numerical1.gift").questions
    assert [(q.answers[0].text, q.answers[0].tolerance) for q in questions[4:8]] == [
        ("3.1415", 0.0005),
        ("-3.1415", 0.0005),
        ("3", 2),
        ("0", 5),
    ]
    french = questions[9]
    assert french.text_format == "html"
    assert [(a.text, a.fraction) for a in french.answers] == [("5", 0), ("9", 1), ("23", 0)]
    assert 'href="http://fr.wikipedia.org/wiki/Design_Patterns"' in french.answers[2].feedback


def test_multiline_feedback_and_real_moodle_export():
    first, second = parse("multiLineFeedback1.gift").questions
    assert first.answers[1].feedback == "feedback comment on this wrong answer\non multiple lines"
    assert first.general_feedback == "Global feedback split\non multiple lines"
    assert second.name == "06- création d'instance"
    assert second.text_format == "html"
    assert "text-indent:\n-18.0pt" in second.text  # \n and \: unescaped
    assert "@@PLUGINFILE@@/3.png" in second.general_feedback
    assert [a.fraction for a in second.answers] == [0, 0, 0, 0, 1, 0]


def test_categories_essay_description():
    bank = parse_gift(
        b"$CATEGORY: $course$/top/Diklat/Pre-test\n\n"
        b"::Petunjuk::Kerjakan dengan jujur.\n\n"
        b"::Esai::Jelaskan fungsi OPAC.{}\n\n"
        b"$CATEGORY: $course$/Diklat/Post-test\n"
        b"::TF::OPAC adalah katalog daring.{TRUE}\n"
    )
    assert [c.path for c in bank.categories] == ["Diklat/Pre-test", "Diklat/Post-test"]
    assert [(q.qtype, q.category) for q in bank.questions] == [
        ("description", "Diklat/Pre-test"),
        ("essay", "Diklat/Pre-test"),
        ("truefalse", "Diklat/Post-test"),
    ]


def test_demo_bank_is_a_usable_posttest():
    bank = parse_gift(DEMO_BANK.read_bytes())
    post = [q for q in bank.questions if q.category.endswith("Post-test")]
    pre = [q for q in bank.questions if q.category.endswith("Pre-test")]
    assert len(post) >= 20 and len(pre) >= 10
    types = {q.qtype for q in post}
    assert types == {"multichoice", "truefalse", "shortanswer", "numerical", "matching", "essay"}
    assert sum(q.qtype == "essay" for q in post) == 1


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ((FIXTURES / "malformed.gift").read_bytes(), 5, "not closed"),
        (b"// c\n\nQ one {=a ~b}\n\nQ two {=a ~b\n", 5, "not closed"),
        (b"::Name without end\nText{T}", 1, "name"),
        (b"Q {~a ~b}", 1, "No answer gives credit"),
        (b"Q1 {T}\n\nQ2 {~a =b} and {=c}\n", 3, "one answer block"),
        (b"Q1 {T}\n\n\nQ2 has a } alone\n", 4, "without"),
        (b"Q {#abc}", 1, "not a number"),
        (b"Q {#5..1}", 1, "range"),
        (b"Q {=a -> b}", 1, "two pairs"),
        (b"Q {~%150%a =b}", 1, "100%"),
        (b"ok {T}\n\nbad \xff byte {T}", 3, "UTF-8"),
        (b"ok {T}\n\nnul \x00 {T}", 3, "control character"),
    ],
)
def test_errors_name_the_line(content, line, words):
    with pytest.raises(QuestionFormatError) as caught:
        parse_gift(content)
    assert caught.value.line == line
    assert f"Line {line}:" in caught.value.message
    assert words.lower() in caught.value.message.lower()


def test_idnumber_from_the_comment_lines():
    bank = parse_gift(
        b"// [id:KAT-01] [tag:marc]\n::Tag 245::Tag 245 berisi judul.{T}\n\n"
        b"// [id:A\\]B]\nTanpa nama {F}\n\n// no id here\nQ {T}\n"
    )
    assert [q.options.get("idnumber") for q in bank.questions] == ["KAT-01", "A]B", None]


def test_a_moodle_xml_file_chosen_as_gift_is_recognised_not_imported_as_one_question():
    xml = (
        b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\n<quiz><question type="truefalse">'
        b"<name><text>Q1</text></name><questiontext><text>MARC?</text></questiontext>"
        b"</question></quiz>"
    )
    for content in (xml, xml[3:], xml[xml.index(b"<quiz") :]):
        with translation.override("en"), pytest.raises(QuestionFormatError) as error:
            parse_gift(content)
        assert "Moodle XML" in error.value.message and error.value.line == 1
