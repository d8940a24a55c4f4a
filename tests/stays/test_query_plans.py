"""On SQLite, every statement of a check-in and of availability (filtered or not) reads
stays and out-of-service periods through an index bounded by the night, never all of
history. On PostgreSQL, availability of any night (a past one too, filtered or not) reads
stays facility by facility through the GiST index of their facility and nights, which
bounds the facility and both ends of the range; a filter reads only the chosen
facilities' places and claims.

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
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from belegung.context import ServiceContext
from belegung.facilities.models import Facility, FacilityKind, TargetGroup
from belegung.persons.models import Gender, Person
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
# end_night (or its equality: the open-ended ones), a range on first_night bounded at
# both ends, the partial index of live holds, or a primary key.
BY_NAME = ("ix_stays_live_hold_expiry", "PRIMARY KEY")


def bounded(line: str) -> bool:
    if any(name in line for name in BY_NAME):
        return True
    constraint = line.partition("(")[2]
    return (
        "end_night>" in constraint
        or "end_night=" in constraint
        or ("first_night>" in constraint and "first_night<" in constraint)
    )


def bounded_at_both_ends(line: str) -> bool:
    """Of a read of stays: the open-ended ones, a range on first_night bounded at both
    ends, or (end_night>?) in the partial index that holds only the long stays."""
    constraint = line.partition("(")[2]
    return (
        "end_night=" in constraint
        or ("first_night>" in constraint and "first_night<" in constraint)
        or "USING INDEX ix_stays_long_end_night (end_night>?)" in line
    )


def unbounded_reads(
    session: Session, seen: list[tuple[str, Any]], is_bounded: Callable[[str], bool] = bounded
) -> list[str]:
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
            if reads_history and not is_bounded(line):
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


@pytest.mark.parametrize(
    "filters", [{}, {"target_group": TargetGroup.ANY}, {"kind": FacilityKind.NIGHT_SHELTER}]
)
def test_availability_reads_only_through_indexes(
    ctx: ServiceContext,
    session: Session,
    with_history: tuple[Facility, list[Person]],
    filters: dict[str, Any],
) -> None:
    with statements(session) as seen:
        figures = availability(session, ctx.tonight(), ctx.now(), **filters)
    assert [f.capacity for f in figures.facilities] == [3]
    assert unbounded_reads(session, seen) == []


@pytest.mark.parametrize(
    "filters", [{}, {"target_group": TargetGroup.ANY}, {"kind": FacilityKind.NIGHT_SHELTER}]
)
def test_availability_of_a_past_night_reads_stays_bounded_at_both_ends(
    ctx: ServiceContext,
    session: Session,
    with_history: tuple[Facility, list[Person]],
    filters: dict[str, Any],
) -> None:
    past = ctx.tonight() - timedelta(days=HISTORY_NIGHTS - 2)
    with statements(session) as seen:
        figures = availability(session, past, ctx.now(), **filters)
    assert [f.occupied for f in figures.facilities] == [3]
    # Stays: not a range on end_night alone, which reads every stay since that night.
    # (Out-of-service periods, which are few, may be read so.)

    def is_bounded(line: str) -> bool:
        return bounded(line) if "out_of_service" in line else bounded_at_both_ends(line)

    assert unbounded_reads(session, seen, is_bounded) == []


# --- PostgreSQL: past nights and filters through the GiST index of facility and nights ----


def stays_plan(session: Session, seen: list[tuple[str, Any]]) -> list[str]:
    """The plan lines of the statements that read stays, with sequential scans priced
    out (a small test database would otherwise be scanned whole, as it is cheap): what
    is left shows which index can bound the read."""
    session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    lines: list[str] = []
    for statement, parameters in seen:
        if " stays" not in statement or not statement.lstrip().upper().startswith("SELECT"):
            continue
        plan = session.connection().exec_driver_sql("EXPLAIN " + statement, parameters)
        lines += [row[0] for row in plan]
    return lines


@pytest.fixture
def pg_history(
    backend: str,
    ctx: ServiceContext,
    make_facility: Callable[..., Facility],
    make_person: Callable[..., Person],
) -> Facility:
    if backend != "postgresql":
        pytest.skip("the GiST index ix_stays_facility_nights is PostgreSQL's")
    shelter = make_facility(places=4, target_group=TargetGroup.WOMEN)
    # Another shelter's history, which a filter to women must not read.
    men = make_facility(places=4, target_group=TargetGroup.MEN)
    guests = [make_person(gender=Gender.FEMALE) for _ in range(3)]
    others = [make_person(gender=Gender.MALE) for _ in range(3)]
    tonight = ctx.tonight()
    for back in range(1, HISTORY_NIGHTS + 1):
        for guest in guests:
            check_in(ctx, shelter, guest, night=tonight - timedelta(days=back))
        for guest in others:
            check_in(ctx, men, guest, night=tonight - timedelta(days=back))
    return shelter


@pytest.mark.parametrize(
    "filters", [{}, {"target_group": TargetGroup.WOMEN}, {"kind": FacilityKind.NIGHT_SHELTER}]
)
def test_a_past_night_reads_stays_through_the_gist_index_of_facility_and_nights(
    ctx: ServiceContext, session: Session, pg_history: Facility, filters: dict[str, Any]
) -> None:
    past = ctx.tonight() - timedelta(days=HISTORY_NIGHTS - 2)
    with statements(session) as seen:
        figures = availability(session, past, ctx.now(), **filters)
    women_only = "target_group" in filters
    assert sum(f.occupied for f in figures.facilities) == (3 if women_only else 6)
    plan = stays_plan(session, seen)
    # Facility by facility: the index bounds the facility and the night.
    assert any(
        "Index Cond: ((facility_id = facilities.id) AND (daterange(first_night, end_night" in line
        for line in plan
    ), plan
    assert any("ix_stays_facility_nights" in line for line in plan), plan
    # Not the index led by end_night, which reads every stay since that night.
    assert not any("ix_stays_end_night_first_night" in line for line in plan), plan
    assert not any("Seq Scan on stays" in line for line in plan), plan


def rows_read(session: Session, seen: list[tuple[str, Any]], table: str) -> int:
    """How many rows of `table` the statements of `seen` that read it took from it (by
    EXPLAIN ANALYZE, sequential scans priced out): the rows every scan of it returned
    plus those its filter removed, over all its loops."""
    session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    total = 0

    def walk(node: dict[str, Any]) -> None:
        nonlocal total
        if node.get("Relation Name") == table:
            loops = node["Actual Loops"]
            total += loops * (node["Actual Rows"] + node.get("Rows Removed by Filter", 0))
        for child in node.get("Plans", []):
            walk(child)

    for statement, parameters in seen:
        if f" {table}" not in statement or not statement.lstrip().upper().startswith("SELECT"):
            continue
        explain = "EXPLAIN (ANALYZE, FORMAT JSON) " + statement
        (document,) = session.connection().exec_driver_sql(explain, parameters).one()
        walk(document[0]["Plan"])
    return total


@pytest.mark.parametrize(
    "filters",
    [
        {"target_group": TargetGroup.WOMEN},
        {"target_group": TargetGroup.WOMEN, "kind": FacilityKind.NIGHT_SHELTER},
    ],
)
def test_a_filter_reads_only_the_chosen_facilities_places_and_claims(
    ctx: ServiceContext, session: Session, pg_history: Facility, filters: dict[str, Any]
) -> None:
    past = ctx.tonight() - timedelta(days=HISTORY_NIGHTS - 2)
    with statements(session) as seen:
        figures = availability(session, past, ctx.now(), **filters)
    assert [(f.slug, f.occupied) for f in figures.facilities] == [(pg_history.slug, 3)]
    # The women's shelter's 4 places and its 3 claims of that night; not the men's
    # shelter's, nor the claims of other nights.
    assert rows_read(session, seen, "places") == 4
    assert rows_read(session, seen, "stays") == 3
