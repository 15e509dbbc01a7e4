"""`/visits/tickets/`: a person's own tickets, upcoming first by time, the past after; never
another person's; anonymous people are sent to log in."""

from datetime import timedelta

import pytest
from django.urls import reverse

from sinergi.visits.models import Reservation, ReservationState

from .factories import UserFactory, VisitSlotFactory

pytestmark = pytest.mark.django_db


def ticket(user, slot, code):
    return Reservation.objects.create(
        slot=slot, user=user, code=code, state=ReservationState.BOOKED
    )


def test_my_tickets_lists_mine_upcoming_then_past_and_never_anyone_elses(client):
    me, other = UserFactory(), UserFactory()
    later = VisitSlotFactory()
    sooner = VisitSlotFactory(
        service_point=later.service_point,
        starts_at=later.starts_at - timedelta(hours=3),
        ends_at=later.starts_at - timedelta(hours=1),
    )
    past = VisitSlotFactory(
        service_point=later.service_point,
        starts_at=later.starts_at - timedelta(days=10),
        ends_at=later.starts_at - timedelta(days=10) + timedelta(hours=2),
    )
    ticket(me, later, "LATER001")
    ticket(me, sooner, "SOONER01")
    ticket(me, past, "PAST0001")
    ticket(other, later, "OTHER001")
    client.force_login(me)
    response = client.get(reverse("visits:my_tickets"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "OTHER001" not in page
    assert [t.code for t in response.context["upcoming"]] == ["SOONER01", "LATER001"]
    assert [t.code for t in response.context["past"]] == ["PAST0001"]
    # Each upcoming ticket links to its page.
    mine = Reservation.objects.get(code="SOONER01")
    assert reverse("visits:ticket_detail", args=[mine.pk]) in page


def test_my_tickets_asks_an_anonymous_visitor_to_log_in(client):
    response = client.get(reverse("visits:my_tickets"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
