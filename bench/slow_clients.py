"""Slow clients must not stall the server (issue 13, point 4).

    python -m bench.slow_clients [--server first-start|gunicorn|plain-gthread] [--seconds 30]
    python -m bench.slow_clients --url http://127.0.0.1:5000 --token blg_…

Opens 20 connections that send a request's head one header line at a time, one per
second, for the whole run (never finishing it), while a normal client keeps asking
`GET /api/v1/availability`, one request per connection, and prints each request's
latency. Exit status 0 only when every normal request was answered (200) within 1 s.

Servers it starts itself, on a fresh SQLite database in a temporary folder (seeded, with
an admin token):

- `first-start`: `flask --app belegung serve --no-scheduler` (the README's first command),
- `gunicorn`: `gunicorn -c gunicorn.conf.py` (the shipped production configuration),
- `plain-gthread`: gunicorn's stock threaded worker, 2 workers x 4 threads, keep-alive on
  (the README's command before issue 13) — the baseline that stalls.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SLOW = 20
BUDGET = 1.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def flask(env: dict[str, str], *args: str) -> str:
    """`flask --app belegung ARGS…` as a subprocess; its output."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "belegung", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def wait_until_up(host: str, port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited ({proc.returncode}):\n{log.read_text()}")
        conn = http.client.HTTPConnection(host, port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    raise SystemExit(f"server did not come up:\n{log.read_text()}")


@contextmanager
def started(kind: str, folder: Path, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """Start a server of `kind` on the database in `env`; yields host and port."""
    port = free_port()
    if kind == "first-start":
        command = [sys.executable, "-m", "flask", "--app", "belegung", "serve"]
        command += ["--port", str(port), "--no-scheduler", "--no-demo"]
    elif kind == "gunicorn":
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
        command += ["--bind", f"127.0.0.1:{port}"]
    elif kind == "plain-gthread":
        command = [sys.executable, "-m", "gunicorn", "-c", "/dev/null", "-w", "2"]
        command += ["--threads", "4", "--bind", f"127.0.0.1:{port}", "belegung:create_app()"]
    else:
        raise SystemExit(f"unknown server {kind!r}")
    log = folder / f"{kind}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        wait_until_up("127.0.0.1", port, proc, log)
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def prepared_database(folder: Path) -> tuple[dict[str, str], str]:
    """A migrated, seeded SQLite database with an admin; the environment and a token."""
    env = {
        **os.environ,
        "BELEGUNG_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "BELEGUNG_SECRET_KEY": "bench-slow-clients-secret-key",
        "BELEGUNG_WEATHER_SOURCE": "off",
    }
    flask(env, "db", "upgrade")
    flask(env, "seed", "dortmund")
    flask(env, "users", "create", "bench", "--role", "admin")
    token = flask(env, "tokens", "create", "bench").strip().splitlines()[-1]
    return env, token


# --- the clients ---------------------------------------------------------------------------


@dataclass
class SlowClients:
    """SLOW connections dribbling a request head, one line a second, never finishing."""

    host: str
    port: int
    until: float
    opened: int = 0
    closed_by_server: int = 0
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for i in range(SLOW):
            thread = threading.Thread(target=self._dribble, args=(i,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _dribble(self, i: int) -> None:
        while time.monotonic() < self.until:
            try:
                with socket.create_connection((self.host, self.port), timeout=5) as sock:
                    self.opened += 1
                    sock.sendall(b"GET /api/v1/availability HTTP/1.1\r\nHost: bench\r\n")
                    n = 0
                    while time.monotonic() < self.until:
                        time.sleep(1)
                        sock.sendall(f"X-Slow-{i}-{n}: {'a' * 10}\r\n".encode())
                        n += 1
            except OSError:
                self.closed_by_server += 1
                time.sleep(0.5)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=10)


def ask(host: str, port: int, token: str) -> tuple[int, float]:
    started_at = time.monotonic()
    conn = http.client.HTTPConnection(host, port, timeout=15)
    try:
        conn.request("GET", "/api/v1/availability", headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started_at
    except OSError:
        return 0, time.monotonic() - started_at
    finally:
        conn.close()


def run(host: str, port: int, token: str, seconds: float, label: str) -> bool:
    print(f"== {label}: {SLOW} slow clients for {seconds:.0f} s against {host}:{port}")
    # Warm up (first connections, caches) before the clock starts.
    ask(host, port, token)
    until = time.monotonic() + seconds
    slow = SlowClients(host, port, until)
    slow.start()
    time.sleep(2)  # let them take whatever they can
    latencies: list[float] = []
    failures = 0
    n = 0
    while time.monotonic() < until:
        status, latency = ask(host, port, token)
        n += 1
        latencies.append(latency)
        ok = status == 200 and latency <= BUDGET
        failures += not ok
        print(f"  request {n:3d}: {status or 'no answer'} in {latency * 1000:7.1f} ms"
              + ("" if ok else "  <-- over budget"), flush=True)  # fmt: skip
        time.sleep(0.25)
    slow.join()
    latencies.sort()
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    print(
        f"== {label}: {len(latencies)} requests, median {statistics.median(latencies) * 1000:.1f}"
        f" ms, p95 {p95 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms, "
        f"{failures} over {BUDGET:.0f} s or failed; slow connections opened "
        f"{slow.opened}, dropped by the server {slow.closed_by_server}"
    )
    return failures == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--server", choices=["first-start", "gunicorn", "plain-gthread"], action="append"
    )
    parser.add_argument("--url", help="An already running server (then --token).")
    parser.add_argument("--token", help="A bearer token for --url.")
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    if args.url:
        parts = urlsplit(args.url)
        ok = run(
            parts.hostname or "127.0.0.1", parts.port or 80, args.token, args.seconds, args.url
        )
        return 0 if ok else 1
    results = {}
    with tempfile.TemporaryDirectory(prefix="belegung-slow-") as tmp:
        folder = Path(tmp)
        env, token = prepared_database(folder)
        for kind in args.server or ["first-start", "gunicorn"]:
            with started(kind, folder, env) as (host, port):
                results[kind] = run(host, port, token, args.seconds, kind)
    for kind, ok in results.items():
        print(f"{kind}: {'every request within 1 s' if ok else 'STALLED'}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
