#!/usr/bin/env python3
"""Run every process of a Procfile and start again any that dies; Ctrl-C stops them all.

`make run` uses it for Procfile.dev (web, worker, clock). Unlike honcho, one process that
exits does not stop the others: a worker killed by the kernel comes back after a short pause
(doubling, at most 30 s, while it keeps dying at once) and the web server keeps serving.

    python scripts/supervise.py [-f Procfile.dev]

Each process runs in its own process group under /bin/sh (so `$PORT` and the like expand),
with this process's environment. Standard library only: it needs no Django and no database.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
# A process that ran this long before dying is restarted after the first pause again.
HEALTHY_AFTER = 60.0
STOP_GRACE = 10.0


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} supervise: {message}", file=sys.stderr, flush=True)


def procfile_read(path: str) -> dict[str, str]:
    """Return the `name: command` lines of a Procfile, in order."""
    processes: dict[str, str] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, command = line.partition(":")
            if not sep or not name.strip() or not command.strip():
                raise SystemExit(f"{path}: not a Procfile line: {line!r}")
            processes[name.strip()] = command.strip()
    return processes


@dataclass
class Child:
    name: str
    command: str
    process: subprocess.Popen | None = None
    started: float = 0.0
    pause: float = FIRST_PAUSE
    restart_at: float | None = None
    restarts: int = field(default=0)

    def start(self) -> None:
        # The command is the Procfile's, written by us, run as honcho or a PaaS would run it.
        self.process = subprocess.Popen(  # noqa: S603
            ["/bin/sh", "-c", f"exec {self.command}"], start_new_session=True
        )
        self.started = time.monotonic()
        self.restart_at = None
        log(f"{self.name} started (pid {self.process.pid})")

    def signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)


class Supervisor:
    def __init__(self, processes: dict[str, str]):
        self.children = [Child(name, command) for name, command in processes.items()]
        self.stopping = False

    def stop(self, signum, frame) -> None:
        self.stopping = True

    def watch(self) -> None:
        """Restart children that exit until told to stop."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    child.start()
                continue
            status = child.process.poll()
            if status is None:
                continue
            ran = now - child.started
            child.pause = FIRST_PAUSE if ran >= HEALTHY_AFTER else child.pause
            log(f"{child.name} exited with status {status}; starting it again in {child.pause:g} s")
            child.restart_at = now + child.pause
            child.pause = min(child.pause * 2, LONGEST_PAUSE)

    def shutdown(self) -> None:
        log("stopping")
        for child in self.children:
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                log(f"{child.name} did not stop; killing it")
                child.signal(signal.SIGKILL)
                child.process.wait()

    def run(self) -> int:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        for child in self.children:
            child.start()
        try:
            while not self.stopping:
                self.watch()
                time.sleep(0.2)
        finally:
            self.shutdown()
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--procfile", default="Procfile.dev")
    args = parser.parse_args(argv)
    return Supervisor(procfile_read(args.procfile)).run()


if __name__ == "__main__":
    sys.exit(main())
