"""On SQLite, every statement of a check-in and of availability reads stays and
out-of-service periods through an index bounded by the night, never all of history.

SQLite (the embedded default) plans without statistics, by fixed rules, so a small
database shows the plan a large one gets. The benchmark (docs/benchmarks.md) shows what
a scan costs at six million stays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from belegung.context import ServiceContext
from belegung.facilities.models import Facility
from belegung.persons.models import Person
from belegung.stays.availability import availability
from belegung.stays.holds import create_hold
from belegung.stays.out_of_service import take_out_of_service
from belegung.stays.service import check_in, extend_stay

HISTORY_NIGHTS = 7  # as far back as a check-in may be recorded


@contextmanager
def statements(session: Session) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []
    conn = session.connection()

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", keep)


# What bounds a read of stays or out-of-service periods to the present: a range on
# end_night, the partial index of live holds, or a primary key.
BOUNDED = ("end_night", "ix_stays_live_hold_expiry", "PRIMARY KEY")


def unbounded_reads(session: Session, seen: list[tuple[str, Any]]) -> list[str]:
    """The plan lines that read stays or out_of_service without a bound on history."""
    found = []
    for statement, parameters in seen:
        if not statement.lstrip().upper().startswith(("SELECT", "UPDATE")):
            continue
        plan = (
            session.connection()
            .exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            .all()
        )
        for row in plan:
            line = row[-1]
            reads_history = line.startswith(("SCAN", "SEARCH")) and (
                " stays " in f"{line} " or "out_of_service" in line
            )
            if reads_history and not any(bound in line for bound in BOUNDED):
                found.append(f"{line}  <-  {statement[:120]}")
    return found


@pytest.fixture
def with_history(
    backend: str,
    ctx: ServiceContext,
    make_facility: Callable[..., Facility],
    make_person: Callable[..., Person],
) -> tuple[Facility, list[Person]]:
    if backend != "sqlite":
        pytest.skip("PostgreSQL plans by statistics; the benchmark covers it")
    shelter = make_facility(places=4, emergency=1)
    guests = [make_person() for _ in range(3)]
    tonight = ctx.tonight()
    for back in range(1, HISTORY_NIGHTS + 1):
        for guest in guests:
            check_in(ctx, shelter, guest, night=tonight - timedelta(days=back))
    take_out_of_service(ctx, shelter.places[3], reason="Maler", first_night=tonight)
    return shelter, guests


def test_a_check_in_hold_and_extension_read_only_through_indexes(
    ctx: ServiceContext, session: Session, with_history: tuple[Facility, list[Person]]
) -> None:
    shelter, guests = with_history
    with statements(session) as seen:
        stay = check_in(ctx, shelter, guests[0], nights=2)
        create_hold(ctx, shelter)
        extend_stay(ctx, stay.id)
    assert unbounded_reads(session, seen) == []


def test_availability_reads_only_through_indexes(
    ctx: ServiceContext, session: Session, with_history: tuple[Facility, list[Person]]
) -> None:
    with statements(session) as seen:
        availability(session, ctx.tonight(), ctx.now())
    assert unbounded_reads(session, seen) == []
