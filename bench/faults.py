"""Faults in the middle of a check-in storm (issue 13, point 10).

    python -m bench.faults [--seconds 45] [--threads 12]

Starts its own PostgreSQL cluster (initdb/pg_ctl from /usr/lib/postgresql/15/bin, as the
user postgres when run as root) on a spare port, migrates and seeds it, serves the app
with gunicorn and the shipped gunicorn.conf.py, and runs a storm of check-ins from
several threads (each a new person; a quarter race for tonight's places, some checked
out again at once). Meanwhile it stops PostgreSQL for a few seconds and starts it
again, and later SIGKILLs a gunicorn worker. Then it checks, on the database:

- every acknowledged (201) check-in is there, with its person and place; every
  acknowledged check-out is checked out;
- nothing is half-written: every person the storm created has exactly one stay;
- no place and no person is claimed twice for a night;
- during the outage the service answered 503 JSON (never a 500, never a hang), and it
  recovered without a restart.

Exit status 0 when every check holds. Results: docs/reliability.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.slow_clients import ROOT, flask, free_port, wait_until_up

PG_BIN = Path(os.environ.get("BELEGUNG_PG_BIN", "/usr/lib/postgresql/15/bin"))
FACILITY = "unionstrasse"
NIGHTS = 60


# --- a PostgreSQL cluster of our own ---------------------------------------------------------


@dataclass
class Cluster:
    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check)

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.folder}'\nfsync = on\nmax_connections = 100\n"
            )

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "pg.log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


# --- the storm -------------------------------------------------------------------------------


@dataclass
class Attempt:
    kind: str  # check_in | check_out
    name: str
    started: float
    seconds: float
    status: int  # 0: no answer (connection refused or reset)
    body: Any = None


@dataclass
class Storm:
    port: int
    token: str
    until: float
    attempts: list[Attempt] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(
                method,
                path,
                body=json.dumps(body),
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
            )
            response = conn.getresponse()
            raw = response.read()
            is_json = response.getheader("Content-Type", "").startswith("application/json")
            return response.status, json.loads(raw) if is_json and raw else raw[:200]
        except (OSError, http.client.HTTPException):
            return 0, None
        finally:
            conn.close()

    def record(self, attempt: Attempt) -> None:
        with self.lock:
            self.attempts.append(attempt)

    def worker(self, n: int) -> None:
        i = 0
        while time.monotonic() < self.until:
            i += 1
            name = f"Sturm {n}-{i}"
            person = {"name": name, "birth_year": 1970 + n, "gender": "m", "nationality": "german"}
            started = time.monotonic()
            # Every fourth for tonight (the threads race for the same places until the
            # shelter is full); the others spread over the coming nights.
            request: dict[str, Any] = {"facility": FACILITY, "person": person}
            tonight = i % 4 == 0
            if not tonight:
                night = datetime.now(UTC).date() + timedelta(days=1 + (n * 7 + i) % NIGHTS)
                request["night"] = night.isoformat()
            status, body = self.request("POST", "/api/v1/stays", request)
            self.record(
                Attempt("check_in", name, started, time.monotonic() - started, status, body)
            )
            if status == 201 and tonight and i % 8 == 0:
                started = time.monotonic()
                status, out = self.request("POST", f"/api/v1/stays/{body['id']}/checkout", {})
                self.record(
                    Attempt("check_out", name, started, time.monotonic() - started, status, out)
                )
                if status == 0 or status >= 500:
                    time.sleep(0.2)
            elif status == 0 or status >= 500:
                time.sleep(0.2)


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


# --- the checks ------------------------------------------------------------------------------


def check(engine: sa.Engine, storm: Storm) -> list[str]:
    problems: list[str] = []
    with engine.connect() as conn:
        stays = {
            row.name: row
            for row in conn.execute(
                sa.text(
                    "SELECT p.name, s.id, s.status, s.place_id, s.first_night, s.end_night "
                    "FROM persons p LEFT JOIN stays s ON s.person_id = p.id "
                    "WHERE p.name LIKE 'Sturm %'"
                )
            )
        }
        per_person = conn.execute(
            sa.text(
                "SELECT p.name, count(s.id) FROM persons p LEFT JOIN stays s "
                "ON s.person_id = p.id WHERE p.name LIKE 'Sturm %' GROUP BY p.name "
                "HAVING count(s.id) <> 1"
            )
        ).all()
        doubled_places = conn.execute(
            sa.text(
                "SELECT a.id, b.id FROM stays a JOIN stays b ON a.place_id = b.place_id "
                "AND a.id < b.id AND a.status IN ('checked_in', 'held') "
                "AND b.status IN ('checked_in', 'held') "
                "AND daterange(a.first_night, a.end_night) && daterange(b.first_night, b.end_night)"
            )
        ).all()
        doubled_persons = conn.execute(
            sa.text(
                "SELECT a.id, b.id FROM stays a JOIN stays b ON a.person_id = b.person_id "
                "AND a.id < b.id AND a.status = 'checked_in' AND b.status = 'checked_in' "
                "AND daterange(a.first_night, a.end_night) && daterange(b.first_night, b.end_night)"
            )
        ).all()
    for attempt in storm.attempts:
        row = stays.get(attempt.name)
        checked_in = attempt.kind == "check_in" and attempt.status == 201
        if checked_in and (row is None or row.id != attempt.body["id"]):
            problems.append(f"acknowledged check-in of {attempt.name} missing")
        checked_out = attempt.kind == "check_out" and attempt.status == 200
        if checked_out and (row is None or row.status != "checked_out"):
            problems.append(f"acknowledged check-out of {attempt.name} not checked out")
    problems += [f"person {name} has {count} stays (half-written?)" for name, count in per_person]
    problems += [f"place claimed twice: stays {a} and {b}" for a, b in doubled_places]
    problems += [f"person claimed twice: stays {a} and {b}" for a, b in doubled_persons]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=45.0)
    parser.add_argument("--threads", type=int, default=12)
    parser.add_argument("--outage", type=float, default=5.0, help="seconds PostgreSQL is down")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="belegung-faults-"))
    # The cluster runs as postgres, which must reach its folder inside this one.
    os.chmod(folder, 0o755)  # noqa: S103
    cluster = Cluster(folder / "pg", free_port())
    cluster.init()
    cluster.start()
    gunicorn: subprocess.Popen[bytes] | None = None
    try:
        admin = sa.create_engine(
            cluster.url("postgres").replace("postgresql://", "postgresql+psycopg://"),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE belegung_faults")
        admin.dispose()
        url = cluster.url("belegung_faults")
        env = {
            **os.environ,
            "BELEGUNG_DATABASE_URL": url,
            "BELEGUNG_SECRET_KEY": "bench-faults-secret-key-0123",
            "BELEGUNG_WEATHER_SOURCE": "off",
            "BELEGUNG_DB_CONNECT_TIMEOUT": "2",
            "BELEGUNG_WORKERS": "2",
        }
        flask(env, "db", "upgrade")
        flask(env, "seed", "dortmund")
        flask(env, "users", "create", "storm", "--role", "admin")
        token = flask(env, "tokens", "create", "storm").strip().splitlines()[-1]

        port = free_port()
        log = folder / "gunicorn.log"
        with log.open("wb") as out:
            gunicorn = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                 "--bind", f"127.0.0.1:{port}"],
                cwd=ROOT, env=env, stdout=out, stderr=out,
            )  # fmt: skip
        wait_until_up("127.0.0.1", port, gunicorn, log)

        t0 = time.monotonic()
        storm = Storm(port, token, t0 + args.seconds)
        threads = [
            threading.Thread(target=storm.worker, args=(n,), daemon=True)
            for n in range(args.threads)
        ]
        for thread in threads:
            thread.start()
        events: dict[str, float] = {}
        time.sleep(args.seconds * 0.2)
        print(f"[{time.monotonic() - t0:5.1f} s] stopping PostgreSQL", flush=True)
        events["db_stop"] = time.monotonic()
        cluster.stop()
        time.sleep(args.outage)
        cluster.start()
        events["db_start"] = time.monotonic()
        print(f"[{time.monotonic() - t0:5.1f} s] PostgreSQL started again", flush=True)
        time.sleep(args.seconds * 0.3)
        victim = worker_pids(gunicorn.pid)[0]
        print(f"[{time.monotonic() - t0:5.1f} s] SIGKILL gunicorn worker {victim}", flush=True)
        events["kill"] = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        for thread in threads:
            thread.join(timeout=args.seconds + 60)

        attempts = sorted(storm.attempts, key=lambda a: a.started)
        counts = Counter((a.kind, a.status) for a in attempts)
        outage = [a for a in attempts if events["db_stop"] <= a.started <= events["db_start"]]
        outage_503 = [
            a
            for a in outage
            if a.status == 503
            and isinstance(a.body, dict)
            and a.body.get("code") in ("unavailable", "database_busy")
        ]
        after = [a for a in attempts if a.started >= events["db_start"] and a.status in (200, 201)]
        recovered = after[0].started - events["db_start"] if after else None
        slowest = max(a.seconds for a in attempts)
        five_hundreds = [a for a in attempts if a.status == 500]

        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        problems = check(engine, storm)
        engine.dispose()
        acknowledged = counts[("check_in", 201)]
        present = len({a.name for a in attempts if a.kind == "check_in"})
        print()
        print(f"requests: {len(attempts)} in {args.seconds:.0f} s from {args.threads} threads")
        for (kind, status), n in sorted(counts.items()):
            print(f"  {kind:9s} {status or 'no answer'}: {n}")
        print(f"acknowledged check-ins: {acknowledged} (of {present} attempted)")
        print(
            f"outage {events['db_start'] - events['db_stop']:.1f} s: {len(outage)} requests "
            f"started in it, {len(outage_503)} answered 503 JSON, "
            f"max latency in it {max((a.seconds for a in outage), default=0):.2f} s"
        )
        in_outage = Counter(a.status for a in outage)
        shares = ", ".join(f"{k or 'no answer'}: {n}" for k, n in in_outage.items())
        print(f"  in the outage: {shares}")
        recovery = "never" if recovered is None else f"{recovered:.2f} s"
        print(f"first success after PostgreSQL was back: {recovery}")
        print(f"slowest request overall: {slowest:.2f} s; 500s: {len(five_hundreds)}")
        marks = " ".join(f"{name}@{at - t0:.1f}s" for name, at in events.items())
        print(f"the five slowest (start, seconds, status; events: {marks}):")
        for a in sorted(attempts, key=lambda a: -a.seconds)[:5]:
            print(f"  {a.kind:9s} at {a.started - t0:5.1f} s: {a.seconds:.2f} s, {a.status}")
        ok = True
        if not outage_503:
            problems.append("no 503 JSON during the outage")
        if five_hundreds:
            problems.append(f"{len(five_hundreds)} answers were 500")
        if recovered is None:
            problems.append("no success after PostgreSQL came back")
        if gunicorn.poll() is not None:
            problems.append("gunicorn did not survive")
        for problem in problems[:50]:
            ok = False
            print("PROBLEM:", problem)
        for a in five_hundreds:
            print(f"  500 at {a.started - t0:.1f} s: {a.body}")
        if not ok:
            errors = [
                line
                for line in log.read_text(errors="replace").splitlines()
                if " ERROR " in line or "Traceback" in line
            ]
            print("gunicorn's error lines:", *errors[-20:], sep="\n  ")
        print("RESULT:", "every check holds" if ok else f"{len(problems)} problems")
        return 0 if ok else 1
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
