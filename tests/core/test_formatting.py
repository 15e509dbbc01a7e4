"""Dates, times and money as people read them: WIB, Indonesian by default, at any moment."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from sinergi.core.formatting import (
    format_date,
    format_date_range,
    format_datetime,
    format_short_datetime,
    format_time,
    local_naive,
    month_abbreviations,
)

WIB = ZoneInfo("Asia/Jakarta")
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


def test_a_late_utc_evening_is_the_next_day_in_wib():
    moment = datetime(2026, 12, 9, 21, 44, tzinfo=UTC)
    assert format_datetime(moment, language="id") == "10 Desember 2026, 04.44 WIB"
    assert format_datetime(moment, language="en") == "10 December 2026, 04:44 WIB"
    assert format_date(moment, language="id", weekday=True) == "Kamis, 10 Desember 2026"
    assert format_short_datetime(moment, language="id") == "10 Des 04.44"


def test_the_turn_of_the_year_is_read_in_wib():
    assert format_date(datetime(2026, 12, 31, 17, 1, tzinfo=UTC), language="id") == (
        "1 Januari 2027"
    )
    assert format_date(datetime(2026, 12, 31, 16, 59, tzinfo=UTC), language="id") == (
        "31 Desember 2026"
    )


def test_the_active_language_is_the_default():
    with translation.override("en"):
        assert format_date(date(2028, 2, 29)) == "29 February 2028"
        assert format_time(time(8, 5)) == "08:05"
    with translation.override("id"):
        assert format_date(date(2028, 2, 29)) == "29 Februari 2028"
        assert format_time(time(8, 5)) == "08.05"


def test_ranges_share_what_they_can():
    assert format_date_range(date(2026, 11, 3), date(2026, 11, 7), language="id") == (
        "3–7 November 2026"
    )
    assert format_date_range(date(2026, 11, 28), date(2026, 12, 2), language="id") == (
        "28 November – 2 Desember 2026"
    )
    assert format_date_range(date(2026, 12, 30), date(2027, 1, 2), language="id") == (
        "30 Desember 2026 – 2 Januari 2027"
    )
    assert format_date_range(date(2026, 8, 17), date(2026, 8, 17), language="id") == (
        "17 Agustus 2026"
    )


def test_month_abbreviations():
    assert month_abbreviations(language="id") == [
        *("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
    ]
    assert month_abbreviations(language="en")[4] == "May"


@given(MOMENTS)
def test_any_moment_is_written_with_its_wib_day_and_time(moment):
    local = moment.astimezone(WIB)
    text = format_datetime(moment, language="id")
    assert text.startswith(f"{local.day} ")
    assert text.endswith(f", {local:%H.%M} WIB")
    assert str(local.year) in text
    assert local_naive(moment) == local.replace(tzinfo=None)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 400))
def test_any_range_names_both_ends(start, length):
    end = start + timedelta(days=length)
    text = format_date_range(start, end, language="id")
    assert text.startswith(str(start.day)) and text.endswith(
        f"{end.day} {text.split()[-2]} {end.year}"
    )
    assert ("–" in text) == (start != end)


def test_the_loan_message_gives_the_end_in_wib(client, db, reference_data):
    from tests.library.factories import LicensePoolFactory, UserFactory

    pool = LicensePoolFactory(copies=1)
    client.force_login(UserFactory())
    # 14.44 UTC on a Monday is 21.44 WIB; three days later the loan ends at 21.44 WIB.
    with time_machine.travel(datetime(2026, 12, 7, 14, 44, tzinfo=UTC), tick=False):
        response = client.post(reverse("library:title_borrow", args=[pool.title.pk]), follow=True)
    text = response.content.decode()
    assert "10 Desember 2026, 21.44 WIB" in text
    assert "10-12-2026" not in text
