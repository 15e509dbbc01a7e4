"""Grade a participant's response to one question, and check that a response is well formed.

A response is stored as JSON on `AttemptQuestion.response`; its shape depends on the type:

=============  ==============================================  ==================================
type           response                                        grade
=============  ==============================================  ==================================
multichoice    ``{"choices": [answer_id, ...]}``               one answer: that answer's fraction;
                                                               several: the sum of the chosen
                                                               fractions, kept within 0 and 1
truefalse      ``{"choices": [answer_id]}``                    the chosen answer's fraction
shortanswer    ``{"text": "..."}``                             the first answer (in order) whose
                                                               pattern matches, as Moodle does
numerical      ``{"value": "3,5"}``                            the first answer (in order) within
                                                               its tolerance or range
matching       ``{"pairs": {"stem_id": choice_id, ...}}``      each stem an equal share
essay          ``{"text": "..."}``                             graded by hand
description    (none)                                          no points
=============  ==============================================  ==================================

Ids are `Answer` primary keys. In a matching question every answer with a text is a stem; its
`match` is the right choice; answers without a text only add wrong choices (Moodle's
distractors). A choice is named by the id of an answer whose `match` is that choice's text, so
two stems with the same right choice share one choice.

Shortanswer patterns follow Moodle: leading and trailing spaces are ignored, `*` stands for any
run of characters (`\\*` is a literal star), and case is ignored unless the question is case
sensitive. Numerical answers accept a decimal comma ("3,5") as Indonesian keyboards type it;
an answer's `tolerance` is absolute (answer ± tolerance), an answer text "a..b" is a range, and
"*" accepts any number. A question's fraction is never below 0 nor above 1.

An empty response (or none) earns 0. `response_clean` turns raw input into the stored shape or
raises `ResponseError` with a message for the participant; nothing here touches the database:
the caller passes the question's answers.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

ZERO = Decimal(0)
ONE = Decimal(1)
MAX_TEXT = 20_000
MAX_SHORT_TEXT = 1_000
CHOICE_TYPES = ("multichoice", "truefalse")
GRADED_BY_HAND = ("essay",)
UNGRADED = ("description",)


class ResponseError(ValueError):
    """The response cannot be stored as it is; `message` says why, for the participant."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Grade:
    """The fraction of the question's points earned (0..1), or None when a person must grade."""

    fraction: Decimal | None

    @property
    def needs_grading(self) -> bool:
        return self.fraction is None

    def points(self, max_points: Decimal) -> Decimal | None:
        if self.fraction is None:
            return None
        return (self.fraction * Decimal(max_points)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _clamp(value: Decimal) -> Decimal:
    return min(max(value, ZERO), ONE)


def _ids(value, allowed: Iterable[int]) -> list[int]:
    if not isinstance(value, list):
        raise ResponseError(_("Choose from the answers given."))
    allowed = set(allowed)
    ids: list[int] = []
    for raw in value:
        if isinstance(raw, bool):
            raise ResponseError(_("Choose from the answers given."))
        if isinstance(raw, str) and raw.strip().isdigit():
            raw = int(raw.strip())
        if not isinstance(raw, int) or raw not in allowed:
            raise ResponseError(_("Choose from the answers given."))
        if raw not in ids:
            ids.append(raw)
    return ids


def _text(value, limit: int) -> str:
    if not isinstance(value, str):
        raise ResponseError(_("The answer must be text."))
    if len(value) > limit:
        raise ResponseError(_("The answer is too long."))
    if "\x00" in value:
        raise ResponseError(_("The answer contains characters that are not allowed."))
    return value


def parse_number(text: str) -> Decimal:
    """Read a number as a person types it: "3.5", "3,5", "-2", "1e3", " 7 "."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not cleaned or len(cleaned) > 50:
        raise ResponseError(_("Enter a number, for example 12 or 3,5."))
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ResponseError(_("Enter a number, for example 12 or 3,5.")) from None
    if not number.is_finite():
        raise ResponseError(_("Enter a number, for example 12 or 3,5."))
    return number


def _expect_keys(raw, keys: set[str]) -> dict:
    if not isinstance(raw, dict) or set(raw) - keys:
        raise ResponseError(_("The answer was not understood; reload the page and try again."))
    return raw


def response_clean(question, answers: Sequence, raw) -> dict | None:
    """Return `raw` in the stored shape for `question` (None for no answer), or raise
    ResponseError. `answers` are the question's Answer rows (or objects with the same fields)."""
    if raw is None or raw == {}:
        return None
    qtype = question.qtype
    if qtype in CHOICE_TYPES:
        choices = _ids(_expect_keys(raw, {"choices"}).get("choices", []), (a.id for a in answers))
        if (qtype == "truefalse" or question.single) and len(choices) > 1:
            raise ResponseError(_("Choose one answer only."))
        return {"choices": choices} if choices else None
    if qtype in ("shortanswer", "essay"):
        limit = MAX_SHORT_TEXT if qtype == "shortanswer" else MAX_TEXT
        text = _text(_expect_keys(raw, {"text"}).get("text", ""), limit)
        return {"text": text} if text.strip() else None
    if qtype == "numerical":
        value = _text(_expect_keys(raw, {"value"}).get("value", ""), 50)
        if not value.strip():
            return None
        parse_number(value)
        return {"value": value.strip()}
    if qtype == "matching":
        pairs = _expect_keys(raw, {"pairs"}).get("pairs", {})
        if not isinstance(pairs, dict):
            raise ResponseError(_("Choose from the answers given."))
        stems = {a.id for a in answers if a.text.strip()}
        choices = {a.id for a in answers if a.match.strip()}
        cleaned = {}
        for stem, choice in pairs.items():
            stem_id = _ids([stem], stems)[0]
            if choice in (None, ""):
                continue
            cleaned[str(stem_id)] = _ids([choice], choices)[0]
        return {"pairs": cleaned} if cleaned else None
    if qtype == "description":
        raise ResponseError(_("This is not a question; there is nothing to answer."))
    raise ResponseError(_("This question type cannot be answered here."))


def shortanswer_matches(pattern: str, text: str, *, case_sensitive: bool) -> bool:
    """Return whether `text` matches a Moodle shortanswer `pattern` (`*` wildcard)."""
    pattern = unicodedata.normalize("NFC", pattern.strip())
    text = unicodedata.normalize("NFC", text.strip())
    parts = re.split(r"(?<!\\)\*", pattern)
    regex = ".*".join(re.escape(part.replace("\\*", "*")) for part in parts)
    flags = re.DOTALL | (0 if case_sensitive else re.IGNORECASE)
    return re.fullmatch(regex, text, flags) is not None


def numerical_matches(answer, value: Decimal) -> bool:
    """Return whether `value` is within `answer`'s tolerance (or range, or "*" for any)."""
    text = answer.text.strip()
    if text == "*":
        return True
    if ".." in text:
        low, _sep, high = text.partition("..")
        try:
            low, high = sorted((parse_number(low), parse_number(high)))
        except ResponseError:
            return False
        return low <= value <= high
    try:
        target = parse_number(text)
    except ResponseError:
        return False
    tolerance = abs(Decimal(str(answer.tolerance or 0)))
    return abs(value - target) <= tolerance


def grade(question, answers: Sequence, response: dict | None) -> Grade:
    """Return the fraction `response` earns on `question` (see the module's table)."""
    qtype = question.qtype
    if qtype in GRADED_BY_HAND:
        return Grade(None if response else ZERO)
    if qtype in UNGRADED or not response:
        return Grade(ZERO)
    if qtype in CHOICE_TYPES:
        fractions = {a.id: Decimal(a.fraction) for a in answers}
        chosen = [fractions[i] for i in response.get("choices", []) if i in fractions]
        if not chosen:
            return Grade(ZERO)
        if qtype == "truefalse" or question.single:
            return Grade(_clamp(chosen[0]))
        return Grade(_clamp(sum(chosen, ZERO)))
    if qtype == "shortanswer":
        text = response.get("text", "")
        for answer in answers:
            if shortanswer_matches(answer.text, text, case_sensitive=question.case_sensitive):
                return Grade(_clamp(Decimal(answer.fraction)))
        return Grade(ZERO)
    if qtype == "numerical":
        try:
            value = parse_number(response.get("value", ""))
        except ResponseError:
            return Grade(ZERO)
        for answer in answers:
            if numerical_matches(answer, value):
                return Grade(_clamp(Decimal(answer.fraction)))
        return Grade(ZERO)
    if qtype == "matching":
        by_id = {a.id: a for a in answers}
        stems = [a for a in answers if a.text.strip()]
        if not stems:
            return Grade(ZERO)
        pairs = response.get("pairs", {})
        right = 0
        for stem in stems:
            choice = by_id.get(pairs.get(str(stem.id)))
            if choice is not None and choice.match.strip() == stem.match.strip():
                right += 1
        return Grade(Decimal(right) / Decimal(len(stems)))
    return Grade(ZERO)


def correct_response(question, answers: Sequence) -> dict | None:
    """Return a response that earns full marks (for review pages and tests), or None."""
    qtype = question.qtype
    if qtype in CHOICE_TYPES:
        positive = [a for a in answers if Decimal(a.fraction) > 0]
        if qtype == "truefalse" or question.single:
            best = max(answers, key=lambda a: Decimal(a.fraction), default=None)
            return {"choices": [best.id]} if best else None
        return {"choices": [a.id for a in positive]}
    if qtype in ("shortanswer", "numerical"):
        best = max(answers, key=lambda a: Decimal(a.fraction), default=None)
        if best is None:
            return None
        if qtype == "shortanswer":
            return {"text": best.text.replace("\\*", "*")}
        return {"value": best.text.partition("..")[0] if best.text != "*" else "0"}
    if qtype == "matching":
        first_choice = {}
        for answer in answers:
            first_choice.setdefault(answer.match.strip(), answer.id)
        return {
            "pairs": {str(a.id): first_choice[a.match.strip()] for a in answers if a.text.strip()}
        }
    return None
