"""Indonesian working days: weekends and national public holidays (the `holidays` package).

Used wherever the product counts "working days" (cooperation steps, service opening days).
"""

import datetime
from functools import lru_cache

import holidays
from django.utils.translation import get_language


@lru_cache(maxsize=64)
def _holidays(year: int, language: str) -> dict[datetime.date, str]:
    calendar = holidays.country_holidays("ID", years=year, language=language)
    return dict(calendar.items())


def public_holidays(year: int) -> dict[datetime.date, str]:
    """Return Indonesia's national public holidays of a year, named in the active language."""
    language = "en_US" if (get_language() or "id").startswith("en") else "id"
    return _holidays(year, language)


def holiday_name(day: datetime.date) -> str | None:
    """Return the name of the public holiday on `day`, or None."""
    return public_holidays(day.year).get(day)


def is_working_day(day: datetime.date) -> bool:
    """Return whether `day` is a working day: Monday to Friday and not a public holiday."""
    return day.weekday() < 5 and day not in public_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """Return the date `days` working days after `start` (`start` itself not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Return the working days after `start` up to and including `end` (0 if end <= start)."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
