"""Moodle XML question files: a safe reader and a writer that Moodle (and this reader) accept.

The reader uses defusedxml with DTDs forbidden, so no external entity is ever fetched and no
entity can expand (billion laughs). `<question type="category">` sets the category of the
questions that follow. Types Sinergi has no use for (calculated, cloze, drag and drop ...) are
skipped with a reason; anything else that is wrong stops the import with the element and line.
"""

import base64
import binascii
import mimetypes
import re
import xml.etree.ElementTree as ET  # writing only; reading goes through defusedxml
from decimal import Decimal
from pathlib import PurePosixPath

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from django.utils.translation import gettext_lazy as _

from .base import (
    DEFAULT_CATEGORY,
    DESCRIPTION,
    ESSAY,
    HTML,
    MARKDOWN,
    MATCHING,
    MAX_MARK,
    MAX_PENALTY,
    MOODLE,
    MULTICHOICE,
    NAME_LENGTH,
    NUMERICAL,
    PLAIN,
    SEVEN_PLACES,
    SHORTANSWER,
    TRUEFALSE,
    TWO_PLACES,
    ParsedAnswer,
    ParsedBank,
    ParsedCategory,
    ParsedFile,
    ParsedQuestion,
    QuestionFormatError,
    SkippedQuestion,
    category_path,
    check_text,
    matching_pair,
    parse_decimal,
    parse_fraction,
    parse_number,
    question_name,
    split_path,
)

FORMATS = {"html": HTML, "moodle_auto_format": MOODLE, "plain_text": PLAIN, "markdown": MARKDOWN}
MOODLE_FORMATS = {value: key for key, value in FORMATS.items()}
SUPPORTED = (MULTICHOICE, TRUEFALSE, SHORTANSWER, NUMERICAL, MATCHING, ESSAY, DESCRIPTION)
# Feedback shown for a right, partly right and wrong response (multichoice and matching).
COMBINED_FEEDBACK = {
    "correctfeedback": "correct_feedback",
    "partiallycorrectfeedback": "partially_correct_feedback",
    "incorrectfeedback": "incorrect_feedback",
}
ESSAY_OPTIONS = {  # element → (option, kind)
    "responseformat": ("response_format", str),
    "responserequired": ("response_required", bool),
    "responsefieldlines": ("response_lines", int),
    "minwordlimit": ("min_word_limit", "optint"),
    "maxwordlimit": ("max_word_limit", "optint"),
    "attachments": ("attachments", int),
    "attachmentsrequired": ("attachments_required", int),
    "maxbytes": ("max_bytes", int),
    "filetypeslist": ("file_types", str),
    "graderinfo": ("grader_info", "text"),
    "responsetemplate": ("response_template", "text"),
}
NUMERICAL_OPTIONS = {
    "unitgradingtype": ("unit_grading_type", int),
    "unitpenalty": ("unit_penalty", str),
    "showunits": ("show_units", int),
    "unitsleft": ("units_left", bool),
}


class _LineParser(DefusedXMLParser):
    """defusedxml's parser, noting the line each element starts on (for error messages)."""

    def __init__(self):
        super().__init__(forbid_dtd=True, forbid_entities=True, forbid_external=True)
        self.lines: dict[int, int] = {}

    def _start(self, tag, attr_list):
        element = super()._start(tag, attr_list)
        self.lines[id(element)] = self.parser.CurrentLineNumber
        return element


class _Reader:
    def __init__(self, lines: dict[int, int]):
        self.lines = lines

    def error(self, element, message) -> QuestionFormatError:
        tag = str(element.tag).rpartition("}")[2]  # without its namespace
        return QuestionFormatError(message, element=tag, line=self.lines.get(id(element)))

    # Small readers ----------------------------------------------------------------------

    def text(self, parent, name: str, default_format: str = HTML, area: str = ""):
        """Return (text, format, files) of `<name format=".."><text>..</text><file/>..</name>`;
        the files are noted as of `area` (by default the element's name)."""
        element = parent.find(name)
        if element is None:
            return "", default_format, []
        return self.text_of(element, default_format, area or name)

    def text_of(self, element, default_format: str = HTML, area: str = "questiontext"):
        raw_format = element.get("format")
        if raw_format is None:
            text_format = default_format
        elif raw_format in FORMATS:
            text_format = FORMATS[raw_format]
        else:
            raise self.error(
                element, _("Unknown text format “%(format)s”.") % {"format": raw_format}
            )
        text_element = element.find("text")
        text = (text_element.text or "") if text_element is not None else ""
        files = [self.file(file, area) for file in element.findall("file")]
        return text.strip(), text_format, files

    def plain(self, parent, name: str, default: str = "") -> str:
        element = parent.find(name)
        if element is None:
            return default
        inner = element.find("text")
        return ((inner if inner is not None else element).text or "").strip()

    def boolean(self, parent, name: str, default: bool) -> bool:
        element = parent.find(name)
        if element is None:
            return default
        value = (element.text or "").strip().lower()
        if value in ("1", "true", "yes"):
            return True
        if value in ("0", "false", "no", ""):
            return False
        raise self.error(element, _("“%(value)s” is not true or false.") % {"value": value})

    def value(self, parent, name: str, parse, *args, **kwargs):
        element = parent.find(name)
        if element is None:
            return None
        try:
            return parse((element.text or "").strip(), *args, **kwargs)
        except ValueError as error:
            raise self.error(element, str(error)) from None

    def file(self, element, area: str = "questiontext") -> ParsedFile:
        name = PurePosixPath((element.get("name") or "").strip()).name
        if not name or len(name) > NAME_LENGTH:
            raise self.error(element, _("An embedded file needs a name (up to 255 characters)."))
        if (element.get("encoding") or "base64") != "base64":
            raise self.error(element, _("Embedded files must be base64-encoded."))
        try:
            content = base64.b64decode("".join((element.text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            raise self.error(element, _("The embedded file is not valid base64.")) from None
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return ParsedFile(name=name, content=content, content_type=content_type, area=area)

    def fraction(self, element) -> Decimal:
        try:
            return parse_fraction(element.get("fraction") or "0")
        except ValueError as error:
            raise self.error(element, str(error)) from None

    # Questions --------------------------------------------------------------------------

    def question(self, element, qtype: str, category: str) -> ParsedQuestion:
        text, text_format, files = self.text(element, "questiontext")
        general_feedback, _format, more = self.text(element, "generalfeedback", text_format)
        files += more
        name = self.plain(element, "name")
        question = ParsedQuestion(
            qtype=qtype,
            name=question_name(name, text),
            text=text,
            text_format=text_format,
            category=category,
            general_feedback=general_feedback,
            line=self.lines.get(id(element)),
        )
        mark = self.value(
            element, "defaultgrade", parse_decimal, what=_("The mark"), maximum=MAX_MARK,
            places=TWO_PLACES,
        )  # fmt: skip
        if mark is not None:
            question.default_mark = mark
        penalty = self.value(
            element, "penalty", parse_decimal, what=_("The penalty"), maximum=MAX_PENALTY,
            places=SEVEN_PLACES,
        )  # fmt: skip
        if penalty is not None:
            question.penalty = penalty
        idnumber = self.plain(element, "idnumber")
        if idnumber:
            question.options["idnumber"] = idnumber
        if self.boolean(element, "hidden", False):
            question.options["hidden"] = True
        for name, option in (("tags", "tags"), ("coursetags", "course_tags")):
            tags = [self.plain(tag, ".") for tag in element.findall(f"{name}/tag")]
            if any(tags):
                question.options[option] = [tag for tag in tags if tag]
        getattr(self, qtype)(element, question, files)
        self.hints(element, question, files)
        question.files = _unique_files(files)
        if not question.text and qtype != DESCRIPTION:
            raise self.error(element, _("The question has no text."))
        for value in _texts(question):
            try:
                check_text(value)
            except ValueError as error:
                raise self.error(element, str(error)) from None
        return question

    def hints(self, element, question, files) -> None:
        """Keep every `<hint>` with its flags (Sinergi shows none of them yet)."""
        hints = []
        for number, hint_element in enumerate(element.findall("hint")):
            text, text_format, more = self.text_of(hint_element, HTML, f"hint:{number}")
            files += more
            hint = {"text": text, "format": text_format}
            for flag in ("shownumcorrect", "clearwrong"):
                if hint_element.find(flag) is not None:
                    hint[flag] = True
            options = hint_element.find("options")
            if options is not None and (options.text or "").strip():
                hint["options"] = options.text.strip()
            hints.append(hint)
        if hints:
            question.options["hints"] = hints

    def answers(self, element, question, files, *, default_format: str) -> None:
        for number, answer in enumerate(element.findall("answer")):
            text, text_format, more = self.text_of(answer, default_format, f"answer:{number}")
            feedback, _format, feedback_files = self.text(
                answer, "feedback", text_format, f"answerfeedback:{number}"
            )
            files += more + feedback_files
            question.answers.append(
                ParsedAnswer(
                    text=text,
                    fraction=self.fraction(answer),
                    feedback=feedback,
                    text_format=text_format,
                )
            )

    def combined_feedback(self, element, question, files) -> None:
        for name, option in COMBINED_FEEDBACK.items():
            if element.find(name) is not None:
                text, text_format, more = self.text(element, name, question.text_format)
                files += more
                question.options[option] = text
                if text_format != question.text_format:
                    question.options[option + "_format"] = text_format
        if element.find("shownumcorrect") is not None:
            question.options["show_num_correct"] = True

    def multichoice(self, element, question, files) -> None:
        question.single = self.boolean(element, "single", True)
        question.shuffle_answers = self.boolean(element, "shuffleanswers", True)
        numbering = self.plain(element, "answernumbering")
        if numbering:
            question.options["answer_numbering"] = numbering
        if element.find("showstandardinstruction") is not None:
            question.options["show_standard_instruction"] = self.boolean(
                element, "showstandardinstruction", False
            )
        self.combined_feedback(element, question, files)
        self.answers(element, question, files, default_format=HTML)
        if len(question.answers) < 2:
            raise self.error(element, _("A multiple-choice question needs at least two answers."))
        if not any(answer.fraction > 0 for answer in question.answers):
            raise self.error(element, _("No answer of this question gives credit."))

    def truefalse(self, element, question, files) -> None:
        self.answers(element, question, files, default_format=MOODLE)
        by_text = {answer.text.strip().lower(): answer for answer in question.answers}
        if len(question.answers) != 2 or set(by_text) != {"true", "false"}:
            raise self.error(element, _("A true/false question has the answers true and false."))
        question.answers = [by_text["true"], by_text["false"]]
        for answer in question.answers:
            answer.text = answer.text.strip().lower()

    def shortanswer(self, element, question, files) -> None:
        question.case_sensitive = self.boolean(element, "usecase", False)
        self.answers(element, question, files, default_format=MOODLE)
        if not any(answer.fraction > 0 and answer.text for answer in question.answers):
            raise self.error(element, _("No answer of this question gives credit."))

    def numerical(self, element, question, files) -> None:
        for number, answer_element in enumerate(element.findall("answer")):
            text, text_format, more = self.text_of(answer_element, MOODLE, f"answer:{number}")
            feedback, _format, feedback_files = self.text(
                answer_element, "feedback", text_format, f"answerfeedback:{number}"
            )
            files += more + feedback_files
            if text != "*":
                try:
                    parse_number(text, what=_("The answer"))
                except ValueError as error:
                    raise self.error(answer_element, str(error)) from None
            tolerance = self.value(answer_element, "tolerance", parse_number, what=_("Tolerance"))
            if tolerance is not None and tolerance < 0:
                raise self.error(answer_element, _("The tolerance cannot be negative."))
            question.answers.append(
                ParsedAnswer(
                    text=text,
                    fraction=self.fraction(answer_element),
                    feedback=feedback,
                    text_format=text_format,
                    tolerance=tolerance or 0.0,
                )
            )
        if not any(answer.fraction > 0 for answer in question.answers):
            raise self.error(element, _("No answer of this question gives credit."))
        units = []
        for unit in element.findall("units/unit"):
            name = self.plain(unit, "unit_name")
            multiplier = self.value(unit, "multiplier", parse_number, what=_("Multiplier"))
            if name:
                units.append(
                    {"unit": name, "multiplier": 1.0 if multiplier is None else multiplier}
                )
        if units:
            # Kept for the way back to Moodle; Sinergi grades the number only.
            question.options["units"] = units
        self._options(element, question, NUMERICAL_OPTIONS)

    def matching(self, element, question, files) -> None:
        question.shuffle_answers = self.boolean(element, "shuffleanswers", True)
        self.combined_feedback(element, question, files)
        for number, sub in enumerate(element.findall("subquestion")):
            text, text_format, more = self.text_of(sub, HTML, f"subquestion:{number}")
            files += more
            match = self.plain(sub, "answer")
            if not match:
                raise self.error(sub, _("A matching pair has no answer."))
            question.answers.append(matching_pair(text, match, text_format))
        if sum(1 for answer in question.answers if answer.text) < 2:
            raise self.error(element, _("A matching question needs at least two pairs."))

    def essay(self, element, question, files) -> None:
        self._options(element, question, ESSAY_OPTIONS, files)

    def description(self, element, question, files) -> None:
        if not question.text:
            raise self.error(element, _("The description has no text."))

    def _options(self, element, question, table, files=None) -> None:
        for name, (option, kind) in table.items():
            child = element.find(name)
            if child is None:
                continue
            if kind == "text":
                text, text_format, more = self.text_of(child, question.text_format, name)
                question.options[option] = text
                if text_format != question.text_format:
                    question.options[option + "_format"] = text_format
                if files is not None:
                    files += more
            elif kind == "optint":
                raw = (child.text or "").strip()
                if raw:
                    try:
                        question.options[option] = int(raw)
                    except ValueError:
                        raise self.error(child, _("A whole number is expected here.")) from None
            elif kind is bool:
                question.options[option] = self.boolean(element, name, False)
            elif kind is int:
                try:
                    question.options[option] = int((child.text or "0").strip())
                except ValueError:
                    raise self.error(child, _("A whole number is expected here.")) from None
            else:
                question.options[option] = (child.text or "").strip()


def _unique_files(files: list[ParsedFile]) -> list[ParsedFile]:
    seen: dict[tuple[str, str], ParsedFile] = {}
    for file in files:
        seen.setdefault((file.area, file.name), file)
    return list(seen.values())


def _texts(question: ParsedQuestion):
    yield question.name
    yield question.text
    yield question.general_feedback
    for answer in question.answers:
        yield answer.text
        yield answer.feedback
        yield answer.match
    for value in question.options.values():
        if isinstance(value, str):
            yield value
    for hint in question.options.get("hints", []):
        yield hint["text"]
        yield hint.get("options", "")
    yield from question.options.get("tags", [])
    yield from question.options.get("course_tags", [])


def parse_moodle_xml(content: bytes | str) -> ParsedBank:
    """Return the categories and questions of a Moodle XML file; raise QuestionFormatError."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    parser = _LineParser()
    try:
        parser.feed(content)
        root = parser.close()
    except ParseError as error:
        line, column = getattr(error, "position", (None, None))
        raise QuestionFormatError(
            _("The file is not well-formed XML (column %(column)s): %(problem)s")
            % {"column": column, "problem": _expat_message(error)},
            line=line,
        ) from None
    except DefusedXmlException:
        raise QuestionFormatError(
            _("The file declares a DTD or entities, which are refused for safety.")
        ) from None
    except (ValueError, LookupError, UnicodeError) as error:
        raise QuestionFormatError(
            _("The file cannot be read as XML: %(problem)s") % {"problem": error}
        ) from None
    reader = _Reader(parser.lines)
    if root.tag != "quiz":
        raise reader.error(
            root,
            _("This is not a Moodle XML question file: the root element is not <quiz>."),
        )
    bank = ParsedBank()
    category = DEFAULT_CATEGORY
    for number, element in enumerate(root.findall("question"), start=1):
        qtype = (element.get("type") or "").strip()
        if not qtype:
            raise reader.error(element, _("A question has no type attribute."))
        if qtype == "category":
            raw = reader.plain(element, "category")
            try:
                category = category_path(raw)
            except ValueError as error:
                raise reader.error(element, str(error)) from None
            info, _format, _files = reader.text(element, "info")
            idnumber = reader.plain(element, "idnumber")
            context = _CONTEXT.match(raw.strip())
            known = {known.path: known for known in bank.categories}
            if category in known:
                known[category].info = known[category].info or info
                known[category].idnumber = known[category].idnumber or idnumber
            else:
                bank.categories.append(
                    ParsedCategory(
                        path=category,
                        info=info,
                        idnumber=idnumber,
                        context=context.group(1) if context else "course",
                    )
                )
            continue
        if qtype not in SUPPORTED:
            name = reader.plain(element, "name") or str(
                _("Question %(number)s") % {"number": number}
            )
            bank.skipped.append(
                SkippedQuestion(
                    question=question_name(name, ""),
                    reason=str(
                        _("The question type “%(type)s” is not supported by Sinergi.")
                        % {"type": qtype[:50]}
                    ),
                    line=parser.lines.get(id(element)),
                )
            )
            continue
        bank.questions.append(reader.question(element, qtype, category))
    return bank


_CONTEXT = re.compile(r"^\$([a-z]+\d*)\$")


def _expat_message(error: ParseError) -> str:
    message = str(error)
    # "not well-formed (invalid token): line 3, column 4" - the place is said separately.
    return message.split(": line ")[0]


# Writing ----------------------------------------------------------------------------------


def export_moodle_xml(bank: ParsedBank) -> bytes:
    """Return `bank` as a Moodle XML file: the questions in their order, each run of one
    category after that category's entry; categories without questions at the end."""
    root = ET.Element("quiz")
    declared = {category.path: category for category in bank.categories}
    written: set[str] = set()

    def category(path: str) -> None:
        # A declared parent goes first: Moodle drops the idnumber of a parent written after
        # its child (it has created the parent, without idnumber, by then).
        names = split_path(path)
        for depth in range(1, len(names)):
            parent = "/".join(name.replace("/", "//") for name in names[:depth])
            if parent in declared and parent not in written:
                _category_element(root, declared[parent])
                written.add(parent)
        _category_element(root, declared.get(path) or ParsedCategory(path=path))
        written.add(path)

    current = None
    for question in bank.questions:
        if question.category != current:
            current = question.category
            category(current)
        root.append(_question_element(question))
    for declared_category in bank.categories:
        if declared_category.path not in written:
            category(declared_category.path)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def _category_element(root, category: ParsedCategory) -> None:
    element = ET.SubElement(root, "question", type="category")
    _text_element(element, "category", f"${category.context or 'course'}$/top/{category.path}")
    _text_element(element, "info", category.info, HTML)
    _value(element, "idnumber", category.idnumber)


def _files(element, question: ParsedQuestion, area: str) -> None:
    """Write the question's files of `area` inside `element`, where Moodle keeps them."""
    for file in question.files:
        if file.area == area:
            file_element = ET.SubElement(
                element, "file", name=file.name, path="/", encoding="base64"
            )
            file_element.text = base64.b64encode(file.content).decode("ascii")


def _text_element(parent, name: str, text: str, text_format: str | None = None):
    element = ET.SubElement(parent, name)
    if text_format is not None:
        element.set("format", MOODLE_FORMATS[text_format])
    ET.SubElement(element, "text").text = text
    return element


def _value(parent, name: str, value) -> None:
    if isinstance(value, bool):
        value = "true" if value else "false"
    ET.SubElement(parent, name).text = str(value)


def _percent(fraction: Decimal) -> str:
    return format((Decimal(fraction) * 100).quantize(Decimal("0.00001")).normalize(), "f")


def _question_element(question: ParsedQuestion):
    element = ET.Element("question", type=question.qtype)
    _text_element(element, "name", question.name)
    text = _text_element(element, "questiontext", question.text, question.text_format)
    areas = {file.area for file in question.files}
    known = {"generalfeedback", "graderinfo", *COMBINED_FEEDBACK}
    known |= {f"{kind}:{number}" for kind in ("answer", "answerfeedback", "subquestion")
              for number in range(len(question.answers))}  # fmt: skip
    known |= {f"hint:{number}" for number in range(len(question.options.get("hints", [])))}
    for area in ["questiontext", *sorted(areas - known - {"questiontext"})]:
        _files(text, question, area)  # files of no known place stay with the text
    feedback = _text_element(
        element, "generalfeedback", question.general_feedback, question.text_format
    )
    _files(feedback, question, "generalfeedback")
    _value(element, "defaultgrade", format(Decimal(question.default_mark), "f"))
    _value(element, "penalty", _number(question.penalty))
    _value(element, "hidden", int(bool(question.options.get("hidden"))))
    _value(element, "idnumber", question.options.get("idnumber", ""))
    options = question.options
    if question.qtype == MULTICHOICE:
        _value(element, "single", question.single)
        _value(element, "shuffleanswers", question.shuffle_answers)
        if "answer_numbering" in options:
            _value(element, "answernumbering", options["answer_numbering"])
        if "show_standard_instruction" in options:
            _value(element, "showstandardinstruction", int(options["show_standard_instruction"]))
        _combined_feedback(element, question)
    elif question.qtype == SHORTANSWER:
        _value(element, "usecase", int(question.case_sensitive))
    elif question.qtype == MATCHING:
        _value(element, "shuffleanswers", question.shuffle_answers)
        _combined_feedback(element, question)
        for number, answer in enumerate(question.answers):
            sub = _text_element(element, "subquestion", answer.text, answer.text_format)
            _files(sub, question, f"subquestion:{number}")
            _text_element(sub, "answer", answer.match)
    elif question.qtype == ESSAY:
        for name, (option, kind) in ESSAY_OPTIONS.items():
            if option in options:
                if kind == "text":
                    text_format = options.get(option + "_format", question.text_format)
                    child = _text_element(element, name, options[option], text_format)
                    _files(child, question, name)
                else:
                    _value(element, name, int(options[option]) if kind is bool else options[option])
    elif question.qtype == NUMERICAL:
        if options.get("units"):
            units = ET.SubElement(element, "units")
            for unit in options["units"]:
                unit_element = ET.SubElement(units, "unit")
                _value(unit_element, "multiplier", repr(float(unit["multiplier"])))
                _value(unit_element, "unit_name", unit["unit"])
        for name, (option, kind) in NUMERICAL_OPTIONS.items():
            if option in options:
                _value(element, name, int(options[option]) if kind is bool else options[option])
    if question.qtype in (MULTICHOICE, TRUEFALSE, SHORTANSWER, NUMERICAL):
        for number, answer in enumerate(question.answers):
            answer_element = _text_element(element, "answer", answer.text, answer.text_format)
            answer_element.set("fraction", _percent(answer.fraction))
            _files(answer_element, question, f"answer:{number}")
            feedback = _text_element(
                answer_element, "feedback", answer.feedback, answer.text_format
            )
            _files(feedback, question, f"answerfeedback:{number}")
            if question.qtype == NUMERICAL:
                _value(answer_element, "tolerance", repr(float(answer.tolerance or 0)))
    for number, hint in enumerate(options.get("hints", [])):
        hint_element = _text_element(element, "hint", hint["text"], hint.get("format", HTML))
        for flag in ("shownumcorrect", "clearwrong"):
            if hint.get(flag):
                ET.SubElement(hint_element, flag)
        if hint.get("options"):
            _value(hint_element, "options", hint["options"])
        _files(hint_element, question, f"hint:{number}")
    for name, option in (("tags", "tags"), ("coursetags", "course_tags")):
        if options.get(option):
            tags = ET.SubElement(element, name)
            for tag in options[option]:
                _text_element(tags, "tag", tag)
    return element


def _number(value) -> str:
    """Return a decimal without trailing zeros (0.3333333, 0.1, 0), as Moodle writes it."""
    text = format(Decimal(value).normalize(), "f")
    return text


def _combined_feedback(element, question: ParsedQuestion) -> None:
    for name, option in COMBINED_FEEDBACK.items():
        if option in question.options:
            text_format = question.options.get(option + "_format", question.text_format)
            child = _text_element(element, name, question.options[option], text_format)
            _files(child, question, name)
    if question.options.get("show_num_correct"):
        ET.SubElement(element, "shownumcorrect")
