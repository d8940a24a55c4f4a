"""Availability of a night: capacity, occupied, held and free places per facility, read in
a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.context import ServiceContext
from belegung.facilities.models import Facility, FacilityKind, FacilityStatus, TargetGroup
from belegung.facilities.service import get_place
from belegung.persons.models import Person
from belegung.stays.availability import COUNTS, FacilityAvailability, availability
from belegung.stays.holds import cancel_hold, create_hold
from belegung.stays.models import Stay, StayStatus
from belegung.stays.out_of_service import take_out_of_service
from belegung.stays.service import check_in, check_out
from belegung.winter.service import switch_winter_emergency
from tests.conftest import FakeClock
from tests.stays.conftest import Figures, MakeFacility, MakePerson


def counts(figures: FacilityAvailability) -> dict[str, int]:
    return {name: getattr(figures, name) for name in COUNTS}


def slugs(ctx: ServiceContext, **filters: Any) -> list[str]:
    report = availability(ctx.session, ctx.tonight(), ctx.now(), **filters)
    return [f.slug for f in report.facilities]


@contextmanager
def counting_selects(session: Session) -> Iterator[list[str]]:
    """Collect the SELECT statements sent on the session's connection."""
    statements: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    connection = session.connection()
    sa.event.listen(connection, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        sa.event.remove(connection, "before_cursor_execute", remember)


def add_history(session: Session, facility: Facility, guests: list[Person], until: date) -> None:
    """One-night stays of `guests` on every place of a facility, each of the 60 nights
    before `until`, all checked out."""
    rows = [
        {
            "facility_id": facility.id,
            "place_id": place.id,
            "person_id": guest.id,
            "first_night": until - timedelta(days=back),
            "end_night": until - timedelta(days=back - 1),
            "status": StayStatus.CHECKED_OUT,
        }
        for place, guest in zip(facility.places, guests, strict=False)
        for back in range(1, 61)
    ]
    session.execute(sa.insert(Stay), rows)


# --- the figures ---------------------------------------------------------------------


@pytest.fixture
def mixed(
    ctx: ServiceContext,
    clock: FakeClock,
    make_facility: MakeFacility,
    make_person: MakePerson,
    tonight: date,
) -> Facility:
    """Tonight, in a shelter of 5 regular and 2 emergency places: 1 guest on a regular
    place, 1 on an emergency place (given in a winter emergency that has ended), 1 live
    hold, 1 place out of service; and claims that don't count tonight (among them a guest
    who came and left again this evening)."""
    facility = make_facility(places=5, emergency=2)
    yesterday, tomorrow = tonight - timedelta(days=1), tonight + timedelta(days=1)
    check_in(ctx, facility, make_person(), place_label="1")
    check_out(ctx, check_in(ctx, facility, make_person(), place_label="2").id)
    check_in(ctx, facility, make_person(), place_label="3", night=yesterday)
    check_in(ctx, facility, make_person(), place_label="3", night=tomorrow)
    create_hold(ctx, facility, place_label="4", minutes=120)
    cancel_hold(ctx, create_hold(ctx, facility, place_label="5").id)
    create_hold(ctx, facility, place_label="3", minutes=10)  # expires before we read
    take_out_of_service(ctx, get_place(ctx.session, facility, "5"), reason="Bettwanze")
    switch_winter_emergency(ctx, True)
    check_in(ctx, facility, make_person(), place_label="N1")
    switch_winter_emergency(ctx, False)
    clock.advance(minutes=15)
    return facility


def test_availability_counts_every_kind_of_place_and_claim(
    mixed: Facility, figures: Figures
) -> None:
    assert counts(figures(mixed)) == {
        "capacity": 4,
        "emergency_capacity": 2,
        "out_of_service": 1,
        "occupied": 2,
        "held": 1,
        "free": 2,
        # One emergency place stands empty, but none is offered while regular ones are
        # free: it is not counted as free.
        "free_emergency": 0,
    }


def test_a_guest_who_leaves_after_midnight_still_occupies_the_night(
    ctx: ServiceContext,
    clock: FakeClock,
    make_facility: MakeFacility,
    make_person: MakePerson,
    figures: Figures,
) -> None:
    facility = make_facility(places=2)
    stay = check_in(ctx, facility, make_person())
    clock.advance(hours=4)  # 01:00, still the night of the evening before
    check_out(ctx, stay.id)
    assert stay.status == StayStatus.CHECKED_OUT
    assert counts(figures(facility))["occupied"] == 1


def test_every_place_in_service_is_occupied_held_or_free(
    ctx: ServiceContext, mixed: Facility, figures: Figures, make_facility: MakeFacility
) -> None:
    """…where free emergency places count as free only while they are offered."""
    facilities = (mixed, make_facility(places=3, emergency=1))
    for facility in facilities:
        f = figures(facility)
        assert f.free_emergency == 0
        assert f.capacity + f.emergency_capacity > f.occupied + f.held + f.free
    switch_winter_emergency(ctx, True)
    for facility in facilities:
        f = figures(facility)
        assert f.capacity + f.emergency_capacity == (
            f.occupied + f.held + f.free + f.free_emergency
        )


def test_a_hold_counts_until_the_moment_it_expires(
    ctx: ServiceContext, make_facility: MakeFacility, tonight: date
) -> None:
    facility = make_facility(places=1)
    create_hold(ctx, facility, minutes=30)

    def held_as_of(minutes: int) -> int:
        moment = ctx.now() + timedelta(minutes=minutes)
        return availability(ctx.session, tonight, moment).facilities[0].held

    assert [held_as_of(29), held_as_of(30)] == [1, 0]


def test_open_ended_stay_counts_on_every_later_night(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson, figures: Figures
) -> None:
    housing = make_facility(places=2, kind=FacilityKind.HOUSING_PROGRAMME)
    check_in(ctx, housing, make_person())

    assert figures(housing, date(2026, 12, 24)).occupied == 1


def test_totals_sum_the_facilities(
    ctx: ServiceContext, mixed: Facility, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    other = make_facility(places=3, emergency=1)
    check_in(ctx, other, make_person())

    report = availability(ctx.session, ctx.tonight(), ctx.now())

    assert len(report.facilities) == 2
    for name in COUNTS:
        assert report.totals[name] == sum(getattr(f, name) for f in report.facilities)
    assert (report.totals["capacity"], report.totals["occupied"]) == (7, 3)


def test_availability_reports_its_night_time_and_winter_state(
    ctx: ServiceContext, make_facility: MakeFacility, tonight: date
) -> None:
    make_facility()
    switch_winter_emergency(ctx, True)

    report = availability(ctx.session, tonight, ctx.now())

    assert (report.night, report.as_of, report.winter_emergency) == (tonight, ctx.now(), True)
    assert report.as_dict()["winter_emergency"] is True


# --- which facilities ----------------------------------------------------------------


def test_availability_filters_by_target_group_and_kind(
    ctx: ServiceContext, make_facility: MakeFacility
) -> None:
    women = make_facility(slug="frauen", target_group=TargetGroup.WOMEN)
    make_facility(slug="maenner", target_group=TargetGroup.MEN)
    housing = make_facility(slug="wvp", kind=FacilityKind.HOUSING_PROGRAMME)

    assert slugs(ctx, target_group=TargetGroup.WOMEN) == [women.slug]
    assert slugs(ctx, kind=FacilityKind.HOUSING_PROGRAMME) == [housing.slug]
    assert slugs(ctx, kind=FacilityKind.NIGHT_SHELTER, target_group=TargetGroup.ANY) == []


def test_standby_facility_appears_only_in_a_winter_emergency(
    ctx: ServiceContext, make_facility: MakeFacility
) -> None:
    make_facility(slug="immer")
    make_facility(slug="kaeltenacht", status=FacilityStatus.STANDBY)

    assert slugs(ctx) == ["immer"]
    switch_winter_emergency(ctx, True)
    assert slugs(ctx) == ["immer", "kaeltenacht"]


def test_closed_facility_never_appears(ctx: ServiceContext, make_facility: MakeFacility) -> None:
    make_facility(slug="zu", status=FacilityStatus.CLOSED)
    switch_winter_emergency(ctx, True)

    assert slugs(ctx) == []


# --- a fixed number of queries -------------------------------------------------------


def test_availability_of_one_facility_takes_at_most_two_queries(
    ctx: ServiceContext, mixed: Facility
) -> None:
    ctx.session.flush()

    with counting_selects(ctx.session) as selects:
        report = availability(ctx.session, ctx.tonight(), ctx.now())

    assert len(report.facilities) == 1
    assert len(selects) <= 2


def test_availability_of_twenty_facilities_with_history_takes_at_most_two_queries(
    ctx: ServiceContext,
    make_facility: MakeFacility,
    make_person: MakePerson,
    tonight: date,
) -> None:
    guests = [make_person() for _ in range(5)]
    facilities = [make_facility(places=5, emergency=1) for _ in range(20)]
    for back, facility in enumerate(facilities):
        add_history(ctx.session, facility, guests, until=tonight - timedelta(days=60 * back))
    for facility, guest in zip(facilities, guests, strict=False):
        check_in(ctx, facility, guest, nights=3)
    create_hold(ctx, facilities[-1])
    ctx.session.flush()

    with counting_selects(ctx.session) as selects:
        report = availability(ctx.session, tonight, ctx.now())

    assert len(report.facilities) == 20
    assert report.totals["occupied"] == 5
    assert report.totals["held"] == 1
    assert report.totals["free"] == 100 - 6
    assert len(selects) <= 2
