import datetime

from django.utils import translation

from sinergi.core.calendar import (
    add_working_days,
    holiday_name,
    is_working_day,
    working_days_between,
)

# Independence Day 2026 falls on a Monday.
FRIDAY = datetime.date(2026, 8, 14)
INDEPENDENCE_DAY = datetime.date(2026, 8, 17)


def test_weekend_and_public_holiday_are_not_working_days():
    assert is_working_day(FRIDAY)
    assert not is_working_day(datetime.date(2026, 8, 15))  # Saturday
    assert not is_working_day(INDEPENDENCE_DAY)
    assert is_working_day(datetime.date(2026, 8, 18))


def test_add_working_days_skips_weekend_and_holiday():
    assert add_working_days(FRIDAY, 1) == datetime.date(2026, 8, 18)
    assert add_working_days(FRIDAY, 3) == datetime.date(2026, 8, 20)
    assert add_working_days(FRIDAY, 0) == FRIDAY


def test_working_days_between_counts_the_same_way():
    assert working_days_between(FRIDAY, datetime.date(2026, 8, 20)) == 3
    assert working_days_between(FRIDAY, FRIDAY) == 0
    assert working_days_between(datetime.date(2026, 8, 20), FRIDAY) == 0


def test_holiday_names_follow_the_language():
    with translation.override("id"):
        assert "Kemerdekaan" in holiday_name(INDEPENDENCE_DAY)
    with translation.override("en"):
        assert "Independence" in holiday_name(INDEPENDENCE_DAY)
    assert holiday_name(FRIDAY) is None
