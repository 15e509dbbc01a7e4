"""Load scenarios for `bench/run.py`: one User class per scenario.

Every user sends its next request as soon as the last one is answered (no think time), so a
run with N users keeps N requests in flight and measures what the server can sustain, not how
real visitors behave. Add a scenario as a new class here and name it in `SCENARIOS` in run.py.

Run through bench/run.py, which starts the server, passes --host and sets BENCH_API_TOKEN.
"""

import html
import os
import random
import re
import time
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

API_TOKEN = os.environ.get("BENCH_API_TOKEN", "")


@events.init.add_listener
def refuse_other_hosts(environment, **kwargs):
    """Only ever load this machine: a benchmark must never be pointed at a real server."""
    host = urlsplit(environment.host or "").hostname
    if host != "127.0.0.1":
        raise SystemExit(f"bench: refusing to load {environment.host!r}; only 127.0.0.1 is allowed")


class BenchUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def get_checked(self, path: str, *, name: str, expect: bytes, headers=None) -> None:
        """GET `path` and count it as failed unless it answers 200 with `expect` in the body."""
        with self.client.get(path, name=name, headers=headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif expect not in (response.content or b""):
                response.failure(f"{expect!r} not in the body")


# --- Requests, shared by the scenarios ---------------------------------------------------------


def ceiling(user: BenchUser) -> None:
    user.get_checked("/bench/ceiling", name="GET /bench/ceiling", expect=b"ok")


def home(user: BenchUser) -> None:
    # The anonymous home page: templates, navigation, static-file manifest lookups.
    user.get_checked("/", name="GET /", expect=b"sn-hero")


def healthz(user: BenchUser) -> None:
    # What a load balancer polls: one SELECT 1 and a JSON body.
    user.get_checked("/healthz", name="GET /healthz", expect=b'"status": "ok"')


def api_me(user: BenchUser) -> None:
    # The API with a bearer token: token lookup (with its user) and the user's roles.
    user.get_checked(
        "/api/v1/me",
        name="GET /api/v1/me",
        expect=b'"email"',
        headers={"Authorization": f"Bearer {API_TOKEN}"},
    )


# --- Scenarios ----------------------------------------------------------------------------------


class CeilingUser(BenchUser):
    """Only /bench/ceiling: the most the same server, middleware and Django can answer."""

    tasks = [ceiling]


class FoundationUser(BenchUser):
    """The foundation's public surface: mostly visitors on the home page, some API, the probe."""

    tasks = {home: 6, api_me: 3, healthz: 1}


class HomeUser(BenchUser):
    """Only the home page, to compare it alone with the ceiling."""

    tasks = [home]


class HealthzUser(BenchUser):
    """Only /healthz."""

    tasks = [healthz]


class ApiMeUser(BenchUser):
    """Only /api/v1/me with a bearer token."""

    tasks = [api_me]


# --- Agreements (partners, issue 6) -------------------------------------------------------------


class AgreementsUser(BenchUser):
    """Integrations reading cooperation agreements: the cooperation officer's list of those
    ending within 180 days and one agreement with its ten steps, and a partner officer's
    scoped list (the demo's tokens, from run.py)."""

    def on_start(self) -> None:
        self.officer = {"Authorization": f"Bearer {os.environ['BENCH_COOPERATION_TOKEN']}"}
        self.partner = {"Authorization": f"Bearer {os.environ['BENCH_PARTNER_TOKEN']}"}
        listing = self.client.get(
            "/api/v1/agreements?status=in_process", headers=self.officer, name="(setup)"
        ).json()
        self.detail = f"/api/v1/agreements/{listing['items'][0]['id']}"

    @task(3)
    def expiring(self) -> None:
        self.get_checked(
            "/api/v1/agreements?expiring_within_days=180",
            name="GET /api/v1/agreements?expiring_within_days",
            expect=b'"items"',
            headers=self.officer,
        )

    @task(3)
    def one_with_steps(self) -> None:
        self.get_checked(
            self.detail,
            name="GET /api/v1/agreements/{id}",
            expect=b'"steps"',
            headers=self.officer,
        )

    @task(2)
    def partners_own(self) -> None:
        self.get_checked(
            "/api/v1/agreements",
            name="GET /api/v1/agreements (partner officer)",
            expect=b'"items"',
            headers=self.partner,
        )


# --- Registration burst -------------------------------------------------------------------------


class BurstPeople:
    """The people of a burst: one API token each (from the burst's setup in bench/)."""

    def __init__(self, path: str = ""):
        tokens_file = os.environ.get("BENCH_BURST_TOKENS", "")
        self.tokens = deque(Path(tokens_file).read_text().split() if tokens_file else [])
        self.total = len(self.tokens)
        self.answered = 0
        self.path = path or (
            f"/api/v1/batches/{os.environ.get('BENCH_BURST_BATCH', '0')}/registrations"
        )

    def answer(self, user: BenchUser) -> None:
        """Count an answer; the last one ends the run."""
        self.answered += 1
        if self.answered == self.total:
            # Quit once locust has written its stats CSV (every second) with the last answer.
            gevent.spawn_later(1.5, user.environment.runner.quit)


BURST = BurstPeople()


class RegistrationBurstUser(BenchUser):
    """People register for one batch as fast as they can: each takes a person nobody has used
    yet and registers once, with consent, then takes the next; with as many users as people
    (the default in run.py) every locust user is one person and registers exactly once. The
    answer must be 201 with a seat or a place on the waiting list. The last answer ends the run.
    """

    @task
    def register(self) -> None:
        if not BURST.tokens:
            raise StopUser
        token = BURST.tokens.popleft()
        with self.client.post(
            BURST.path,
            json={"consent": True},
            headers={"Authorization": f"Bearer {token}"},
            name="POST /api/v1/batches/[id]/registrations",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"status {response.status_code}")
            elif response.json().get("state") not in ("pending_payment", "waitlisted"):
                response.failure(f"state {response.json().get('state')!r}")
        BURST.answer(self)


# --- Visit burst --------------------------------------------------------------------------------

VISIT_BURST = BurstPeople(
    path=f"/api/v1/visit-slots/{os.environ.get('BENCH_BURST_SLOT', '0')}/reservations"
)
# Booking "opens" for everyone at the same instant: a moment after locust has started all its
# users (they are spawned within the first second), every user fires at once.
VISIT_OPENS_AT = time.monotonic() + 3.0


class VisitBurstUser(BenchUser):
    """Members try to book the same slot the moment booking opens: each takes a person nobody
    has used yet and books once. The right answer is 201 with a ticket code while seats last,
    then 409 with the reason "full"; anything else is a failure. The last answer ends the run.
    """

    @task
    def book(self) -> None:
        if not VISIT_BURST.tokens:
            raise StopUser
        token = VISIT_BURST.tokens.popleft()
        gevent.sleep(max(VISIT_OPENS_AT - time.monotonic(), 0))
        with self.client.post(
            VISIT_BURST.path,
            headers={"Authorization": f"Bearer {token}"},
            name="POST /api/v1/visit-slots/[id]/reservations",
            catch_response=True,
        ) as response:
            body = response.json() if response.status_code in (201, 409) else {}
            if response.status_code == 201 and not body.get("code"):
                response.failure("201 without a ticket code")
            elif response.status_code == 409 and body.get("code") != "full":
                response.failure(f"409 {body.get('code')!r}")
            elif response.status_code not in (201, 409):
                response.failure(f"status {response.status_code}")
            else:
                # "Full" is the right answer once the seats are gone, not a failure.
                response.success()
        VISIT_BURST.answer(self)


class HeadDashboardUser(BenchUser):
    """The head of library opens the dashboard of a year with 100 batches and 10,000
    registrations (bench/insights_year.py), signed in with a session made in bulk."""

    def on_start(self) -> None:
        session = Path(os.environ["BENCH_DASHBOARD_SESSION"]).read_text().split()[0]
        self.headers = {"Cookie": f"sessionid={session}"}
        self.path = f"/insights/?year={os.environ['BENCH_DASHBOARD_YEAR']}"

    @task
    def dashboard(self) -> None:
        self.get_checked(
            self.path,
            name="GET /insights/?year (100 batches, 10,000 registrations)",
            expect=b'data-figure="profit"',
            headers=self.headers,
        )


# --- Post-test burst ----------------------------------------------------------------------------


class PostTestPeople:
    """The participants of the post-test burst: a signed-in session and a CSRF secret each
    (from bench/posttest_burst.py setup), and the quiz's batch and item."""

    def __init__(self):
        people_file = os.environ.get("BENCH_POSTTEST_PEOPLE", "")
        lines = Path(people_file).read_text().splitlines() if people_file else []
        self.people = deque(line.split() for line in lines if line.strip())
        self.total = len(self.people)
        self.done = 0
        batch, item = (
            os.environ.get("BENCH_POSTTEST_BATCH", "0"),
            os.environ.get("BENCH_POSTTEST_ITEM", "0"),
        )
        self.start_path = f"/learning/batches/{batch}/quizzes/{item}/start/"
        # Each person spreads their answers over about this many seconds, as people do.
        self.spread_s = float(os.environ.get("BENCH_POSTTEST_SPREAD_S", "60"))


POSTTEST = PostTestPeople()
QUESTION = re.compile(
    r'<fieldset class="card mb-3 sn-question sn-q-(\w+)" id="q(\d+)"(.*?)</fieldset>', re.DOTALL
)
CHOICE = re.compile(r'name="q\d+-choice" value="(\d+)"')
SAVE_URL = re.compile(r'hx-post="([^"]+)"')
ATTEMPT_URL = re.compile(r'id="sn-attempt-form" data-url="([^"?]+)"')


def _answer(qtype: str, position: int, body: str) -> dict | None:
    """A form answer as a person gives it: a random choice, or a typed text or number."""
    prefix = f"q{position}-"
    if qtype in ("multichoice", "truefalse"):
        choices = CHOICE.findall(body)
        return {f"{prefix}kind": "choices", f"{prefix}choice": random.choice(choices)}
    if qtype == "shortanswer":
        return {
            f"{prefix}kind": "text",
            f"{prefix}text": random.choice(["Perpusnas", "perpustakaan"]),
        }
    if qtype == "numerical":
        return {f"{prefix}kind": "value", f"{prefix}value": random.choice(["8", "7,5"])}
    return None


class PostTestBurstUser(BenchUser):
    """A participant takes the post-test: start it (the answer is the attempt page), save each
    answer as they go (HTMX, as the page does: one small POST per answer), then submit. Each locust
    user is one person and does this once; the pauses between answers spread a person's
    answers over about a minute (BENCH_POSTTEST_SPREAD_S), so the run models a class that
    starts together and finishes within a minute or so. The last submission ends the run.
    """

    @task
    def take_the_posttest(self) -> None:
        if not POSTTEST.people:
            raise StopUser
        session, csrf = POSTTEST.people.popleft()
        headers = {
            "Cookie": f"sessionid={session}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
        }
        try:
            self._take(headers)
        finally:
            POSTTEST.done += 1
            if POSTTEST.done == POSTTEST.total:
                gevent.spawn_later(1.5, self.environment.runner.quit)
        raise StopUser

    def _take(self, headers: dict) -> None:
        # The start answers with the attempt's first page (all 20 questions), as the browser
        # gets it; the page's own address is in the form's data-url.
        with self.client.post(
            POSTTEST.start_path,
            headers=headers,
            name="POST start (the attempt page)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            body = response.text or ""
            questions = QUESTION.findall(body)
            own = ATTEMPT_URL.search(body)
            if response.status_code != 200 or not questions or own is None:
                response.failure(f"status {response.status_code}, {len(questions)} questions")
                return
        attempt_path = html.unescape(own.group(1))
        pause = POSTTEST.spread_s / (len(questions) + 1)
        for qtype, position, fieldset in questions:
            data = _answer(qtype, int(position), fieldset)
            if data is None:
                continue
            gevent.sleep(random.uniform(0.5 * pause, 1.5 * pause))
            # The page's own autosave URL (with its answer key), as HTMX posts it.
            found = SAVE_URL.search(fieldset)
            if found is None:
                events.request.fire(
                    request_type="POST",
                    name="POST answer (autosave)",
                    response_time=0,
                    response_length=0,
                    exception=AssertionError(f"question {position} has no autosave URL"),
                )
                continue
            save_url = html.unescape(found.group(1))
            with self.client.post(
                save_url,
                data=data,
                headers={**headers, "HX-Request": "true"},
                name="POST answer (autosave)",
                catch_response=True,
            ) as response:
                if response.status_code != 200 or b"text-success" not in (response.content or b""):
                    response.failure(f"status {response.status_code}")
        gevent.sleep(random.uniform(0.5 * pause, 1.5 * pause))
        with self.client.post(
            f"{attempt_path}submit/",
            headers=headers,
            name="POST submit",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/review/" not in response.headers.get(
                "Location", ""
            ):
                response.failure(f"status {response.status_code}")
