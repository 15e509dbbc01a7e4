"""How Sinergi writes money, dates and times for people: the one place for both.

Storage is UTC; people see Western Indonesian Time (WIB, `settings.TIME_ZONE`) whatever the
server's own zone or the request's. Dates are written as Indonesians write them (7 Desember
2026, 14.00 WIB), or in the language asked for. Templates use Django's `date` filter with the
same formats; Python code (messages, e-mails built in code, PDFs, exports) uses these.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateformat import format as django_format
from num2words import num2words


def format_rupiah(amount: int) -> str:
    """Return `amount` as Indonesians write money: Rp750.000 (dots between thousands)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def rupiah_in_words(amount: int) -> str:
    """Return the amount in Indonesian words, as on a receipt ("Tujuh ratus ribu rupiah")."""
    words = num2words(amount, lang="id")
    return f"{words[0].upper()}{words[1:]} rupiah"


def people_zone() -> ZoneInfo:
    """Return the zone people read times in (WIB)."""
    return ZoneInfo(settings.TIME_ZONE)


def to_local(moment: datetime) -> datetime:
    """Return an aware moment as wall-clock time in WIB (still aware)."""
    return timezone.localtime(moment, people_zone())


def local_naive(moment: datetime | None) -> datetime | None:
    """Return a moment as WIB wall-clock time without tzinfo (spreadsheets have no zones)."""
    if moment is None:
        return None
    if timezone.is_naive(moment):
        return moment
    return to_local(moment).replace(tzinfo=None)


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return to_local(value).date() if timezone.is_aware(value) else value.date()
    return value


def _formatted(value, pattern: str, language: str | None) -> str:
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        return django_format(value, pattern)


def format_date(
    value: date | datetime, *, language: str | None = None, weekday: bool = False
) -> str:
    """Return a date as written in `language` (default: the active one): 7 Desember 2026.

    A datetime is first read in WIB, so a moment late in the UTC evening is the next day.
    """
    return _formatted(_as_date(value), "l, j F Y" if weekday else "j F Y", language)


def format_date_range(start: date, end: date, *, language: str | None = None) -> str:
    """Return a range of days: 3-7 November 2026, 28 November - 2 Desember 2026 (en dashes)."""
    start, end = _as_date(start), _as_date(end)
    if start == end:
        return format_date(start, language=language)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{format_date(end, language=language)}"
    if start.year == end.year:
        return f"{_formatted(start, 'j F', language)} – {format_date(end, language=language)}"
    return f"{format_date(start, language=language)} – {format_date(end, language=language)}"


def format_time(value: datetime | time, *, language: str | None = None) -> str:
    """Return a time of day: 14.00 in Indonesian, 14:00 in English (a moment read in WIB)."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = to_local(value)
    lang = language or translation.get_language() or settings.LANGUAGE_CODE
    return value.strftime("%H:%M" if lang.startswith("en") else "%H.%M")


def format_datetime(moment: datetime, *, language: str | None = None) -> str:
    """Return a moment for people: 7 Desember 2026, 14.00 WIB."""
    local = to_local(moment)
    day, clock = format_date(local, language=language), format_time(local, language=language)
    return f"{day}, {clock} {local.tzname()}"


def format_short_datetime(moment: datetime, *, language: str | None = None) -> str:
    """Return a moment where room is short (a table heading): 7 Des 14.00."""
    local = to_local(moment)
    month = month_abbreviations(language=language)[local.month - 1]
    return f"{local.day} {month} {format_time(local, language=language)}"


def month_abbreviations(*, language: str | None = None) -> list[str]:
    """Return the twelve months' short names: Jan, Feb, Mar, Apr, Mei, … Des."""
    return [_formatted(date(2000, month, 1), "b", language).capitalize() for month in range(1, 13)]
