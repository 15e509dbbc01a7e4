"""Benchmark Sinergi on this machine: `make bench`, or `.venv/bin/python bench/run.py --help`.

One command does everything, in a throwaway directory: a fresh SQLite database (or the one in
DATABASE_URL), migrate, seed_demo, an API token, collectstatic, then gunicorn with production
settings on 127.0.0.1, then each scenario of bench/locustfile.py with locust (headless, a fixed
number of users for a fixed time), then a table printed and saved under bench/results/.
The registration burst runs on PostgreSQL: without DATABASE_URL a scratch database is made on
the local server for the run and dropped after it.
See docs/BENCHMARKS.md for the method and how to add a scenario.
"""

import argparse
import csv
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

try:
    import psutil  # installed with locust
except ImportError:
    message = "bench: needs the bench extra: make bench, or pip install -e '.[bench]'"
    raise SystemExit(message) from None

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"

# Scenario name -> User class in bench/locustfile.py. Add new scenarios here.
SCENARIOS = {
    "ceiling": "CeilingUser",
    "foundation": "FoundationUser",
    "home": "HomeUser",
    "healthz": "HealthzUser",
    "api-me": "ApiMeUser",
    "registration-burst": "RegistrationBurstUser",
    "posttest-burst": "PostTestBurstUser",
    "visit-burst": "VisitBurstUser",
    "agreements": "AgreementsUser",
    "head-dashboard": "HeadDashboardUser",
}
DEFAULT_SCENARIOS = ["ceiling", "foundation"]
# Issue 3's proof: this many people register at once for a batch with this many seats.
BURST = "registration-burst"
BURST_PEOPLE = 1000
BURST_CAPACITY = 300
# The burst runs until every person has an answer; its --duration is only a cap, at least this.
BURST_MIN_CAP_S = 120
# Issue 4's proof: this many participants take a post-test of this many questions together,
# each spreading their answers over about a minute; people start within the first seconds.
POSTTEST = "posttest-burst"
POSTTEST_PEOPLE = 1000
POSTTEST_QUESTIONS = 20
POSTTEST_SPREAD_S = 60
POSTTEST_SPAWN_S = 10
POSTTEST_MIN_CAP_S = 240
# Issue 8's proof: this many members try to book one slot of this many seats the moment
# booking opens (bench/visit_burst.py).
VISIT = "visit-burst"
VISIT_PEOPLE = 1000
VISIT_CAPACITY = 100
# Issue 9's proof: the head's dashboard of a year with this many batches and registrations
# (bench/insights_year.py).
DASHBOARD = "head-dashboard"
DASHBOARD_YEAR = 2031
DASHBOARD_BATCHES = 100
DASHBOARD_REGISTRATIONS = 10_000
# Scenarios that need PostgreSQL (a scratch database without DATABASE_URL).
POSTGRES_SCENARIOS = (BURST, POSTTEST, VISIT)
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
BENCH_EMAIL = "bench@example.org"
# Cores busy outside the server and locust above which a run is flagged as disturbed (on a
# quiet machine this stays under 0.05: loopback TCP is charged to the processes themselves).
BUSY_ELSEWHERE = 0.15
# Cores busy before a scenario (with nothing of ours running) below which the machine is quiet.
QUIET = 0.25


class BenchError(Exception):
    pass


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20, help="concurrent users (default 20)")
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=None,
        help="users started per second (default: all of them in the first second)",
    )
    parser.add_argument(
        "--duration", default="30s", help="run time per scenario, as locust takes it (default 30s)"
    )
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn sync workers (default 4, as the Procfile)"
    )
    parser.add_argument(
        "--scenario",
        action="append",
        choices=sorted(SCENARIOS),
        help=f"scenario to run; repeat for several (default: {' '.join(DEFAULT_SCENARIOS)})",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=120,
        metavar="SECONDS",
        help="before each scenario, wait up to this long for other work to stop (default 120)",
    )
    parser.add_argument(
        "--burst-users",
        type=int,
        default=None,
        metavar="N",
        help=(
            f"{BURST}: locust users, each registering one person after another (default: "
            f"one per person, {BURST_PEOPLE}, all started at once: each registers exactly once)"
        ),
    )
    parser.add_argument(
        "--posttest-people",
        type=int,
        default=POSTTEST_PEOPLE,
        metavar="N",
        help=f"{POSTTEST}: participants taking the post-test at once (default {POSTTEST_PEOPLE})",
    )
    parser.add_argument(
        "--posttest-spread",
        type=int,
        default=POSTTEST_SPREAD_S,
        metavar="SECONDS",
        help=f"{POSTTEST}: each participant's answers spread over this long "
        f"(default {POSTTEST_SPREAD_S})",
    )
    parser.add_argument(
        "--autosave-workers",
        type=int,
        default=0,
        metavar="N",
        help=(
            "serve the quiz autosave from its own pool of N gunicorn workers, behind nginx "
            "routing as deploy/nginx/sinergi-locations.conf does (default 0: one pool, no nginx)"
        ),
    )
    parser.add_argument(
        "--web-nice",
        type=int,
        default=0,
        metavar="N",
        help="with --autosave-workers: run the web pool at this CPU niceness (default 0)",
    )
    parser.add_argument(
        "--postgres",
        default=POSTGRES_SERVER,
        metavar="URL",
        help=f"{BURST} without DATABASE_URL: server for the scratch database ({POSTGRES_SERVER})",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory (logs, database, CSVs)"
    )
    args = parser.parse_args(argv)
    args.scenarios = list(dict.fromkeys(args.scenario or DEFAULT_SCENARIOS))
    args.seconds = parse_duration(args.duration)
    if args.spawn_rate is None:
        args.spawn_rate = args.users
    if not (1 <= args.users <= 500) or args.workers < 1 or args.spawn_rate <= 0:
        parser.error("need 1-500 users, at least one worker and a positive spawn rate")
    if not (5 <= args.seconds <= 600):
        parser.error("--duration must be between 5s and 10m")
    args.burst_users = args.burst_users or BURST_PEOPLE
    if not (1 <= args.burst_users <= BURST_PEOPLE):
        parser.error(f"--burst-users must be between 1 and {BURST_PEOPLE}")
    url = os.environ.get("DATABASE_URL", "")
    if not (1 <= args.posttest_people <= 2000):
        parser.error("--posttest-people must be between 1 and 2000")
    if args.autosave_workers < 0 or not (0 <= args.web_nice <= 19):
        parser.error("--autosave-workers must be 0 or more, --web-nice between 0 and 19")
    if args.web_nice and not args.autosave_workers:
        parser.error("--web-nice needs --autosave-workers")
    if not (5 <= args.posttest_spread <= 150):
        parser.error("--posttest-spread must be between 5 and 150 seconds")
    needs_postgres = [name for name in POSTGRES_SCENARIOS if name in args.scenarios]
    if needs_postgres and url and not url.startswith(("postgres", "postgis")):
        parser.error(
            f"{needs_postgres[0]} runs on PostgreSQL: unset DATABASE_URL for a scratch database"
        )
    return args


def parse_duration(text: str) -> int:
    """Return the seconds in "45", "30s", "1m30s" (the forms locust's --run-time accepts)."""
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?|(\d+)", text.strip())
    if not match or not any(match.groups()):
        raise SystemExit(f"bench: cannot read the duration {text!r} (try 30s or 1m)")
    hours, minutes, seconds, plain = (int(group or 0) for group in match.groups())
    return plain or hours * 3600 + minutes * 60 + seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_environment(tmp: Path) -> dict[str, str]:
    """Return the server's environment: production settings, everything kept inside `tmp`."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SINERGI_VAR_DIR=str(tmp / "var"),
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """Run a management command; return its output, or stop with it if the command fails."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args[:1])} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare(env: dict[str, str]) -> str:
    """Migrate, seed, collect static files; return a new API token for the bench user."""
    step("migrate")
    manage(env, "migrate", "--no-input")
    step("seed_demo")
    manage(env, "seed_demo")
    step("create_api_token")
    token = manage(env, "create_api_token", BENCH_EMAIL, "--create", "--role", "participant")
    step("collectstatic")
    manage(env, "collectstatic", "--no-input")
    return token.strip().splitlines()[-1]


def scratch_database_create(server: str) -> str:
    """Create an empty database on the PostgreSQL `server` for this run; return its name."""
    import psycopg

    name = f"sinergi_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        raise BenchError(f"cannot create a scratch database on {server}: {error}") from None
    return name


def scratch_database_drop(server: str, name: str) -> None:
    import psycopg

    try:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error as error:
        print(f"bench: could not drop the scratch database {name}: {error}", file=sys.stderr)


def burst_command(
    env: dict[str, str], *args: str, module: str = "bench.registration_burst"
) -> tuple[int, dict]:
    """Run a burst's data script with the server's settings; return its code and JSON."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return result.returncode, json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        output = f"{result.stdout}{result.stderr}"
        raise BenchError(f"{module} {args[0]} failed:\n{output}") from None


def prepare_burst(env: dict[str, str], tmp: Path) -> dict:
    """Create the burst's batch and its people with their API tokens (in bulk)."""
    step(f"{BURST}: {BURST_PEOPLE} people with API tokens, a batch of {BURST_CAPACITY} seats")
    tokens = tmp / "burst-tokens.txt"
    _code, burst = burst_command(
        env,
        "setup",
        f"--people={BURST_PEOPLE}",
        f"--capacity={BURST_CAPACITY}",
        f"--tokens={tokens}",
    )
    return {**burst, "tokens": str(tokens)}


def prepare_posttest(env: dict[str, str], tmp: Path, people: int) -> dict:
    """Create the post-test's batch, quiz and signed-in participants (in bulk)."""
    step(f"{POSTTEST}: {people} signed-in participants, a {POSTTEST_QUESTIONS}-question post-test")
    people_file = tmp / "posttest-people.txt"
    _code, data = burst_command(
        env,
        "setup",
        f"--people={people}",
        f"--questions={POSTTEST_QUESTIONS}",
        f"--people-file={people_file}",
        module="bench.posttest_burst",
    )
    return {**data, "people_file": str(people_file)}


def prepare_visit(env: dict[str, str], tmp: Path) -> dict:
    """Create the visit burst's slot and its people with their API tokens (in bulk)."""
    step(f"{VISIT}: {VISIT_PEOPLE} people with API tokens, a slot of {VISIT_CAPACITY} seats")
    tokens = tmp / "visit-tokens.txt"
    _code, data = burst_command(
        env,
        "setup",
        f"--people={VISIT_PEOPLE}",
        f"--capacity={VISIT_CAPACITY}",
        f"--tokens={tokens}",
        module="bench.visit_burst",
    )
    return {**data, "tokens": str(tokens)}


def prepare_dashboard(env: dict[str, str], tmp: Path) -> dict:
    """Create a year of batches and registrations in bulk, and a signed-in head of library."""
    step(
        f"{DASHBOARD}: {DASHBOARD_BATCHES} batches, {DASHBOARD_REGISTRATIONS} registrations "
        f"in {DASHBOARD_YEAR}"
    )
    session_file = tmp / "dashboard-session.txt"
    _code, data = burst_command(
        env,
        "setup",
        f"--year={DASHBOARD_YEAR}",
        f"--batches={DASHBOARD_BATCHES}",
        f"--registrations={DASHBOARD_REGISTRATIONS}",
        f"--session-file={session_file}",
        module="bench.insights_year",
    )
    return {**data, "session_file": str(session_file)}


def start_server(
    env: dict[str, str], tmp: Path, port: int, workers: int, *, name="gunicorn", nice=0
) -> subprocess.Popen:
    log = (tmp / f"{name}.log").open("w")
    command = [
        *(["nice", "-n", str(nice)] if nice else []),
        sys.executable,
        "-m",
        "gunicorn",
        "sinergi.wsgi",
        "--chdir",
        str(ROOT),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        # As the Procfile: sync workers, access log on (here to a file, not stdout).
        "--access-logfile",
        str(tmp / f"{name}-access.log"),
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def start_front(tmp: Path, port: int, web_port: int, autosave_port: int) -> subprocess.Popen:
    """Start nginx on `port`, routing with the project's own deploy/nginx/sinergi-locations.conf."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if nginx is None:
        raise BenchError("--autosave-workers needs nginx (Debian: apt install nginx-light)")
    home = tmp / "nginx"
    home.mkdir(exist_ok=True)
    temp_paths = "".join(
        f"    {kind}_temp_path {home / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = home / "nginx.conf"
    config.write_text(
        f"""daemon off;
worker_processes 1;
worker_rlimit_nofile 16384;
pid {home / "nginx.pid"};
error_log {tmp / "nginx-error.log"} warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
{temp_paths}    upstream sinergi_web {{ server 127.0.0.1:{web_port}; }}
    upstream sinergi_autosave {{ server 127.0.0.1:{autosave_port}; }}
    server {{
        listen 127.0.0.1:{port};
        include {ROOT / "deploy" / "nginx" / "sinergi-locations.conf"};
    }}
}}
"""
    )
    log = (tmp / "nginx.log").open("w")
    command = [nginx, "-p", str(home), "-c", str(config)]
    return subprocess.Popen(command, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)


def start_servers(env: dict[str, str], tmp: Path, port: int, args) -> list[subprocess.Popen]:
    """Start gunicorn on `port`; or, with --autosave-workers, nginx there and two pools behind."""
    if not args.autosave_workers:
        return [start_server(env, tmp, port, args.workers)]
    web_port, autosave_port = free_port(), free_port()
    while autosave_port == web_port:
        autosave_port = free_port()
    servers = [start_server(env, tmp, web_port, args.workers, nice=args.web_nice)]
    servers.append(
        start_server(env, tmp, autosave_port, args.autosave_workers, name="gunicorn-autosave")
    )
    # The autosave pool answers /healthz too: wait for both before nginx takes requests.
    for server, pool_port in zip(servers, (web_port, autosave_port), strict=True):
        wait_healthy([server], f"http://127.0.0.1:{pool_port}", tmp)
    for _ in range(5 * args.autosave_workers):  # its workers' first requests, not measured
        get(f"http://127.0.0.1:{autosave_port}/healthz")
    servers.append(start_front(tmp, port, web_port, autosave_port))
    return servers


def stop_servers(servers: list[subprocess.Popen]) -> None:
    for server in reversed(servers):  # the front first
        if server.poll() is None:
            server.terminate()  # gunicorn, nginx: graceful shutdown of the master and workers
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_healthy(
    servers: list[subprocess.Popen], base: str, tmp: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(server.poll() is not None for server in servers):
            kept = (log for log in sorted(tmp.glob("*.log")) if "locust" not in log.name)
            raise BenchError("the server exited:\n" + "\n".join(map(tail, kept)))
        try:
            status, _body = get(f"{base}/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(
        f"/healthz did not answer 200 within {timeout:.0f} s:\n{tail(tmp / 'gunicorn.log')}"
    )


def warm_up(base: str, token: str, workers: int, more: tuple[str, ...] = ()) -> None:
    """Request every page a few times per worker, so no worker's first request is measured."""
    for path, auth in [
        ("/", None),
        ("/healthz", None),
        ("/api/v1/me", token),
        ("/bench/ceiling", None),
        *((path, token) for path in more),
    ]:
        for _ in range(5 * workers):
            status, _body = get(base + path, auth)
            if status != 200:
                raise BenchError(f"warm-up: GET {path} answered {status}")


def cpu_seconds(pid: int, *, with_children: bool = False) -> float | None:
    """Return the CPU time (user + system) used so far by `pid` (and its children)."""
    try:
        process = psutil.Process(pid)
        processes = [process, *(process.children(recursive=True) if with_children else [])]
        return sum(sum(p.cpu_times()[:2]) for p in processes)
    except psutil.Error:
        return None


def postgres_cpu_seconds() -> float:
    """Return the CPU time used so far by this machine's PostgreSQL server (all its processes)."""
    seconds = 0.0
    for process in psutil.process_iter(["name", "cpu_times"]):
        times = process.info["cpu_times"]
        if process.info["name"] == "postgres" and times is not None:
            seconds += times.user + times.system
    return seconds


def machine_busy_seconds() -> tuple[float, float]:
    """Return (busy, total) CPU seconds of the whole machine, summed over its cores."""
    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0.0)
    total = sum(times)
    return total - idle, total


class CpuWindow:
    """CPU used by the server, locust and the whole machine between two moments of a run.

    With `database`, the local PostgreSQL server's CPU is counted apart, not as other work.
    """

    def __init__(self, server_pids: list[int], locust_pid: int, *, database: bool = False):
        self.pids = {"server": (server_pids, True), "locust": ([locust_pid], False)}
        self.database = database
        self.start = self.end = None

    def sample(self) -> dict:
        busy, total = machine_busy_seconds()
        sample = {"t": time.monotonic(), "busy": busy, "total": total}
        for name, (pids, children) in self.pids.items():
            seconds = [cpu_seconds(pid, with_children=children) for pid in pids]
            sample[name] = None if None in seconds else sum(seconds)
        sample["database"] = postgres_cpu_seconds() if self.database else None
        return sample

    def result(self) -> dict | None:
        if not (self.start and self.end):
            return None
        wall = self.end["t"] - self.start["t"]
        out = {"window_s": round(wall, 1)}
        for name in ("server", "locust", "database"):
            if self.start[name] is not None and self.end[name] is not None:
                out[f"{name}_cores"] = round((self.end[name] - self.start[name]) / wall, 2)
        cores = (self.end["total"] - self.start["total"]) / wall
        out["machine_cores"] = round((self.end["busy"] - self.start["busy"]) / wall, 2)
        out["machine_utilisation"] = round(out["machine_cores"] / cores, 2) if cores else None
        # The kernel's share of loopback TCP not charged to a process, and anything else running.
        ours = sum(out.get(f"{name}_cores", 0) for name in ("server", "locust", "database"))
        out["other_cores"] = round(out["machine_cores"] - ours, 2)
        return out


def busy_cores(seconds: float = 2.0) -> float:
    """Return how many cores were busy, on average, over the next `seconds`."""
    busy_before, _ = machine_busy_seconds()
    time.sleep(seconds)
    busy_after, _ = machine_busy_seconds()
    return (busy_after - busy_before) / seconds


def wait_for_quiet(limit: float) -> None:
    """Wait up to `limit` seconds for other work on this machine to stop; then go on anyway."""
    deadline = time.monotonic() + limit
    busy = busy_cores()
    if busy > QUIET:
        step(f"{busy:.2f} cores busy with other work; waiting up to {limit:.0f} s for quiet")
    while busy > QUIET and time.monotonic() < deadline:
        busy = busy_cores()
    if busy > QUIET:
        step(f"still {busy:.2f} cores busy; running anyway (the run will be flagged)")


def run_scenario(
    name: str,
    args,
    env,
    base: str,
    token: str,
    tmp: Path,
    servers: list[subprocess.Popen],
    burst: dict | None = None,
    posttest: dict | None = None,
    visit: dict | None = None,
) -> dict:
    prefix = tmp / f"locust-{name}"
    users, spawn_rate, seconds = args.users, args.spawn_rate, args.seconds
    if name in (BURST, VISIT):
        # Everyone at once (or --burst-users at a time) until each person has an answer.
        users = spawn_rate = args.burst_users
        seconds = max(seconds, BURST_MIN_CAP_S)
    if name == POSTTEST:
        # One locust user per participant, all started within POSTTEST_SPAWN_S seconds.
        users = args.posttest_people
        spawn_rate = max(users / POSTTEST_SPAWN_S, 1)
        seconds = max(seconds, POSTTEST_MIN_CAP_S, 4 * args.posttest_spread)
    command = [
        sys.executable,
        "-m",
        "locust",
        "--locustfile",
        str(BENCH / "locustfile.py"),
        "--headless",
        "--only-summary",
        "--host",
        base,
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "5",
        "--csv",
        str(prefix),
        SCENARIOS[name],
    ]
    # Locust takes its settings from this command only, not from LOCUST_* variables around.
    locust_env = {key: value for key, value in env.items() if not key.startswith("LOCUST_")}
    locust_env["BENCH_API_TOKEN"] = token
    if burst:
        locust_env["BENCH_BURST_TOKENS"] = burst["tokens"]
        locust_env["BENCH_BURST_BATCH"] = str(burst["batch_id"])
    if posttest:
        locust_env["BENCH_POSTTEST_PEOPLE"] = posttest["people_file"]
        locust_env["BENCH_POSTTEST_BATCH"] = str(posttest["batch_id"])
        locust_env["BENCH_POSTTEST_ITEM"] = str(posttest["item_id"])
        locust_env["BENCH_POSTTEST_SPREAD_S"] = str(args.posttest_spread)
    if visit:
        locust_env["BENCH_BURST_TOKENS"] = visit["tokens"]
        locust_env["BENCH_BURST_SLOT"] = str(visit["slot_id"])
    if name == DASHBOARD:
        dashboard = prepare_dashboard(env, tmp)
        locust_env["BENCH_DASHBOARD_SESSION"] = dashboard["session_file"]
        locust_env["BENCH_DASHBOARD_YEAR"] = str(dashboard["year"])
    if name == "agreements":
        # The demo's cooperation officer (sees every agreement) and Perpusnas's partner officer.
        for variable, email in (
            ("BENCH_COOPERATION_TOKEN", "kerjasama@sinergi.test"),
            ("BENCH_PARTNER_TOKEN", "mitra.perpusnas@sinergi.test"),
        ):
            locust_env[variable] = manage(env, "create_api_token", email).strip().splitlines()[-1]
    log_path = tmp / f"locust-{name}.log"
    # CPU is sampled from 3 s after launch (locust started, users spawned) to the end of the run;
    # a burst is sampled whole, from launch until locust has quit.
    window_from, window_to = 3.0, 3.0 + max(seconds - 4, 1)
    if name in (BURST, POSTTEST, VISIT):
        window_from, window_to = 0.0, float("inf")
    with log_path.open("w") as log:
        started = time.monotonic()
        process = subprocess.Popen(
            command, cwd=tmp, env=locust_env, stdout=log, stderr=subprocess.STDOUT
        )
        cpu = CpuWindow(
            [server.pid for server in servers],
            process.pid,
            database=env["DATABASE_URL"].startswith("postgres"),
        )
        # locust stops itself after --run-time; the deadline only guards against a hang.
        deadline = started + seconds + 60
        while process.poll() is None:
            elapsed = time.monotonic() - started
            if cpu.start is None and elapsed >= window_from:
                cpu.start = cpu.sample()
            elif cpu.start is not None and cpu.end is None and elapsed >= window_to:
                cpu.end = cpu.sample()
            elif window_to == float("inf") and time.monotonic() - (cpu.end or cpu.start)["t"] > 0.5:
                # A burst ends when locust quits, and a process that has quit has no CPU times
                # to read: sample twice a second until then.
                cpu.end = cpu.sample()
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise BenchError(f"locust did not stop; see {log_path}")
            time.sleep(0.1)
    # Exit code 1 means "some requests failed": the figures are still read, and reported.
    stats_path = Path(f"{prefix}_stats.csv")
    if process.returncode not in (0, 1) or not stats_path.exists():
        raise BenchError(f"locust failed (exit {process.returncode}):\n{tail(log_path)}")
    endpoints = read_stats(stats_path)
    cpu_used = cpu.result()
    total_rps = total_row(endpoints)["rps"]
    if cpu_used and cpu_used.get("server_cores") and total_rps:
        # What a request costs the server, whatever else shares the machine.
        per_request = cpu_used["server_cores"] * 1000 / total_rps
        cpu_used["server_cpu_ms_per_request"] = round(per_request, 2)
    result = {
        "scenario": name,
        "user_class": SCENARIOS[name],
        "endpoints": endpoints,
        "cpu": cpu_used,
        "disturbed": bool(cpu_used and cpu_used["other_cores"] > BUSY_ELSEWHERE),
        "locust_cpu_warning": "CPU usage" in log_path.read_text(),
    }
    if (burst or posttest or visit) and cpu_used:
        requests = total_row(endpoints)["requests"]
        if cpu.start["server"] is not None and cpu.end["server"] is not None:
            # The whole burst is in the window: its server CPU over its requests, exactly.
            server_cpu = cpu.end["server"] - cpu.start["server"]
            cpu_used["server_cpu_ms_per_request"] = round(server_cpu * 1000 / max(requests, 1), 2)
    if visit:
        requests = total_row(endpoints)["requests"]
        code, check = burst_command(
            env,
            "check",
            f"--slot={visit['slot_id']}",
            f"--capacity={visit['capacity']}",
            f"--people={visit['people']}",
            module="bench.visit_burst",
        )
        result["visit"] = {
            "people": visit["people"],
            "capacity": visit["capacity"],
            "locust_users": users,
            "answered": requests,
            "check": check,
            "ok": code == 0 and requests == visit["people"],
        }
    if posttest:
        code, check = burst_command(
            env,
            "check",
            f"--quiz={posttest['quiz_id']}",
            f"--people={posttest['people']}",
            f"--questions={POSTTEST_QUESTIONS}",
            module="bench.posttest_burst",
        )
        submitted = next((row["requests"] for row in endpoints if row["name"] == "POST submit"), 0)
        result["posttest"] = {
            "people": posttest["people"],
            "questions": POSTTEST_QUESTIONS,
            "spread_s": args.posttest_spread,
            "spawn_s": POSTTEST_SPAWN_S,
            "submitted": submitted,
            "check": check,
            "ok": code == 0 and submitted == posttest["people"],
        }
    if burst:
        requests = total_row(endpoints)["requests"]
        code, check = burst_command(
            env,
            "check",
            f"--batch={burst['batch_id']}",
            f"--capacity={burst['capacity']}",
            f"--people={burst['people']}",
        )
        result["burst"] = {
            "people": burst["people"],
            "capacity": burst["capacity"],
            "locust_users": users,
            "answered": requests,
            "check": check,
            "ok": code == 0 and requests == burst["people"],
        }
    return result


def total_row(endpoints: list[dict]) -> dict:
    return next(row for row in endpoints if row["name"] == "total")


def read_stats(path: Path) -> list[dict]:
    def number(value: str) -> float | None:
        try:
            return float(value)
        except ValueError:
            return None

    rows = []
    with path.open(newline="") as stats:
        for row in csv.DictReader(stats):
            rows.append(
                {
                    "name": "total" if row["Name"] == "Aggregated" else row["Name"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "median_ms": number(row["50%"]),
                    "p95_ms": number(row["95%"]),
                    "p99_ms": number(row["99%"]),
                    "max_ms": number(row["Max Response Time"]),
                    "mean_ms": number(row["Average Response Time"]),
                    "rps": round(float(row["Requests/s"]), 1),
                }
            )
    return rows


def add_ceiling_fractions(results: list[dict]) -> float | None:
    ceiling = next((r for r in results if r["scenario"] == "ceiling"), None)
    ceiling_rps = total_row(ceiling["endpoints"])["rps"] if ceiling else None
    for result in results:
        for row in result["endpoints"]:
            row["of_ceiling"] = round(row["rps"] / ceiling_rps, 3) if ceiling_rps else None
    return ceiling_rps


def format_table(results: list[dict], cpu_count: int) -> str:
    header = (
        "scenario",
        "endpoint",
        "requests",
        "fail",
        "median",
        "p95",
        "p99",
        "req/s",
        "of ceiling",
    )
    lines = []

    def ms(value):
        return "-" if value is None else f"{value:.0f}"

    rows = []
    for result in results:
        for row in result["endpoints"]:
            fraction = row.get("of_ceiling")
            rows.append(
                (
                    result["scenario"],
                    row["name"],
                    str(row["requests"]),
                    str(row["failures"]),
                    ms(row["median_ms"]),
                    ms(row["p95_ms"]),
                    ms(row["p99_ms"]),
                    f"{row['rps']:.1f}",
                    "-" if fraction is None else f"{fraction:.0%}",
                )
            )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    right = {2, 3, 4, 5, 6, 7, 8}

    def fmt(cells):
        return "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        )

    lines.append(fmt(header))
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(fmt(r) for r in rows)
    lines.append("median, p95, p99 in ms; 'of ceiling': req/s divided by the ceiling's req/s.")
    if any(len(r["endpoints"]) > 2 for r in results):
        lines.append(
            "In a mix an endpoint's req/s is its share of the total: compare the total with the\n"
            "ceiling, or run an endpoint alone (--scenario home, healthz, api-me)."
        )
    for result in results:
        cpu = result["cpu"]
        if not cpu:
            continue
        parts = [
            f"{who} {cpu[f'{who}_cores']:.2f}"
            for who in ("server", "database", "locust", "other")
            if f"{who}_cores" in cpu
        ]
        if "server_cpu_ms_per_request" in cpu:
            parts[0] += f" (= {cpu['server_cpu_ms_per_request']:.2f} ms CPU per request)"
        notes = []
        if result["locust_cpu_warning"]:
            notes.append("locust warned that its own CPU was saturated")
        if result["disturbed"]:
            notes.append("other work was running: figures are low")
        lines.append(
            f"CPU in {result['scenario']} (cores of {cpu_count}): {', '.join(parts)}; "
            f"machine {cpu['machine_utilisation']:.0%} busy"
            + (f"  !! {'; '.join(notes)}" if notes else "")
        )
    for result in results:
        if visit := result.get("visit"):
            check = visit["check"]
            lines.append(
                f"{result['scenario']}: {visit['answered']} of {visit['people']} people answered "
                f"({visit['locust_users']} locust users) for {visit['capacity']} seats: "
                f"{check['seats_taken']} booked, {check['refused']} refused as full, "
                f"{check['booked_twice']} booked twice: " + ("OK" if visit["ok"] else "!! WRONG")
            )
        if posttest := result.get("posttest"):
            check = posttest["check"]
            lines.append(
                f"{result['scenario']}: {posttest['submitted']} of {posttest['people']} "
                f"participants submitted a {posttest['questions']}-question post-test; "
                f"{check['attempts']} attempts, {check['states']}, "
                f"{check['all_answers_saved']} with every answer saved: "
                + ("OK" if posttest["ok"] else "!! WRONG")
            )
        if burst := result.get("burst"):
            check = burst["check"]
            lines.append(
                f"{result['scenario']}: {burst['answered']} of {burst['people']} people answered "
                f"({burst['locust_users']} locust users) for {burst['capacity']} seats: "
                f"{check['seats_taken']} seats taken, {check['waitlisted']} waitlisted, "
                f"{check['registered_twice']} registered twice, "
                f"invoice numbers {'gapless' if check['invoice_numbers_gapless'] else 'BROKEN'}: "
                + ("OK" if burst["ok"] else "!! WRONG")
            )
    return "\n".join(lines)


def nginx_version() -> str:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    result = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False)
    return (result.stderr or result.stdout).strip().removeprefix("nginx version: ")


def machine() -> dict:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        memory_gib = None
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": memory_gib,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": version("django"),
        "gunicorn": version("gunicorn"),
        "locust": version("locust"),
    }


def git_revision() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}{'+dirty' if dirty else ''}"


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def step(message: str) -> None:
    print(f"bench: {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="sinergi-bench-"))
    env = bench_environment(tmp)
    scratch = None
    if os.environ.get("DATABASE_URL"):
        database = env["DATABASE_URL"].split("://", 1)[0]
        step(f"using DATABASE_URL ({database}); migrate, seed_demo and a token will write to it")
    servers: list[subprocess.Popen] = []
    try:
        if set(POSTGRES_SCENARIOS) & set(args.scenarios) and not os.environ.get("DATABASE_URL"):
            scratch = scratch_database_create(args.postgres)
            env["DATABASE_URL"] = f"{args.postgres}/{scratch}"
            step(f"scratch database {scratch} on {args.postgres} (dropped after the run)")
        database = env["DATABASE_URL"].split("://", 1)[0]
        step(f"working in {tmp}")
        token = prepare(env)
        burst = prepare_burst(env, tmp) if BURST in args.scenarios else None
        posttest = (
            prepare_posttest(env, tmp, args.posttest_people) if POSTTEST in args.scenarios else None
        )
        visit = prepare_visit(env, tmp) if VISIT in args.scenarios else None
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        if args.autosave_workers:
            step(
                f"nginx on {base}: gunicorn, {args.workers} sync workers"
                f"{f' at nice {args.web_nice}' if args.web_nice else ''}, and for the quiz "
                f"autosave {args.autosave_workers} more (deploy/nginx/sinergi-locations.conf)"
            )
        else:
            step(f"gunicorn, {args.workers} sync workers, on {base}")
        servers = start_servers(env, tmp, port, args)
        wait_healthy(servers, base, tmp)
        # The burst's batch page warms the training API without taking a seat.
        warm_paths = (f"/api/v1/batches/{burst['batch_id']}",) if burst else ()
        if visit:
            # The day's slots warm the visits API without taking a seat.
            warm_paths += (f"/api/v1/visit-slots?date={visit['day']}",)
        warm_up(base, token, args.workers, warm_paths)
        results = []
        for name in args.scenarios:
            wait_for_quiet(args.wait_quiet)
            if name == BURST:
                step(f"scenario {name}: {BURST_PEOPLE} people, {args.burst_users} locust users")
            elif name == VISIT:
                step(f"scenario {name}: {VISIT_PEOPLE} people, {args.burst_users} locust users")
            elif name == POSTTEST:
                step(f"scenario {name}: {args.posttest_people} participants")
            else:
                step(f"scenario {name}: {args.users} users for {args.duration}")
            results.append(
                run_scenario(
                    name,
                    args,
                    env,
                    base,
                    token,
                    tmp,
                    servers,
                    burst if name == BURST else None,
                    posttest if name == POSTTEST else None,
                    visit if name == VISIT else None,
                )
            )
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        print(f"bench: logs kept in {tmp}", file=sys.stderr)
        args.keep = True
        return 2
    finally:
        stop_servers(servers)
        if scratch:
            scratch_database_drop(args.postgres, scratch)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    ceiling_rps = add_ceiling_fractions(results)
    info = machine()
    report = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "revision": git_revision(),
        "machine": info,
        "setup": {
            "users": args.users,
            "spawn_rate": args.spawn_rate,
            "duration": args.duration,
            "gunicorn_workers": args.workers,
            "gunicorn_worker_class": "sync",
            "autosave_workers": args.autosave_workers,
            "web_nice": args.web_nice,
            "front": nginx_version() if args.autosave_workers else None,
            "database": database,
            "cache": "redis" if env.get("REDIS_URL") else "locmem",
            "think_time_s": 0,
            "wait_quiet_s": args.wait_quiet,
            **(
                {"burst": {"people": BURST_PEOPLE, "capacity": BURST_CAPACITY}}
                if BURST in args.scenarios
                else {}
            ),
            **(
                {
                    "posttest": {
                        "people": args.posttest_people,
                        "questions": POSTTEST_QUESTIONS,
                        "spread_s": args.posttest_spread,
                        "spawn_s": POSTTEST_SPAWN_S,
                    }
                }
                if POSTTEST in args.scenarios
                else {}
            ),
        },
        "ceiling_rps": ceiling_rps,
        "scenarios": results,
    }
    print()
    pools = f"{args.workers} sync workers"
    if args.autosave_workers:
        pools += f" (+{args.autosave_workers} for the autosave, behind nginx)"
    print(
        f"Sinergi {report['revision']} on {info['cpus']} x {info['cpu_model']}: gunicorn "
        f"{pools}, {database}, {args.users} users, {args.duration} per scenario"
    )
    print(format_table(results, info["cpus"]))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nSaved {out.relative_to(ROOT)}" + (f"; logs in {tmp}" if args.keep else ""))
    failed = sum(total_row(r["endpoints"])["failures"] for r in results)
    if failed:
        print(f"bench: {failed} requests failed", file=sys.stderr)
        return 1
    if any(not r["burst"]["ok"] for r in results if "burst" in r):
        print(f"bench: {BURST} left the wrong seats and waiting list", file=sys.stderr)
        return 1
    if any(not r["visit"]["ok"] for r in results if "visit" in r):
        print(f"bench: {VISIT} booked the wrong number of seats", file=sys.stderr)
        return 1
    if any(not r["posttest"]["ok"] for r in results if "posttest" in r):
        print(f"bench: {POSTTEST} left unfinished attempts or unsaved answers", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
