"""Benchmark availability() and check_in on Toronto's real occupancy as history grows.

    python -m bench.availability [--database-url URL] [--history-years N]

Builds a fresh database by the migrations (it WIPES the one given: the database or file
name must contain "bench"), bulk-replays Toronto's 80 nights, checks availability against
the data for all of them, then times availability() for the last night: on the 80 nights;
after N years of older history of stays (the 80-night pattern copied backwards); after the
same history of out-of-service periods; and, as the baseline, without the index
ix_stays_end_night_first_night. Last, the latency of a check-in through the services.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from belegung import create_app
from belegung.context import Actor, ServiceContext
from belegung.extensions import db
from belegung.facilities.models import OutOfService
from belegung.facilities.service import get_facility
from belegung.nights import fixed_clock
from belegung.persons.models import Gender, HouseholdType, Nationality, Person
from belegung.persons.service import name_key
from belegung.stays.availability import availability
from belegung.stays.models import Stay
from belegung.stays.service import check_in
from bench.toronto import (
    CALENDAR,
    TorontoData,
    evening,
    load,
    mismatches,
    replay_bulk,
)

INDEX = "ix_stays_end_night_first_night"


# --- the database --------------------------------------------------------------------------


def prepare_database(url: str) -> Flask:
    """Wipe the database at `url` and build the schema by running the migrations."""
    from flask_migrate import upgrade

    parsed = make_url(url)
    name = parsed.database or ""
    if "bench" not in Path(name).name:
        raise SystemExit(f"refusing to wipe {name!r}: its name must contain 'bench'")
    if parsed.get_backend_name() == "postgresql":
        engine = sa.create_engine(parsed.set(drivername="postgresql+psycopg"))
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
    app = create_app(env={"BELEGUNG_DATABASE_URL": url, "BELEGUNG_SECRET_KEY": "x" * 20})
    with app.app_context():
        upgrade()
        db.session.remove()
    return app


class StatementCounter:
    """Counts the statements sent to the database, and keeps the last one."""

    def __init__(self, engine: sa.Engine) -> None:
        self.count = 0
        self.last: tuple[str, Any] = ("", None)
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        self.count += 1
        self.last = (statement, parameters)


def count_rows(engine: sa.Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        stays = conn.scalar(sa.select(sa.func.count()).select_from(Stay.__table__)) or 0
        oos = conn.scalar(sa.select(sa.func.count()).select_from(OutOfService.__table__)) or 0
    return stays, oos


def analyze(engine: sa.Engine) -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load, as autovacuum would.
    SQLite is left as the application runs it (belegung never runs ANALYZE there)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))


def stays_indexes(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            sql = "SELECT indexname FROM pg_indexes WHERE tablename = 'stays' ORDER BY 1"
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'stays'"
        return sorted(conn.execute(sa.text(sql)).scalars())


# --- synthetic history ---------------------------------------------------------------------


def _shift_date(engine: sa.Engine, column: Any, days: int) -> Any:
    if engine.dialect.name == "sqlite":
        return sa.func.date(column, f"-{days} days")
    return column - days


def _shift_time(engine: sa.Engine, column: Any, days: int) -> Any:
    if engine.dialect.name == "sqlite":
        # Keep SQLAlchemy's storage format, microseconds included.
        return sa.func.datetime(column, f"-{days} days").op("||")(sa.func.substr(column, 20))
    return column - sa.literal_column(f"interval '{days} days'")


def history_blocks(data: TorontoData, years: float) -> int:
    return max(1, round(years * 365 / len(data.nights)))


def add_history(engine: sa.Engine, data: TorontoData, table: sa.Table, years: float) -> int:
    """Copy the rows of `table` (stays or out_of_service) in the data's nights backwards
    in time, block after block of 80 nights, in the database itself. Returns the rows
    added."""
    span = (data.nights[-1] - data.nights[0]).days + 1
    dates = {"first_night", "end_night"}
    times = {"created_at", "checked_in_at", "checked_out_at", "held_at", "hold_expires_at"}
    columns = [c for c in table.columns if c.name != "id"]
    added = 0
    with engine.begin() as conn:
        for block in range(1, history_blocks(data, years) + 1):
            days = block * span
            values = [
                _shift_date(engine, c, days).label(c.name)
                if c.name in dates
                else _shift_time(engine, c, days).label(c.name)
                if c.name in times
                else c
                for c in columns
            ]
            # In place order, as the bulk replay inserts: it keeps the GiST indexes of
            # the exclusion constraints local (about twice as fast on PostgreSQL).
            source = (
                sa.select(*values)
                .where(table.c.first_night >= data.nights[0])
                .order_by(table.c.place_id, table.c.first_night)
            )
            result = conn.execute(sa.insert(table).from_select([c.name for c in columns], source))
            added += result.rowcount
    return added


# --- measuring -----------------------------------------------------------------------------


@dataclass
class Timing:
    label: str
    stays: int
    out_of_service: int
    runs: list[float]
    statements: int

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def p95(self) -> float:
        ordered = sorted(self.runs)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def time_availability(
    engine: sa.Engine,
    counter: StatementCounter,
    night: date,
    label: str,
    *,
    runs: int,
    budget: float,
    explain: bool,
) -> Timing:
    """Time availability() of `night`, each call in its own transaction (its BEGIN not
    timed): `runs` calls, or fewer (at least 5) once `budget` seconds have passed."""
    as_of = evening(night)
    stays, oos = count_rows(engine)
    timings: list[float] = []
    statements = 0
    with Session(engine) as session:
        for _ in range(3):  # warm the caches
            availability(session, night, as_of)
            session.rollback()
        started = time.perf_counter()
        for _ in range(runs):
            session.connection()
            before = counter.count
            t0 = time.perf_counter()
            availability(session, night, as_of)
            timings.append((time.perf_counter() - t0) * 1000)
            statements = counter.count - before
            session.rollback()
            if len(timings) >= 5 and time.perf_counter() - started > budget:
                break
        if explain:
            print_plan(session, *counter.last)
    return Timing(label, stays, oos, timings, statements)


def print_plan(session: Session, statement: str, parameters: Any) -> None:
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        sql = "EXPLAIN (ANALYZE, BUFFERS) " + statement
    else:
        sql = "EXPLAIN QUERY PLAN " + statement
    for row in conn.exec_driver_sql(sql, parameters):
        print("    " + " | ".join(str(v) for v in row))
    session.rollback()


def create_persons(engine: sa.Engine, count: int, night: date) -> list[int]:
    rows = [
        {
            "name": (name := f"Bench Gast {i}"),
            "name_key": name_key(name),
            "birth_year": None,
            "gender": Gender.UNKNOWN,
            "nationality": Nationality.UNKNOWN,
            "household_type": HouseholdType.SINGLE,
            "household_size": 1,
            "created_at": evening(night),
        }
        for i in range(1, count + 1)
    ]
    table = Person.__table__
    with engine.begin() as conn:
        stmt = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(conn.execute(stmt, rows).scalars())


def time_check_ins(
    engine: sa.Engine, counter: StatementCounter, data: TorontoData, night: date, count: int
) -> tuple[list[float], list[int]]:
    """`count` sequential check-ins into `night` (at most one per place), round-robin
    over the programs of the last night, each as a request does it: load facility and
    person, check in, commit. Returns per check-in the milliseconds and the statements
    (BEGIN not counted)."""
    person_ids = create_persons(engine, count, night)
    # Round-robin, but no program gets more check-ins than it has places.
    room = {program.slug: program.places for program, _ in data.on(data.nights[-1])}
    slugs: list[str] = []
    while len(slugs) < count and any(room.values()):
        for slug, free in room.items():
            if free and len(slugs) < count:
                slugs.append(slug)
                room[slug] -= 1
    timings, statements = [], []
    with Session(engine) as session:
        ctx = ServiceContext(session, Actor.system("bench"), CALENDAR, fixed_clock(evening(night)))
        for person_id, slug in zip(person_ids, slugs, strict=False):
            t0 = time.perf_counter()
            session.connection()
            before = counter.count
            facility = get_facility(session, slug)
            person = session.get(Person, person_id)
            assert person is not None
            check_in(ctx, facility, person)
            statements.append(counter.count - before)
            session.commit()
            timings.append((time.perf_counter() - t0) * 1000)
    return timings, statements


@contextmanager
def step(message: str) -> Iterator[None]:
    print(f"{message} …", end=" ", flush=True)
    t0 = time.perf_counter()
    yield
    print(f"{time.perf_counter() - t0:.1f} s", flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- the run -------------------------------------------------------------------------------


def run(app: Flask, args: argparse.Namespace) -> None:
    with app.app_context():
        engine = db.engine
    counter = StatementCounter(engine)
    data = load()
    last = data.nights[-1]
    print(
        f"Toronto: {len(data.programs)} programs, {len(data.nights)} nights "
        f"{data.nights[0]}..{last}, {data.total_stays:,} stays, "
        f"{sum(p.places for p in data.programs):,} places"
    )

    with step("bulk replay of all nights"), engine.begin() as conn:
        replay_bulk(conn, data)
    analyze(engine)
    with step("comparing availability with the data, all nights"), Session(engine) as session:
        found = mismatches(session, data)
    print(f"mismatches over {len(data.nights)} nights: {len(found)}")
    for mismatch in found[:10]:
        print(f"  {mismatch}")

    def measure(label: str) -> Timing:
        return time_availability(
            engine,
            counter,
            last,
            label,
            runs=args.runs,
            budget=args.budget,
            explain=args.explain,
        )

    results = [measure(f"Toronto, {len(data.nights)} nights")]
    history_nights = history_blocks(data, args.history_years) * len(data.nights)
    with step(f"adding {history_nights} nights of stays history"):
        add_history(engine, data, Stay.__table__, args.history_years)
    analyze(engine)
    results.append(measure(f"+ {history_nights} nights of stays"))
    with step(f"adding {history_nights} nights of out-of-service history"):
        add_history(engine, data, OutOfService.__table__, args.history_years)
    analyze(engine)
    results.append(measure(f"+ {history_nights} nights of out-of-service periods"))

    check_in_night = last + timedelta(days=1)
    with step(f"{args.check_ins} check-ins into {check_in_night}"):
        check_in_ms, check_in_statements = time_check_ins(
            engine, counter, data, check_in_night, args.check_ins
        )

    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP INDEX {INDEX}"))
    analyze(engine)
    print(f"dropped {INDEX}; indexes left on stays: {', '.join(stays_indexes(engine))}")
    results.append(measure(f"  the same, without {INDEX}"))
    with Session(engine) as session:
        found = mismatches(session, data, [last])
    print(f"mismatches on {last} after history and without the index: {len(found)}")

    print()
    print(f"availability() of {last} ({engine.dialect.name}):")
    print(
        f"{'':52} {'stays':>10} {'out of svc':>10} {'median ms':>10} {'p95 ms':>8} "
        f"{'runs':>5} {'statements':>10}"
    )
    for r in results:
        print(
            f"{r.label:52} {r.stays:>10,} {r.out_of_service:>10,} {r.median:>10.1f} "
            f"{r.p95:>8.1f} {len(r.runs):>5} {r.statements:>10}"
        )
    print()
    print(
        f"check-in (load facility and person, check_in, commit), {len(check_in_ms)} "
        f"sequential into {check_in_night}, with the full history and the index: "
        f"median {statistics.median(check_in_ms):.1f} ms, "
        f"p95 {percentile(check_in_ms, 0.95):.1f} ms, "
        f"statements {min(check_in_statements)}..{max(check_in_statements)}"
    )
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.availability", description=__doc__)
    parser.add_argument("--database-url", help="default: a SQLite file in a temp directory")
    parser.add_argument("--history-years", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=30, help="calls per measurement")
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds per measurement (at least 5 calls)"
    )
    parser.add_argument("--check-ins", type=int, default=500)
    parser.add_argument("--explain", action="store_true", help="print each query plan")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="belegung-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'belegung-bench.sqlite3'}"
        print(f"database: {make_url(url).render_as_string(hide_password=True)}")
        started = time.perf_counter()
        run(prepare_database(url), args)
        print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
