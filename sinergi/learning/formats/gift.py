"""A GIFT reader following Moodle's rules (question/format/gift/format.php).

Questions are separated by blank lines; a line starting with `//` is a comment. A question is
`::name::[format]text{answers}more text`: `{}` is an essay, no braces a description, `{T}`
true/false, `{#...}` numerical, `=a -> b` matching, `~` (or weights without `=`) multiple
choice, and only `=` answers short answer. Text after the braces makes a missing-word question
(the blank is shown as `_____`). `\\~ \\= \\# \\{ \\} \\: \\\\` are literal characters and `\\n` a
new line. `$CATEGORY: $course$/A/B` puts the questions that follow into category A/B.

Every problem raises QuestionFormatError with the line it is on.
"""

import re
from bisect import bisect_right
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .base import (
    DEFAULT_CATEGORY,
    DESCRIPTION,
    ESSAY,
    HTML,
    MARKDOWN,
    MATCHING,
    MOODLE,
    MULTICHOICE,
    NUMERICAL,
    PLAIN,
    SHORTANSWER,
    TRUEFALSE,
    ParsedAnswer,
    ParsedBank,
    ParsedCategory,
    ParsedQuestion,
    QuestionFormatError,
    category_path,
    matching_pair,
    parse_fraction,
    parse_number,
    question_name,
)

# An escaped control character becomes a private-use character while parsing, so no rule
# below can mistake it for syntax; `_out` turns it back into the character it stands for.
_ESCAPES = {"\\": "\ue000", "~": "\ue001", "=": "\ue002", "#": "\ue003", "{": "\ue004"}
_ESCAPES |= {"}": "\ue005", ":": "\ue006", "n": "\ue007"}
_RESTORE = {code: ("\n" if char == "n" else char) for char, code in _ESCAPES.items()}
_ESCAPE = re.compile(r"\\([\\~=#{}:n])")
_PRIVATE = re.compile("[\ue000-\ue007]")
_RESTORE_RE = re.compile("[\ue000-\ue007]")
# Characters XML 1.0 cannot hold: a bank imported from GIFT must be exportable.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_FORMAT_TAG = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_FORMATS = {"html": HTML, "moodle": MOODLE, "plain": PLAIN, "markdown": MARKDOWN}
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:[.,]\d*)?)%")
_IDNUMBER = re.compile(r"\[id:((?:\\]|[^\]\x00-\x1f])+)\]")
_TRUE = {"T", "TRUE"}
_FALSE = {"F", "FALSE"}


def _out(text: str) -> str:
    """Return parsed text with escaped characters restored and outer spaces removed."""
    return _RESTORE_RE.sub(lambda match: _RESTORE[match.group()], text).strip()


class _Block:
    """One question's text (comments dropped, escapes hidden) and the file line of each part."""

    def __init__(self, lines: list[tuple[int, str]], comments: list[str] | None = None):
        self.lines = lines
        self.comments = comments or []
        self.line_numbers = [number for number, _line in lines]
        self.starts = []
        parts = []
        offset = 0
        for _number, line in lines:
            self.starts.append(offset)
            parts.append(line)
            offset += len(line) + 1
        self.text = "\n".join(parts)

    def line(self, offset: int) -> int:
        return self.line_numbers[max(bisect_right(self.starts, offset) - 1, 0)]

    def error(self, offset: int, message) -> QuestionFormatError:
        return QuestionFormatError(message, line=self.line(offset))


def parse_gift(content: bytes | str) -> ParsedBank:
    """Return the categories and questions of a GIFT file; raise QuestionFormatError."""
    text = _decode(content)
    head = text.lstrip("\ufeff \t\r\n")[:200].lower()
    if head.startswith("<?xml") or head.startswith("<quiz"):
        # A Moodle XML export chosen as GIFT would become one description question holding
        # the raw XML: say what the file is instead.
        raise QuestionFormatError(
            _("This is a Moodle XML file, not GIFT: choose Moodle XML as the format."), line=1
        )
    bank = ParsedBank()
    category = DEFAULT_CATEGORY
    for block in _blocks(text):
        body = block.text
        if body.startswith("$CATEGORY:"):
            first_line, _newline, rest = body.partition("\n")
            try:
                category = category_path(_out(first_line[len("$CATEGORY:") :]))
            except ValueError as error:
                raise block.error(0, str(error)) from None
            if category not in [known.path for known in bank.categories]:
                bank.categories.append(ParsedCategory(path=category))
            if not rest.strip():
                continue
            # A question on the lines right after the category: read it as Moodle would
            # read it after a blank line.
            block = _Block(block.lines[1:], block.comments)
        question = _parse_question(block)
        question.category = category
        idnumber = _idnumber(block.comments)
        if idnumber:
            question.options["idnumber"] = idnumber
        bank.questions.append(question)
    return bank


def _decode(content: bytes | str) -> str:
    if isinstance(content, bytes):
        if content.startswith(b"\xef\xbb\xbf"):
            content = content[3:]
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            raise QuestionFormatError(
                _("The file is not UTF-8 text (a byte that is not UTF-8)."), line=line
            ) from None
    content = content.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    control = _CONTROL.search(content)
    if control:
        line = content[: control.start()].count("\n") + 1
        raise QuestionFormatError(
            _("The text contains a control character (code %(code)s).")
            % {"code": ord(control.group())},
            line=line,
        )
    # Private-use characters stand for escapes while parsing; they have no meaning in a file.
    return _PRIVATE.sub("", content)


def _blocks(text: str):
    """Yield each question: lines between blank lines, trimmed, comment lines left out."""
    current: list[tuple[int, str]] = []
    comments: list[str] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            if current:
                yield _Block(current, comments)
            current, comments = [], []
            continue
        if line.startswith("//"):
            # Kept out of the text, but still part of the question (Moodle reads an
            # idnumber from them).
            comments.append(line)
            continue
        current.append((number, _ESCAPE.sub(lambda match: _ESCAPES[match.group(1)], line)))
    if current:
        yield _Block(current, comments)


def _idnumber(comments: list[str]) -> str:
    """Return the `[id:...]` Moodle writes in a question's comment lines (`\\]` for `]`)."""
    for comment in comments:
        match = _IDNUMBER.search(comment)
        if match:
            return match.group(1).replace("\\]", "]").strip()[:100]
    return ""


def _text_format(text: str, default: str) -> tuple[str, str]:
    match = _FORMAT_TAG.match(text)
    if match:
        return text[match.end() :], _FORMATS[match.group(1).lower()]
    return text, default


def _parse_question(block: _Block) -> ParsedQuestion:
    text = block.text
    start = 0
    name = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise block.error(0, _("The question name is not closed with “::”."))
        name = _out(text[2:end])
        start = end + 2
    opening = text.find("{", start)
    closing = text.find("}", start)
    if opening < 0:
        if closing >= 0:
            raise block.error(closing, _("A “}” without a “{” before it (write \\} for a brace)."))
        body, text_format = _text_format(text[start:], MOODLE)
        question_text = _out(body)
        if not question_text:
            raise block.error(start, _("The question has no text."))
        return ParsedQuestion(
            qtype=DESCRIPTION,
            name=question_name(name, question_text),
            text=question_text,
            text_format=text_format,
            line=block.line(0),
        )
    if closing < 0:
        raise block.error(
            opening, _("The answers opened with “{” are not closed with “}” in this question.")
        )
    if closing < opening:
        raise block.error(closing, _("A “}” without a “{” before it (write \\} for a brace)."))
    nested = text.find("{", opening + 1)
    if 0 <= nested < closing:
        raise block.error(nested, _("A “{” inside the answers (write \\{ for a brace)."))
    after = text[closing + 1 :]
    if "{" in after or "}" in after:
        extra = closing + 1 + min(i for i in (after.find("{"), after.find("}")) if i >= 0)
        raise block.error(extra, _("A question has only one answer block in GIFT."))

    before, text_format = _text_format(text[start:opening], MOODLE)
    # Text after the answers makes a missing-word question; the blank is shown as _____.
    question_text = _out(before + "_____" + after) if after.strip() else _out(before)
    answer_text = text[opening + 1 : closing]
    question = ParsedQuestion(
        qtype=ESSAY,
        name="",
        text=question_text,
        text_format=text_format,
        line=block.line(0),
    )
    general = answer_text.rfind("####")
    if general >= 0:
        feedback, _format = _text_format(answer_text[general + 4 :], text_format)
        question.general_feedback = _out(feedback)
        answer_text = answer_text[:general]
    offset = opening + 1  # where answer_text starts in the block
    stripped = answer_text.strip()
    if not stripped:
        question.qtype = ESSAY
        question.options = {"response_format": "editor", "response_lines": 15}
    elif stripped.startswith("#"):
        _numerical(question, block, answer_text, offset)
    elif "~" in answer_text:
        _multichoice(question, block, answer_text, offset)
    elif "=" in answer_text and "->" in answer_text:
        _matching(question, block, answer_text, offset)
    elif stripped.split("#", 1)[0].strip().upper() in _TRUE | _FALSE:
        _truefalse(question, stripped)
    else:
        _shortanswer(question, block, answer_text, offset)
    if not question.text:
        raise block.error(0, _("The question has no text."))
    question.name = question_name(name, question.text)
    return question


def _split_answers(
    block: _Block, text: str, offset: int, markers: str
) -> list[tuple[str, str, int]]:
    """Return (marker, text, offset) for each answer started by one of `markers`."""
    answers = []
    positions = [i for i, char in enumerate(text) if char in markers]
    if not positions:
        return []
    if text[: positions[0]].strip():
        raise block.error(
            offset, _("Text before the first answer: each answer starts with “=” or “~”.")
        )
    for index, position in enumerate(positions):
        end = positions[index + 1] if index + 1 < len(positions) else len(text)
        answers.append((text[position], text[position + 1 : end], offset + position + 1))
    return answers


def _weight(block: _Block, text: str, offset: int, default: Decimal) -> tuple[Decimal, str]:
    match = _WEIGHT.match(text)
    if not match:
        if text.lstrip().startswith("%") and text.count("%") >= 2:
            raise block.error(offset, _("An answer weight is written %50% or %-25%."))
        return default, text
    try:
        return parse_fraction(match.group(1)), text[match.end() :]
    except ValueError as error:
        raise block.error(offset, str(error)) from None


def _answer(text: str, text_format: str) -> tuple[str, str]:
    """Split an answer into its text and its feedback (after `#`), both unescaped."""
    body, _hash, feedback = text.partition("#")
    body, _format = _text_format(body, text_format)
    feedback, _format = _text_format(feedback, text_format)
    return _out(body), _out(feedback)


def _multichoice(question: ParsedQuestion, block: _Block, text: str, offset: int) -> None:
    question.qtype = MULTICHOICE
    question.single = "=" in text
    question.options = {"answer_numbering": "abc"}
    for marker, raw, position in _split_answers(block, text, offset, "~="):
        fraction, raw = _weight(block, raw, position, Decimal(1) if marker == "=" else Decimal(0))
        body, feedback = _answer(raw, question.text_format)
        if not body:
            raise block.error(position, _("An answer has no text."))
        question.answers.append(
            ParsedAnswer(
                text=body, fraction=fraction, feedback=feedback, text_format=question.text_format
            )
        )
    if len(question.answers) < 2:
        raise block.error(offset, _("A multiple-choice question needs at least two answers."))
    if not any(answer.fraction > 0 for answer in question.answers):
        raise block.error(
            offset, _("No answer gives credit: mark the right one with “=” or a weight.")
        )


def _shortanswer(question: ParsedQuestion, block: _Block, text: str, offset: int) -> None:
    question.qtype = SHORTANSWER
    answers = _split_answers(block, text, offset, "=")
    if not answers:
        raise block.error(
            offset, _("The answers are not understood: start each answer with “=” or “~”.")
        )
    for _marker, raw, position in answers:
        fraction, raw = _weight(block, raw, position, Decimal(1))
        body, feedback = _answer(raw, question.text_format)
        if not body:
            raise block.error(position, _("An answer has no text."))
        question.answers.append(
            ParsedAnswer(text=body, fraction=fraction, feedback=feedback, text_format=PLAIN)
        )
    if not any(answer.fraction > 0 for answer in question.answers):
        raise block.error(offset, _("No answer gives credit."))


def _truefalse(question: ParsedQuestion, text: str) -> None:
    question.qtype = TRUEFALSE
    value, _hash, comment = text.partition("#")
    wrong, _hash, right = comment.partition("#")
    wrong, _format = _text_format(wrong, question.text_format)
    right, _format = _text_format(right, question.text_format)
    correct = value.strip().upper() in _TRUE
    # The first feedback is for a wrong answer, the second for the right one.
    question.answers = [
        ParsedAnswer(
            text="true",
            fraction=Decimal(1 if correct else 0),
            feedback=_out(right if correct else wrong),
        ),
        ParsedAnswer(
            text="false",
            fraction=Decimal(0 if correct else 1),
            feedback=_out(wrong if correct else right),
        ),
    ]


def _matching(question: ParsedQuestion, block: _Block, text: str, offset: int) -> None:
    question.qtype = MATCHING
    for _marker, raw, position in _split_answers(block, text, offset, "="):
        left, arrow, right = raw.partition("->")
        if not arrow:
            raise block.error(position, _("Each matching pair is written “=item -> match”."))
        left, _format = _text_format(left, question.text_format)
        left, right = _out(left), _out(right)
        if not right:
            raise block.error(position, _("A matching pair has nothing after “->”."))
        question.answers.append(matching_pair(left, right, question.text_format))
    if sum(1 for answer in question.answers if answer.text) < 2:
        raise block.error(offset, _("A matching question needs at least two pairs."))


def _numerical(question: ParsedQuestion, block: _Block, text: str, offset: int) -> None:
    question.qtype = NUMERICAL
    hash_at = text.index("#")
    text, offset = text[hash_at + 1 :], offset + hash_at + 1
    wrong = text.find("~")
    wrong_feedback = None
    if wrong >= 0:
        wrong_feedback = text[wrong + 1 :]
        text = text[:wrong]
    if text.strip().startswith("="):
        answers = _split_answers(block, text, offset, "=")
    else:
        answers = [("=", text, offset)]
    for _marker, raw, position in answers:
        fraction, raw = _weight(block, raw, position, Decimal(1))
        value, feedback = _answer(raw, question.text_format)
        try:
            number, tolerance = _number_and_tolerance(value)
        except ValueError as error:
            raise block.error(position, str(error)) from None
        question.answers.append(
            ParsedAnswer(text=number, fraction=fraction, feedback=feedback, tolerance=tolerance)
        )
    if not question.answers:
        raise block.error(offset, _("A numerical question needs an answer."))
    if wrong_feedback is not None:
        _body, feedback = _answer(wrong_feedback, question.text_format)
        question.answers.append(ParsedAnswer(text="*", fraction=Decimal(0), feedback=feedback))
    if not any(answer.fraction > 0 for answer in question.answers):
        raise block.error(offset, _("No answer gives credit."))


def _number_and_tolerance(value: str) -> tuple[str, float]:
    if not value:
        raise ValueError(str(_("A numerical answer is empty.")))
    if value == "*":
        return "*", 0.0
    low_text, dots, high_text = value[1:].partition("..")
    if dots:
        low = _decimal(value[0] + low_text, what=_("The lowest value"))
        high = _decimal(high_text, what=_("The highest value"))
        if low > high:
            raise ValueError(str(_("A range goes from the lowest to the highest value.")))
        return _number_text((low + high) / 2), float((high - low) / 2)
    number_text, colon, tolerance_text = value.partition(":")
    number = parse_number(number_text, what=_("The answer"))
    tolerance = parse_number(tolerance_text, what=_("The tolerance")) if colon else 0.0
    if tolerance < 0:
        raise ValueError(str(_("The tolerance cannot be negative.")))
    return _number_text(number), tolerance


def _decimal(text: str, *, what) -> Decimal:
    parse_number(text, what=what)  # refuses what is not a finite, reasonable number
    return Decimal(text.strip().replace(",", "."))


def _number_text(number: float | Decimal) -> str:
    """Return 1822.0 as "1822" and 3.1415 as "3.1415" (no float noise)."""
    if isinstance(number, Decimal):
        text = format(number.normalize(), "f")
        return text if text != "-0" else "0"
    return format(number, ".15g")
