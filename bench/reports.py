"""Benchmark the reports on a year of Dortmund history.

    python -m bench.reports [--database-url URL] [--runs N]

Builds a fresh database by the migrations (it WIPES the one given: the database or file
name must contain "bench"), seeds the Dortmund preset, and writes a year of invented
history in bulk: every place of the four night shelters taken by a pool of returning
guests night after night (stays of 1 to 7 nights, gaps between them, about 85 % of the
beds taken), turn-aways and holds every night (a third of the holds run out), and 418
persons in the housing programme. Then it times the monthly report (figures and JSON,
and the XLSX) of the last full month and the federal statistic of the last 31 January,
and prints the median and the worst run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from belegung.config import settings_of
from belegung.context import Actor, ServiceContext
from belegung.extensions import db
from belegung.facilities.models import Facility, Place
from belegung.facilities.presets import seed
from belegung.nights import NightCalendar, fixed_clock
from belegung.persons.models import Gender, Nationality, Person
from belegung.reports import exports, operations
from belegung.reports.federal import federal_statistic, load_codes
from belegung.reports.monthly import Month
from belegung.reports.schemas import MonthlyReportSchema
from belegung.stays.models import Stay, StayStatus, TurnAway, TurnAwayReason
from bench.availability import prepare_database

TONIGHT = date(2026, 11, 20)
FIRST = TONIGHT - timedelta(days=365)
SHELTERS = ("unionstrasse", "nortkirchenstrasse", "junge-erwachsene", "drogenhilfe")


def fill(session: Any, rng: random.Random) -> dict[str, int]:
    now = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
    counts = {"persons": 0, "stays": 0, "turn_aways": 0, "holds": 0}
    persons: list[dict[str, Any]] = []
    stays: list[dict[str, Any]] = []

    def person() -> int:
        persons.append(
            {
                "id": len(persons) + 1,
                "name": f"Gast {len(persons) + 1}",
                "name_key": f"gast {len(persons) + 1}",
                "birth_year": rng.randint(1950, 2005),
                "gender": rng.choice((Gender.MALE, Gender.FEMALE)).value,
                "nationality": rng.choice(list(Nationality)).value,
                "household_type": "single",
                "household_size": 1,
                "created_at": now,
            }
        )
        return len(persons)

    for slug in SHELTERS:
        facility = session.scalars(sa.select(Facility).where(Facility.slug == slug)).one()
        for place in facility.places:
            if place.emergency:
                continue
            # Each bed has its own returning guests: nobody sleeps in two beds a night.
            regulars = [person() for _ in range(4)]
            night = FIRST
            while night < TONIGHT:
                length = rng.randint(1, 7)
                stays.append(
                    {
                        "facility_id": facility.id, "place_id": place.id,
                        "person_id": rng.choice(regulars), "first_night": night,
                        "end_night": night + timedelta(days=length),
                        "status": StayStatus.CHECKED_OUT.value, "created_at": now,
                        "checked_in_at": now,
                    }
                )  # fmt: skip
                night += timedelta(days=length + rng.choice((0, 0, 0, 0, 1, 2)))
        for offset in range(365):
            night = FIRST + timedelta(days=offset)
            for n in range(rng.randint(0, 3)):
                # Holds that ran out (a no-show) or were cancelled: they claim no place.
                held = datetime.combine(night, datetime.min.time(), tzinfo=UTC)
                stays.append(
                    {
                        "facility_id": facility.id, "place_id": facility.places[n].id,
                        "person_id": None, "first_night": night,
                        "end_night": night + timedelta(days=1),
                        "status": rng.choice((StayStatus.EXPIRED, StayStatus.CANCELLED)).value,
                        "created_at": held, "held_at": held,
                        "hold_expires_at": held + timedelta(hours=1),
                    }
                )  # fmt: skip
                counts["holds"] += 1
            for _ in range(rng.randint(0, 4)):
                session.execute(
                    sa.insert(TurnAway),
                    {
                        "facility_id": facility.id, "night": night, "occurred_at": now,
                        "reason": rng.choice(list(TurnAwayReason)).value,
                    },
                )  # fmt: skip
                counts["turn_aways"] += 1
    wvp = session.scalars(sa.select(Facility).where(Facility.slug == "wvp")).one()
    places = session.scalars(sa.select(Place).where(Place.facility_id == wvp.id)).all()
    for place in places[:418]:
        stays.append(
            {
                "facility_id": wvp.id, "place_id": place.id, "person_id": person(),
                "first_night": FIRST - timedelta(days=rng.randint(0, 700)), "end_night": None,
                "status": StayStatus.CHECKED_IN.value, "created_at": now, "checked_in_at": now,
            }
        )  # fmt: skip
    session.execute(sa.insert(Person), persons)
    session.execute(sa.insert(Stay), stays)
    counts["persons"], counts["stays"] = len(persons), len(stays) - counts["holds"]
    return counts


def timed(runs: int, work: Any) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench-reports.sqlite3'}"
        app = prepare_database(url)
        with app.app_context():
            session = db.session()
            calendar = NightCalendar(settings_of(app).timezone)
            ctx = ServiceContext(
                session=session, actor=Actor.system("bench"), calendar=calendar,
                clock=fixed_clock(datetime(2026, 11, 20, 20, 0, tzinfo=UTC)),
            )  # fmt: skip
            seed(ctx)
            started = time.perf_counter()
            counts = fill(session, random.Random(12))
            session.commit()
            print(f"history: {counts} in {time.perf_counter() - started:.1f} s")
            month = Month.of(TONIGHT).previous()

            def report() -> Any:
                # Through the operation the pages and the API call: with the housing
                # programme's own figures (housing.figures).
                return operations.monthly_report(ctx, month)

            def as_json() -> Any:
                return MonthlyReportSchema().dump(report())

            def as_xlsx() -> bytes:
                return exports.monthly_xlsx(report())

            def federal() -> str:
                result = federal_statistic(
                    session, date(2026, 1, 31), municipality_key="05913000",
                    run_gap_nights=3, codes=load_codes(),
                )  # fmt: skip
                return exports.federal_csv(result)

            print(f"monthly report {month}: {report().totals}")
            for label, work in (
                ("monthly figures + JSON", as_json),
                ("monthly XLSX", as_xlsx),
                ("federal statistic CSV", federal),
            ):
                median, worst = timed(args.runs, work)
                print(f"{label:26} median {median:7.1f} ms   worst {worst:7.1f} ms")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
