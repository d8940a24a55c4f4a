"""Toronto's real nightly occupancy, replayed into belegung, gives Toronto's figures back.

The data and its mapping are described in bench/toronto.py. The replays run inside the
test's rolled-back transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import astuple
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from belegung.context import ServiceContext
from belegung.stays.availability import availability
from bench.toronto import (
    CSV_PATH,
    TorontoData,
    evening,
    load,
    mismatches,
    replay_bulk,
    replay_services,
)

pytestmark = pytest.mark.skipif(not CSV_PATH.exists(), reason=f"no Toronto data at {CSV_PATH}")

# Programs with at most this many places: 45 programs with 831 places on the first three
# nights (among them rows off the README's rule); their service replay takes ~10 s on
# SQLite.
SMALL = 30
NIGHTS = 3


@pytest.fixture(scope="module")
def toronto() -> TorontoData:
    return load()


@pytest.fixture(scope="module")
def small(toronto: TorontoData) -> TorontoData:
    """The small programs on the first three nights, which hold messy rows."""
    return toronto.subset(max_places=SMALL, nights=toronto.nights[:NIGHTS])


def test_the_data_is_80_nights_of_143_programs_with_715_rows_off_the_readme(
    toronto: TorontoData,
) -> None:
    assert len(toronto.nights) == 80
    assert len(toronto.programs) == 143
    assert toronto.rows == 10_771
    # Room programs above their funding; a bed program with negative UNAVAILABLE.
    assert toronto.irregular_rows == {
        ("room", "funding_not_actual_plus_unavailable"): 642,
        ("bed", "negative_unavailable"): 73,
    }
    assert toronto.total_stays == 609_991


@pytest.mark.slow
def test_replay_through_the_services_gives_torontos_figures(
    ctx: ServiceContext, small: TorontoData
) -> None:
    assert small.irregular_rows, "the subset should hold rows off the README's rule"

    replay_services(ctx, small)

    assert mismatches(ctx.session, small) == []


@pytest.mark.slow
def test_bulk_replay_gives_the_same_availability_as_the_services(
    ctx: ServiceContext, session: Session, small: TorontoData
) -> None:
    # Two nights: the second one is compared, with the first one's stays before it.
    data = small.subset(nights=small.nights[:2])
    night = data.nights[-1]

    def figures_after(replay: Callable[[], object]) -> list[tuple[object, ...]]:
        savepoint = session.begin_nested()
        try:
            replay()
            report = availability(session, night, evening(night))
            return [astuple(f) for f in report.facilities]
        finally:
            savepoint.rollback()
            session.expunge_all()

    by_services = figures_after(lambda: replay_services(ctx, data))
    by_bulk = figures_after(lambda: replay_bulk(session.connection(), data))

    assert len(by_services) == len(data.programs)
    assert by_bulk == by_services


@pytest.mark.slow
def test_bulk_replay_of_every_program_gives_torontos_figures(
    session: Session, toronto: TorontoData
) -> None:
    data = toronto.subset(nights=toronto.nights[-NIGHTS:])

    replay_bulk(session.connection(), data)

    assert mismatches(session, data) == []


def _availability_plan(session: Session, data: TorontoData) -> str:
    """SQLite's query plan of availability()'s aggregate statement for the data's last
    night."""
    night = data.nights[-1]
    conn = session.connection()
    seen: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", keep)
    try:
        availability(session, night, evening(night))
    finally:
        event.remove(conn, "before_cursor_execute", keep)
    (statement, parameters), *_ = [(s, p) for s, p in seen if "claims" in s]
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return "\n".join(row[-1] for row in rows)


def test_on_sqlite_availability_reads_claims_through_the_end_night_index(
    backend: str, session: Session, small: TorontoData
) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL's plan depends on statistics; the benchmark shows it uses it")
    # Without ANALYZE (belegung never runs it) SQLite plans by fixed heuristics, so a
    # small database gets the plan a large one gets.
    replay_bulk(session.connection(), small)

    plan = _availability_plan(session, small)

    assert "SEARCH stays USING INDEX ix_stays_end_night_first_night" in plan, plan
    assert "SCAN stays" not in plan, plan
    assert "SCAN out_of_service" not in plan, plan
