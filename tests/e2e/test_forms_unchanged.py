"""In a real Chromium, forms saved unchanged keep their stored dates and times.

A licence's end date and a session's date and start time were erased (or the form refused) when a
person opened the form and pressed Save: the inputs carried dates in a format the browser drops.
Here Chromium opens each form, the person presses Save without touching anything, and the rows are
compared. The body Chromium posts is also compared with what `tests/core/browser_form.py`
computes from the same page, the rules the round-trip test over every form relies on.
"""

import datetime
from email import policy
from email.parser import BytesParser
from urllib.parse import parse_qsl

import pytest

from .conftest import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from sinergi.library import services
from sinergi.library.models import LicensePool

from ..core.browser_form import forms_of
from ..factories import UserFactory
from ..learning.factories import SessionFactory
from .test_training_flow import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _entries(request) -> list[tuple[str, str]]:
    """The name/value pairs of a posted body, urlencoded or multipart (files left out)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/"):
        return parse_qsl(request.post_data, keep_blank_values=True)
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + request.post_data_buffer)
    return [
        (part.get_param("name", header="content-disposition"), part.get_content())
        for part in message.iter_parts()
        if part.get_filename() is None
    ]


def _save_unchanged(page, url: str) -> list[tuple[str, str]]:
    """Open the form, press its Save button, and return the entries Chromium posted."""
    source = page.goto(url).text()
    posted = []
    page.on("request", lambda request: posted.append(request) if request.method == "POST" else None)
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    assert posted, "Chromium posted nothing"
    sent = sorted(_entries(posted[0]))
    names = {name for name, _value in sent}
    form = next(f for f in forms_of(source, url) if {n for n, _v in f.entries} == names)
    assert sent == sorted(form.entries), "the emulated browser differs from Chromium"
    return sent


@pytest.mark.parametrize("device", ["phone"])
def test_a_licence_and_a_session_saved_unchanged_keep_their_dates(
    device, live_server, reference_data, e2e_settings, new_page, problems
):
    librarian = UserFactory(roles=["librarian"])
    title = services.title_create(
        actor=None, data=services.TitleData(title="Katalogisasi RDA"), copies=2
    )
    services.pool_set(
        actor=None,
        title=title,
        copies=2,
        expires_on=datetime.date(2027, 12, 31),
        checkouts_limit=26,
        loan_days=14,
    )
    pool_before = model_to_dict(LicensePool.objects.get(title=title))

    # 1 January, one minute after midnight WIB: the day a UTC clock still calls 31 December.
    starts = timezone.make_aware(datetime.datetime(2027, 1, 1, 0, 1))
    session = SessionFactory(starts_at=starts, ends_at=starts + datetime.timedelta(minutes=45))
    manager = UserFactory(roles=["program_manager"])

    page = new_page(device)
    log_in(page, live_server, librarian.email)
    sent = _save_unchanged(page, live_server.url + reverse("library:title_pool", args=[title.pk]))
    assert ("expires_on", "2027-12-31") in sent
    assert model_to_dict(LicensePool.objects.get(title=title)) == pool_before

    page = new_page(device)
    log_in(page, live_server, manager.email)
    url = reverse("learning:session_edit", args=[session.batch_id, session.pk])
    sent = _save_unchanged(page, live_server.url + url)
    assert ("date", "2027-01-01") in sent and ("time", "00:01") in sent
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at) == (starts, starts + datetime.timedelta(minutes=45))
    assert not problems, problems
