"""What a browser sends when a person presses a form's default button without touching anything.

The rules are the HTML standard's ("constructing the entry list" and each input type's "value
sanitization algorithm"), as Chromium applies them; `tests/e2e/test_forms_unchanged.py` checks
this against a real Chromium. The round-trip test posts these values to prove that saving a form
unchanged changes nothing.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import html

DATE = re.compile(r"^\d{4,}-\d{2}-\d{2}$")
TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?$")
FLOAT = re.compile(r"^-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?$")
NOT_SENT = {"submit", "button", "image", "reset", "file"}


@dataclass
class BrowserForm:
    """One `<form>` of a page: where it goes and the entries a browser would send."""

    action: str
    method: str
    htmx: bool
    entries: list[tuple[str, str]] = field(default_factory=list)
    filled: bool = False  # something a person sees is filled in (not only hidden inputs)
    multipart: bool = False

    def data(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for name, value in self.entries:
            grouped.setdefault(name, []).append(value)
        return grouped


def _time(value: str) -> str:
    """Chromium's normalised time: seconds only when not zero."""
    match = TIME.match(value)
    if not match:
        return ""
    hours, minutes, seconds, fraction = match.groups()
    if int(hours) > 23 or int(minutes) > 59 or (seconds and int(seconds) > 59):
        return ""
    text = f"{hours}:{minutes}"
    if (seconds and int(seconds)) or fraction:
        text += f":{seconds}{fraction or ''}"
    return text


def sanitize(input_type: str, value: str) -> str:
    """The value a browser keeps for an input of this type (the rest it drops)."""
    if input_type in {"text", "search", "tel", "password", ""}:
        return value.replace("\r", "").replace("\n", "")
    if input_type in {"email", "url"}:
        return value.replace("\r", "").replace("\n", "").strip()
    if input_type == "date":
        return value if DATE.match(value) else ""
    if input_type == "time":
        return _time(value)
    if input_type == "datetime-local":
        day, _, clock = value.replace(" ", "T", 1).partition("T")
        if not DATE.match(day):
            return ""
        clock = _time(clock)
        return f"{day}T{clock}" if clock else ""
    if input_type in {"number", "range"}:
        return value if FLOAT.match(value) else ""
    return value


def _textarea(element) -> str:
    # A browser's parser drops one newline right after <textarea> (lxml keeps it); the form
    # sends line breaks as CRLF.
    text = element.text or ""
    if text.startswith("\r\n"):
        text = text[2:]
    elif text[:1] in {"\n", "\r"}:
        text = text[1:]
    return re.sub(r"\r\n|\r|\n", "\r\n", text)


def _option_value(option) -> str:
    value = option.get("value")
    return value if value is not None else " ".join((option.text_content() or "").split())


def forms_of(page: str, url: str) -> list[BrowserForm]:
    """Every form of the page that posts, with what a browser would submit."""
    document = html.document_fromstring(page)
    found = []
    for form in document.iter("form"):
        hx_post = form.get("hx-post")
        method = (form.get("method") or "get").lower()
        if method != "post" and not hx_post:
            continue
        action = urljoin(url, hx_post if hx_post is not None else (form.get("action") or url))
        result = BrowserForm(
            action=action,
            method="post",
            htmx=hx_post is not None,
            multipart=(form.get("enctype") or "").lower() == "multipart/form-data",
        )
        controls = list(form.iter("input", "select", "textarea", "button"))
        form_id = form.get("id")
        if form_id:
            controls += document.xpath(
                "//*[@form=$id][self::input or self::select or self::textarea or self::button]",
                id=form_id,
            )
        submitter = None
        for element in controls:
            if element.get("disabled") is not None or _in_disabled_fieldset(element):
                continue
            tag = element.tag
            kind = (element.get("type") or ("submit" if tag == "button" else "text")).lower()
            if tag in {"input", "button"} and kind in {"submit", "image"}:
                submitter = submitter if submitter is not None else element
                continue
            name = element.get("name")
            if not name or tag == "button" or kind in NOT_SENT:
                continue
            if tag == "select":
                options = [o for o in element.iter("option") if o.get("disabled") is None]
                chosen = [o for o in options if o.get("selected") is not None]
                if element.get("multiple") is None and not chosen and options:
                    chosen = options[:1]
                elif element.get("multiple") is None:
                    chosen = chosen[-1:]
                for option in chosen:
                    result.entries.append((name, _option_value(option)))
                    result.filled = result.filled or _option_value(option) != ""
            elif tag == "textarea":
                text = _textarea(element)
                result.entries.append((name, text))
                result.filled = result.filled or text != ""
            elif kind in {"checkbox", "radio"}:
                if element.get("checked") is not None:
                    result.entries.append((name, element.get("value", "on")))
                    result.filled = True
            else:
                value = sanitize(kind, element.get("value", ""))
                result.entries.append((name, value))
                if kind != "hidden" and value:
                    result.filled = True
        if submitter is not None and submitter.get("name"):
            result.entries.append((submitter.get("name"), submitter.get("value", "")))
        found.append(result)
    return found


def _in_disabled_fieldset(element) -> bool:
    for ancestor in element.iterancestors("fieldset"):
        if ancestor.get("disabled") is not None:
            legend = ancestor.find("legend")
            return legend is None or element not in legend.iterdescendants()
    return False
