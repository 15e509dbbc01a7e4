"""A NUL byte in a query string, form field or path, and numbers far past anything real, are
answered 400, 404 or a clamped page: never a 500 (issue 16). Every address the issue found is
hit anonymous and signed in (with a role that may open it)."""

import pytest
from django.test import Client

from sinergi.accounts.services import api_token_create

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"

# (address, the roles that may open it). Each is asked with a NUL and with huge numbers.
NUL_URLS = [
    "/opds/search.xml?q=a%00b",
    "/oai?verb=ListRecords&metadataPrefix=oai_dc&set=a%00b",
    "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=%00",
    "/library/?q=a%00b",
    "/training/?q=%00",
    "/api/v1/titles?q=a%00b",
    "/api/v1/visit-slots?service_point=a%00b",
    "/insights/budgets/?year=%00",
    "/accounts/login/?next=%00",
    "/nonexistent%00/",
]

HUGE_URLS = [
    f"/api/v1/titles?page={HUGE}",
    f"/api/v1/batches?page={HUGE}",
    f"/api/v1/programs?page={HUGE}",
    f"/api/v1/visit-slots?page={HUGE}",
    f"/api/v1/registrations?page={HUGE}",
    f"/api/v1/reservations?page={HUGE}",
    "/insights/budgets/?year=99999999999",
    f"/insights/budgets/?year={HUGE}",
    "/insights/budgets/?year=-5",
    f"/insights/?year={HUGE}&program={HUGE}",
    f"/insights/speakers/?year={HUGE}",
    f"/training/?page={HUGE}",
    f"/library/?page={HUGE}&year={HUGE}",
    f"/opds/search.xml?q=a&page={HUGE}",
    f"/audit/?page={HUGE}",
]


def _clients():
    anonymous = Client()
    staff = Client(raise_request_exception=False)
    head = UserFactory(roles=["admin"])
    staff.force_login(head)
    _token, raw = api_token_create(user=head, name="probe")
    return [("anonymous", anonymous, {}), ("admin", staff, {"HTTP_AUTHORIZATION": f"Bearer {raw}"})]


def _assert_no_500(urls):
    failures = []
    for who, client, headers in _clients():
        client.raise_request_exception = False
        for url in urls:
            response = client.get(url, **headers)
            if response.status_code >= 500:
                failures.append((who, url, response.status_code))
    assert failures == []


def test_a_nul_byte_is_never_a_500():
    _assert_no_500(NUL_URLS)


def test_a_nul_byte_outside_the_api_is_a_clear_400(client):
    for url in ("/opds/search.xml?q=a%00b", "/library/?q=a%00b", "/nonexistent%00/"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "NUL" in response.content.decode() or "karakter" in response.content.decode()


def test_a_nul_byte_in_a_form_field_is_a_400(client):
    response = client.post("/accounts/login/", {"username": "a\x00@b.id", "password": "x"})
    assert response.status_code == 400


def test_huge_numbers_are_never_a_500():
    _assert_no_500(HUGE_URLS)


def test_a_far_year_of_a_speaker_statement_is_not_a_500(client):
    speaker = UserFactory(roles=["speaker"])
    client.raise_request_exception = False
    client.force_login(speaker)
    for year in ("99999999999", HUGE, "0", "-1"):
        response = client.get(f"/insights/speakers/{speaker.pk}/statement.pdf?year={year}")
        assert response.status_code in (200, 400, 404), (year, response.status_code)
    response = client.get(f"/insights/speakers/{HUGE}/statement.pdf")
    assert response.status_code == 404
