import pytest

from sinergi.accounts import services
from sinergi.accounts.models import Role

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def test_me_needs_authentication(client):
    response = client.get(ME)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_me_with_session(client):
    user = UserFactory(
        email="rina@example.org", full_name="Rina Marlina, S.IP.", roles=["speaker", "partner"]
    )
    client.force_login(user)

    response = client.get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "email": "rina@example.org",
        "name": "Rina Marlina, S.IP.",
        "roles": ["partner", "speaker"],
        "language": "id",
    }


def test_me_with_bearer_token(client):
    user = UserFactory(roles=["participant"], language="en")
    _token, raw = services.api_token_create(user=user, name="mobile")

    response = client.get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 200
    assert response.json()["email"] == user.email
    assert response.json()["roles"] == [Role.PARTICIPANT]
    assert response.json()["language"] == "en"


def test_me_for_admin_lists_every_role(client):
    client.force_login(UserFactory(roles=["admin"]))
    assert client.get(ME).json()["roles"] == sorted(Role.values)
