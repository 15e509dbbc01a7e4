"""The visits API: slots of a day, staff create slots, book (201 or 409 with a reason), cancel."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sinergi.accounts.services import api_token_create
from sinergi.visits import services
from sinergi.visits.models import Reservation, VisitSlot

from .factories import ServicePointFactory, UserFactory, VisitSlotFactory

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def book(client, slot, user):
    return client.post(f"/api/v1/visit-slots/{slot.pk}/reservations", **bearer(user))


def test_slots_of_a_day_with_free_seats(client, django_assert_max_num_queries):
    slot = VisitSlotFactory(capacity=10, walk_in_seats=2)
    VisitSlotFactory(
        service_point=slot.service_point,
        starts_at=slot.starts_at + timedelta(days=1),
        ends_at=slot.ends_at + timedelta(days=1),
    )
    services.reservation_create(slot=slot, user=UserFactory())
    day = timezone.localtime(slot.starts_at).date().isoformat()
    headers = bearer(UserFactory())

    with django_assert_max_num_queries(6):
        response = client.get(
            f"/api/v1/visit-slots?date={day}&service_point={slot.service_point.slug}", **headers
        )

    assert response.status_code == 200
    (item,) = response.json()
    assert item["id"] == slot.pk
    assert (item["capacity"], item["walk_in_seats"], item["bookable_seats"], item["available"]) == (
        10,
        2,
        8,
        7,
    )
    assert item["service_point"]["slug"] == slot.service_point.slug
    assert item["closed"] is False
    assert (
        client.get(f"/api/v1/visit-slots?date={day}&service_point=nope", **headers).status_code
        == 404
    )
    assert client.get("/api/v1/visit-slots?date=kemarin", **headers).status_code == 422
    assert client.get(f"/api/v1/visit-slots?date={day}").status_code == 401


def test_booking_answers_201_with_the_ticket_code(client):
    slot = VisitSlotFactory()
    member = UserFactory()
    response = book(client, slot, member)
    assert response.status_code == 201
    body = response.json()
    reservation = Reservation.objects.get(user=member)
    assert (body["code"], body["state"], body["slot"]) == (reservation.code, "booked", slot.pk)


@pytest.mark.parametrize("case", ["full", "limit_reached", "closed", "already_booked", "not_open"])
def test_booking_answers_409_with_the_reason(client, case):
    point = ServicePointFactory(max_per_day=1)
    slot = VisitSlotFactory(service_point=point, capacity=1, walk_in_seats=0)
    member = UserFactory()
    if case == "full":
        services.reservation_create(slot=slot, user=UserFactory())
    elif case == "limit_reached":
        other = VisitSlotFactory(
            service_point=point,
            starts_at=slot.starts_at + timedelta(hours=3),
            ends_at=slot.ends_at + timedelta(hours=3),
        )
        services.reservation_create(slot=other, user=member)
    elif case == "closed":
        day = timezone.localtime(slot.starts_at).date()
        services.closure_create(
            service_point=point, starts_on=day, ends_on=day, reason="Renovasi", actor=None
        )
    elif case == "already_booked":
        services.reservation_create(slot=slot, user=member)
    else:
        VisitSlot.objects.filter(pk=slot.pk).update(
            booking_opens_at=timezone.now() + timedelta(hours=1)
        )

    response = book(client, slot, member)

    assert response.status_code == 409
    assert response.json()["code"] == case
    assert response.json()["message"]


def test_unknown_slot_is_404(client):
    assert book(client, type("S", (), {"pk": 999_999})(), UserFactory()).status_code == 404


def test_cancel_own_reservation_only(client):
    slot = VisitSlotFactory()
    member = UserFactory()
    reservation = services.reservation_create(slot=slot, user=member)
    url = f"/api/v1/reservations/{reservation.pk}"
    assert client.delete(url, **bearer(UserFactory())).status_code == 404
    assert client.get(url, **bearer(UserFactory())).status_code == 404
    assert client.get(url, **bearer(UserFactory(roles=["services_desk"]))).status_code == 200
    assert client.delete(url, **bearer(member)).status_code == 204
    reservation.refresh_from_db()
    assert reservation.state == "cancelled"
    response = client.delete(url, **bearer(member))
    assert response.status_code == 409 and response.json()["code"] == "state"


def test_only_staff_create_slots(client):
    point = ServicePointFactory(walk_in_percent=10)
    start = timezone.now() + timedelta(days=3)
    payload = {
        "service_point": point.slug,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "capacity": 100,
    }
    member = UserFactory(roles=["participant"])
    response = client.post(
        "/api/v1/visit-slots", payload, content_type="application/json", **bearer(member)
    )
    assert response.status_code == 403
    desk = UserFactory(roles=["services_desk"])
    response = client.post(
        "/api/v1/visit-slots", payload, content_type="application/json", **bearer(desk)
    )
    assert response.status_code == 201
    assert (response.json()["capacity"], response.json()["bookable_seats"]) == (100, 90)
    again = client.post(
        "/api/v1/visit-slots", payload, content_type="application/json", **bearer(desk)
    )
    assert again.status_code == 422
    backwards = {**payload, "starts_at": payload["ends_at"], "ends_at": payload["starts_at"]}
    response = client.post(
        "/api/v1/visit-slots", backwards, content_type="application/json", **bearer(desk)
    )
    assert response.status_code == 422
