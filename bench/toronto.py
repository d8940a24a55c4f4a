"""Toronto's daily shelter occupancy (1 January – 20 March 2024): load it, replay it into
belegung (through the services, or in bulk), and compare belegung's availability with it.

The mapping (see ../shared/data/toronto/README.md): one program is one night-shelter
facility with the slug `to-<PROGRAM_ID>`; a bed-based program counts beds, a room-based
one rooms (a room is one place). The data is messy: 715 rows run above their funding
(ACTUAL > FUNDING): 642 rows of 11 room programs where FUNDING is not ACTUAL + UNAVAILABLE,
and 73 rows of one bed program with a negative UNAVAILABLE. So funding is not taken as
the number of places. Instead a program gets

    places = the maximum over its nights of max(FUNDING, ACTUAL),

and on each night places 1..OCCUPIED carry a one-night stay (person i of the program
sleeps on place i), places OCCUPIED+1..ACTUAL are free, and places ACTUAL+1..places are
out of service for that night. belegung's availability of a night must then show, per
program in the data that night: capacity = ACTUAL, occupied = OCCUPIED,
free = UNOCCUPIED, out_of_service = places − ACTUAL.
"""

from __future__ import annotations

import csv
import dataclasses
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.context import ServiceContext
from belegung.facilities.models import (
    Facility,
    FacilityKind,
    FacilityStatus,
    OperatorType,
    OutOfService,
    Place,
    TargetGroup,
)
from belegung.facilities.service import add_place, create_facility
from belegung.nights import NightCalendar, fixed_clock
from belegung.persons.models import Gender, HouseholdType, Nationality, Person
from belegung.persons.service import create_person, name_key
from belegung.stays.availability import Availability, availability
from belegung.stays.models import Stay, StayStatus
from belegung.stays.out_of_service import take_out_of_service
from belegung.stays.service import check_in

CSV_PATH = Path(
    os.environ.get(
        "BELEGUNG_TORONTO_CSV",
        Path(__file__).resolve().parents[2]
        / "shared/data/toronto/daily-shelter-occupancy-2024q1.csv",
    )
)
CALENDAR = NightCalendar(ZoneInfo("Europe/Berlin"))
# The replayed actions happen at 21:00 local time in the evening of their night.
EVENING = time(21, 0)
OUT_OF_SERVICE_REASON = "Toronto: not in the night's actual capacity"

SECTORS = {
    "Men": TargetGroup.MEN,
    "Women": TargetGroup.WOMEN,
    "Youth": TargetGroup.YOUNG_ADULTS,
    "Families": TargetGroup.FAMILIES,
    "Mixed Adult": TargetGroup.ANY,
}
_ONE_NIGHT = timedelta(days=1)


@dataclass(frozen=True)
class ProgramNight:
    """One row of the CSV: a program's figures for one night (beds or rooms)."""

    funding: int
    actual: int
    occupied: int
    unoccupied: int
    unavailable: int

    @property
    def irregular(self) -> str | None:
        """How the row breaks the README's rule FUNDING = ACTUAL + UNAVAILABLE (with
        UNAVAILABLE a count of places), or None when it keeps it."""
        if self.funding != self.actual + self.unavailable:
            return "funding_not_actual_plus_unavailable"
        if self.unavailable < 0:
            return "negative_unavailable"
        return None


@dataclass
class Program:
    program_id: int
    name: str
    sector: str
    capacity_type: str  # "bed" or "room"
    service_type: str
    organization: str
    address: str | None
    nights: dict[date, ProgramNight] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return f"to-{self.program_id}"

    @property
    def target_group(self) -> TargetGroup:
        return SECTORS[self.sector]

    @property
    def places(self) -> int:
        return max(max(n.funding, n.actual) for n in self.nights.values())

    @property
    def persons(self) -> int:
        """How many persons the replay needs: person i always sleeps on place i."""
        return max(n.occupied for n in self.nights.values())


@dataclass
class TorontoData:
    programs: list[Program]
    nights: list[date]

    def on(self, night: date) -> Iterator[tuple[Program, ProgramNight]]:
        """The programs in the data on `night`, with their figures."""
        for program in self.programs:
            figures = program.nights.get(night)
            if figures is not None:
                yield program, figures

    def subset(
        self, *, max_places: int | None = None, nights: Sequence[date] | None = None
    ) -> TorontoData:
        """The programs with at most `max_places` places (computed over all nights of the
        data), restricted to `nights`; programs absent on all of them are left out."""
        keep = set(self.nights if nights is None else nights)
        programs = []
        for program in self.programs:
            if max_places is not None and program.places > max_places:
                continue
            part = {n: f for n, f in program.nights.items() if n in keep}
            if part:
                programs.append(dataclasses.replace(program, nights=part))
        return TorontoData(programs, sorted(keep))

    @property
    def rows(self) -> int:
        return sum(len(p.nights) for p in self.programs)

    @property
    def irregular_rows(self) -> Counter[tuple[str, str]]:
        """Rows off the README's rule, per capacity type and how they break it."""
        return Counter(
            (p.capacity_type, n.irregular)
            for p in self.programs
            for n in p.nights.values()
            if n.irregular is not None
        )

    @property
    def total_stays(self) -> int:
        return sum(n.occupied for p in self.programs for n in p.nights.values())


def load(path: Path = CSV_PATH) -> TorontoData:
    """Read the CSV. Raises on a row that is internally impossible (ACTUAL is not
    OCCUPIED + UNOCCUPIED, or a negative count), which this copy of the data has none of."""
    programs: dict[int, Program] = {}
    nights: set[date] = set()
    with path.open(newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            kind = "bed" if row["CAPACITY_TYPE"].startswith("Bed") else "room"
            suffix = "BED" if kind == "bed" else "ROOM"
            figures = ProgramNight(
                funding=int(row[f"CAPACITY_FUNDING_{suffix}"]),
                actual=int(row[f"CAPACITY_ACTUAL_{suffix}"]),
                occupied=int(row[f"OCCUPIED_{suffix}S"]),
                unoccupied=int(row[f"UNOCCUPIED_{suffix}S"]),
                unavailable=int(row[f"UNAVAILABLE_{suffix}S"]),
            )
            if (
                figures.actual != figures.occupied + figures.unoccupied
                or min(figures.actual, figures.occupied, figures.unoccupied) < 0
            ):
                raise ValueError(f"impossible row {row['_id']}: {figures}")
            night = date.fromisoformat(row["OCCUPANCY_DATE"])
            program_id = int(row["PROGRAM_ID"])
            program = programs.get(program_id)
            if program is None:
                program = programs[program_id] = Program(
                    program_id=program_id,
                    name=row["PROGRAM_NAME"],
                    sector=row["SECTOR"],
                    capacity_type=kind,
                    service_type=row["OVERNIGHT_SERVICE_TYPE"],
                    organization=row["ORGANIZATION_NAME"],
                    address=row["LOCATION_ADDRESS"] or None,
                )
            if night in program.nights:
                raise ValueError(f"two rows for program {program_id} on {night}")
            program.nights[night] = figures
            nights.add(night)
    return TorontoData(sorted(programs.values(), key=lambda p: p.program_id), sorted(nights))


def evening(night: date, calendar: NightCalendar = CALENDAR) -> datetime:
    """21:00 local time on the evening of `night`, as an aware UTC datetime."""
    return datetime.combine(night, EVENING, tzinfo=calendar.timezone).astimezone(UTC)


def _person_name(program: Program, index: int) -> str:
    return f"Toronto {program.slug} Gast {index}"


def _text(value: str | None, length: int) -> str | None:
    # As create_facility stores text (blanks collapsed): some PROGRAM_NAMEs hold two.
    return " ".join((value or "").split())[:length] or None


def _facility_fields(program: Program) -> dict[str, object]:
    return {
        "name": _text(program.name, 200),
        "kind": FacilityKind.NIGHT_SHELTER,
        "target_group": program.target_group,
        "status": FacilityStatus.ACTIVE,
        "address": _text(program.address, 300),
        "operator_name": _text(program.organization, 200),
        "operator_type": OperatorType.OTHER,
    }


# --- (a) through the services ------------------------------------------------------------


def replay_services(ctx: ServiceContext, data: TorontoData) -> None:
    """Replay `data` through belegung's services, night by night, each action with the
    clock at the evening of its night (the clock of `ctx` is not used). Only flushes."""
    session = ctx.session

    def at(night: date) -> ServiceContext:
        return dataclasses.replace(ctx, clock=fixed_clock(evening(night, ctx.calendar)))

    setup = at(data.nights[0])
    facilities: dict[int, Facility] = {}
    places: dict[int, list[Place]] = {}
    persons: dict[int, list[Person]] = {}
    for program in data.programs:
        facility = create_facility(setup, program.slug, **_facility_fields(program))
        facilities[program.program_id] = facility
        places[program.program_id] = [
            add_place(setup, facility, str(i)) for i in range(1, program.places + 1)
        ]
        persons[program.program_id] = [
            create_person(setup, _person_name(program, i)) for i in range(1, program.persons + 1)
        ]

    for night in data.nights:
        now = at(night)
        for program, figures in data.on(night):
            for place in places[program.program_id][figures.actual :]:
                take_out_of_service(
                    now,
                    place,
                    reason=OUT_OF_SERVICE_REASON,
                    first_night=night,
                    end_night=night + _ONE_NIGHT,
                )
            facility = facilities[program.program_id]
            for i, person in enumerate(persons[program.program_id][: figures.occupied], 1):
                check_in(now, facility, person, place_label=str(i), night=night)
    session.flush()


# --- (b) in bulk, with SQLAlchemy Core executemany ------------------------------------------


@dataclass
class BulkIds:
    """The database ids the bulk replay gave each program's facility, places and persons."""

    facilities: dict[int, int] = field(default_factory=dict)
    places: dict[int, list[int]] = field(default_factory=dict)
    persons: dict[int, list[int]] = field(default_factory=dict)


def _insert_returning_ids(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    stmt = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(conn.execute(stmt, rows).scalars())


def create_bulk(
    conn: sa.Connection, data: TorontoData, calendar: NightCalendar = CALENDAR
) -> BulkIds:
    """Insert the facilities, places and persons of `data`."""
    created = evening(data.nights[0], calendar)
    ids = BulkIds()
    facility_ids = _insert_returning_ids(
        conn,
        Facility.__table__,
        [{"slug": p.slug, "created_at": created, **_facility_fields(p)} for p in data.programs],
    )
    ids.facilities = {p.program_id: fid for p, fid in zip(data.programs, facility_ids, strict=True)}

    place_rows, person_rows = [], []
    for program in data.programs:
        facility_id = ids.facilities[program.program_id]
        place_rows += [
            {"facility_id": facility_id, "label": str(i), "emergency": False, "position": i}
            for i in range(1, program.places + 1)
        ]
        person_rows += [
            {
                "name": (name := _person_name(program, i)),
                "name_key": name_key(name),
                "birth_year": None,
                "gender": Gender.UNKNOWN,
                "nationality": Nationality.UNKNOWN,
                "household_type": HouseholdType.SINGLE,
                "household_size": 1,
                "created_at": created,
            }
            for i in range(1, program.persons + 1)
        ]
    place_ids = iter(_insert_returning_ids(conn, Place.__table__, place_rows))
    person_ids = iter(_insert_returning_ids(conn, Person.__table__, person_rows))
    for program in data.programs:
        ids.places[program.program_id] = [next(place_ids) for _ in range(program.places)]
        ids.persons[program.program_id] = [next(person_ids) for _ in range(program.persons)]
    return ids


def bulk_program_rows(
    program: Program, ids: BulkIds, calendar: NightCalendar = CALENDAR
) -> Iterator[tuple[sa.Table, dict]]:
    """The out-of-service and stay rows of one program, place by place and night by night
    (inserting in that order keeps the exclusion constraints' GiST indexes local)."""
    facility_id = ids.facilities[program.program_id]
    persons = ids.persons[program.program_id]
    nights = sorted(program.nights.items())
    for index, place_id in enumerate(ids.places[program.program_id]):
        for night, figures in nights:
            moment = evening(night, calendar)
            if index < figures.occupied:
                yield (
                    Stay.__table__,
                    {
                        "facility_id": facility_id,
                        "place_id": place_id,
                        "person_id": persons[index],
                        "first_night": night,
                        "end_night": night + _ONE_NIGHT,
                        "status": StayStatus.CHECKED_IN,
                        "created_at": moment,
                        "created_by_id": None,
                        "checked_in_at": moment,
                        "checked_out_at": None,
                        "held_at": None,
                        "hold_expires_at": None,
                        "hold_note": None,
                    },
                )
            elif index >= figures.actual:
                yield (
                    OutOfService.__table__,
                    {
                        "place_id": place_id,
                        "first_night": night,
                        "end_night": night + _ONE_NIGHT,
                        "reason": OUT_OF_SERVICE_REASON,
                        "created_at": moment,
                        "created_by_id": None,
                    },
                )


def replay_bulk(
    conn: sa.Connection,
    data: TorontoData,
    calendar: NightCalendar = CALENDAR,
    *,
    batch: int = 20_000,
) -> BulkIds:
    """The same state as `replay_services` (without the audit log), written with
    executemany, `batch` rows at a time. Does not commit."""
    ids = create_bulk(conn, data, calendar)
    pending: dict[sa.Table, list[dict]] = {Stay.__table__: [], OutOfService.__table__: []}

    def flush(table: sa.Table) -> None:
        if pending[table]:
            conn.execute(sa.insert(table), pending[table])
            pending[table] = []

    for program in data.programs:
        for table, row in bulk_program_rows(program, ids, calendar):
            pending[table].append(row)
            if len(pending[table]) >= batch:
                flush(table)
    for table in pending:
        flush(table)
    return ids


# --- comparing --------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    night: date
    slug: str
    figure: str
    expected: int
    found: int | None  # None: the facility is missing from the availability


def expected_figures(program: Program, figures: ProgramNight) -> dict[str, int]:
    return {
        "capacity": figures.actual,
        "occupied": figures.occupied,
        "free": figures.unoccupied,
        "out_of_service": program.places - figures.actual,
        "held": 0,
        "emergency_capacity": 0,
        "free_emergency": 0,
    }


def compare(report: Availability, data: TorontoData, night: date) -> list[Mismatch]:
    """Where belegung's availability of `night` differs from the data (programs not in
    the data that night are not compared)."""
    found = {f.slug: f for f in report.facilities}
    mismatches = []
    for program, figures in data.on(night):
        facility = found.get(program.slug)
        for name, expected in expected_figures(program, figures).items():
            value = None if facility is None else getattr(facility, name)
            if value != expected:
                mismatches.append(Mismatch(night, program.slug, name, expected, value))
    return mismatches


def mismatches(
    session: Session,
    data: TorontoData,
    nights: Iterable[date] | None = None,
    calendar: NightCalendar = CALENDAR,
) -> list[Mismatch]:
    """Compare belegung's availability with the data, night by night (default: all)."""
    found: list[Mismatch] = []
    for night in data.nights if nights is None else nights:
        report = availability(session, night, evening(night, calendar))
        found += compare(report, data, night)
    return found
