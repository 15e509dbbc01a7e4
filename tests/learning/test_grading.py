"""Grading of every question type, without the database (questions as plain objects)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sinergi.learning.grading import (
    ResponseError,
    correct_response,
    grade,
    parse_number,
    response_clean,
    shortanswer_matches,
)

from .quiz_data import english_messages

_english = english_messages  # autouse: messages are matched in English


def question(qtype, *, single=True, case_sensitive=False):
    return SimpleNamespace(qtype=qtype, single=single, case_sensitive=case_sensitive)


def answer(id, text="", fraction=0, *, tolerance=None, match=""):
    return SimpleNamespace(
        id=id, text=text, fraction=Decimal(str(fraction)), tolerance=tolerance, match=match
    )


def fraction_of(q, answers, raw):
    return grade(q, answers, response_clean(q, answers, raw)).fraction


# --- multichoice and true/false -----------------------------------------------------------------

SINGLE = [answer(1, "MARC 21", 1), answer(2, "Dublin Core", "0.5"), answer(3, "EPUB", "-0.5")]
MULTI = [
    answer(1, "a", "0.5"),
    answer(2, "b", "0.5"),
    answer(3, "c", "-1"),
    answer(4, "d", "-0.3333333"),
]


def test_single_choice_takes_the_answers_fraction():
    q = question("multichoice")
    assert fraction_of(q, SINGLE, {"choices": [1]}) == 1
    assert fraction_of(q, SINGLE, {"choices": [2]}) == Decimal("0.5")


def test_single_choice_negative_fraction_is_never_below_zero():
    assert fraction_of(question("multichoice"), SINGLE, {"choices": [3]}) == 0


def test_single_choice_refuses_two_answers():
    with pytest.raises(ResponseError, match="one answer"):
        response_clean(question("multichoice"), SINGLE, {"choices": [1, 2]})


def test_multiple_choice_partial_credit_and_penalties():
    q = question("multichoice", single=False)
    assert fraction_of(q, MULTI, {"choices": [1, 2]}) == 1
    assert fraction_of(q, MULTI, {"choices": [1]}) == Decimal("0.5")
    assert fraction_of(q, MULTI, {"choices": [1, 4]}) == Decimal("0.1666667")
    # A wrong answer can take the question to 0, never below.
    assert fraction_of(q, MULTI, {"choices": [1, 3]}) == 0
    assert fraction_of(q, MULTI, {"choices": [3, 4]}) == 0


def test_choices_given_twice_count_once_and_strings_of_digits_are_ids():
    q = question("multichoice", single=False)
    assert response_clean(q, MULTI, {"choices": ["1", 1, " 2 "]}) == {"choices": [1, 2]}


@pytest.mark.parametrize(
    "raw",
    [
        {"choices": [99]},
        {"choices": "1"},
        {"choices": [True]},
        {"choices": [1.0]},
        {"choices": [None]},
        {"choice": [1]},
        ["choices"],
        "1",
        {"choices": [1], "extra": 2},
    ],
)
def test_malformed_choice_responses_are_refused(raw):
    with pytest.raises(ResponseError):
        response_clean(question("multichoice", single=False), MULTI, raw)


@given(st.lists(st.sampled_from([1, 2, 3, 4]), unique=True))
def test_multiple_choice_fraction_is_always_between_0_and_1(choices):
    fraction = fraction_of(question("multichoice", single=False), MULTI, {"choices": choices})
    assert 0 <= fraction <= 1


def test_truefalse():
    answers = [answer(10, "true", 1), answer(11, "false", 0)]
    q = question("truefalse")
    assert fraction_of(q, answers, {"choices": [10]}) == 1
    assert fraction_of(q, answers, {"choices": [11]}) == 0
    with pytest.raises(ResponseError):
        response_clean(q, answers, {"choices": [10, 11]})


def test_no_answer_is_none_and_earns_nothing():
    q = question("multichoice")
    assert response_clean(q, SINGLE, {"choices": []}) is None
    assert response_clean(q, SINGLE, None) is None
    assert grade(q, SINGLE, None).fraction == 0


# --- short answer -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text", "case_sensitive", "expected"),
    [
        ("Perpusnas", "perpusnas", False, True),
        ("Perpusnas", "perpusnas", True, False),
        ("Perpusnas", "  Perpusnas ", True, True),
        ("Perpus*", "Perpustakaan Nasional", False, True),
        ("*nasional", "Perpustakaan Nasional", False, True),
        ("p*s", "Perpusnas", False, True),
        ("p*s", "Perpusnasional", False, False),
        ("*", "anything at all", False, True),
        ("a\\*b", "a*b", False, True),
        ("a\\*b", "axxb", False, False),
        ("1.5", "105", False, False),  # a dot is a dot, not a regex
        ("(a)", "(a)", False, True),
        ("DDC", "DDC 23", False, False),  # the whole answer, not a part of it
    ],
)
def test_shortanswer_patterns_follow_moodle(pattern, text, case_sensitive, expected):
    assert shortanswer_matches(pattern, text, case_sensitive=case_sensitive) is expected


def test_shortanswer_first_matching_answer_in_order_wins():
    answers = [answer(1, "Dewey Decimal Classification", 1), answer(2, "Dewey*", "0.5")]
    q = question("shortanswer")
    assert fraction_of(q, answers, {"text": "dewey decimal classification"}) == 1
    assert fraction_of(q, answers, {"text": "Dewey"}) == Decimal("0.5")
    assert fraction_of(q, answers, {"text": "UDC"}) == 0
    # As in Moodle, order matters: a broad pattern first shadows a better answer after it.
    shadowed = [answer(1, "Dewey*", "0.5"), answer(2, "Dewey Decimal Classification", 1)]
    assert fraction_of(q, shadowed, {"text": "Dewey Decimal Classification"}) == Decimal("0.5")


def test_shortanswer_whitespace_only_is_no_answer_and_long_text_is_refused():
    q = question("shortanswer")
    assert response_clean(q, [], {"text": "   "}) is None
    with pytest.raises(ResponseError, match="too long"):
        response_clean(q, [], {"text": "x" * 1001})
    with pytest.raises(ResponseError):
        response_clean(q, [], {"text": 12})


@given(st.text(max_size=40))
def test_shortanswer_never_fails_on_any_text(text):
    answers = [answer(1, "a*b", 1), answer(2, "[x]", "0.5")]
    cleaned = response_clean(question("shortanswer"), answers, {"text": text.replace("\x00", "")})
    fraction = grade(question("shortanswer"), answers, cleaned).fraction
    assert fraction in (0, Decimal("0.5"), 1)


# --- numerical --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [("3.5", "3.5"), ("3,5", "3.5"), (" -2 ", "-2"), ("1e3", "1000"), ("1 000", "1000")],
)
def test_numbers_as_people_type_them(typed, value):
    assert parse_number(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["abc", "1,2,3", "NaN", "inf", "1.2.3", "--1"])
def test_not_a_number_is_refused_with_a_clear_message(typed):
    with pytest.raises(ResponseError, match="Enter a number"):
        response_clean(question("numerical"), [], {"value": typed})


def test_numerical_tolerance_and_partial_credit():
    answers = [answer(1, "1945", 1, tolerance=0), answer(2, "1945", "0.5", tolerance=5)]
    q = question("numerical")
    assert fraction_of(q, answers, {"value": "1945"}) == 1
    assert fraction_of(q, answers, {"value": "1950"}) == Decimal("0.5")
    assert fraction_of(q, answers, {"value": "1951"}) == 0


def test_numerical_tolerance_edges_are_exact_in_decimal():
    # 0.1 + 0.2 is 0.30000000000000004 in binary floating point; here it is within 0.1 of 0.2.
    answers = [answer(1, "0.2", 1, tolerance=0.1)]
    assert fraction_of(question("numerical"), answers, {"value": "0.3"}) == 1
    assert fraction_of(question("numerical"), answers, {"value": "0,1"}) == 1
    assert fraction_of(question("numerical"), answers, {"value": "0.30001"}) == 0


def test_numerical_ranges_and_any_number():
    q = question("numerical")
    assert fraction_of(q, [answer(1, "1..5", 1)], {"value": "5"}) == 1
    assert fraction_of(q, [answer(1, "5..1", 1)], {"value": "1"}) == 1
    assert fraction_of(q, [answer(1, "1..5", 1)], {"value": "5.01"}) == 0
    assert fraction_of(q, [answer(1, "42", 1), answer(2, "*", "0.1")], {"value": "7"}) == Decimal(
        "0.1"
    )


@given(st.decimals(min_value=-(10**6), max_value=10**6, places=3))
def test_numerical_any_value_grades_to_a_valid_fraction(value):
    answers = [answer(1, "100", 1, tolerance=1), answer(2, "100", "0.5", tolerance=10)]
    fraction = fraction_of(question("numerical"), answers, {"value": str(value)})
    expected = 1 if abs(value - 100) <= 1 else Decimal("0.5") if abs(value - 100) <= 10 else 0
    assert fraction == expected


# --- matching ---------------------------------------------------------------------------------

MATCHING = [
    answer(1, "MARC 21", match="Bibliographic records"),
    answer(2, "OAI-PMH", match="Harvesting metadata"),
    answer(3, "OPDS", match="E-book catalogues"),
    answer(4, "Z39.50", match="Harvesting metadata"),
    answer(5, "", match="Printing labels"),  # a distractor: a choice without a stem
]


def test_matching_each_pair_an_equal_share():
    q = question("matching")
    assert fraction_of(q, MATCHING, {"pairs": {"1": 1, "2": 2, "3": 3, "4": 2}}) == 1
    # The choice "Harvesting metadata" is named by either answer that has it.
    assert fraction_of(q, MATCHING, {"pairs": {"1": 1, "2": 4, "3": 3, "4": 4}}) == 1
    assert fraction_of(q, MATCHING, {"pairs": {"1": 1, "2": 5}}) == Decimal("0.25")
    assert fraction_of(q, MATCHING, {"pairs": {"1": 2, "2": 1, "3": 5, "4": 1}}) == 0


def test_matching_unanswered_pairs_are_skipped_and_bad_ids_refused():
    q = question("matching")
    assert response_clean(q, MATCHING, {"pairs": {"1": "", "2": None}}) is None
    with pytest.raises(ResponseError):
        response_clean(q, MATCHING, {"pairs": {"5": 1}})  # 5 is not a stem
    with pytest.raises(ResponseError):
        response_clean(q, MATCHING, {"pairs": {"1": 99}})
    with pytest.raises(ResponseError):
        response_clean(q, MATCHING, {"pairs": [1, 2]})


@given(st.dictionaries(st.sampled_from(["1", "2", "3", "4"]), st.sampled_from([1, 2, 3, 4, 5])))
def test_matching_fraction_is_right_pairs_over_stems(pairs):
    fraction = fraction_of(question("matching"), MATCHING, {"pairs": pairs})
    right = sum(
        1
        for stem, choice in pairs.items()
        if MATCHING[int(stem) - 1].match == MATCHING[choice - 1].match
    )
    assert fraction == Decimal(right) / 4


# --- essay and description --------------------------------------------------------------------


def test_essay_waits_for_a_grader_unless_blank():
    q = question("essay")
    result = grade(q, [], response_clean(q, [], {"text": "Rencana tindak lanjut saya ..."}))
    assert result.needs_grading and result.fraction is None and result.points(Decimal(5)) is None
    assert grade(q, [], response_clean(q, [], {"text": " "})).fraction == 0


def test_description_cannot_be_answered_and_earns_nothing():
    q = question("description")
    with pytest.raises(ResponseError, match="nothing to answer"):
        response_clean(q, [], {"text": "x"})
    assert grade(q, [], None).fraction == 0


def test_points_are_rounded_to_hundredths():
    q = question("multichoice", single=False)
    assert grade(q, MULTI, {"choices": [1, 4]}).points(Decimal(1)) == Decimal("0.17")


@pytest.mark.parametrize(
    ("q", "answers"),
    [
        (question("multichoice"), SINGLE),
        (question("multichoice", single=False), MULTI),
        (question("shortanswer"), [answer(1, "Perpusnas", 1), answer(2, "Perpus*", "0.5")]),
        (question("shortanswer"), [answer(1, "2 \\* 3", 1)]),
        (question("numerical"), [answer(1, "3.14", 1, tolerance=0.01)]),
        (question("numerical"), [answer(1, "1..5", 1)]),
        (question("matching"), MATCHING),
    ],
)
def test_the_correct_response_earns_full_marks(q, answers):
    assert fraction_of(q, answers, correct_response(q, answers)) == 1
