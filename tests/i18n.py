"""Tests assert what people read: the Indonesian text, looked up from the English msgid."""

from django.utils import translation


def indonesian(msgid: str, context: str | None = None) -> str:
    """Return the Indonesian translation of `msgid` (as the pages and services show it)."""
    with translation.override("id"):
        if context:
            return translation.pgettext(context, msgid)
        return translation.gettext(msgid)
