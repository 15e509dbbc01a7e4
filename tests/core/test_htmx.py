"""Fragments only when htmx asks for one: every page whose filter form pushes its URL
(`hx-push-url`) answers a history-restore request with the whole page, and an ordinary htmx
request with the fragment; both vary on HX-Request."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "sinergi"
HTMX = {"HTTP_HX_REQUEST": "true"}
RESTORE = {**HTMX, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}

# Each page whose template pushes its URL, with who may see it.
PAGES = {
    "training/catalogue.html": ("training:catalogue", None),
    "partners/agreement_list.html": ("partners:agreement_list", "cooperation_officer"),
    "visits/faq.html": ("visits:faq", None),
}


def test_every_page_that_pushes_its_url_is_listed_here():
    pushing = {
        "/".join(path.parts[-2:])
        for path in TEMPLATES.glob("*/templates/*/*.html")
        if "hx-push-url" in path.read_text(encoding="utf-8")
    }
    assert pushing == set(PAGES)


@pytest.mark.parametrize("template", sorted(PAGES))
def test_a_history_restore_gets_the_whole_page_and_htmx_the_fragment(client, template):
    name, role = PAGES[template]
    if role:
        client.force_login(UserFactory(roles=[role]))
    url = reverse(name) + "?q=perpustakaan"
    whole = client.get(url, **RESTORE)
    assert whole.status_code == 200
    assert re.search(rb"<html[ >]", whole.content), "a history restore got a bare fragment"
    fragment = client.get(url, **HTMX)
    assert fragment.status_code == 200
    assert not re.search(rb"<html[ >]", fragment.content)
    for response in (whole, fragment):
        assert "HX-Request" in response["Vary"]
