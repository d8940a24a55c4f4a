"""No place is given twice when 16 threads place households into the same few apartments
at once, each on its own connection (PostgreSQL: the exclusion constraint decides, and
claims in the programme take turns). These tests commit for real and clean up after
themselves; SQLite serialises every writer anyway, so they run on PostgreSQL only."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from belegung.context import Actor, ServiceContext
from belegung.db import Base
from belegung.errors import DomainError
from belegung.facilities.models import Facility, FacilityKind, TargetGroup
from belegung.housing.models import Apartment, Placement
from belegung.housing.service import (
    ApartmentFields,
    create_apartment,
    create_household,
    get_apartment,
    get_household,
    move_in,
)
from belegung.nights import NightCalendar
from belegung.persons.models import HouseholdType, Person
from belegung.stays.models import CLAIMING, Stay
from tests.conftest import BERLIN, FakeClock, TestDatabase

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]

THREADS = 16
MOVE_IN = date(2026, 1, 16)


@dataclass
class Programme:
    engine: sa.Engine
    apartments: dict[str, int]
    singles: list[int]
    couples: list[int]


def _wipe(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def _ctx(session: Session, label: str) -> ServiceContext:
    clock = FakeClock(datetime(2026, 1, 15, 21, 0, tzinfo=BERLIN))
    return ServiceContext(session, Actor.system(label), NightCalendar(BERLIN), clock)


@pytest.fixture
def programme(database: TestDatabase) -> Iterator[Programme]:
    """Two apartments for one household each (4 and 3 places), one of 4 places shared
    between single adults; 8 single adults and 8 couples looking for a home."""
    engine = sa.create_engine(database.engine.url, poolclass=NullPool)
    _wipe(engine)
    with Session(engine) as session, session.begin():
        ctx = _ctx(session, "setup")
        facility = Facility(
            slug="wvp",
            name="Wohnraumvorhalteprogramm",
            kind=FacilityKind.HOUSING_PROGRAMME,
            target_group=TargetGroup.ANY,
        )
        session.add(facility)
        session.flush()
        apartments = {
            number: create_apartment(
                ctx, facility, ApartmentFields(number, "Weg 1", shared=shared), places
            ).id
            for number, places, shared in (("X-1", 4, False), ("X-2", 3, False), ("S-1", 4, True))
        }

        def household(size: int, household_type: HouseholdType) -> int:
            persons = [Person(name=f"P{i}", name_key=f"p{i}") for i in range(size)]
            session.add_all(persons)
            session.flush()
            return create_household(ctx, household_type, persons).id

        singles = [household(1, HouseholdType.SINGLE) for _ in range(THREADS // 2)]
        couples = [household(2, HouseholdType.COUPLE) for _ in range(THREADS // 2)]
    yield Programme(engine, apartments, singles, couples)
    _wipe(engine)
    engine.dispose()


def _place_all(programme: Programme, moves: list[tuple[int, str]]) -> list[object]:
    """Each (household, apartment number) in its own thread and transaction, all released
    at once; per move the placement id, or the refusal's code."""
    barrier = threading.Barrier(len(moves))
    results: list[object] = [None] * len(moves)

    def run(index: int) -> None:
        household_id, number = moves[index]
        with Session(programme.engine) as session:
            ctx = _ctx(session, f"t{index}")
            barrier.wait(timeout=60)
            try:
                placement = move_in(
                    ctx,
                    get_household(session, household_id),
                    get_apartment(session, programme.apartments[number]),
                    MOVE_IN,
                )
                session.commit()
                results[index] = placement.id
            except DomainError as exc:
                session.rollback()
                results[index] = exc.code
            except Exception as exc:  # reported in the assertion below
                session.rollback()
                results[index] = repr(exc)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(len(moves))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(w.is_alive() for w in workers), "a move-in hung"
    return results


def test_16_households_at_once_never_share_a_place(programme: Programme) -> None:
    moves = [(h, "S-1") for h in programme.singles] + [
        (h, "X-1" if i % 2 else "X-2") for i, h in enumerate(programme.couples)
    ]

    results = _place_all(programme, moves)

    placed = [r for r in results if isinstance(r, int)]
    refused = Counter(r for r in results if not isinstance(r, int))
    assert set(refused) <= {"apartment_taken", "no_room"}, results
    with Session(programme.engine) as session:
        per_place = session.execute(
            sa.select(Stay.place_id, sa.func.count())
            .where(Stay.status.in_(CLAIMING))
            .group_by(Stay.place_id)
        ).all()
        per_apartment = Counter(
            session.scalars(
                sa.select(Apartment.number).join(Placement, Placement.apartment_id == Apartment.id)
            )
        )
    assert all(count == 1 for _, count in per_place), "a place was given twice"
    # The shared apartment takes four single adults; each other apartment one couple.
    assert per_apartment == {"S-1": 4, "X-1": 1, "X-2": 1}, results
    assert len(placed) == 6
    assert sum(count for _, count in per_place) == 4 + 2 + 2


def test_16_households_racing_for_one_apartment_have_one_winner(programme: Programme) -> None:
    moves = [(h, "X-1") for h in programme.singles + programme.couples]

    results = _place_all(programme, moves)

    assert sum(isinstance(r, int) for r in results) == 1, results
    assert Counter(r for r in results if not isinstance(r, int)) == {"apartment_taken": THREADS - 1}
