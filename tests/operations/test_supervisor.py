"""`make run`'s supervisor: a process that dies is started again, the others keep serving.

(honcho, used before, stopped the web server as soon as the worker died: seen by hand with
`web: python -m http.server` and `worker: sleep 600`, the worker killed, the web gone.)
"""

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from sinergi.operations.models import WorkerHeartbeat

from .workers import ROOT, wait_for, worker_env

SUPERVISE = ROOT / "scripts" / "supervise.py"

RECORD_PID = """\
import os, sys, time
with open(sys.argv[1], "a") as pids:
    pids.write(f"{os.getpid()}\\n")
time.sleep(600)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except OSError:
        return None


def pids(path: Path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def supervise(procfile: Path, log: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(SUPERVISE), "-f", str(procfile)],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def end(supervisor: subprocess.Popen) -> int:
    supervisor.send_signal(signal.SIGINT)  # what Ctrl-C sends
    return supervisor.wait(timeout=30)


def test_a_killed_worker_comes_back_and_the_web_server_keeps_serving(tmp_path):
    (tmp_path / "record_pid.py").write_text(RECORD_PID)
    port = free_port()
    procfile = tmp_path / "Procfile"
    procfile.write_text(
        f"web: {sys.executable} -m http.server $PORT --bind 127.0.0.1 --directory {tmp_path}\n"
        f"worker: {sys.executable} {tmp_path / 'record_pid.py'} {tmp_path / 'worker.pids'}\n"
    )
    log = tmp_path / "supervise.log"
    supervisor = supervise(procfile, log, {**os.environ, "PORT": str(port)})
    url = f"http://127.0.0.1:{port}/Procfile"
    try:
        wait_for(lambda: answers(url) == 200, timeout=20, step=0.1, what="the web server")
        (first,) = wait_for(lambda: pids(tmp_path / "worker.pids"), timeout=20, what="worker")

        os.kill(first, signal.SIGKILL)
        again = wait_for(
            lambda: pids(tmp_path / "worker.pids")[1:], timeout=20, step=0.1, what="a new worker"
        )

        assert again[0] != first
        assert answers(url) == 200
        assert "worker exited with status -9" in log.read_text()
        assert "web exited" not in log.read_text()
    finally:
        status = end(supervisor)
    assert status == 0
    # Every child was stopped with the supervisor.
    for pid in pids(tmp_path / "worker.pids"):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert answers(url) is None


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real processes share PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_make_run_s_processes_survive_a_killed_worker(tmp_path, settings):
    """Sinergi's own web server and worker (as in Procfile.dev) on the test database."""
    settings.MEDIA_ROOT = tmp_path / "media"
    port = free_port()
    procfile = tmp_path / "Procfile"
    procfile.write_text(
        f"web: {sys.executable} manage.py runserver 127.0.0.1:$PORT --noreload\n"
        f"worker: {sys.executable} manage.py run_worker --queue-name '*' --no-reload\n"
    )
    env = worker_env(PORT=str(port), SINERGI_WORKER_HEARTBEAT_SECONDS="0.5")
    supervisor = supervise(procfile, tmp_path / "supervise.log", env)
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        wait_for(lambda: answers(url) == 200, timeout=60, step=0.2, what="the web server")
        first = wait_for(lambda: WorkerHeartbeat.objects.first(), timeout=60, what="a worker")

        os.kill(first.pid, signal.SIGKILL)
        second = wait_for(
            lambda: WorkerHeartbeat.objects.exclude(pid=first.pid).first(),
            timeout=60,
            step=0.2,
            what="the worker to come back",
        )

        assert second.worker_id != first.worker_id
        assert answers(url) == 200
    finally:
        assert end(supervisor) == 0
    # The worker stopped cleanly with the supervisor: it forgot its heartbeat.
    assert not WorkerHeartbeat.objects.filter(pk=second.pk).exists()
