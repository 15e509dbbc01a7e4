"""Moments the suite runs date logic at: each weekday at the edges of the WIB day, the turn of the
year, a leap day, the eve and day of a public holiday (Idul Fitri 2027 is 10 March).

Every moment is WIB wall time; the UTC clock is seven hours behind, so 00:05 WIB is the previous
day in UTC — where a date taken from the wrong clock shows.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest

WIB = ZoneInfo("Asia/Jakarta")


def wib(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=WIB)


# Monday 7 December 2026 to Sunday 13 December 2026, each at 00:05, 09:00 and 23:55 WIB.
WEEK = [
    pytest.param(wib(2026, 12, 7 + day, hour, minute), id=f"{name}-{hour:02d}.{minute:02d}")
    for day, name in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    for hour, minute in [(0, 5), (9, 0), (23, 55)]
]

SPECIAL = [
    pytest.param(wib(2026, 12, 31, 23, 59), id="new-years-eve-23.59"),
    pytest.param(wib(2027, 1, 1, 0, 1), id="new-year-00.01"),
    pytest.param(wib(2027, 3, 9, 23, 50), id="eve-of-idul-fitri-23.50"),
    pytest.param(wib(2027, 3, 10, 8, 0), id="idul-fitri-08.00"),
    # The Sunday of Lebaran week, when libraries close for the collective leave (cuti bersama).
    pytest.param(wib(2027, 3, 14, 10, 0), id="sunday-in-lebaran-closure"),
    pytest.param(wib(2028, 2, 29, 9, 0), id="leap-day-09.00"),
]

MOMENTS = WEEK + SPECIAL
