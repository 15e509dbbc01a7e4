import pytest
from django.urls import reverse

from sinergi.accounts import services
from sinergi.accounts.models import Role
from sinergi.accounts.selectors import user_has_role, user_roles

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

AUDIT_URL = "/audit/"


def audit_link_shown(client) -> bool:
    return f'href="{AUDIT_URL}"' in client.get(reverse("core:home")).content.decode()


def test_audit_log_url():
    assert reverse("core:audit_log") == AUDIT_URL


def test_navigation_shows_audit_log_only_to_admin(client):
    assert not audit_link_shown(client)
    client.force_login(UserFactory(roles=["participant"]))
    assert not audit_link_shown(client)
    client.force_login(UserFactory(roles=["head", "finance", "program_manager"]))
    assert not audit_link_shown(client)
    client.force_login(UserFactory(roles=["admin"]))
    assert audit_link_shown(client)


def test_audit_log_access(client):
    response = client.get(AUDIT_URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={AUDIT_URL}"

    client.force_login(UserFactory(roles=["participant"]))
    assert client.get(AUDIT_URL).status_code == 403

    client.force_login(UserFactory(roles=["admin"]))
    assert client.get(AUDIT_URL).status_code == 200


def test_superuser_sees_audit_log(client):
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(AUDIT_URL).status_code == 200


def test_admin_role_implies_every_role():
    admin = UserFactory(roles=["admin"])
    assert user_roles(admin) == frozenset(Role.values)
    assert user_has_role(admin, Role.FINANCE)


def test_superuser_holds_every_role():
    assert user_roles(UserFactory(is_superuser=True)) == frozenset(Role.values)


def test_roles_are_the_groups_held():
    user = UserFactory(roles=["speaker", "partner"])
    assert user_roles(user) == {Role.SPEAKER, Role.PARTNER}
    assert user_has_role(user, Role.SPEAKER, Role.HEAD)
    assert not user_has_role(user, Role.HEAD)


def test_groups_that_are_not_roles_are_ignored():
    from django.contrib.auth.models import Group

    user = UserFactory()
    user.groups.add(Group.objects.create(name="bukan-peran"))
    assert user_roles(user) == frozenset()


def test_anonymous_has_no_roles(client):
    from django.contrib.auth.models import AnonymousUser

    assert user_roles(AnonymousUser()) == frozenset()


def test_every_role_has_its_group():
    from django.contrib.auth.models import Group

    assert set(Role.values) <= set(Group.objects.values_list("name", flat=True))


def test_grant_admin_role_gives_admin_site_and_audits():
    from sinergi.core.models import AuditLog

    actor = UserFactory(roles=["admin"])
    user = UserFactory()
    services.user_grant_role(user=user, role=Role.ADMIN, actor=actor)
    user.refresh_from_db()
    assert user.is_staff
    assert user_roles(user) == frozenset(Role.values)
    row = AuditLog.objects.get(verb="accounts.role_granted")
    assert row.actor == actor
    assert row.data == {"role": "admin"}


def test_grant_unknown_role_is_refused():
    with pytest.raises(ValueError):
        services.user_grant_role(user=UserFactory(), role="raja", actor=None)
