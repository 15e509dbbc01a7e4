"""Load scenarios for `bench/run.py`: one User class per scenario.

Every user sends its next request as soon as the last one is answered (no think time), so a
run with N users keeps N requests in flight and measures what the server can sustain, not how
real visitors behave. Add a scenario as a new class here and name it in `SCENARIOS` in run.py.

Run through bench/run.py, which starts the server, passes --host and sets BENCH_API_TOKEN.
"""

import os
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


# --- Registration burst -------------------------------------------------------------------------


class BurstPeople:
    """The people of the burst: one API token each (from bench/registration_burst.py setup)."""

    def __init__(self):
        tokens_file = os.environ.get("BENCH_BURST_TOKENS", "")
        self.tokens = deque(Path(tokens_file).read_text().split() if tokens_file else [])
        self.total = len(self.tokens)
        self.answered = 0
        self.path = f"/api/v1/batches/{os.environ.get('BENCH_BURST_BATCH', '0')}/registrations"


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
        BURST.answered += 1
        if BURST.answered == BURST.total:
            # Quit once locust has written its stats CSV (every second) with the last answer.
            gevent.spawn_later(1.5, self.environment.runner.quit)
