"""The library API: search, a title with availability, staff create, borrow (201 or 409), holds."""

import pytest

from sinergi.accounts.services import api_token_create
from sinergi.library import services
from sinergi.library.models import Title

from .factories import LicensePoolFactory, TitleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def bearer(user) -> dict:
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def make(title: str, copies: int | None = 1, **fields) -> Title:
    return services.title_create(
        actor=None, data=services.TitleData(title=title, **fields), copies=copies
    )


def test_search_and_detail(client):
    make("Manajemen Perpustakaan Digital", subjects=["Perpustakaan digital"])
    make("Kimia Dasar", copies=None)
    headers = bearer(UserFactory())
    response = client.get("/api/v1/titles?q=perpustakaan", **headers)
    assert response.status_code == 200
    assert [t["title"] for t in response.json()] == ["Manajemen Perpustakaan Digital"]
    title_id = response.json()[0]["id"]
    detail = client.get(f"/api/v1/titles/{title_id}", **headers).json()
    assert (detail["copies"], detail["available"], detail["holds"]) == (1, 1, 0)


def test_only_librarians_create_titles(client):
    payload = {
        "title": "Katalogisasi RDA",
        "contributors": [{"name": "Sulistyo-Basuki", "role": "aut"}],
        "isbn": "0-306-40615-2",
        "copies": 4,
    }
    denied = client.post(
        "/api/v1/titles", payload, content_type="application/json", **bearer(UserFactory())
    )
    assert denied.status_code == 403
    librarian = UserFactory(roles=["librarian"])
    created = client.post(
        "/api/v1/titles", payload, content_type="application/json", **bearer(librarian)
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["isbn"], body["copies"], body["available"]) == ("9780306406157", 4, 4)
    bad = client.post(
        "/api/v1/titles",
        {**payload, "isbn": "123"},
        content_type="application/json",
        **bearer(librarian),
    )
    assert bad.status_code == 422


def test_borrow_conflicts_hold_and_return(client):
    title = make("Literasi Informasi", copies=1)
    first, second = UserFactory(), UserFactory()
    response = client.post(f"/api/v1/titles/{title.pk}/loans", **bearer(first))
    assert response.status_code == 201
    loan = response.json()
    assert loan["ends_at"] and loan["state"] == "active"
    again = client.post(f"/api/v1/titles/{title.pk}/loans", **bearer(first))
    assert (again.status_code, again.json()["code"]) == (409, "already_on_loan")
    full = client.post(f"/api/v1/titles/{title.pk}/loans", **bearer(second))
    assert full.status_code == 409
    assert full.json()["code"] == "no_copy_available"
    assert full.json()["details"]["hold_available"] is True
    hold = client.post(f"/api/v1/titles/{title.pk}/holds", **bearer(second))
    assert hold.status_code == 201 and hold.json()["position"] == 1
    holds = client.get("/api/v1/me/holds", **bearer(second)).json()
    assert [h["state"] for h in holds] == ["waiting"]
    # Nobody returns another's loan.
    assert client.delete(f"/api/v1/loans/{loan['id']}", **bearer(second)).status_code == 404
    returned = client.delete(f"/api/v1/loans/{loan['id']}", **bearer(first))
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    holds = client.get("/api/v1/me/holds", **bearer(second)).json()
    assert [h["state"] for h in holds] == ["reserved"]
    taken = client.post(f"/api/v1/titles/{title.pk}/loans", **bearer(second))
    assert taken.status_code == 201
    assert [x["title"] for x in client.get("/api/v1/me/loans", **bearer(second)).json()] == [
        title.pk
    ]


def test_loan_limit_reason(client, settings):
    settings.SINERGI_MAX_LOANS = 1
    user = UserFactory()
    headers = bearer(user)
    one, two = LicensePoolFactory(copies=2).title, LicensePoolFactory(copies=2).title
    assert client.post(f"/api/v1/titles/{one.pk}/loans", **headers).status_code == 201
    response = client.post(f"/api/v1/titles/{two.pk}/loans", **headers)
    assert response.json()["code"] == "loan_limit_reached"


def test_withdrawn_titles_are_hidden_from_members(client):
    title = TitleFactory(withdrawn=True)
    assert client.get(f"/api/v1/titles/{title.pk}", **bearer(UserFactory())).status_code == 404
