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


def test_the_entries_for_a_set_of_roles_are_worked_out_once_and_kept_apart(client):
    from sinergi.accounts.selectors import user_roles
    from sinergi.core import navigation

    participant, admin = UserFactory(), UserFactory(roles=["admin"])
    first = navigation.items_for(participant, user_roles(participant), "main")
    assert navigation.items_for(UserFactory(), set(), "main") is first
    staff = navigation.items_for(admin, user_roles(admin), "main")
    assert staff is not first and len(str(staff)) > len(str(first))
    client.force_login(participant)
    assert reverse("training:verification_queue") not in top_bar(client)
    client.force_login(admin)
    assert reverse("training:verification_queue") in top_bar(client)


def test_an_entry_registered_later_shows_at_once(client, monkeypatch):
    from sinergi.core import navigation

    monkeypatch.setattr(navigation, "_items", list(navigation._all_items()))
    client.force_login(UserFactory())
    assert "Entri baru" not in top_bar(client)
    navigation.register(navigation.NavItem("Entri baru", "core:home", "star", 1, frozenset()))
    assert "Entri baru" in top_bar(client)
    monkeypatch.setattr(navigation, "_shown", {})  # drop what the temporary entry left behind
