"""Check-in / extend / check-out cycles over HTTP, 32 clients at once.

    python -m bench.checkin --database-url postgresql://postgres@127.0.0.1/belegung_bench \
        [--baseline main] [--seconds 15] [--clients 32]
    python -m bench.checkin --database-url sqlite:////tmp/belegung_bench.sqlite

The database must hold the `dortmund` scale (`python -m bench.generate dortmund …`). The
app runs under gunicorn (`--workers 2 --threads 4`) on a clock moved to this evening
(bench/wsgi_bench.py), so that a guest checked out on their first evening frees the
place again. Each client loops for `--seconds`: check a guest of its own in
(`POST /api/v1/stays`, first free place), extend by a night, check out. An operation is
one of these three requests. Run twice: spread over the four night shelters (client i on
shelter i mod 4), then all on one (`unionstrasse`, 70 places).

Printed: operations per second, 409s (refusals: no free place, a place taken), 5xx (must
be 0), transport errors, the mean and p95 latency per operation, lock waits seen by the
database (PostgreSQL: the mean time a check-in's transaction waited, from
pg_stat_activity samples), and afterwards the check that no place and no person was
claimed twice on any night (overlapping claims, from the stays table itself).
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import sqlalchemy as sa

from bench.serve import app_env, gunicorn, make_tokens, python_in, source_tree

SHELTERS = ("unionstrasse", "nortkirchenstrasse", "junge-erwachsene", "drogenhilfe")

MAKE_PERSONS = """
import json
from belegung import create_app
from belegung.cli import cli_context
from belegung.persons.models import Person
from belegung.persons.service import name_key
app = create_app()
with app.app_context():
    with cli_context("bench") as ctx:
        persons = [Person(name=f"Bench Gast {i}", name_key=name_key(f"Bench Gast {i}"),
                          created_at=ctx.now()) for i in range(COUNT)]
        ctx.session.add_all(persons)
        ctx.session.flush()
        ids = [p.id for p in persons]
print(json.dumps(ids))
"""


@dataclass
class Tally:
    ops: int = 0
    codes: Counter[int] = field(default_factory=Counter)
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    lock = threading.Lock()

    def add(self, status: int, seconds: float) -> None:
        with self.lock:
            self.ops += 1
            self.codes[status] += 1
            self.latencies.append(seconds)


class Client:
    def __init__(self, base: str, token: str) -> None:
        url = urlparse(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def post(self, path: str, body: dict | None = None) -> tuple[int, dict]:
        payload = json.dumps(body or {})
        try:
            self.conn.request("POST", path, payload, self.headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            raise
        return response.status, (json.loads(data) if data else {})


def client_loop(
    base: str, token: str, facility: str, persons: list[int], until: float, tally: Tally
) -> None:
    client = Client(base, token)
    turn = 0
    while time.monotonic() < until:
        person = persons[turn % len(persons)]
        turn += 1
        try:
            t0 = time.perf_counter()
            status, stay = client.post(
                "/api/v1/stays", {"facility": facility, "person": {"id": person}}
            )
            tally.add(status, time.perf_counter() - t0)
            if status != 201:
                continue
            for path in (
                f"/api/v1/stays/{stay['id']}/extend",
                f"/api/v1/stays/{stay['id']}/checkout",
            ):
                t0 = time.perf_counter()
                status, _ = client.post(path, {"nights": 1} if path.endswith("extend") else None)
                tally.add(status, time.perf_counter() - t0)
        except (OSError, http.client.HTTPException, ValueError):
            with tally.lock:
                tally.errors += 1


class LockWaits:
    """Samples pg_stat_activity for backends waiting on a lock (PostgreSQL)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.samples = 0
        self.waiting = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with self.engine.connect() as conn:
            while not self.stop.is_set():
                n = conn.scalar(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()"
                    )
                )
                conn.rollback()
                self.samples += 1
                self.waiting += int(n or 0)
                time.sleep(0.01)

    def __enter__(self) -> LockWaits:
        if self.engine.dialect.name == "postgresql":
            self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()

    @property
    def mean_waiting(self) -> float:
        return self.waiting / self.samples if self.samples else 0.0


def double_claims(engine: sa.Engine) -> tuple[int, int]:
    """Pairs of claims overlapping on one place, and pairs of occupying stays overlapping
    for one person (each must be 0)."""
    far = "'9999-12-31'"
    pair = (
        "SELECT count(*) FROM stays a JOIN stays b ON a.{col} = b.{col} AND a.id < b.id "
        "AND a.first_night < coalesce(b.end_night, {far}) "
        "AND b.first_night < coalesce(a.end_night, {far}) "
        "WHERE a.status IN ({statuses}) AND b.status IN ({statuses})"
        " AND a.first_night >= :since AND b.first_night >= :since"
    )
    since = "2000-01-01"
    with engine.connect() as conn:
        since_row = conn.scalar(sa.text("SELECT max(first_night) FROM stays"))
        if since_row is not None:
            since = str(since_row)[:8] + "01"
        places = conn.scalar(
            sa.text(
                pair.format(col="place_id", far=far, statuses="'held','checked_in','checked_out'")
            ),
            {"since": since},
        )
        persons = conn.scalar(
            sa.text(pair.format(col="person_id", far=far, statuses="'checked_in','checked_out'")),
            {"since": since},
        )
    return int(places or 0), int(persons or 0)


def run(
    label: str,
    base: str,
    token: str,
    facilities: list[str],
    persons: list[int],
    args: argparse.Namespace,
    engine: sa.Engine,
) -> Tally:
    tally = Tally()
    until = time.monotonic() + args.seconds
    per_client = len(persons) // args.clients
    threads = [
        threading.Thread(
            target=client_loop,
            args=(
                base,
                token,
                facilities[i % len(facilities)],
                persons[i * per_client : (i + 1) * per_client],
                until,
                tally,
            ),
        )
        for i in range(args.clients)
    ]
    with LockWaits(engine) as waits:
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    five = sum(n for code, n in tally.codes.items() if code >= 500)
    conflicts = tally.codes.get(409, 0)
    lat = sorted(tally.latencies) or [0.0]
    places, people = double_claims(engine)
    print(
        f"{label:<38} {tally.ops / elapsed:7.0f} ops/s  409s {conflicts}  5xx {five}  "
        f"transport errors {tally.errors}  mean {statistics.mean(lat) * 1000:.0f} ms  "
        f"p95 {lat[int(0.95 * (len(lat) - 1))] * 1000:.0f} ms  "
        f"backends waiting on a lock (mean) {waits.mean_waiting:.1f}  "
        f"double claims: places {places}, persons {people}",
        flush=True,
    )
    other = {c: n for c, n in tally.codes.items() if c not in (200, 201, 409)}
    if other:
        print(f"   other answers: {other}")
    return tally


def measure(label: str, source: Path, args: argparse.Namespace, engine: sa.Engine) -> None:
    print(f"\n== {label} ({source})", flush=True)
    env = app_env(args.database_url)
    token = make_tokens(source, args.database_url, ("admin",))["admin"]
    code = MAKE_PERSONS.replace("COUNT", str(args.clients * 8))
    persons = json.loads(python_in(source, code, env).strip().splitlines()[-1])
    with gunicorn(source, "bench.wsgi_bench:app", {**env, "BENCH_EVENING": "1"}) as server:
        run(
            "spread over the four shelters",
            server.base,
            token,
            list(SHELTERS),
            persons,
            args,
            engine,
        )
        run("all on one (unionstrasse)", server.base, token, [SHELTERS[0]], persons, args, engine)
        print(f"worker memory: {', '.join(f'{r:.0f} MB' for r in server.worker_rss_mb())}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--baseline", help="a git ref to measure first (e.g. main)")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args(argv)
    engine = sa.create_engine(
        args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    )
    print(f"{args.clients} clients, {args.seconds} s per run")
    if args.baseline:
        with source_tree(args.baseline) as source:
            measure(f"baseline {args.baseline}", source, args, engine)
    with source_tree(None) as source:
        measure("this checkout", source, args, engine)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
