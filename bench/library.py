"""Benchmark the digital library at catalogue scale (issue 7):

    .venv/bin/python -m bench.library --records 1000000              # SQLite (FTS5)
    .venv/bin/python -m bench.library --records 1000000 --postgres   # PostgreSQL full text
    .venv/bin/python -m bench.library --records 1000000 --postgres --postgres-db sinergi_bench_1m

One command: a database of its own (a SQLite file under var/bench-library/, kept so a second run
skips the generation; or a scratch PostgreSQL database, dropped after the run unless named with
--postgres-db), migrate, insert RECORDS synthetic records with `manage.py library_generate`,
then four measurements with the production settings (DEBUG off), in process through Django's
test client (the whole request: middleware, view, queries, template or XML; no network, no web
server):

- search: the catalogue page (/library/?q=...) with its facet counts, for 200 queries of one
  or two words, a quarter with the language chosen and a quarter with a year; p50/p95/p99/max
  over all of them and for each class of query (a broad Indonesian word, an English word, two
  words; no facet, language, year), then 40 pages without words (the catalogue's front page,
  with and without a facet, and deeper pages) as "browse";
- harvest: a full OAI-PMH ListRecords (oai_dc) following every resumption token (or the first
  --harvest-limit records); records per second;
- opds: acquisition feed pages (/opds/new.xml?page=N, a subject's feed); p50/p95;
- loan burst (PostgreSQL only): 500 members with API tokens borrow one 5-copy title at the
  same moment (POST /api/v1/titles/{id}/loans from 40 threads with a connection each, released
  together by a barrier, taking the 500 requests off one queue); the answers must be
  exactly 5 answers 201 and 495 answers 409 no_copy_available.

Before the parts, the SQLite file (or the PostgreSQL database's tables and indexes, with
pg_prewarm) is read once: this VM pages out file pages unread for a minute; --cold skips it.
The result also says how many cores other processes kept busy and how long the machine waited
for the disk while the parts ran. The figures are printed and saved
as JSON under bench/results/library-*.json.
"""

import argparse
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
QUERIES_ID = [
    "perpustakaan",
    "literasi informasi",
    "sejarah",
    "pendidikan guru",
    "budaya sunda",
    "teknologi digital",
    "kebijakan",
    "metode penelitian",
    "kimia",
    "naskah arsip",
]
QUERIES_EN = ["library", "information literacy", "history", "research methods", "ocean"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)]


def summary(times: list[float]) -> dict:
    return {
        "n": len(times),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(percentile(times, 0.95) * 1000, 1),
        "p99_ms": round(percentile(times, 0.99) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument(
        "--postgres-db",
        default="",
        help="with --postgres: use this database and keep it (created when missing), so a "
        "second run skips the generation, as the SQLite file does",
    )
    parser.add_argument(
        "--postgres-port", type=int, default=5432, help="with --postgres: the server's port"
    )
    parser.add_argument("--harvest-limit", type=int, default=0, help="0: the whole catalogue")
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--cold", action="store_true", help="do not read the database (file) first")
    parser.add_argument(
        "--only",
        default="search,opds,harvest,burst",
        help="comma-separated parts to measure (the database is kept between SQLite runs)",
    )
    args = parser.parse_args()

    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(ROOT / "var" / "bench-library" / "static"),
    )
    env.setdefault("SINERGI_SUPPORT_EMAIL", "perpustakaan@upi.edu")
    scratch = None
    if args.postgres:
        name = args.postgres_db or f"sinergi_bench_library_{secrets.token_hex(3)}"
        server = ["-h", "127.0.0.1", "-p", str(args.postgres_port), "-U", "postgres"]
        created = subprocess.run(
            ["psql", *server, "-c", f"CREATE DATABASE {name}"],
            check=False,
            capture_output=True,
        )
        if created.returncode and not args.postgres_db:
            raise SystemExit(created.stderr.decode())
        scratch = None if args.postgres_db else name
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{args.postgres_port}/{name}"
    else:
        folder = ROOT / "var" / "bench-library"
        folder.mkdir(parents=True, exist_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{folder / f'library-{args.records}.sqlite3'}"
    os.environ.update(env)
    try:
        result = run(args, env)
    finally:
        if scratch:
            subprocess.run(
                ["psql", *server, "-c", f"DROP DATABASE {scratch}"],
                check=False,
                capture_output=True,
            )
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"library-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    print(f"saved {out.relative_to(ROOT)}")


def run(args, env: dict) -> dict:
    manage(env, "migrate", "--verbosity=0")
    manage(env, "collectstatic", "--noinput", "--verbosity=0")
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.settings")
    django.setup()
    from sinergi.library.models import Title

    generated_s = None
    have = Title.objects.count()
    if have < args.records:
        started = time.monotonic()
        manage(env, "library_generate", f"--count={args.records - have}")
        generated_s = round(time.monotonic() - started, 1)
    from django.db import connection

    result = {
        "scenario": "library",
        "when": datetime.now().isoformat(timespec="seconds"),
        "database": connection.vendor,
        "records": Title.objects.count(),
        "generate_s": generated_s,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    database = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite" and not args.cold:
        result["warmed_s"] = warm(Path(database))
    if connection.vendor == "postgresql" and not args.cold:
        result["warmed_s"] = warm_postgres()
    machine_before = cpu_seconds()
    parts = set(args.only.split(","))
    if "search" in parts:
        result["search"] = search(args.searches)
    if "opds" in parts:
        result["opds"] = opds()
    if "harvest" in parts:
        result["harvest"] = harvest(args.harvest_limit)
    if connection.vendor == "postgresql" and "burst" in parts:
        result["loan_burst"] = loan_burst()
    machine_after = cpu_seconds()
    result["cores_used_by_others"] = cores_used_by_others(machine_before, machine_after)
    result["io_wait_s"] = round(machine_after[3] - machine_before[3], 1)
    return result


def warm(database: Path) -> float:
    """Read the SQLite file once, so the parts measure a warm page cache: this VM pages out
    file pages left unread for about a minute (DAMON reclaim), which a busy server's would not
    see; --cold measures without it."""
    started = time.monotonic()
    with database.open("rb") as data:
        while data.read(1 << 24):
            pass
    return round(time.monotonic() - started, 1)


def warm_postgres() -> float | None:
    """Read the database's tables and indexes once into the OS page cache, as warm() does the
    SQLite file (pg_prewarm's 'read' mode: shared_buffers is left as it is); None when the
    server has no pg_prewarm."""
    from django.db import DatabaseError, connection

    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            cursor.execute(
                "SELECT sum(pg_prewarm(oid, 'read')) FROM pg_class "
                "WHERE oid >= 16384 AND relkind IN ('r', 'i', 't')"  # the database's own
            )
    except DatabaseError:
        return None
    return round(time.monotonic() - started, 1)


def cpu_seconds() -> tuple[float, float, float, float]:
    """Return (wall clock, CPU seconds the whole machine was busy, CPU seconds of this process,
    CPU seconds spent waiting for the disk)."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
    mine = os.times()
    tick = os.sysconf("SC_CLK_TCK")
    return time.monotonic(), busy / tick, mine.user + mine.system, fields[4] / tick


def cores_used_by_others(before: tuple, after: tuple) -> float:
    """How many cores other processes kept busy on average while the parts ran (0 on a quiet
    machine; a 2-core machine with 1.0 here left this run about one core). On PostgreSQL the
    database server's work for this run counts here too."""
    wall = after[0] - before[0]
    others = (after[1] - before[1]) - (after[2] - before[2])
    return round(max(others, 0) / wall, 2) if wall else 0.0


def timed_get(client, url: str, **headers) -> float:
    started = time.perf_counter()
    response = client.get(url, **headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def query_class(query: str, params: dict) -> str:
    words = "two words" if " " in query else ("ID word" if query in QUERIES_ID else "EN word")
    facet = "language" if "language" in params else ("year" if "year" in params else "no facet")
    return f"{words}, {facet}"


def search(count: int) -> dict:
    import random

    from django.test import Client
    from django.utils.http import urlencode

    rng = random.Random(3)
    client = Client()
    queries = QUERIES_ID + QUERIES_EN
    for query in queries[:3]:
        timed_get(client, "/library/?" + urlencode({"q": query}))  # warm up
    times = []
    by_class: dict[str, list[float]] = {}
    for n in range(count):
        params = {"q": rng.choice(queries)}
        if n % 4 == 1:
            params["language"] = "ind"
        if n % 4 == 2:
            params["year"] = str(rng.randint(1990, 2025))
        elapsed = timed_get(client, "/library/?" + urlencode(params))
        times.append(elapsed)
        by_class.setdefault(query_class(params["q"], params), []).append(elapsed)
    browse = []
    for n in range(40):
        params = [{}, {"language": "eng"}, {"year": str(rng.randint(1990, 2025))}][n % 3]
        if n % 4 == 3:
            params = {**params, "page": str(rng.randint(2, 50))}
        browse.append(timed_get(client, "/library/?" + urlencode(params)))
    return {
        "page_with_facets": summary(times),
        "by_class": {name: summary(values) for name, values in sorted(by_class.items())},
        "browse": summary(browse),
    }


def opds() -> dict:
    import random

    from django.db.models import Count
    from django.test import Client

    from sinergi.library.models import Subject

    rng = random.Random(5)
    client = Client()
    subject = Subject.objects.annotate(n=Count("title")).order_by("-n").first()
    subject_pages = max(min(subject.n // 25, 20), 1)
    times = [timed_get(client, f"/opds/new.xml?page={rng.randint(1, 200)}") for _i in range(100)]
    subject_times = [
        timed_get(client, f"/opds/subjects/{subject.pk}.xml?page={rng.randint(1, subject_pages)}")
        for _i in range(50)
    ]
    return {"new_page": summary(times), "subject_page": summary(subject_times)}


def harvest(limit: int) -> dict:
    from django.test import Client
    from lxml import etree

    client = Client()
    ns = {"o": "http://www.openarchives.org/OAI/2.0/"}
    url = "/oai?verb=ListRecords&metadataPrefix=oai_dc"
    records = pages = 0
    slowest = 0.0
    started = time.perf_counter()
    while url:
        page_started = time.perf_counter()
        response = client.get(url)
        slowest = max(slowest, time.perf_counter() - page_started)
        doc = etree.fromstring(response.content)
        records += len(doc.findall(".//o:record", ns))
        pages += 1
        token = doc.find(".//o:resumptionToken", ns)
        url = None
        if token is not None and token.text and (not limit or records < limit):
            url = f"/oai?verb=ListRecords&resumptionToken={token.text}"
    elapsed = time.perf_counter() - started
    return {
        "records": records,
        "pages": pages,
        "seconds": round(elapsed, 1),
        "records_per_s": round(records / elapsed),
        "slowest_page_ms": round(slowest * 1000, 1),
        "whole_catalogue": not limit,
    }


WORKERS = 40


def loan_burst(people: int = 500, copies: int = 5) -> dict:
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from bench.registration_burst import people_with_tokens
    from sinergi.library import services
    from sinergi.library.models import Loan

    with transaction.atomic():
        raws = people_with_tokens(people=people, run=secrets.token_hex(3), now=timezone.now())
        title = services.title_create(
            actor=None, data=services.TitleData(title="Bench: loan burst"), copies=copies
        )
    # 500 people, served by WORKERS connections at once (PostgreSQL's default limit is 100):
    # every request is queued before the workers are released together.
    queue = list(raws)
    lock = threading.Lock()
    barrier = threading.Barrier(WORKERS)
    answers: list[tuple[int, str, float]] = []

    def worker() -> None:
        client = Client()
        try:
            barrier.wait(timeout=120)
            while True:
                with lock:
                    if not queue:
                        return
                    raw = queue.pop()
                started = time.perf_counter()
                response = client.post(
                    f"/api/v1/titles/{title.pk}/loans", HTTP_AUTHORIZATION=f"Bearer {raw}"
                )
                reason = response.json().get("reason", "") if response.status_code == 409 else ""
                answers.append((response.status_code, reason, time.perf_counter() - started))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _i in range(WORKERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    created = sum(1 for status, _r, _t in answers if status == 201)
    refused = sum(1 for s, r, _t in answers if s == 409 and r == "no_copy_available")
    lent = Loan.objects.filter(title=title, state="active").count()
    return {
        "people": people,
        "copies": copies,
        "concurrent_connections": WORKERS,
        "answered": len(answers),
        "created_201": created,
        "refused_409_no_copy": refused,
        "loans_in_db": lent,
        "wall_s": round(wall, 2),
        "answer": summary([t for _s, _r, t in answers]),
        "ok": created == copies == lent and refused == people - copies,
    }


if __name__ == "__main__":
    main()
