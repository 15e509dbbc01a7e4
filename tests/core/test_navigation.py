import pytest
from django.urls import reverse

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def top_bar(client) -> str:
    page = client.get(reverse("core:home")).content.decode()
    return page[page.index('id="sn-nav"') : page.index("</nav>")]


def test_each_domain_folds_into_one_dropdown_for_staff_with_many_roles(client):
    client.force_login(UserFactory(roles=["admin"]))
    bar = top_bar(client)
    assert bar.count("dropdown-toggle") >= 3  # training, cooperation, services (+ account)
    assert reverse("training:verification_queue") in bar
    assert reverse("learning:home") in bar


def test_a_group_with_one_entry_stays_a_plain_link(client):
    bar = top_bar(client)  # anonymous: of the training group, only the catalogue shows
    catalogue = reverse("training:catalogue")
    assert f'<a class="nav-link text-nowrap" href="{catalogue}"' in bar
    assert 'class="dropdown-item" href="' + catalogue not in bar
