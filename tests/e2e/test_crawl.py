"""Every page each demo role can reach, on a 360 px phone, in Chromium under the real CSP.

The demo data is loaded (seed_demo, at a fixed moment); then, for a visitor and for one account
of every demo role, the crawl starts at the home page and follows same-origin links breadth
first, GET only. One page is opened per view, once unfiltered and once filtered (the first link
to `/library/records/<id>/` stands for them all), at most MAX_PAGES per role. Logout, Django's
admin (not Sinergi's templates), the machine interfaces and files (PDF, spreadsheets, calendars,
feeds) are not opened.

Each page must answer without a server error, fit 360 px (no horizontal scrolling), log no
console error, uncaught exception or CSP violation on load and after its HTMX interactions that
only read (a filter select changed, a search box typed into, an hx-get element clicked), and
have no critical or serious axe-core violation (axe-core is vendored in tests/e2e/vendor/).
When every role has read its pages, each sends the first HTMX form of the pages that have one
(an agreement step, an attendance mark ...) and the page after the swap is checked the same way.
All problems of all roles are gathered and reported together. See docs/ACCESSIBILITY.md.

CRAWL_ROLES=admin,participant crawls only those roles; CRAWL_DEBUG=<file> writes each role's
views and its moderate and minor axe findings there.
"""

import hashlib
import io
import json
import os
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest

from .conftest import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

import time_machine
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from sinergi.accounts.demo import DEMO_PASSWORD
from sinergi.learning.models import Session
from sinergi.partners.models import AgreementStep

from ..moments import wib

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# A Tuesday morning in WIB: batches running, sessions open for check-in, visit slots free.
MOMENT = wib(2026, 12, 8, 9, 0)
MAX_PAGES = 200
WIDTH = 360

# One account per demo role (README, "Demo logins"); None is a signed-out visitor.
ROLES_ALL = {
    "visitor": None,
    "admin": "admin@sinergi.test",
    "head": "kepala@sinergi.test",
    "program_manager": "program@sinergi.test",
    "finance": "keuangan@sinergi.test",
    "cooperation_officer": "kerjasama@sinergi.test",
    "librarian": "pustakawan@sinergi.test",
    "services_desk": "layanan@sinergi.test",
    "speaker": "narasumber@sinergi.test",
    "partner": "mitra.perpusnas@sinergi.test",
    "participant": "peserta1@sinergi.test",
}
CHOSEN = os.environ.get("CRAWL_ROLES", "").split(",")
ROLES = {role: email for role, email in ROLES_ALL.items() if role in CHOSEN or CHOSEN == [""]}

SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/", "/api/", "/opds/", "/oai")
SKIPPED_NAMES = {"accounts:logout"}
# Views that answer files (or send the browser off the site), not pages: their names say so.
FILE_WORDS = {
    "pdf",
    "xlsx",
    "csv",
    "ics",
    "feed",
    "zip",
    "export",
    "download",
    "file",
    "stream",
    "logo",
    "cover",
    "preview",
    "qr",
    "letter",
    "go",
}

# Reports every CSP violation, as in conftest.CSP_LISTENER, but keyed by the page it happened on.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__snReportCsp(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`
    + ` (${(event.sample || "").slice(0, 60)})`
  );
});
"""

# Links on the page, with the `download` attribute noted.
LINKS = """
() => [...document.querySelectorAll("a[href]")]
  .filter((a) => !a.hasAttribute("download"))
  .map((a) => a.href)
"""

# A page's own content, without the tokens that differ between two loads of it.
CONTENT_JS = """
(() => {
  const main = document.querySelector("main") || document.body;
  return main.outerHTML
    .replace(/name="csrfmiddlewaretoken" value="[^"]*"/g, "")
    .replace(/data-sn-crawl="[^"]*"/g, "");
})()
"""

WIDTH_JS = "document.documentElement.scrollWidth"

# Forms that write and swap their answer into the page (not the quiz's answer-by-answer saves).
HTMX_FORM = "form[hx-post]:has(button[type=submit])"

# The page's read-only HTMX interactions: each gets a CSS selector the test can act on.
HTMX_TARGETS = """
() => {
  const found = [];
  const mark = (el, kind) => {
    const id = `sn-crawl-${found.length}`;
    el.setAttribute("data-sn-crawl", id);
    found.push({selector: `[data-sn-crawl="${id}"]`, kind});
  };
  const writes = (el) => el.closest("[hx-post],[hx-put],[hx-patch],[hx-delete]");
  for (const el of document.querySelectorAll("[hx-get]")) {
    if (writes(el)) continue;
    const trigger = el.getAttribute("hx-trigger") || "";
    if (/every /.test(trigger)) continue;  // polling happens on its own
    if (el.tagName === "FORM") {
      const select = el.querySelector("select");
      if (select && select.options.length > 1) mark(select, "select");
      const box = el.querySelector("input[type=search], input[type=text], input:not([type])");
      if (box) mark(box, "type");
      if (!select && !box) mark(el, "submit");
    } else if (el.tagName === "SELECT") {
      mark(el, "select");
    } else if (el.tagName === "INPUT") {
      mark(el, "type");
    } else {
      mark(el, "click");
    }
  }
  return found;
}
"""

AXE_RUN = """
async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(
      (n) => n.target.join(" ") + " :: " + (n.failureSummary || "").split("\\n").slice(1).join(" ")
    ), count: v.nodes.length}));
}
"""


@dataclass
class Crawl:
    """What one role's crawl saw."""

    pages: int = 0
    views: set[str] = field(default_factory=set)
    skipped: Counter = field(default_factory=Counter)
    interactions: int = 0
    writes: int = 0
    write_pages: list[str] = field(default_factory=list)
    axe_runs: int = 0
    problems: list[str] = field(default_factory=list)
    axe_rules: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    seconds: Counter = field(default_factory=Counter)


@dataclass
class Axe:
    """axe-core's source and the pages it has judged, by their main content.

    A role's navigation is the same on all its pages: it is judged with the role's first page,
    and after that a page whose <main> another page (of any role) already had is not judged again.
    """

    source: str
    judged: set[str] = field(default_factory=set)
    role_seen: bool = False


def _view_key(path: str, query: str) -> str | None:
    """Return the view name and query keys standing for this URL, or None to skip it."""
    if path.startswith(SKIPPED_PREFIXES):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return f"404:{path}"
    name = match.view_name
    if name in SKIPPED_NAMES or FILE_WORDS & set(name.split(":")[-1].split("_")):
        return None
    # A filtered list is one more page (its empty state, its chips), not one per combination.
    filtered = any(key != "page" for key, _value in parse_qsl(query))
    return name + ("?filtered" if filtered else "")


def _log_in(page, base: str, email: str) -> None:
    page.goto(base + reverse("accounts:login"))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(base + reverse("core:home"))


def _interact(page, target: dict) -> None:
    locator = page.locator(target["selector"])
    if not locator.is_visible():
        return
    if target["kind"] == "select":
        values = locator.evaluate("(s) => [...s.options].map((o) => o.value)")
        locator.select_option(values[-1])
    elif target["kind"] == "type":
        locator.fill("")
        locator.press_sequentially("pe", delay=20)
    elif target["kind"] == "submit":
        locator.evaluate("(f) => f.requestSubmit()")
    else:
        locator.click()
    # Searches wait (hx-trigger delay) before they ask; then the swap settles.
    page.wait_for_timeout(700)
    page.wait_for_load_state("networkidle")


def _axe(page, url: str, crawl: Crawl, axe: Axe, when: str) -> None:
    """Run axe-core on the page unless a page with the same content was already judged."""
    content = page.evaluate(CONTENT_JS)
    digest = hashlib.sha256(content.encode()).hexdigest()
    if axe.role_seen and digest in axe.judged:
        crawl.skipped["axe: same content"] += 1
        return
    axe.judged.add(digest)
    axe.role_seen = True
    clock = time.monotonic()
    page.evaluate(axe.source)
    violations = page.evaluate(AXE_RUN)
    crawl.seconds["axe"] += time.monotonic() - clock
    crawl.axe_runs += 1
    for violation in violations:
        crawl.axe_rules[f"{violation['impact']} {violation['id']}"] += 1
        if violation["impact"] not in ("critical", "serious"):
            crawl.notes.append(
                f"{url}: {violation['impact']} {violation['id']}: {violation['nodes']}"
            )
            continue
        crawl.problems.append(
            f"{url}: {when}: axe {violation['impact']} {violation['id']} x{violation['count']}: "
            + json.dumps(violation["nodes"], ensure_ascii=False)
        )


def _check_page(page, url: str, crawl: Crawl, reported: list[str], axe: Axe) -> list[str]:
    """Open one page, check it, and return the same-origin links on it."""
    reported.clear()
    try:
        clock = time.monotonic()
        response = page.goto(url)
        crawl.seconds["load"] += time.monotonic() - clock
    except Exception as error:
        if "Download is starting" in str(error) or "ERR_ABORTED" in str(error):
            crawl.skipped["file"] += 1
            return []
        if "ERR_NAME_NOT_RESOLVED" in str(error):  # a redirect out (an e-resource's link)
            crawl.skipped["off-site"] += 1
            return []
        raise
    if response is None:
        return []
    if response.status >= 500:
        crawl.problems.append(f"{url}: status {response.status}")
        return []
    if "text/html" not in response.headers.get("content-type", ""):
        # A file shown in the browser (a transfer proof): Chromium's own viewer, its favicon
        # request and its styles are not the site's page; let its reports pass, then drop them.
        crawl.skipped["not html"] += 1
        page.goto("about:blank")
        page.wait_for_timeout(200)
        reported.clear()
        return []
    crawl.pages += 1
    width = page.evaluate(WIDTH_JS)
    if width > WIDTH + 1:
        crawl.problems.append(f"{url}: {width}px wide on a {WIDTH}px screen")
    links = page.evaluate(LINKS)
    _axe(page, url, crawl, axe, "on load")
    # Read after axe: by then the browser has delivered what loading the page reported.
    for text in reported:
        crawl.problems.append(f"{url}: on load: {text}")

    if page.locator(HTMX_FORM).count():
        crawl.write_pages.append(url)
    targets = page.evaluate(HTMX_TARGETS)
    if targets:
        reported.clear()
        clock = time.monotonic()
        for target in targets:
            crawl.interactions += 1
            _interact(page, target)
        crawl.seconds["htmx"] += time.monotonic() - clock
        for text in reported:
            crawl.problems.append(f"{url}: after HTMX: {text}")
        width = page.evaluate(WIDTH_JS)
        if width > WIDTH + 1:
            crawl.problems.append(f"{url}: {width}px wide after HTMX")
        _axe(page, url, crawl, axe, "after HTMX")
    return links


@contextmanager
def _browsing(browser, base: str, email: str | None) -> Iterator[tuple[Any, list[str]]]:
    """Open a phone-sized page logged in as `email`, whose problems go to the list given."""
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 800},
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
    )
    context.set_default_timeout(15_000)
    reported: list[str] = []
    context.expose_binding("__snReportCsp", lambda _source, text: reported.append(f"CSP {text}"))
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: reported.append(f"console {msg.text}") if msg.type == "error" else None,
    )
    page.on("pageerror", lambda error: reported.append(f"exception {error}"))
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        if email:
            _log_in(page, base, email)
        yield page, reported
    finally:
        context.close()


def _crawl_role(browser, base: str, email: str | None, axe: Axe) -> Crawl:
    """Follow the role's links breadth first from the home page and check every page."""
    crawl = Crawl()
    axe.role_seen = False
    origin = urlsplit(base).netloc
    with _browsing(browser, base, email) as (page, reported):
        queue = deque([base + reverse("core:home")])
        seen: set[str] = set()
        while queue and crawl.pages < MAX_PAGES:
            url = queue.popleft()
            parts = urlsplit(url)
            key = _view_key(parts.path, parts.query)
            if key is None or key in seen:
                continue
            seen.add(key)
            crawl.views.add(key)
            for link in _check_page(page, url, crawl, reported, axe):
                link = urldefrag(link).url
                if urlsplit(link).netloc == origin and urlsplit(link).scheme.startswith("http"):
                    queue.append(link)
    return crawl


def _pages_with_htmx_forms(base: str) -> list[str]:
    """Return pages whose HTMX forms the crawl may not reach (it opens one agreement, one
    session): every agreement with a step in progress, and the sessions that have started."""
    agreements = (
        AgreementStep.objects.filter(state="current")
        .values_list("agreement_id", flat=True)
        .order_by("agreement_id")
    )
    sessions = Session.objects.filter(starts_at__lte=timezone.now()).order_by("-starts_at")[:2]
    return [base + reverse("partners:agreement_detail", args=[pk]) for pk in agreements] + [
        base + reverse("learning:session_detail", args=[s.batch_id, s.pk]) for s in sessions
    ]


def _write_role(browser, base: str, email: str | None, crawl: Crawl, axe: Axe) -> None:
    """Send the first HTMX form of each page that has one and check the page after the swap.

    Runs after every role's reading crawl, so what these writes change (an attendance marked, a
    step closed, a payment approved) cannot change what another role's crawl sees.
    """
    axe.role_seen = False
    with _browsing(browser, base, email) as (page, reported):
        for url in dict.fromkeys(crawl.write_pages + _pages_with_htmx_forms(base)):
            response = page.goto(url)
            if response is None or response.status != 200:
                continue
            form = page.locator(HTMX_FORM).filter(visible=True).first
            if not form.count():
                continue
            reported.clear()
            clock = time.monotonic()
            form.evaluate("(f) => f.requestSubmit()")
            page.wait_for_timeout(700)
            page.wait_for_load_state("networkidle")
            crawl.seconds["htmx writes"] += time.monotonic() - clock
            crawl.writes += 1
            for text in reported:
                crawl.problems.append(f"{url}: after an HTMX form: {text}")
            width = page.evaluate(WIDTH_JS)
            if width > WIDTH + 1:
                crawl.problems.append(f"{url}: {width}px wide after an HTMX form")
            _axe(page, url, crawl, axe, "after an HTMX form")


def test_every_page_of_every_demo_role_on_a_phone(
    browser, live_server, reference_data, settings, capsys
):
    settings.SITE_URL = live_server.url
    # The browser keeps real time: cookies must not expire by the server's (travelled) clock.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    axe = Axe(source=AXE.read_text())
    started = time.monotonic()
    with time_machine.travel(MOMENT, tick=True):
        call_command("seed_demo", strict=True, stdout=io.StringIO())
        crawls = {
            role: _crawl_role(browser, live_server.url, email, axe) for role, email in ROLES.items()
        }
        for role, email in ROLES.items():
            _write_role(browser, live_server.url, email, crawls[role], axe)
    elapsed = time.monotonic() - started

    if os.environ.get("CRAWL_DEBUG"):
        Path(os.environ["CRAWL_DEBUG"]).write_text(
            json.dumps({r: [sorted(c.views), c.notes] for r, c in crawls.items()}, indent=1)
        )
    pages = sum(crawl.pages for crawl in crawls.values())
    views = set().union(*(crawl.views for crawl in crawls.values()))
    with capsys.disabled():
        print(
            f"\ncrawl: {pages} pages over {len(crawls)} roles, {len(views)} views, {elapsed:.0f}s"
        )
        for role, crawl in crawls.items():
            print(
                f"  {role}: {crawl.pages} pages, {crawl.axe_runs} axe runs, "
                f"{crawl.interactions} HTMX reads, {crawl.writes} HTMX writes, "
                f"skipped {dict(crawl.skipped)}, {len(crawl.problems)} problems, "
                + ", ".join(f"{k} {v:.0f}s" for k, v in crawl.seconds.items())
            )
        rules = sum((crawl.axe_rules for crawl in crawls.values()), Counter())
        print(f"  axe rules broken (pages): {dict(rules)}")
    problems = [f"[{role}] {p}" for role, crawl in crawls.items() for p in crawl.problems]
    assert not problems, "\n".join(problems)
    for role, crawl in crawls.items():
        assert crawl.pages >= 3, f"{role} reached only {crawl.pages} pages"


BROKEN_PAGE = f"""<!doctype html>
<html lang="id"><head><title>Rusak</title></head>
<body><main>
<h1>Rusak</h1>
<p>{"Perpustakaan" * 60}</p>
<input type="text" name="tanpa-label">
<p><font color="#dddddd">abu-abu muda di atas putih</font></p>
<script>document.title = "inline";</script>
<script src="/tidak-ada.js"></script>
</main></body></html>"""


def test_the_checks_catch_a_broken_page(browser):
    """A negative control: a page that breaks every rule, served under Sinergi's CSP."""
    base = "http://sinergi.test"

    def serve(route):
        if route.request.url.endswith("/tidak-ada.js"):
            route.fulfill(status=404, body="")
        elif route.request.url.endswith("/galat/"):
            route.fulfill(status=500, body="Server Error")
        else:
            route.fulfill(
                status=200,
                content_type="text/html; charset=utf-8",
                headers={"Content-Security-Policy": "default-src 'self'; script-src 'self'"},
                body=BROKEN_PAGE,
            )

    crawl = Crawl()
    axe = Axe(source=AXE.read_text())
    with _browsing(browser, base, None) as (page, reported):
        page.route(f"{base}/**", serve)
        _check_page(page, f"{base}/rusak/", crawl, reported, axe)
        _check_page(page, f"{base}/galat/", crawl, reported, axe)
    found = "\n".join(crawl.problems)
    assert "px wide on a 360px screen" in found
    assert "on load: CSP script-src" in found
    assert "on load: console Failed to load resource" in found
    assert "axe critical label" in found
    assert "axe serious color-contrast" in found
    assert "/galat/: status 500" in found
