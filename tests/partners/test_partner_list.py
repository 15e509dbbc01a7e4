"""`/partners/institutions/`: cooperation staff see every partner institution, a partner
officer only their own, other roles are refused, anonymous people log in."""

import pytest
from django.urls import reverse

from ..factories import UserFactory
from .factories import PartnerFactory, PartnerOfficerFactory

pytestmark = pytest.mark.django_db


def names(response) -> set[str]:
    return {partner.name for partner in response.context["page"]}


def test_cooperation_staff_see_every_partner_and_may_add_one(client):
    ours = PartnerOfficerFactory(partner__name="Perpustakaan UNJ")
    PartnerFactory(name="Perpustakaan UI")
    client.force_login(UserFactory(roles=["cooperation_officer"]))
    response = client.get(reverse("partners:partner_list"))
    assert response.status_code == 200
    assert names(response) >= {"Perpustakaan UNJ", "Perpustakaan UI"}
    assert response.context["can_manage"]
    assert reverse("partners:partner_detail", args=[ours.partner.pk]) in response.content.decode()


def test_a_partner_officer_sees_only_their_own_institution(client):
    ours = PartnerOfficerFactory(partner__name="Perpustakaan UNJ")
    PartnerFactory(name="Perpustakaan UI")
    client.force_login(ours.user)
    response = client.get(reverse("partners:partner_list"))
    assert response.status_code == 200
    assert names(response) == {"Perpustakaan UNJ"}
    assert "Perpustakaan UI" not in response.content.decode()
    assert not response.context["can_manage"]


def test_other_roles_are_refused_and_anonymous_people_log_in(client):
    PartnerFactory(name="Perpustakaan UI")
    anonymous = client.get(reverse("partners:partner_list"))
    assert anonymous.status_code == 302
    client.force_login(UserFactory(roles=["participant"]))
    assert client.get(reverse("partners:partner_list")).status_code == 403
