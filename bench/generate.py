"""Fill a benchmark database fast, at a named scale.

    python -m bench.generate dortmund --database-url postgresql://postgres@127.0.0.1/belegung_bench
    python -m bench.generate toronto|city --database-url …

Builds the database fresh by the migrations (it WIPES the one given: the database or file
name must contain "bench"), then writes the rows in bulk: COPY on PostgreSQL (with the
indexes and exclusion constraints of `stays` and `out_of_service` dropped during the load
and built again after it, which also checks every claim), executemany on SQLite. Prints
its progress and its own rows per second.

Scales:
- `dortmund`: the preset (four night shelters, the housing programme's 2,000 places),
  ten years of nightly history in the shelters (one-night stays, seasonal occupancy),
  the housing programme's long stays (months to years, the current ones open-ended),
  tonight half checked in, and a few live holds.
- `toronto`: Toronto's 80 real nights (../shared/data/toronto/, bench/toronto.py).
- `city`: 100,000 places in 900 facilities (night shelters of every target group and
  long-stay housing), one year of history.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from belegung.extensions import db
from belegung.facilities.models import (
    Facility,
    FacilityKind,
    FacilityStatus,
    OperatorType,
    OutOfService,
    Place,
    TargetGroup,
)
from belegung.nights import NightCalendar
from belegung.persons.models import Gender, HouseholdType, Nationality, Person
from belegung.persons.service import name_key
from belegung.stays.models import Stay, StayStatus

SCALES = ("dortmund", "toronto", "city")
CALENDAR = NightCalendar(ZoneInfo("Europe/Berlin"))

STAY_COLUMNS = (
    "facility_id",
    "place_id",
    "person_id",
    "first_night",
    "end_night",
    "status",
    "created_at",
    "checked_in_at",
    "checked_out_at",
    "held_at",
    "hold_expires_at",
)
PERSON_COLUMNS = (
    "name",
    "name_key",
    "gender",
    "nationality",
    "household_type",
    "household_size",
    "created_at",
)


# --- the database --------------------------------------------------------------------------


def prepare_database(url: str) -> Flask:
    """Wipe the database at `url` and build the schema by running the migrations."""
    from flask_migrate import upgrade

    from belegung import create_app

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


class Progress:
    """Prints rows written and rows per second, at most every two seconds."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.rows = 0
        self.started = time.perf_counter()
        self._shown = self.started

    def add(self, rows: int) -> None:
        self.rows += rows
        now = time.perf_counter()
        if now - self._shown >= 2:
            self._shown = now
            self._print("…")

    def rate(self) -> float:
        return self.rows / max(time.perf_counter() - self.started, 1e-9)

    def done(self) -> None:
        self._print("done")

    def _print(self, state: str) -> None:
        elapsed = time.perf_counter() - self.started
        print(
            f"  {self.label}: {self.rows:,} rows in {elapsed:.1f} s "
            f"({self.rate():,.0f} rows/s) {state}",
            flush=True,
        )


def _pg_definitions(conn: sa.Connection, table: str) -> tuple[list[str], list[str]]:
    """The exclusion constraints and plain indexes of a table (primary key and unique
    constraints are left alone), as DDL to build them again."""
    constraints = [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for name, definition in conn.execute(
            sa.text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = CAST(:t AS regclass) AND contype = 'x'"
            ),
            {"t": table},
        )
    ]
    indexes = list(
        conn.execute(
            sa.text(
                "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = CAST(:t AS regclass) AND NOT i.indisprimary "
                "AND NOT i.indisunique AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
                "WHERE k.conindid = i.indexrelid)"
            ),
            {"t": table},
        ).scalars()
    )
    return constraints, indexes


class Loader:
    """Writes rows of one table in bulk: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.postgresql = engine.dialect.name == "postgresql"

    def copy(self, table: sa.Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        progress = Progress(table.name)
        if self.postgresql:
            with self.engine.begin() as conn:
                constraints, indexes = _pg_definitions(conn, table.name)
                for ddl in constraints:
                    name = ddl.split('"')[1]
                    conn.exec_driver_sql(f'ALTER TABLE {table.name} DROP CONSTRAINT "{name}"')
                for ddl in indexes:
                    name = ddl.split(" ON ")[0].split()[-1]
                    conn.exec_driver_sql(f"DROP INDEX {name}")
                raw = conn.connection.dbapi_connection
                assert raw is not None
                with raw.cursor() as cursor:  # type: ignore[attr-defined]
                    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
                    with cursor.copy(sql) as copy:
                        for row in rows:
                            copy.write_row(row)
                            progress.add(1)
                progress.done()
                built = Progress(f"{table.name} indexes and exclusion constraints")
                for ddl in indexes + constraints:
                    conn.exec_driver_sql(ddl)
                built.rows = progress.rows
                built.done()
        else:
            stmt = sa.insert(table)
            batch: list[dict[str, Any]] = []
            with self.engine.begin() as conn:
                for row in rows:
                    batch.append(dict(zip(columns, row, strict=True)))
                    if len(batch) >= 20_000:
                        conn.execute(stmt, batch)
                        progress.add(len(batch))
                        batch = []
                if batch:
                    conn.execute(stmt, batch)
                    progress.add(len(batch))
            progress.done()
        return progress.rows

    def insert_returning(self, table: sa.Table, rows: list[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        stmt = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
        with self.engine.begin() as conn:
            return list(conn.execute(stmt, rows).scalars())

    def analyze(self) -> None:
        with self.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


# --- rows --------------------------------------------------------------------------------------


def evening(night: date) -> datetime:
    return datetime.combine(night, dtime(20, 0), CALENDAR.timezone).astimezone(UTC)


def morning(night: date) -> datetime:
    return datetime.combine(night + timedelta(days=1), dtime(8, 0), CALENDAR.timezone).astimezone(
        UTC
    )


def tonight() -> date:
    return CALENDAR.night_of(datetime.now(UTC))


def create_persons(loader: Loader, count: int, created: datetime) -> list[int]:
    """`count` anonymous guests; their ids in order."""
    table = Person.__table__
    with loader.engine.begin() as conn:
        start = (conn.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
    rows = (
        (
            name := f"Gast {i:06d}",
            name_key(name),
            Gender.UNKNOWN.value,
            Nationality.UNKNOWN.value,
            HouseholdType.SINGLE.value,
            1,
            created,
        )
        for i in range(start, start + count)
    )
    loader.copy(table, PERSON_COLUMNS, rows)
    with loader.engine.begin() as conn:
        return list(
            conn.scalars(sa.select(table.c.id).where(table.c.id >= start).order_by(table.c.id))
        )


def past_stay(
    facility_id: int, place_id: int, person_id: int, first: date, end: date | None, today: date
) -> tuple[Any, ...]:
    """A stay that began on `first`: checked out if it ended before tonight, checked in
    otherwise."""
    over = end is not None and end <= today
    return (
        facility_id,
        place_id,
        person_id,
        first,
        end,
        (StayStatus.CHECKED_OUT if over else StayStatus.CHECKED_IN).value,
        evening(first),
        evening(first),
        morning(end - timedelta(days=1)) if over and end is not None else None,
        None,
        None,
    )


def hold(facility_id: int, place_id: int, night: date, expires: datetime) -> tuple[Any, ...]:
    now = datetime.now(UTC)
    return (
        facility_id,
        place_id,
        None,
        night,
        night + timedelta(days=1),
        StayStatus.HELD.value,
        now,
        None,
        None,
        now,
        expires,
    )


def occupancy(night: date) -> float:
    """Seasonal: fullest in January, emptiest in July."""
    month = night.month
    return {12: 0.93, 1: 0.97, 2: 0.95, 3: 0.88, 11: 0.88, 4: 0.8, 10: 0.82}.get(month, 0.72)


@dataclass
class ShelterPlaces:
    facility_id: int
    place_ids: list[int]


def shelter_history(
    shelters: list[ShelterPlaces],
    persons: list[int],
    first: date,
    today: date,
    seed: int,
    held: frozenset[int] = frozenset(),
) -> Iterator[tuple[Any, ...]]:
    """One-night stays, place by place, night by night, from `first` to yesterday; tonight
    about half the places checked in. The guest of place i on night d is person
    (i + 37 d) mod len(persons): never one guest on two places in one night. The places
    in `held` stay free tonight (they get a live hold)."""
    rng = random.Random(seed)
    index = 0
    days = (today - first).days
    for shelter in shelters:
        for place_id in shelter.place_ids:
            for d in range(days + 1):
                night = first + timedelta(days=d)
                share = 0.5 if night == today else occupancy(night)
                if night == today and place_id in held:
                    share = 0.0
                if rng.random() < share:
                    person = persons[(index + 37 * d) % len(persons)]
                    yield past_stay(
                        shelter.facility_id,
                        place_id,
                        person,
                        night,
                        night + timedelta(days=1),
                        today,
                    )
            index += 1


def long_stays(
    facility_id: int,
    place_ids: Sequence[int],
    persons: Sequence[int],
    per_place: int,
    first: date,
    today: date,
    lengths: tuple[int, int],
    seed: int,
    open_ended: bool,
) -> Iterator[tuple[Any, ...]]:
    """Housing-style stays: on each place one after another, `lengths` nights each, with
    short gaps; the current one open-ended (`open_ended`) or ending in the future. Place i
    takes its guests in turn from its own `per_place` persons of `persons` (never one
    person on two places at once)."""
    rng = random.Random(seed)
    for i, place_id in enumerate(place_ids):
        night = first + timedelta(days=rng.randrange(0, 30))
        turn = 0
        while night <= today:
            length = rng.randint(*lengths)
            end: date | None = night + timedelta(days=length)
            assert end is not None
            if end > today and open_ended and rng.random() < 0.7:
                end = None
            person = persons[(i * per_place + turn % per_place) % len(persons)]
            turn += 1
            yield past_stay(facility_id, place_id, person, night, end, today)
            if end is None:
                break
            night = end + timedelta(days=rng.randrange(0, 8))


# --- scales ---------------------------------------------------------------------------------


def places_of(engine: sa.Engine, facility_id: int, emergency: bool = False) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.scalars(
                sa.select(Place.id)
                .where(Place.facility_id == facility_id, Place.emergency.is_(emergency))
                .order_by(Place.position, Place.id)
            )
        )


def build_dortmund(app: Flask, loader: Loader, years: float) -> None:
    from belegung.cli import cli_context
    from belegung.facilities.presets import seed

    with app.app_context():
        with cli_context("bench") as ctx:
            seed(ctx)
        db.session.remove()
    today = tonight()
    first = today - timedelta(days=round(365 * years))
    engine = loader.engine
    with engine.connect() as conn:
        facilities = {
            slug: fid for slug, fid in conn.execute(sa.select(Facility.slug, Facility.id)).tuples()
        }
    shelters = [
        ShelterPlaces(fid, places_of(engine, fid))
        for slug, fid in facilities.items()
        if slug != "wvp"
    ]
    guests = create_persons(loader, 6000, evening(first))
    tenants = create_persons(loader, 40_000, evening(first))
    housing = places_of(engine, facilities["wvp"])

    def rows() -> Iterator[tuple[Any, ...]]:
        held = frozenset(p for shelter in shelters for p in shelter.place_ids[-2:])
        yield from shelter_history(shelters, guests, first, today, seed=1, held=held)
        yield from long_stays(
            facilities["wvp"],
            housing,
            tenants,
            20,
            first,
            today,
            (180, 1100),
            seed=2,
            open_ended=True,
        )
        # A few live holds tonight, expiring within the next hours, on free places.
        soon = datetime.now(UTC) + timedelta(hours=2)
        for shelter in shelters:
            for place_id in shelter.place_ids[-2:]:
                yield hold(shelter.facility_id, place_id, today, soon)

    loader.copy(Stay.__table__, STAY_COLUMNS, rows())


def build_city(loader: Loader, facilities: int, places: int, years: float) -> None:
    rng = random.Random(3)
    today = tonight()
    first = today - timedelta(days=round(365 * years))
    groups = list(TargetGroup)
    specs: list[dict[str, Any]] = []
    sizes: list[int] = []
    housing_count = facilities // 9
    # Night shelters average 70 places; the rest of the places are in housing.
    shelter_sizes = [rng.randint(20, 120) for _ in range(facilities - housing_count)]
    housing_total = max(places - sum(shelter_sizes), housing_count)
    housing_sizes = [housing_total // housing_count] * housing_count
    housing_sizes[-1] += housing_total - sum(housing_sizes)
    for i, size in enumerate(shelter_sizes + housing_sizes):
        shelter = i < len(shelter_sizes)
        specs.append(
            {
                "slug": f"city-{i + 1:04d}",
                "name": f"{'Notschlafstelle' if shelter else 'Wohnprojekt'} {i + 1}",
                "kind": (
                    FacilityKind.NIGHT_SHELTER if shelter else FacilityKind.HOUSING_PROGRAMME
                ).value,
                "target_group": (groups[i % len(groups)] if shelter else TargetGroup.ANY).value,
                "status": (
                    FacilityStatus.STANDBY if shelter and i % 25 == 0 else FacilityStatus.ACTIVE
                ).value,
                "operator_name": "Stadt",
                "operator_type": OperatorType.MUNICIPALITY.value,
                "created_at": evening(first),
            }
        )
        sizes.append(size)
    facility_ids = loader.insert_returning(Facility.__table__, specs)
    place_rows = [
        {"facility_id": fid, "label": str(n), "emergency": False, "position": n}
        for fid, size in zip(facility_ids, sizes, strict=True)
        for n in range(1, size + 1)
    ]
    place_ids = loader.insert_returning(Place.__table__, place_rows)
    by_facility: dict[int, list[int]] = {}
    for row, pid in zip(place_rows, place_ids, strict=True):
        by_facility.setdefault(row["facility_id"], []).append(pid)
    guests = create_persons(loader, 2 * places, evening(first))
    shelter_ids = facility_ids[: len(shelter_sizes)]
    housing_ids = facility_ids[len(shelter_sizes) :]

    def rows() -> Iterator[tuple[Any, ...]]:
        # Shelter guests stay 1–28 nights, housing tenants 60–400; each place has its
        # own two guests (place k: persons 2k and 2k + 1), taking turns.
        offset = 0
        for n, fid in enumerate(shelter_ids):
            ids = by_facility[fid]
            yield from long_stays(
                fid,
                ids,
                guests[2 * offset :],
                2,
                first,
                today,
                (1, 28),
                seed=10 + n,
                open_ended=False,
            )
            offset += len(ids)
        for n, fid in enumerate(housing_ids):
            ids = by_facility[fid]
            yield from long_stays(
                fid,
                ids,
                guests[2 * offset :],
                2,
                first,
                today,
                (60, 400),
                seed=5000 + n,
                open_ended=True,
            )
            offset += len(ids)

    loader.copy(Stay.__table__, STAY_COLUMNS, rows())


def build_toronto(loader: Loader) -> None:
    from bench.toronto import load, replay_bulk

    data = load()
    progress = Progress("toronto (stays and out-of-service periods)")
    with loader.engine.begin() as conn:
        replay_bulk(conn, data)
        progress.rows = data.total_stays
    progress.done()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("scale", choices=SCALES)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--years", type=float, default=None, help="history (default: 10 / 1)")
    parser.add_argument("--facilities", type=int, default=900)
    parser.add_argument("--places", type=int, default=100_000)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    print(f"{args.scale}: migrating {make_url(args.database_url).database} …", flush=True)
    app = prepare_database(args.database_url)
    engine = sa.create_engine(
        args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    )
    loader = Loader(engine)
    if args.scale == "dortmund":
        build_dortmund(app, loader, 10 if args.years is None else args.years)
    elif args.scale == "city":
        build_city(loader, args.facilities, args.places, 1 if args.years is None else args.years)
    else:
        build_toronto(loader)
    analyze_started = time.perf_counter()
    loader.analyze()
    with engine.connect() as conn:
        stays = conn.scalar(sa.select(sa.func.count()).select_from(Stay.__table__))
        places = conn.scalar(sa.select(sa.func.count()).select_from(Place.__table__))
        facilities = conn.scalar(sa.select(sa.func.count()).select_from(Facility.__table__))
        oos = conn.scalar(sa.select(sa.func.count()).select_from(OutOfService.__table__))
    elapsed = time.perf_counter() - started
    print(
        f"{args.scale}: {facilities:,} facilities, {places:,} places, {stays:,} stays, "
        f"{oos:,} out-of-service periods in {elapsed:.0f} s "
        f"(ANALYZE {time.perf_counter() - analyze_started:.1f} s); "
        f"{(stays or 0) / elapsed:,.0f} stays/s overall",
        flush=True,
    )
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
