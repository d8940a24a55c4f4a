"""Sixteen simultaneous check-ins crossing thresholds, each on its own connection and in its
own unit of work (whose commit evaluates the rules): one alert per rule.

These commit for real (a rolled-back transaction shows no race) and clean up after
themselves. PostgreSQL only: SQLite lets one writer in at a time anyway.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from belegung.alerts import tasks
from belegung.alerts.capacity import create_rule
from belegung.alerts.models import OutboxMessage, Recipient, RecipientRole, RuleMetric
from belegung.context import Actor, ServiceContext
from belegung.db import Base
from belegung.extensions import db
from belegung.facilities.models import Facility, FacilityKind, Place, TargetGroup
from belegung.nights import NightCalendar
from belegung.persons.models import Person
from belegung.stays.service import check_in
from belegung.transaction import unit_of_work
from tests.conftest import BERLIN, FakeClock, TestDatabase

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]

THREADS = 16


def _wipe(engine: sa.Engine) -> None:
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@dataclass
class Scene:
    engine: sa.Engine
    app: Flask
    clock: FakeClock
    shelters: list[int]
    persons: list[int]


@pytest.fixture
def scene(database: TestDatabase) -> Iterator[Scene]:
    """Two shelters of 20 beds, 10 taken in each; a rule per shelter (90 %) and two for
    both together (90 %, at most 4 free); one manager; 16 guests on their way."""
    engine = sa.create_engine(database.engine.url, poolclass=NullPool)
    _wipe(engine)
    clock = FakeClock(datetime(2026, 1, 15, 21, 0, tzinfo=BERLIN))
    calendar = NightCalendar(BERLIN)
    with Session(engine) as session, session.begin():
        ctx = ServiceContext(session, Actor.system("setup"), calendar, clock)
        shelters = []
        for n in range(2):
            facility = Facility(
                slug=f"race-{n}",
                name=f"Wettlauf {n}",
                kind=FacilityKind.NIGHT_SHELTER,
                target_group=TargetGroup.ANY,
            )
            session.add(facility)
            session.flush()
            session.add_all(
                Place(facility_id=facility.id, label=str(i), position=i) for i in range(20)
            )
            shelters.append(facility)
        persons = [Person(name=f"Gast {i}", name_key=f"gast {i}") for i in range(20 + THREADS)]
        session.add_all(persons)
        session.flush()
        for i, person in enumerate(persons[:20]):
            check_in(ctx, shelters[i % 2], person)
        for facility in shelters:
            create_rule(ctx, metric=RuleMetric.OCCUPANCY, threshold=90, facility=facility)
        create_rule(ctx, metric=RuleMetric.OCCUPANCY, threshold=90, target_group=TargetGroup.ANY)
        create_rule(ctx, metric=RuleMetric.FREE, threshold=4, target_group=TargetGroup.ANY)
        session.add(Recipient(name="Leitung", phone="+4915228817386", role=RecipientRole.MANAGER))
        ids = [f.id for f in shelters], [p.id for p in persons[20:]]
    database.app.config["BELEGUNG_CLOCK"] = clock
    yield Scene(engine, database.app, clock, *ids)
    database.app.config.pop("BELEGUNG_CLOCK", None)
    with database.app.app_context():
        db.session.remove()
    _wipe(engine)
    engine.dispose()


def test_16_simultaneous_check_ins_crossing_the_thresholds_give_one_alert_per_rule(
    scene: Scene,
) -> None:
    barrier = threading.Barrier(THREADS)
    errors: list[str] = []
    calendar = NightCalendar(BERLIN)

    def arrive(index: int) -> None:
        with scene.app.app_context(), Session(scene.engine) as session:
            barrier.wait(timeout=60)
            try:
                with unit_of_work(session) as uow:
                    ctx = ServiceContext(
                        session, Actor.system(f"t{index}"), calendar, scene.clock, uow=uow
                    )
                    facility = session.get(Facility, scene.shelters[index % 2])
                    person = session.get(Person, scene.persons[index])
                    assert facility is not None
                    assert person is not None
                    check_in(ctx, facility, person)
            except Exception as exc:
                errors.append(repr(exc))

    workers = [threading.Thread(target=arrive, args=(i,)) for i in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(w.is_alive() for w in workers), "a check-in hung"
    assert errors == []

    def causes() -> Counter[str]:
        with Session(scene.engine) as session:
            return Counter(
                cause.rsplit(":", 1)[0] for cause in session.scalars(sa.select(OutboxMessage.cause))
            )

    fired = causes()
    assert sorted(fired.values()) == [1, 1, 1, 1], fired
    # The scheduler's evaluation agrees: nothing more to say.
    with scene.app.app_context():
        tasks.evaluate_capacity_rules()
    assert causes() == fired
    with Session(scene.engine) as session:
        assert {c for c in session.scalars(sa.select(OutboxMessage.cause))} == {
            f"rule:{n}:1" for n in (1, 2, 3, 4)
        }
