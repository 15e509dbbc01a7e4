"""The plain data both question formats parse into, and the checks they share."""

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

# The question types Sinergi keeps (the values of models.QuestionType).
MULTICHOICE = "multichoice"
TRUEFALSE = "truefalse"
SHORTANSWER = "shortanswer"
NUMERICAL = "numerical"
MATCHING = "matching"
ESSAY = "essay"
DESCRIPTION = "description"
QUESTION_TYPES = (MULTICHOICE, TRUEFALSE, SHORTANSWER, NUMERICAL, MATCHING, ESSAY, DESCRIPTION)

# Text formats (the values of models.TextFormat).
HTML, PLAIN, MOODLE, MARKDOWN = "html", "plain", "moodle", "markdown"

DEFAULT_CATEGORY = "Default"
NAME_LENGTH = 255  # Question.name, QuestionCategory.name, QuestionFile.name
PATH_LENGTH = 1000  # QuestionCategory.path
MAX_FRACTION = Decimal(1)  # an answer is worth at most 100% (and at least -100%)
MAX_MARK = Decimal("9999.99")  # Question.default_mark (6 digits, 2 decimals)
MAX_PENALTY = Decimal(1)
SEVEN_PLACES = Decimal("0.0000001")
TWO_PLACES = Decimal("0.01")
THREE_PLACES = Decimal("0.001")


class QuestionFormatError(ValueError):
    """The file cannot be imported; `message` says why and where (line or element)."""

    def __init__(self, message, *, line: int | None = None, element: str = ""):
        self.problem = message
        self.line = line
        self.element = element
        super().__init__(str(self.message))

    @property
    def message(self) -> str:
        if self.element and self.line:
            return str(
                _("Element <%(element)s> at line %(line)s: %(problem)s")
                % {"element": self.element, "line": self.line, "problem": self.problem}
            )
        if self.element:
            return str(
                _("Element <%(element)s>: %(problem)s")
                % {"element": self.element, "problem": self.problem}
            )
        if self.line:
            return str(
                _("Line %(line)s: %(problem)s") % {"line": self.line, "problem": self.problem}
            )
        return str(self.problem)

    def __str__(self) -> str:
        return self.message


@dataclass
class ParsedAnswer:
    text: str
    fraction: Decimal = Decimal(0)
    feedback: str = ""
    text_format: str = PLAIN
    tolerance: float | None = None
    match: str = ""


def matching_pair(item: str, match: str, text_format: str) -> ParsedAnswer:
    """Return a matching pair; an empty `item` makes `match` an extra, wrong choice."""
    return ParsedAnswer(
        text=item, match=match, fraction=Decimal(1 if item else 0), text_format=text_format
    )


@dataclass
class ParsedFile:
    name: str
    content: bytes
    content_type: str = "application/octet-stream"
    # Where Moodle keeps it: "questiontext", "generalfeedback", "answer:0" (the first answer),
    # "answerfeedback:0", "hint:1", "correctfeedback", "graderinfo" ... (see moodlexml.py).
    area: str = "questiontext"


@dataclass
class ParsedQuestion:
    qtype: str
    name: str
    text: str
    text_format: str = HTML
    category: str = DEFAULT_CATEGORY
    answers: list[ParsedAnswer] = field(default_factory=list)
    general_feedback: str = ""
    default_mark: Decimal = Decimal(1)
    penalty: Decimal = Decimal(0)
    single: bool = True
    shuffle_answers: bool = True
    case_sensitive: bool = False
    options: dict = field(default_factory=dict)
    files: list[ParsedFile] = field(default_factory=list)
    line: int | None = field(default=None, compare=False)  # where it starts in the file


@dataclass
class ParsedCategory:
    path: str
    info: str = ""
    idnumber: str = ""
    context: str = "course"  # Moodle's $course$, $module$, $system$ ... (without the dollars)


@dataclass
class SkippedQuestion:
    question: str
    reason: str
    line: int | None = field(default=None, compare=False)


@dataclass
class ParsedBank:
    questions: list[ParsedQuestion] = field(default_factory=list)
    categories: list[ParsedCategory] = field(default_factory=list)
    skipped: list[SkippedQuestion] = field(default_factory=list)

    def by_type(self) -> dict[str, int]:
        counts = Counter(question.qtype for question in self.questions)
        return {qtype: counts[qtype] for qtype in QUESTION_TYPES if counts[qtype]}

    def category_paths(self) -> list[str]:
        """Return every category path of the file: declared ones and those questions use."""
        paths = [category.path for category in self.categories]
        for question in self.questions:
            if question.category not in paths:
                paths.append(question.category)
        return paths


# Category paths ---------------------------------------------------------------------------

# Moodle writes the context first ($course$, $system$ ...) and, since 3.5, a "top" category.
_CONTEXT = re.compile(r"^\$(course|system|module|cat\d*|coursecategory)\$(/|$)")
# A slash inside a category name is written twice.
_SEPARATOR = re.compile(r"(?<!/)/(?!/)")


def category_path(raw: str) -> str:
    """Return Moodle's `$course$/top/A/B` as `A/B`; an empty path is the default category."""
    path = _CONTEXT.sub("", raw.strip())
    segments = [segment.strip() for segment in split_path(path)]
    segments = [segment for segment in segments if segment]
    if segments and segments[0] == "top":
        segments = segments[1:]
    if not segments:
        return DEFAULT_CATEGORY
    for segment in segments:
        if len(segment) > NAME_LENGTH:
            raise ValueError(str(_("A category name is longer than 255 characters.")))
    joined = "/".join(segment.replace("/", "//") for segment in segments)
    if len(joined) > PATH_LENGTH:
        raise ValueError(str(_("A category path is longer than 1000 characters.")))
    return joined


def split_path(path: str) -> list[str]:
    """Split a category path on single slashes; `//` stands for a slash in a name."""
    return [segment.replace("//", "/") for segment in _SEPARATOR.split(path)]


# Shared checks ----------------------------------------------------------------------------


def question_name(name: str, text: str) -> str:
    """Return the question's name, or the start of its text when it has none."""
    name = " ".join(name.split())
    if name:
        return Truncator(name).chars(NAME_LENGTH)
    return Truncator(" ".join(strip_tags(text).split()) or str(_("Question"))).chars(60)


def parse_fraction(raw: str) -> Decimal:
    """Return a percentage ("50", "-33.33333") as a fraction of one; ValueError if not one."""
    try:
        percent = Decimal(raw.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(str(_("“%(value)s” is not a percentage.") % {"value": raw})) from None
    if not percent.is_finite() or abs(percent) > 100:
        raise ValueError(
            str(
                _("An answer's grade must be between -100%% and 100%%, not %(value)s.")
                % {"value": raw}
            )
        )
    fraction = (percent / 100).quantize(SEVEN_PLACES)
    return fraction if fraction else Decimal(0)


def parse_number(raw: str, *, what: str) -> float:
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        raise ValueError(
            str(_("%(what)s “%(value)s” is not a number.") % {"what": what, "value": raw})
        ) from None
    if not math.isfinite(value) or abs(value) > 1e15:
        raise ValueError(
            str(_("%(what)s “%(value)s” is not a usable number.") % {"what": what, "value": raw})
        )
    return value


def parse_decimal(raw: str, *, what: str, maximum: Decimal, places: Decimal) -> Decimal:
    try:
        value = Decimal(raw.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(
            str(_("%(what)s “%(value)s” is not a number.") % {"what": what, "value": raw})
        ) from None
    if not value.is_finite() or value < 0 or value > maximum:
        raise ValueError(
            str(
                _("%(what)s must be between 0 and %(maximum)s, not %(value)s.")
                % {"what": what, "maximum": maximum, "value": raw}
            )
        )
    return value.quantize(places)


def check_text(text: str) -> str:
    """Refuse the NUL character, which no database column can hold."""
    if "\x00" in text:
        raise ValueError(str(_("The text contains a NUL character.")))
    return text
