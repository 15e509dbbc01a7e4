"""Every page each demo role can reach, on a 360 px phone, in Chromium under the real CSP.

The demo data is loaded (seed_demo, at a fixed moment); then, for a visitor and for one account
of every demo role, the crawl starts at the home page and follows same-origin links breadth
first, GET only. One page is opened per view and set of query parameters (the first link to
`/library/records/<id>/` stands for them all), at most MAX_PAGES per role. Logout, Django's admin
(not Sinergi's templates) and files (PDF, spreadsheets, calendars, feeds) are not opened.

Each page must answer without a server error, fit 360 px (no horizontal scrolling), log no
console error, uncaught exception or CSP violation on load and after its HTMX interactions that
only read (a filter select changed, a search box typed into, an hx-get element clicked), and
have no critical or serious axe-core violation (axe-core is vendored in tests/e2e/vendor/).
All problems of all roles are gathered and reported together. See docs/ACCESSIBILITY.md.
"""

import io
import json
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

import time_machine
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse

from sinergi.accounts.demo import DEMO_PASSWORD

from ..moments import wib

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# A Tuesday morning in WIB: batches running, sessions open for check-in, visit slots free.
MOMENT = wib(2026, 12, 8, 9, 0)
MAX_PAGES = 70
WIDTH = 360

# One account per demo role (README, "Demo logins"); None is a signed-out visitor.
ROLES = {
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

SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/", "/api/", "/opds/", "/oai")
SKIPPED_NAMES = {"accounts:logout"}
# Views that answer files (or send the browser off the site), not pages: their names say so.
FILE_WORDS = {
    "pdf", "xlsx", "csv", "ics", "feed", "zip", "export", "download", "file", "stream", "logo",
    "cover", "preview", "qr", "letter", "go",
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

WIDTH_JS = "document.documentElement.scrollWidth"

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
    .filter((v) => v.impact === "critical" || v.impact === "serious")
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
    problems: list[str] = field(default_factory=list)
    axe_rules: Counter = field(default_factory=Counter)


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
    keys = sorted({key for key, _value in parse_qsl(query) if key != "page"})
    return name + ("?" + "&".join(keys) if keys else "")


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


def _check_page(page, url: str, crawl: Crawl, reported: list[str], axe_source: str) -> list[str]:
    """Open one page, check it, and return the same-origin links on it."""
    reported.clear()
    try:
        response = page.goto(url, wait_until="networkidle")
    except Exception as error:
        if "Download is starting" in str(error) or "ERR_ABORTED" in str(error):
            crawl.skipped["file"] += 1
            return []
        if "ERR_NAME_NOT_RESOLVED" in str(error):  # a redirect out (an e-resource's link)
            crawl.skipped["off-site"] += 1
            return []
        raise
    reported.clear()
    if response is None:
        return []
    if response.status >= 500:
        crawl.problems.append(f"{url}: status {response.status}")
        return []
    if "text/html" not in response.headers.get("content-type", ""):
        crawl.skipped["not html"] += 1
        return []
    crawl.pages += 1
    width = page.evaluate(WIDTH_JS)
    if width > WIDTH + 1:
        crawl.problems.append(f"{url}: {width}px wide on a {WIDTH}px screen")
    for text in reported:
        crawl.problems.append(f"{url}: on load: {text}")
    links = page.evaluate(LINKS)

    page.evaluate(axe_source)
    for violation in page.evaluate(AXE_RUN):
        crawl.axe_rules[violation["id"]] += 1
        crawl.problems.append(
            f"{url}: axe {violation['impact']} {violation['id']} x{violation['count']}: "
            + json.dumps(violation["nodes"], ensure_ascii=False)
        )

    reported.clear()
    for target in page.evaluate(HTMX_TARGETS):
        crawl.interactions += 1
        _interact(page, target)
    if reported:
        for text in reported:
            crawl.problems.append(f"{url}: after HTMX: {text}")
        width = page.evaluate(WIDTH_JS)
        if width > WIDTH + 1:
            crawl.problems.append(f"{url}: {width}px wide after HTMX")
    return links


def _crawl_role(browser, base: str, email: str | None, axe_source: str) -> Crawl:
    crawl = Crawl()
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
    origin = urlsplit(base).netloc
    page = context.new_page()

    page.on(
        "console",
        lambda msg: reported.append(f"console {msg.text}") if msg.type == "error" else None,
    )
    page.on("pageerror", lambda error: reported.append(f"exception {error}"))
    try:
        if email:
            _log_in(page, base, email)
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
            for link in _check_page(page, url, crawl, reported, axe_source):
                link = urldefrag(link).url
                if urlsplit(link).netloc == origin and urlsplit(link).scheme.startswith("http"):
                    queue.append(link)
    finally:
        context.close()
    return crawl


def test_every_page_of_every_demo_role_on_a_phone(
    browser, live_server, reference_data, settings, capsys
):
    settings.SITE_URL = live_server.url
    # The browser keeps real time: cookies must not expire by the server's (travelled) clock.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    axe_source = AXE.read_text()
    started = time.monotonic()
    with time_machine.travel(MOMENT, tick=True):
        call_command("seed_demo", strict=True, stdout=io.StringIO())
        crawls = {
            role: _crawl_role(browser, live_server.url, email, axe_source)
            for role, email in ROLES.items()
        }
    elapsed = time.monotonic() - started

    pages = sum(crawl.pages for crawl in crawls.values())
    views = set().union(*(crawl.views for crawl in crawls.values()))
    with capsys.disabled():
        print(f"\ncrawl: {pages} pages over {len(crawls)} roles, {len(views)} views, {elapsed:.0f}s")
        for role, crawl in crawls.items():
            print(
                f"  {role}: {crawl.pages} pages, {crawl.interactions} HTMX interactions, "
                f"skipped {dict(crawl.skipped)}, {len(crawl.problems)} problems"
            )
    problems = [f"[{role}] {p}" for role, crawl in crawls.items() for p in crawl.problems]
    assert not problems, "\n".join(problems)
    for role, crawl in crawls.items():
        assert crawl.pages >= 3, f"{role} reached only {crawl.pages} pages"
