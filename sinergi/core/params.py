"""Numbers read from addresses and forms, bounded before they reach the database.

`int("99999999999999999999")` is a fine Python number, but SQLite and PostgreSQL keep 64-bit
integers, and a year past 9999 is no date: passed on, either one is a 500. Every whole number a
view reads from `request.GET` or `request.POST` goes through `int_param`, which answers the
default for anything that is not a number in range. `str.isdigit()` is not a check for this:
it is true for "²" and "٣", which `int()` refuses or reads as another digit.
"""

import re

# Row ids are BigAutoField: positive 64-bit integers.
MAX_ID = 2**63 - 1
# Years a person could mean (the API's limits too: sinergi.api.types).
FIRST_YEAR = 1900
LAST_YEAR = 2200

_DIGITS = re.compile(r"[0-9]{1,19}")


def int_param(value, *, default=None, low: int = 1, high: int = MAX_ID):
    """Return `value` (a text of ASCII digits) as an int in [low, high], else `default`."""
    text = str(value if value is not None else "").strip()
    if not _DIGITS.fullmatch(text):
        return default
    number = int(text)
    return number if low <= number <= high else default


def id_param(value, default=None):
    """Return `value` as a row id (1 to 2**63 - 1), else `default`."""
    return int_param(value, default=default)


def year_param(value, default=None, *, low: int = FIRST_YEAR, high: int = LAST_YEAR):
    """Return `value` as a year between `low` and `high`, else `default`."""
    return int_param(value, default=default, low=low, high=high)
