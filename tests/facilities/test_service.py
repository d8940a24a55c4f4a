"""Facilities and places: a place out of service counts neither as capacity nor as free,
and can't be taken out of service while someone is booked on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session

from belegung.context import ServiceContext
from belegung.errors import InvalidInput, InvalidState, NotFound, PlaceOccupied
from belegung.facilities.models import Facility, OutOfService, Place
from belegung.facilities.service import get_facility, get_place
from belegung.persons.models import Person
from belegung.stays.availability import FacilityAvailability, availability
from belegung.stays.holds import create_hold
from belegung.stays.out_of_service import return_to_service, take_out_of_service
from belegung.stays.service import check_in
from tests.conftest import FakeClock

MakeFacility = Callable[..., Facility]
MakePerson = Callable[..., Person]
TOMORROW = date(2026, 1, 16)


@pytest.fixture
def shelter(make_facility: MakeFacility) -> Facility:
    return make_facility(slug="nord", places=2, emergency=1)


def place(session: Session, shelter: Facility, label: str = "1") -> Place:
    return get_place(session, shelter, label)


def figures(ctx: ServiceContext, night: date | None = None) -> FacilityAvailability:
    (only,) = availability(ctx.session, night or ctx.tonight(), ctx.now()).facilities
    return only


def repair(ctx: ServiceContext, target: Place, **nights: date) -> OutOfService:
    return take_out_of_service(ctx, target, reason="  Wasser\nschaden ", **nights)


# --- looking up ----------------------------------------------------------------------


def test_facility_and_place_are_found_by_slug_and_label(
    session: Session, shelter: Facility
) -> None:
    assert get_facility(session, "nord") is shelter
    assert place(session, shelter, "N1").emergency is True


def test_unknown_facility_or_place_is_not_found(session: Session, shelter: Facility) -> None:
    with pytest.raises(NotFound):
        get_facility(session, "sued")
    with pytest.raises(NotFound):
        place(session, shelter, "99")


# --- taking out of service -----------------------------------------------------------


def test_place_out_of_service_counts_neither_as_capacity_nor_as_free(
    ctx: ServiceContext, shelter: Facility
) -> None:
    period = repair(ctx, place(ctx.session, shelter))

    assert (period.first_night, period.end_night) == (ctx.tonight(), None)
    assert period.reason == "Wasser schaden"
    f = figures(ctx)
    assert (f.capacity, f.free, f.out_of_service) == (1, 1, 1)


def test_emergency_place_out_of_service_leaves_the_emergency_capacity(
    ctx: ServiceContext, shelter: Facility
) -> None:
    repair(ctx, place(ctx.session, shelter, "N1"))

    f = figures(ctx)
    assert (f.capacity, f.emergency_capacity, f.free_emergency) == (2, 0, 0)


def test_check_in_passes_over_a_place_out_of_service(
    ctx: ServiceContext, shelter: Facility, make_person: MakePerson
) -> None:
    repair(ctx, place(ctx.session, shelter))

    assert check_in(ctx, shelter, make_person()).place.label == "2"


def test_place_out_of_service_for_a_period_counts_again_after_it(
    ctx: ServiceContext, shelter: Facility
) -> None:
    repair(ctx, place(ctx.session, shelter), end_night=TOMORROW)

    assert figures(ctx).capacity == 1
    assert figures(ctx, TOMORROW).capacity == 2


def test_place_with_a_guest_tonight_cannot_go_out_of_service(
    ctx: ServiceContext, shelter: Facility, make_person: MakePerson
) -> None:
    check_in(ctx, shelter, make_person(), place_label="1")

    with pytest.raises(PlaceOccupied):
        repair(ctx, place(ctx.session, shelter))


def test_place_booked_later_cannot_go_out_of_service_until_further_notice(
    ctx: ServiceContext, shelter: Facility, make_person: MakePerson
) -> None:
    check_in(ctx, shelter, make_person(), place_label="1", night=date(2026, 3, 1))

    with pytest.raises(PlaceOccupied):
        repair(ctx, place(ctx.session, shelter))


def test_place_held_tonight_cannot_go_out_of_service(
    ctx: ServiceContext, shelter: Facility
) -> None:
    create_hold(ctx, shelter, place_label="1")

    with pytest.raises(PlaceOccupied):
        repair(ctx, place(ctx.session, shelter))


def test_place_whose_hold_has_expired_can_go_out_of_service(
    ctx: ServiceContext, clock: FakeClock, shelter: Facility
) -> None:
    create_hold(ctx, shelter, place_label="1", minutes=30)
    clock.advance(minutes=31)

    period = repair(ctx, place(ctx.session, shelter))

    assert period.first_night == ctx.tonight()


def test_place_can_go_out_of_service_from_the_night_after_a_stay(
    ctx: ServiceContext, shelter: Facility, make_person: MakePerson
) -> None:
    check_in(ctx, shelter, make_person(), place_label="1")

    period = repair(ctx, place(ctx.session, shelter), first_night=TOMORROW)

    assert period.first_night == TOMORROW


@pytest.mark.parametrize("reason", ["", "  "])
def test_taking_out_of_service_needs_a_reason(
    ctx: ServiceContext, shelter: Facility, reason: str
) -> None:
    with pytest.raises(InvalidInput):
        take_out_of_service(ctx, place(ctx.session, shelter), reason=reason)


def test_out_of_service_period_must_end_after_it_begins(
    ctx: ServiceContext, shelter: Facility
) -> None:
    with pytest.raises(InvalidInput):
        repair(ctx, place(ctx.session, shelter), end_night=ctx.tonight())


# --- returning to service ------------------------------------------------------------


def test_return_to_service_ends_a_begun_period_with_last_night(
    ctx: ServiceContext, clock: FakeClock, shelter: Facility, make_person: MakePerson
) -> None:
    period = repair(ctx, place(ctx.session, shelter))
    clock.set_local(2026, 1, 18, 19, 0)

    return_to_service(ctx, period.id)

    assert period.end_night == date(2026, 1, 18)
    assert figures(ctx, date(2026, 1, 17)).capacity == 1
    assert figures(ctx).capacity == 2
    assert check_in(ctx, shelter, make_person(), place_label="1").first_night == date(2026, 1, 18)


def test_return_to_service_before_a_period_begins_drops_it(
    ctx: ServiceContext, session: Session, shelter: Facility
) -> None:
    period = repair(ctx, place(session, shelter), first_night=TOMORROW)
    period_id = period.id
    session.expire_all()

    return_to_service(ctx, period_id)

    assert session.get(OutOfService, period_id) is None
    assert figures(ctx, TOMORROW).capacity == 2


def test_returning_an_ended_period_to_service_is_refused(
    ctx: ServiceContext, shelter: Facility
) -> None:
    period = repair(ctx, place(ctx.session, shelter), first_night=date(2026, 1, 10))
    return_to_service(ctx, period.id)

    with pytest.raises(InvalidState):
        return_to_service(ctx, period.id)


def test_returning_an_unknown_period_to_service_is_refused(ctx: ServiceContext) -> None:
    with pytest.raises(NotFound):
        return_to_service(ctx, 999_999)
