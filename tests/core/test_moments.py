"""The product at many moments: the demo data loads and obeys the product's rules, the pages a
newcomer opens first answer, and dates follow the WIB calendar (see tests/moments.py)."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from sinergi.accounts.models import User
from sinergi.certificates import services as certificates
from sinergi.core.calendar import add_working_days, is_working_day, working_days_between

from ..certificates.factories import CertificateTemplateFactory, CompletionFactory
from ..moments import MOMENTS, wib

PAGES = [
    "core:home",
    "training:catalogue",
    "visits:home",
    "library:catalogue",
    "insights:dashboard",
]


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("moment", MOMENTS)
def test_demo_data_loads_and_the_first_pages_answer_at_any_moment(moment, client, settings):
    settings.DEBUG = False
    with time_machine.travel(moment, tick=True):
        call_command("seed_demo", strict=True, stdout=io.StringIO())
        client.force_login(User.objects.get(email="admin@sinergi.test"))
        for name in PAGES:
            assert client.get(reverse(name)).status_code == 200, name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment, year",
    [(wib(2026, 12, 31, 23, 59), 2026), (wib(2027, 1, 1, 0, 1), 2027)],
    ids=["new-years-eve", "new-year"],
)
def test_certificate_numbers_follow_the_wib_year(moment, year, settings, tmp_path):
    """At 00:01 WIB on 1 January the UTC clock still says 31 December: the number is 2027's."""
    settings.MEDIA_ROOT = tmp_path
    completion = CompletionFactory()
    CertificateTemplateFactory(program=completion.registration.batch.program)
    with time_machine.travel(moment, tick=False):
        certificate = certificates.certificate_issue(
            registration=completion.registration, notify=False
        )
    assert certificate.number.endswith(f"/{year}")
    assert certificate.number.startswith("0001/")


DAYS = st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2030, 12, 31))


@given(start=DAYS, days=st.integers(min_value=1, max_value=40))
def test_working_days_land_on_a_working_day_and_count_back(start, days):
    end = add_working_days(start, days)
    assert is_working_day(end)
    assert working_days_between(start, end) == days
    assert end > start


def test_idul_fitri_and_the_weekend_are_not_working_days():
    assert not is_working_day(datetime.date(2027, 3, 10))  # Idul Fitri 1448 H
    assert not is_working_day(datetime.date(2026, 12, 26))  # a Saturday
    assert add_working_days(datetime.date(2026, 12, 31), 1) == datetime.date(2027, 1, 4)
