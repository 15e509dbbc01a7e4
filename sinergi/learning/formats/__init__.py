"""Question exchange formats (GIFT and Moodle XML) as plain data, independent of the database.

Both parsers return a `ParsedBank`: the categories met in the file, the questions (each with
its category path and where it came from), and the questions skipped with a reason. A file
that cannot be read raises `QuestionFormatError`, which names the line (GIFT) or the element
and its line (XML); nothing of such a file is imported.
"""

from .base import (
    ParsedAnswer,
    ParsedBank,
    ParsedCategory,
    ParsedFile,
    ParsedQuestion,
    QuestionFormatError,
    SkippedQuestion,
)

__all__ = [
    "ParsedAnswer",
    "ParsedBank",
    "ParsedCategory",
    "ParsedFile",
    "ParsedQuestion",
    "QuestionFormatError",
    "SkippedQuestion",
]
