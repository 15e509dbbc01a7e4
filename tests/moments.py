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


MOMENTS = [
    pytest.param(wib(2026, 12, 6, 0, 5), id="sun-00.05"),
    pytest.param(wib(2026, 12, 7, 23, 55), id="mon-23.55"),
    pytest.param(wib(2026, 12, 8, 9, 0), id="tue-09.00"),
    pytest.param(wib(2026, 12, 9, 12, 0), id="wed-12.00"),
    pytest.param(wib(2026, 12, 10, 23, 55), id="thu-23.55"),
    pytest.param(wib(2026, 12, 11, 16, 30), id="fri-16.30"),
    pytest.param(wib(2026, 12, 12, 10, 0), id="sat-10.00"),
    pytest.param(wib(2026, 12, 31, 23, 59), id="new-years-eve-23.59"),
    pytest.param(wib(2027, 1, 1, 0, 1), id="new-year-00.01"),
    pytest.param(wib(2027, 3, 9, 23, 50), id="eve-of-idul-fitri-23.50"),
    pytest.param(wib(2027, 3, 10, 8, 0), id="idul-fitri-08.00"),
    pytest.param(wib(2028, 2, 29, 9, 0), id="leap-day-09.00"),
]
