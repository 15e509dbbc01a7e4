"""Staff read a rule they can act on, never a constraint's name (issue 16: "Batasan
“service_point_walk_in_percent” dilanggar"); a daily limit of 0 is refused instead of making
the point silently unbookable."""

import pytest
from django.db import models
from django.urls import reverse
from django.utils import translation

from sinergi.visits.models import ServicePoint

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def _point_data(**changes) -> dict:
    data = {
        "name": "Ruang Baca Lantai 2",
        "slug": "ruang-baca-2",
        "location": "",
        "description": "",
        "capacity": 20,
        "walk_in_percent": 20,
        "slot_minutes": 120,
        "max_per_day": 1,
        "max_per_week": 3,
        "book_days_ahead": 7,
        "is_active": "on",
    }
    return {**data, **changes}


def _in_indonesian(text: str) -> str:
    with translation.override("id"):
        return translation.gettext(text)


@pytest.fixture
def desk(client):
    client.force_login(UserFactory(roles=["services_desk"]))
    return client


def test_a_walk_in_share_over_100_is_explained(desk):
    response = desk.post(reverse("visits:points"), _point_data(walk_in_percent=150))
    page = response.content.decode()
    assert response.status_code == 200
    assert "service_point_walk_in_percent" not in page
    assert _in_indonesian("The walk-in share is a percentage: at most 100.") in page
    assert not ServicePoint.objects.exists()


@pytest.mark.parametrize("field", ["max_per_day", "max_per_week"])
def test_a_limit_of_zero_is_refused_on_its_field(desk, field):
    response = desk.post(reverse("visits:points"), _point_data(**{field: 0}))
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors == [_in_indonesian("At least 1. To stop bookings, make the point inactive.")]
    assert not ServicePoint.objects.exists()


def test_the_database_refuses_a_limit_of_zero_too():
    from django.db import IntegrityError, transaction

    point = ServicePoint.objects.create(name="Ruang", slug="ruang")
    with pytest.raises(IntegrityError), transaction.atomic():
        ServicePoint.objects.filter(pk=point.pk).update(max_per_day=0)


def test_every_constraint_has_a_message_a_person_reads():
    from django.apps import apps

    missing = [
        f"{model._meta.label}.{constraint.name}"
        for model in apps.get_models()
        if model.__module__.startswith("sinergi.")
        for constraint in model._meta.constraints
        if isinstance(constraint, models.BaseConstraint)
        and constraint.violation_error_message == constraint.default_violation_error_message
    ]
    assert missing == []
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            message = _in_indonesian(str(constraint.violation_error_message))
            assert constraint.name not in message
