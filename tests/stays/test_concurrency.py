"""No double booking under many simultaneous check-ins, each on its own connection.

These tests commit for real (no rolled-back transaction can show a race), and clean up
after themselves. On PostgreSQL the exclusion constraint decides; on SQLite the write
lock taken by BEGIN IMMEDIATE.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from belegung.context import Actor, ServiceContext
from belegung.db import Base
from belegung.errors import DomainError
from belegung.facilities.models import Facility, FacilityKind, Place, TargetGroup
from belegung.nights import NightCalendar
from belegung.persons.models import Person
from belegung.stays.holds import create_hold
from belegung.stays.models import CLAIMING, Stay
from belegung.stays.service import check_in, extend_stay
from belegung.transaction import UnitOfWork
from tests.conftest import BERLIN, FakeClock, TestDatabase

THREADS = 32
FREE_PLACES = 5

pytestmark = pytest.mark.slow


@dataclass
class Shelter:
    engine: sa.Engine
    facility_id: int
    person_ids: list[int]


def _wipe(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def shelter(database: TestDatabase) -> Iterator[Shelter]:
    """A committed shelter with 5 free places (and 2 taken ones) and 32 guests."""
    url = database.engine.url
    sqlite = url.get_backend_name() == "sqlite"
    # One connection per thread, nothing pooled; SQLite writers queue for the lock.
    engine = sa.create_engine(
        url, poolclass=NullPool, connect_args={"timeout": 60} if sqlite else {}
    )
    _wipe(engine)
    with Session(engine) as session, session.begin():
        facility = Facility(
            slug="race",
            name="Wettlauf",
            kind=FacilityKind.NIGHT_SHELTER,
            target_group=TargetGroup.ANY,
        )
        session.add(facility)
        session.flush()
        session.add_all(
            Place(facility_id=facility.id, label=str(i), position=i) for i in range(1, 8)
        )
        persons = [Person(name=f"Gast {i}", name_key=f"gast {i}") for i in range(THREADS + 2)]
        session.add_all(persons)
        session.flush()
        facility_id, person_ids = facility.id, [p.id for p in persons]
    shelter = Shelter(engine, facility_id, person_ids[:THREADS])
    # Two places are already taken tonight, so 5 of 7 are free.
    _run_all(
        shelter,
        [
            lambda ctx, f, pid=pid: check_in(ctx, f, _person(ctx, pid))
            for pid in person_ids[THREADS:]
        ],
        threads=False,
    )
    yield shelter
    _wipe(engine)
    engine.dispose()


def _run_all(
    shelter: Shelter,
    actions: list[Callable[[ServiceContext, Facility], Any]],
    *,
    threads: bool = True,
    in_unit_of_work: bool = True,
) -> list[object]:
    """Run each action in its own thread, session and transaction, all released at once.
    Returns per action the committed Stay's (id, place label), or the domain error code.

    Each transaction is a unit of work, as every entry point runs one (a request, a
    command, a job); `in_unit_of_work=False` commits a bare session instead (a script's
    way, which claims through the ORM's flush)."""
    barrier = threading.Barrier(len(actions)) if threads else None
    clock = FakeClock(datetime(2026, 1, 15, 21, 0, tzinfo=BERLIN))
    calendar = NightCalendar(BERLIN)
    results: list[object] = [None] * len(actions)

    def run(index: int) -> None:
        with Session(shelter.engine) as session:
            uow = UnitOfWork.begin(session) if in_unit_of_work else None
            ctx = ServiceContext(session, Actor.system(f"t{index}"), calendar, clock)
            assert ctx.uow.active == in_unit_of_work
            if barrier is not None:
                # Nothing is read before the barrier: on SQLite the first read takes the
                # write lock, and a thread holding it here would block the others.
                barrier.wait(timeout=60)
            try:
                facility = session.get(Facility, shelter.facility_id)
                assert facility is not None
                stay = actions[index](ctx, facility)
                (uow or session).commit()
                results[index] = (stay.id, stay.place.label)
            except DomainError as exc:
                (uow or session).rollback()
                results[index] = exc.code
            except Exception as exc:
                (uow or session).rollback()
                results[index] = repr(exc)

    if not threads:
        for i in range(len(actions)):
            run(i)
        return results
    workers = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert not any(w.is_alive() for w in workers), "a check-in hung"
    return results


def _claims_tonight(shelter: Shelter) -> list[tuple[str, str]]:
    with Session(shelter.engine) as session:
        rows = session.execute(
            sa.select(Place.label, Stay.status)
            .join(Place, Stay.place_id == Place.id)
            .where(Stay.facility_id == shelter.facility_id, Stay.status.in_(CLAIMING))
        ).all()
    return [(label, str(status)) for label, status in rows]


def _person(ctx: ServiceContext, person_id: int) -> Person:
    person = ctx.session.get(Person, person_id)
    assert person is not None
    return person


@pytest.mark.parametrize("in_unit_of_work", [True, False], ids=["unit_of_work", "bare_session"])
def test_32_simultaneous_check_ins_fill_5_free_places_exactly(
    shelter: Shelter, in_unit_of_work: bool
) -> None:
    actions = [
        lambda ctx, f, pid=pid: check_in(ctx, f, _person(ctx, pid)) for pid in shelter.person_ids
    ]
    results = _run_all(shelter, actions, in_unit_of_work=in_unit_of_work)

    won = [r for r in results if isinstance(r, tuple)]
    refused = Counter(r for r in results if not isinstance(r, tuple))
    assert len(won) == FREE_PLACES, results
    assert refused == {"no_free_place": THREADS - FREE_PLACES}, results
    claims = _claims_tonight(shelter)
    labels = [label for label, _ in claims]
    assert len(labels) == len(set(labels)) == 7, "a place was given twice"
    assert {label for _, label in won}.isdisjoint({"1", "2"})


def test_32_simultaneous_requests_for_the_same_place_have_one_winner(shelter: Shelter) -> None:
    actions = [
        lambda ctx, f, pid=pid: check_in(ctx, f, _person(ctx, pid), place_label="5")
        for pid in shelter.person_ids
    ]
    results = _run_all(shelter, actions)

    assert sum(isinstance(r, tuple) for r in results) == 1, results
    assert Counter(r for r in results if not isinstance(r, tuple)) == {"place_taken": THREADS - 1}
    assert [label for label, _ in _claims_tonight(shelter)].count("5") == 1


def test_simultaneous_holds_and_check_ins_share_the_free_places(shelter: Shelter) -> None:
    actions: list[Callable[[ServiceContext, Facility], Any]] = []
    for i, pid in enumerate(shelter.person_ids):
        if i % 2:
            actions.append(lambda ctx, f, pid=pid: check_in(ctx, f, _person(ctx, pid)))
        else:
            actions.append(lambda ctx, f: create_hold(ctx, f, note="Wärmebus"))
    results = _run_all(shelter, actions)

    assert sum(isinstance(r, tuple) for r in results) == FREE_PLACES, results
    labels = [label for label, _ in _claims_tonight(shelter)]
    assert len(labels) == len(set(labels)) == 7


def test_simultaneous_extensions_and_check_ins_for_the_next_night_share_its_places(
    shelter: Shelter,
) -> None:
    # Tonight's two guests extend into tomorrow while 30 others check in for tomorrow:
    # extensions lock their place (not the facility), check-ins skip locked places.
    with Session(shelter.engine) as session:
        stay_ids = list(
            session.scalars(sa.select(Stay.id).where(Stay.facility_id == shelter.facility_id))
        )
    assert len(stay_ids) == 2
    tomorrow = date(2026, 1, 16)
    actions: list[Callable[[ServiceContext, Facility], Any]] = [
        lambda ctx, f, sid=sid: extend_stay(ctx, sid) for sid in stay_ids
    ]
    actions += [
        lambda ctx, f, pid=pid: check_in(ctx, f, _person(ctx, pid), night=tomorrow)
        for pid in shelter.person_ids[: THREADS - 2]
    ]
    results = _run_all(shelter, actions)

    assert all(isinstance(r, tuple) or r in ("no_free_place", "place_taken") for r in results)
    with Session(shelter.engine) as session:
        rows = session.execute(
            sa.select(Stay.place_id, Stay.person_id).where(
                Stay.facility_id == shelter.facility_id,
                Stay.status.in_(CLAIMING),
                Stay.first_night <= tomorrow,
                Stay.end_night > tomorrow,
            )
        ).all()
    places = [place for place, _ in rows]
    persons = [person for _, person in rows]
    assert len(places) == len(set(places)) == 7, "a place was given twice tomorrow"
    assert len(persons) == len(set(persons))


def test_one_guest_checked_in_4_times_at_once_gets_one_stay(shelter: Shelter) -> None:
    # Four tablets check the same guest in at the same moment, each onto the first free
    # place: each locks a different one of the 5 free places, and only the person's
    # constraint (PostgreSQL) or the write lock (SQLite) stands between them.
    guest = shelter.person_ids[0]
    actions = [lambda ctx, f: check_in(ctx, f, _person(ctx, guest)) for _ in range(4)]
    results = _run_all(shelter, actions)

    assert sum(isinstance(r, tuple) for r in results) == 1, results
    assert Counter(r for r in results if not isinstance(r, tuple)) == {"already_checked_in": 3}
    with Session(shelter.engine) as session:
        stays = session.scalar(
            sa.select(sa.func.count()).where(Stay.person_id == guest, Stay.status.in_(CLAIMING))
        )
    assert stays == 1
