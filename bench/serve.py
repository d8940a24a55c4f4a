"""What the HTTP benchmarks share: a source tree to serve (this checkout, or a git ref
exported as the baseline), gunicorn on the same settings for every app, API tokens,
worker memory, and wrk.

The bench's own WSGI entry (`bench/wsgi_bench.py`) is copied into each source tree, so a
baseline exported from an older commit is served exactly like this checkout. With
`BENCH_EVENING=1` it runs the app on a clock moved to this evening (20:00 in Dortmund,
then ticking): a guest checked out in the evening of their first night used no night, so
check-in/check-out cycles can go on for as long as the bench runs, whatever the hour.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
SECRET = "bench-secret-key-" + "x" * 20


# --- sources -------------------------------------------------------------------------------


@contextmanager
def source_tree(ref: str | None) -> Iterator[Path]:
    """This checkout (ref None), or `git archive REF` in a temporary directory."""
    if ref is None:
        _install_entry(ROOT)
        yield ROOT
        return
    with tempfile.TemporaryDirectory(prefix="belegung-baseline-") as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        _install_entry(Path(tmp))
        yield Path(tmp)


def _install_entry(root: Path) -> None:
    target = root / "bench" / "wsgi_bench.py"
    if target.resolve() != (BENCH / "wsgi_bench.py").resolve():
        target.parent.mkdir(exist_ok=True)
        shutil.copy(BENCH / "wsgi_bench.py", target)


def python_in(source: Path, code: str, env: dict[str, str]) -> str:
    """Run `code` with the source tree first on the path; its stdout."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=source,
        env={**os.environ, **env, "PYTHONPATH": str(source)},
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def app_env(database_url: str) -> dict[str, str]:
    return {
        "BELEGUNG_DATABASE_URL": database_url,
        "BELEGUNG_SECRET_KEY": SECRET,
        "BELEGUNG_LOG_LEVEL": "WARNING",
    }


MAKE_TOKENS = """
import json, secrets, sys
from belegung import create_app
from belegung.cli import cli_context
from belegung.auth.models import Role
from belegung.auth.service import create_user, create_token
from belegung.facilities.models import Facility
from belegung.extensions import db
import sqlalchemy as sa
app = create_app()
out = {}
with app.app_context():
    with cli_context("bench") as ctx:
        for role in sys.argv[1].split(","):
            facilities = []
            if role == "staff":
                facilities = list(ctx.session.scalars(sa.select(Facility)))
            user = create_user(ctx, "bench-" + role + "-" + secrets.token_hex(4), Role(role),
                               facilities=facilities)
            out[role] = create_token(ctx, user)[1]
print(json.dumps(out))
"""


def make_tokens(source: Path, database_url: str, roles: tuple[str, ...]) -> dict[str, str]:
    """A new user and API token per role (staff: of every facility)."""
    code = MAKE_TOKENS.replace("sys.argv[1]", repr(",".join(roles)))
    return dict(json.loads(python_in(source, code, app_env(database_url)).strip().splitlines()[-1]))


# --- gunicorn --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(p) for p in out.split()]

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            if match:
                sizes.append(int(match.group(1)) / 1024)
        return sizes


@contextmanager
def gunicorn(
    source: Path,
    app: str,
    env: dict[str, str],
    *,
    workers: int = 2,
    threads: int = 4,
) -> Iterator[Server]:
    """gunicorn on 127.0.0.1 with `workers` × `threads` (gthread), no config file (the
    same settings for every app served), waiting until it answers."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(BENCH / "gunicorn_bench.conf.py"),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            # Without it the kernel handed a wrk run's 16 kept-alive connections to one
            # worker now and then (that run then measured one process: half the req/s,
            # whichever app was served); with it every run spreads them over both.
            "--reuse-port",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        cwd=source,
        env={**os.environ, **env, "PYTHONPATH": str(source)},
    )
    server = Server(process, port)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(server.base + "/__bench_ready__", timeout=2)  # noqa: S310
            except urllib.error.HTTPError:
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn {app} did not start") from None
                time.sleep(0.3)
            else:
                break
        # Both workers up.
        while len(server.worker_pids()) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- wrk ---------------------------------------------------------------------------------------

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %d %d %d %d %d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status, summary.errors.timeout,
    summary.errors.connect + summary.errors.read + summary.errors.write))
end
"""


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    print("installing wrk (apt-get install wrk) …", flush=True)
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*prefix, "apt-get", "install", "-y", "-q", "wrk"], check=True)
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("wrk is missing and could not be installed")
    return path


@dataclass
class Load:
    label: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    non_2xx: int
    timeouts: int
    socket_errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self, baseline: Load | None = None, name: str = "ratio") -> str:
        ratio = f"  {name} {self.rps / baseline.rps:5.2f}×" if baseline and baseline.rps else ""
        errors = (
            f"  non-2xx {self.non_2xx} timeouts {self.timeouts} socket errors {self.socket_errors}"
            if self.non_2xx or self.timeouts or self.socket_errors
            else ""
        )
        return (
            f"{self.label:<44} {self.rps:8.0f} req/s  p50 {self.p50_ms:6.1f}  "
            f"p95 {self.p95_ms:6.1f}  p99 {self.p99_ms:6.1f} ms{ratio}{errors}"
        )


def wrk(
    label: str,
    url: str,
    *,
    token: str | None = None,
    seconds: int = 10,
    connections: int = 16,
    threads: int = 2,
) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = [
        ensure_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        script.name,
    ]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    n, duration, p50, p95, p99, status, timeouts, sockets = (int(v) for v in line.split()[1:])
    return Load(
        label, n, duration / 1e6, p50 / 1000, p95 / 1000, p99 / 1000, status, timeouts, sockets
    )
