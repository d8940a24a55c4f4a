"""In-process profile of the check-in / extend / check-out requests: SQL statements and
CPU time per operation, without gunicorn, HTTP or other clients in the way.

    python -m bench.profile_checkin \
        --database-url postgresql://postgres@127.0.0.1/belegung_bench_x [--baseline main] \
        [--cycles 200] [--facility unionstrasse] [--profile cumulative] [--statements]

The database must hold the `dortmund` scale (a copy: the run writes stays, persons and a
token). The app runs on the bench's evening clock (bench/wsgi_bench.py) through Flask's
test client, with the same requests as bench/checkin.py: check a guest in on the first
free place, extend by a night, check out. Printed per kind of request: statements (and
which, with `--statements`), wall-clock milliseconds, CPU milliseconds of this process
(Python) and of the PostgreSQL backend (from /proc). The statements don't depend on the
machine's load at all and the CPU figures much less than wall-clock figures under 32
clients do: they are what to compare before and after a change (`--baseline REF`
measures that ref first, in the same run). `--profile SORT` prints cProfile's top
functions over the measured cycles (`PROFILE_DUMP=file` keeps them).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from bench.serve import ROOT, SECRET, source_tree

KINDS = ("check_in", "extend", "check_out")


class StatementLog:
    """The statements sent on an engine, per operation."""

    def __init__(self, engine: sa.Engine) -> None:
        self.current: list[str] = []
        self.per_kind: dict[str, list[int]] = defaultdict(list)
        self.texts: dict[str, Counter[str]] = defaultdict(Counter)
        event.listen(engine, "before_cursor_execute", self._seen)
        # BEGIN/COMMIT/ROLLBACK are round trips too (psycopg sends them).
        event.listen(engine, "begin", lambda _conn: self.current.append("BEGIN"))
        event.listen(engine, "commit", lambda _conn: self.current.append("COMMIT"))
        event.listen(engine, "rollback", lambda _conn: self.current.append("ROLLBACK"))

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.current.append(" ".join(statement.split()))

    def start(self) -> None:
        self.current = []

    def done(self, kind: str) -> None:
        self.per_kind[kind].append(len(self.current))
        for text in self.current:
            self.texts[kind][text[:160]] += 1


def _measure_baseline(ref: str, argv: list[str]) -> None:
    """Run this script on `git archive REF` (this file copied in), without --baseline."""
    rest: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--baseline":
            skip = True
        elif not arg.startswith("--baseline="):
            rest.append(arg)
    with source_tree(ref) as source:
        print(f"== baseline {ref} ({source})", flush=True)
        shutil.copy(Path(__file__), source / "bench" / "profile_checkin.py")
        subprocess.run(
            [sys.executable, "-m", "bench.profile_checkin", *rest],
            cwd=source,
            env={**os.environ, "PYTHONPATH": str(source)},
            check=True,
        )


class BackendCpu:
    """CPU seconds used so far by the PostgreSQL backends of an engine's connections
    (read from /proc: the database runs on this machine in the benchmarks)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.pids: set[int] = set()
        self.tick = os.sysconf("SC_CLK_TCK")
        if engine.dialect.name == "postgresql":
            event.listen(engine, "checkout", self._checked_out)

    def _checked_out(self, dbapi_connection: Any, *_: Any) -> None:
        self.pids.add(int(dbapi_connection.info.backend_pid))

    def seconds(self) -> float:
        total = 0
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / self.tick


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--warm", type=int, default=30)
    parser.add_argument("--facility", default="unionstrasse")
    parser.add_argument("--profile", metavar="SORT", help="cProfile sort key, e.g. tottime")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--statements", action="store_true", help="list each statement")
    parser.add_argument("--baseline", help="a git ref to measure first, in the same run")
    args = parser.parse_args(argv)
    if args.baseline:
        _measure_baseline(args.baseline, argv if argv is not None else sys.argv[1:])
        print(f"\n== this checkout ({ROOT})", flush=True)

    os.environ["BELEGUNG_DATABASE_URL"] = args.database_url
    os.environ.setdefault("BELEGUNG_SECRET_KEY", SECRET)
    os.environ.setdefault("BELEGUNG_LOG_LEVEL", "WARNING")
    os.environ["BENCH_EVENING"] = "1"
    from belegung.auth.models import Role
    from belegung.auth.service import create_token, create_user
    from belegung.cli import cli_context
    from belegung.extensions import db
    from belegung.persons.models import Person
    from belegung.persons.service import name_key
    from bench.wsgi_bench import app

    count = args.warm + args.cycles
    with app.app_context(), cli_context("bench") as ctx:
        user = create_user(ctx, "prof-" + secrets.token_hex(4), Role.ADMIN)
        token = create_token(ctx, user)[1]
        persons = [
            Person(
                name=f"Profil Gast {i}", name_key=name_key(f"Profil Gast {i}"), created_at=ctx.now()
            )
            for i in range(count)
        ]
        ctx.session.add_all(persons)
        ctx.session.flush()
        person_ids = [p.id for p in persons]
    with app.app_context():
        engine = db.engine
    log = StatementLog(engine)
    backends = BackendCpu(engine)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    seconds: dict[str, float] = defaultdict(float)
    cpu: dict[str, float] = defaultdict(float)
    db_cpu: dict[str, float] = defaultdict(float)

    def cycle(person_id: int, measured: bool) -> None:
        steps: list[tuple[str, str, dict[str, Any] | None]] = [
            ("check_in", "/api/v1/stays", {"facility": args.facility, "person": {"id": person_id}})
        ]
        stay_id: int | None = None
        for kind in KINDS:
            if kind == "check_in":
                path, body = "/api/v1/stays", steps[0][2]
            elif kind == "extend":
                path, body = f"/api/v1/stays/{stay_id}/extend", {"nights": 1}
            else:
                path, body = f"/api/v1/stays/{stay_id}/checkout", None
            log.start()
            db0 = backends.seconds()
            c0 = time.process_time()
            t0 = time.perf_counter()
            response = client.post(path, json=body or {}, headers=headers)
            elapsed = time.perf_counter() - t0
            used = time.process_time() - c0
            db_used = backends.seconds() - db0
            if response.status_code >= 300:
                raise SystemExit(
                    f"{kind}: {response.status_code} {response.get_data(as_text=True)}"
                )
            if kind == "check_in":
                stay_id = response.get_json()["id"]
            if measured:
                seconds[kind] += elapsed
                cpu[kind] += used
                db_cpu[kind] += db_used
                log.done(kind)

    for person_id in person_ids[: args.warm]:
        cycle(person_id, False)
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    for person_id in person_ids[args.warm :]:
        cycle(person_id, True)
    if profiler:
        profiler.disable()

    print(
        f"{args.cycles} cycles at {args.facility} ({engine.dialect.name}), in-process, per "
        "request: statements; wall ms; CPU ms of this process (Python); CPU ms of the "
        "database backend (PostgreSQL, from /proc, 10 ms ticks averaged)"
    )
    totals = [0.0, 0.0, 0.0, 0.0]
    for kind in KINDS:
        counts = log.per_kind[kind]
        figures = [
            sum(counts) / len(counts),
            seconds[kind] / args.cycles * 1000,
            cpu[kind] / args.cycles * 1000,
            db_cpu[kind] / args.cycles * 1000,
        ]
        totals = [t + f for t, f in zip(totals, figures, strict=True)]
        print(
            f"  {kind:<10} {figures[0]:5.1f} statements  {figures[1]:6.2f} ms wall  "
            f"{figures[2]:6.2f} ms Python  {figures[3]:5.2f} ms database"
        )
        if args.statements:
            for text, n in log.texts[kind].most_common():
                print(f"      {n / args.cycles:4.1f}× {text}")
    print(
        f"  per operation (mean of the three): {totals[0] / 3:.1f} statements, "
        f"{totals[1] / 3:.2f} ms wall, {totals[2] / 3:.2f} ms Python, "
        f"{totals[3] / 3:.2f} ms database"
    )
    if profiler:
        if os.environ.get("PROFILE_DUMP"):
            profiler.dump_stats(os.environ["PROFILE_DUMP"])
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats(args.profile).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
