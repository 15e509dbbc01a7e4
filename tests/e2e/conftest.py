"""Fixtures for end-to-end tests: a real Chromium driven by Playwright against `live_server`.

Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM_PATH); Playwright never downloads a
browser here. Screenshots always go under pytest's temporary directory; with SCREENSHOTS=1 they
are also copied to docs/screenshots/, the ones the README shows.
"""

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# The two screens every page must work on (DESIGN.md: most participants use a phone).
DEVICES = {
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1},
}

# Reports every CSP violation with its directive, even those Chromium logs only as a warning.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__snReportCsp(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`
  );
});
"""


@dataclass
class BrowserProblems:
    """Console errors, uncaught exceptions and CSP violations seen during a test."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.console_errors or self.page_errors or self.csp_violations)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def e2e_settings(settings, live_server):
    """Send e-mails at once (no worker in these tests) with links that point at `live_server`."""
    from django_tasks import task_backends
    from django_tasks.backends.immediate import ImmediateBackend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = live_server.url
    # django_tasks rebuilds its backends on setting_changed; fail loudly if that ever stops.
    assert isinstance(task_backends["default"], ImmediateBackend)
    return settings


@pytest.fixture
def problems() -> BrowserProblems:
    return BrowserProblems()


@pytest.fixture
def new_page(browser, problems: BrowserProblems) -> Iterator[Callable]:
    """Return a function that opens a page in a fresh context for one of DEVICES."""
    contexts = []

    def open_page(device: str):
        # An English browser: the site must still answer in Indonesian until asked otherwise.
        context = browser.new_context(**DEVICES[device], locale="en-US")
        context.set_default_timeout(10_000)
        context.expose_binding(
            "__snReportCsp", lambda _source, text: problems.csp_violations.append(text)
        )
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                problems.console_errors.append(f"{page.url}: {msg.text}")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.page_errors.append(f"{page.url}: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots", numbered=False)


@pytest.fixture
def screenshot(screenshot_dir: Path) -> Callable:
    """Return a function that saves a full-page PNG (and copies it to docs/ if SCREENSHOTS=1)."""
    publish = os.environ.get("SCREENSHOTS") == "1"

    def take(page, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        # Hidden caret and frozen animations keep the pictures the same from run to run.
        page.screenshot(path=path, full_page=True, animations="disabled", caret="hide")
        if publish:
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_SCREENSHOTS / path.name)
        return path

    return take


def eventually(check: Callable[[], bool], *, seconds: float = 10.0, what: str = "") -> None:
    """Wait until `check()` is true (a row the page's own request writes), failing after
    `seconds`: a database assertion after a browser action waits for the action, not a guess."""
    import time

    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what or check}")
        time.sleep(0.05)
