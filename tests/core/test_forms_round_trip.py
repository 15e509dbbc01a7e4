"""A form saved unchanged changes nothing.

On the demo data, each staff role (and a participant, a speaker and a partner) walks every page it
can reach; every form on those pages that shows stored values is submitted exactly as a browser
would submit it untouched (`browser_form`), and every row of the database is compared before and
after. Forms that act rather than edit (buttons that approve, issue, cancel ...) are named below
with the reason; a new form is checked as soon as a page links to it.
"""

import datetime
import io
from collections import Counter, deque
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.urls import Resolver404, resolve, reverse

from sinergi.accounts.models import User

from .browser_form import forms_of

ROLES = [
    "admin@sinergi.test",
    "kepala@sinergi.test",
    "program@sinergi.test",
    "keuangan@sinergi.test",
    "kerjasama@sinergi.test",
    "pustakawan@sinergi.test",
    "layanan@sinergi.test",
    "narasumber@sinergi.test",
    "mitra.unj@sinergi.test",
    "peserta1@sinergi.test",
]

# Forms whose purpose is to act, not to edit what the page shows: posting them is meant to change
# something. Keyed by the URL name the form posts to.
ACTIONS = {
    "accounts:logout": "signs out",
    "accounts:password_change": "sets a new password (its fields are empty)",
    "accounts:language": "switches the language",
    "set_language": "switches the language",
    "visits:walk_in": "counts a walk-in visitor at the desk",
    "visits:delivery_action": "quotes, sends or refuses a delivery request",
    "partners:document_upload": "adds a document to an agreement (the file is empty)",
    "partners:terminate": "ends an agreement (date and reason are empty)",
    "visits:my_questions": "asks the library a new question (empty)",
    "visits:my_deliveries": "asks for a new delivery (empty)",
    "partners:visit_request": "asks for a new institutional visit (empty)",
    "training:register": "registers for a batch (the person fills it in)",
    "training:group_register": "registers a group for a batch (the list is empty)",
    "visits:points": "adds a service point (empty)",
    "lti:key_rotate": "makes a new LTI signing key",
    "lti:roster_read": "reads a course roster from the partner's platform",
}

# Edit forms that make their row on the first save, when there is none yet: a title's licence,
# a batch's own certificate template (shown filled from its program's), a speaker's profile.
# For these a created row is expected; a change to any stored row is still a failure.
CREATES_WHEN_MISSING = {"library:title_pool", "certificates:batch_template", "insights:my_profile"}

# Pages never walked: they are not forms (files, feeds, the API, Django's admin) or end the visit.
SKIP_PREFIXES = ("/static/", "/media/", "/admin/", "/api/", "/accounts/logout", "/opds", "/oai")
PER_VIEW = 2  # pages of one view checked per role (two rows of each kind)
PER_ROLE = 220

# How a page shows that a form was refused (field errors, then the form's own errors).
REFUSED = (b"invalid-feedback d-block", b'class="alert alert-danger" role="alert"')

# Rows that record that something happened rather than what is stored.
IGNORED_MODELS = {"core.auditlog", "sessions.session", "django_tasks_database.dbtaskresult"}


def _snapshot() -> dict[str, dict]:
    rows = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in IGNORED_MODELS or label.startswith(("axes.", "admin.")):
            continue
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if not getattr(f, "auto_now", False) and f.name != "last_login"
        ]
        rows[label] = {r[model._meta.pk.attname]: r for r in model.objects.values(*names)}
    return rows


def _differences(before: dict, after: dict) -> list[str]:
    found = []
    for label, old in before.items():
        new = after[label]
        for pk in old.keys() - new.keys():
            found.append(f"{label} #{pk} deleted")
        for pk in new.keys() - old.keys():
            found.append(f"{label} #{pk} created")
        for pk in old.keys() & new.keys():
            if old[pk] != new[pk]:
                changed = {k: (old[pk][k], new[pk][k]) for k in old[pk] if old[pk][k] != new[pk][k]}
                found.append(f"{label} #{pk} changed {changed}")
    return found


def _url_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _links(page: str, url: str) -> list[str]:
    from lxml import html

    document = html.document_fromstring(page)
    document.make_links_absolute(f"http://testserver{url}")
    found = []
    for element in document.iter("a"):
        href = element.get("href") or ""
        parts = urlsplit(href)
        if parts.netloc not in {"", "testserver"} or parts.scheme not in {"", "http"}:
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


class Walk:
    def __init__(self, client):
        self.client = client
        self.problems: list[str] = []
        self.checked = Counter()
        self.pages = 0

    def run(self, starts: list[str]) -> None:
        queue, seen, per_view = deque(starts), set(starts), Counter()
        while queue and self.pages < PER_ROLE:
            url = queue.popleft()
            path = urlsplit(url).path
            name = _url_name(path)
            if name is None or per_view[name] >= PER_VIEW or path.startswith(SKIP_PREFIXES):
                continue
            per_view[name] += 1
            response = self.client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            self.pages += 1
            page = response.content.decode()
            for form in forms_of(page, f"http://testserver{url}"):
                self.check(url, form)
            for link in _links(page, url):
                if link not in seen:
                    seen.add(link)
                    queue.append(link)

    def check(self, url, form) -> None:
        target = urlsplit(form.action)
        name = _url_name(target.path)
        if target.netloc != "testserver" or name is None or name in ACTIONS or not form.filled:
            return
        if name.endswith(("_new", "_create", "_add")) or "/new/" in target.path:
            return  # a form for a new row starts empty: nothing stored to keep
        headers = {"HTTP_HX_REQUEST": "true"} if form.htmx else {}
        before = _snapshot()
        with transaction.atomic():
            response = self.client.post(
                target.path + (f"?{target.query}" if target.query else ""), form.data(), **headers
            )
            after = _snapshot()
            transaction.set_rollback(True)
        self.checked[name] += 1
        where = f"{url} → {name}"
        if response.status_code >= 400:
            self.problems.append(f"{where}: answered {response.status_code}")
        elif response.status_code == 200 and any(mark in response.content for mark in REFUSED):
            self.problems.append(f"{where}: refused the unchanged form")
        differences = _differences(before, after)
        if name in CREATES_WHEN_MISSING:
            differences = [d for d in differences if not d.endswith(" created")]
        self.problems += [f"{where}: {d}" for d in differences]


def _stored_dates() -> list[str]:
    """Edit pages of rows with a stored date, walked first: a licence that expires, a session."""
    from sinergi.learning.models import Session
    from sinergi.library.models import LicensePool

    pool = LicensePool.objects.filter(expires_on__isnull=False).order_by("pk").first()
    session = Session.objects.filter(starts_at__isnull=False).order_by("pk").first()
    assert pool and session, "the demo data has a licence with an end and a dated session"
    return [
        reverse("library:title_pool", args=[pool.title_id]),
        reverse("learning:session_edit", args=[session.batch_id, session.pk]),
    ]


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = False
    call_command("seed_demo", strict=True, stdout=io.StringIO())


@pytest.mark.slow
def test_every_form_saved_unchanged_changes_nothing(demo, client):
    problems, checked, walks = [], Counter(), []
    starts = ["/", *_stored_dates()]
    for email in ROLES:
        client.force_login(User.objects.get(email=email))
        walk = Walk(client)
        walk.run(starts)
        problems += [f"[{email}] {p}" for p in walk.problems]
        checked += walk.checked
        walks.append(walk.pages)
        client.logout()
    # The walk reached the edit forms that lost dates before (sessions, licences, batches,
    # agreements, opening hours).
    for name in [
        "learning:session_edit",
        "library:title_pool",
        "library:title_edit",
        "training:batch_edit",
        "partners:agreement_edit",
    ]:
        assert checked[name], f"{name} not reached; forms checked: {sorted(checked)}"
    pages = sum(walks)
    print(f"round trip: {len(ROLES)} roles, {pages} pages, {sum(checked.values())} forms posted")
    assert not problems, "\n".join(problems)


def test_the_snapshot_sees_a_changed_date(db):
    """The comparison itself can fail: a date moved by a day is reported."""
    from tests.factories import BatchFactory

    batch = BatchFactory()
    before = _snapshot()
    batch.starts_on = batch.starts_on + datetime.timedelta(days=1)
    batch.save(update_fields=["starts_on"])
    assert any("starts_on" in d for d in _differences(before, _snapshot()))


def test_every_model_field_is_compared():
    """Only what records time of change is left out of the comparison."""
    left_out = [
        f"{m._meta.label}.{f.name}"
        for m in apps.get_models()
        for f in m._meta.concrete_fields
        if isinstance(f, models.DateTimeField) and f.auto_now
    ]
    assert all(name.endswith(("updated_at", "modified_at", "changed_at")) for name in left_out), (
        left_out
    )
