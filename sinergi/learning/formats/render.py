"""Question text as safe HTML for staff previews and quiz pages.

HTML (from Moodle or a GIFT `[html]` tag) is cleaned with nh3; plain text and Moodle's
auto-format keep their line breaks; Markdown gets its emphasis. `@@PLUGINFILE@@/name`, Moodle's
reference to an embedded file, becomes the URL `file_url(name)` gives (or is left out).
"""

import re
from collections.abc import Callable
from urllib.parse import unquote

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .base import HTML, MARKDOWN, MOODLE

_PLUGINFILE = re.compile(r"@@PLUGINFILE@@/([^\"'\s<>?#]+)")
_BLOCK = re.compile(r"<(p|div|br|ul|ol|table|h\d|pre|blockquote)\b", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")


def render_text(
    text: str, text_format: str, file_url: Callable[[str], str] | None = None
) -> SafeString:
    """Return `text` in `text_format` as HTML that is safe to put in a page."""
    text = text or ""
    if text_format in (HTML, MOODLE):
        text = _PLUGINFILE.sub(lambda match: _file_url(file_url, match.group(1)), text)
        cleaned = nh3.clean(text)
        if text_format == MOODLE and not _BLOCK.search(cleaned):
            cleaned = cleaned.replace("\n", "<br>\n")
        return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above
    html = escape(text)
    if text_format == MARKDOWN:
        html = _BOLD.sub(r"<strong>\1</strong>", html)
        html = _ITALIC.sub(r"<em>\1</em>", html)
    return mark_safe(html.replace("\n", "<br>\n"))  # noqa: S308 - escaped above


def _file_url(file_url, name: str) -> str:
    """Return the URL of the file Moodle refers to by its URL-encoded name."""
    if file_url is None:
        return ""
    return file_url(unquote(name))
