"""Extending a stay on its place, and checking out: the stay ends with the current night."""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

import pytest

from belegung.context import ServiceContext
from belegung.errors import InvalidInput, InvalidState, NotFound, PlaceOutOfService, PlaceTaken
from belegung.facilities.models import Facility, FacilityKind
from belegung.persons.models import Person
from belegung.stays.holds import create_hold
from belegung.stays.models import Stay, StayStatus
from belegung.stays.out_of_service import take_out_of_service
from belegung.stays.service import check_in, check_out, extend_stay
from tests.conftest import FakeClock
from tests.stays.conftest import Figures, MakeFacility, MakePerson, MakeStay


@pytest.fixture
def shelter(make_facility: MakeFacility) -> Facility:
    return make_facility(places=2)


@pytest.fixture
def stay(shelter: Facility, make_stay: MakeStay) -> Stay:
    """A guest on place 1 for tonight."""
    return make_stay(shelter, place_label="1")


# --- extension -----------------------------------------------------------------------


def test_extension_adds_nights_on_the_same_place(
    ctx: ServiceContext, stay: Stay, tonight: date
) -> None:
    extended = extend_stay(ctx, stay.id, nights=2)

    assert extended.id == stay.id
    assert extended.place.label == "1"
    assert (extended.first_night, extended.end_night) == (tonight, tonight + timedelta(days=3))


def test_extension_is_refused_when_the_place_is_booked_later(
    make_stay: MakeStay, ctx: ServiceContext, stay: Stay, shelter: Facility, tonight: date
) -> None:
    make_stay(shelter, place_label="1", night=tonight + timedelta(days=2))

    with pytest.raises(PlaceTaken):
        extend_stay(ctx, stay.id, nights=2)
    assert extend_stay(ctx, stay.id, nights=1).nights == 2


def test_extension_into_a_held_night_is_refused_until_the_hold_expires(
    make_stay: MakeStay, ctx: ServiceContext, clock: FakeClock, shelter: Facility, tonight: date
) -> None:
    last_night = make_stay(shelter, place_label="1", night=tonight - timedelta(days=1))
    create_hold(ctx, shelter, place_label="1", minutes=30)

    with pytest.raises(PlaceTaken):
        extend_stay(ctx, last_night.id)
    clock.advance(minutes=30)
    assert extend_stay(ctx, last_night.id).end_night == tonight + timedelta(days=1)


def test_extension_onto_a_place_out_of_service_is_refused(
    ctx: ServiceContext, stay: Stay, tonight: date
) -> None:
    take_out_of_service(ctx, stay.place, reason="Reparatur", first_night=tonight + timedelta(1))

    with pytest.raises(PlaceOutOfService):
        extend_stay(ctx, stay.id)


def test_extending_a_checked_out_stay_is_refused(ctx: ServiceContext, stay: Stay) -> None:
    check_out(ctx, stay.id)

    with pytest.raises(InvalidState):
        extend_stay(ctx, stay.id)


def test_extending_a_stay_that_ended_before_tonight_is_refused(
    ctx: ServiceContext, shelter: Facility, make_person: MakePerson, tonight: date
) -> None:
    """Never checked out, but over two nights ago: extending would book past nights."""
    lapsed = check_in(ctx, shelter, make_person(), night=tonight - timedelta(days=3))

    with pytest.raises(InvalidState) as refused:
        extend_stay(ctx, lapsed.id)
    assert refused.value.params["reason"] == "stay_ended"
    assert lapsed.end_night == tonight - timedelta(days=2)


def test_a_stay_that_ended_this_morning_is_extended_into_tonight(
    ctx: ServiceContext, shelter: Facility, make_person: MakePerson, tonight: date
) -> None:
    last_night = check_in(ctx, shelter, make_person(), night=tonight - timedelta(days=1))

    extended = extend_stay(ctx, last_night.id)

    assert (extended.first_night, extended.end_night) == (
        tonight - timedelta(days=1),
        tonight + timedelta(days=1),
    )


def test_extending_an_open_ended_stay_is_refused(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    housing = make_facility(kind=FacilityKind.HOUSING_PROGRAMME)
    open_ended = check_in(ctx, housing, make_person())

    with pytest.raises(InvalidState):
        extend_stay(ctx, open_ended.id)


@pytest.mark.parametrize("nights", [0, 367])
def test_extension_by_an_invalid_number_of_nights_is_refused(
    ctx: ServiceContext, stay: Stay, nights: int
) -> None:
    with pytest.raises(InvalidInput):
        extend_stay(ctx, stay.id, nights=nights)


# --- check-out -----------------------------------------------------------------------


def test_check_out_in_the_morning_ends_a_longer_stay_after_the_night_slept(
    ctx: ServiceContext,
    clock: FakeClock,
    shelter: Facility,
    make_person: MakePerson,
    tonight: date,
) -> None:
    stay = check_in(ctx, shelter, make_person(), nights=5)
    clock.set_local(2026, 1, 16, 8, 0)

    checked_out = check_out(ctx, stay.id)

    assert checked_out.status == StayStatus.CHECKED_OUT
    assert checked_out.end_night == tonight + timedelta(days=1)
    assert checked_out.checked_out_at == ctx.now()


@pytest.mark.parametrize("hour", [12, 14, 23])
def test_check_out_in_the_evening_frees_tonight_for_the_place_and_the_person(
    make_stay: MakeStay,
    ctx: ServiceContext,
    clock: FakeClock,
    shelter: Facility,
    make_facility: MakeFacility,
    make_person: MakePerson,
    figures: Figures,
    hour: int,
    tonight: date,
) -> None:
    guest = make_person()
    stay = check_in(
        ctx, shelter, guest, place_label="1", night=tonight - timedelta(days=2), nights=5
    )
    clock.set_local(2026, 1, 15, hour, 0)

    checked_out = check_out(ctx, stay.id)

    assert checked_out.status == StayStatus.CHECKED_OUT
    assert (checked_out.first_night, checked_out.end_night) == (
        tonight - timedelta(days=2),
        tonight,
    )
    assert figures(shelter).occupied == 0
    assert make_stay(shelter, place_label="1", night=tonight).place.label == "1"
    # The guest left and may be taken in elsewhere tonight.
    assert check_in(ctx, make_facility(), guest).first_night == tonight


def test_leaving_on_the_evening_of_the_first_night_cancels_the_stay(
    make_stay: MakeStay,
    ctx: ServiceContext,
    stay: Stay,
    shelter: Facility,
    make_facility: MakeFacility,
    figures: Figures,
    tonight: date,
) -> None:
    extend_stay(ctx, stay.id, nights=2)

    left = check_out(ctx, stay.id)

    assert left.status == StayStatus.CANCELLED
    assert left.checked_out_at == ctx.now()
    assert figures(shelter).occupied == 0
    assert make_stay(shelter, place_label="1", night=tonight).place.label == "1"
    assert check_in(ctx, make_facility(), cast(Person, stay.person)).first_night == tonight


def test_check_out_of_an_open_ended_stay_in_the_evening_ends_it_before_tonight(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson, tonight: date
) -> None:
    housing = make_facility(kind=FacilityKind.HOUSING_PROGRAMME)
    stay = check_in(ctx, housing, make_person(), night=tonight - timedelta(days=3))

    assert check_out(ctx, stay.id).end_night == tonight


def test_check_out_of_an_open_ended_stay_in_the_morning_ends_it_after_the_night(
    ctx: ServiceContext,
    clock: FakeClock,
    make_facility: MakeFacility,
    make_person: MakePerson,
    tonight: date,
) -> None:
    housing = make_facility(kind=FacilityKind.HOUSING_PROGRAMME)
    stay = check_in(ctx, housing, make_person(), night=tonight - timedelta(days=3))
    clock.set_local(2026, 1, 16, 10, 0)

    assert check_out(ctx, stay.id).end_night == tonight + timedelta(days=1)


def test_check_out_the_next_morning_keeps_last_night_occupied(
    ctx: ServiceContext,
    clock: FakeClock,
    shelter: Facility,
    make_person: MakePerson,
    figures: Figures,
    tonight: date,
) -> None:
    stay = check_in(ctx, shelter, make_person(), place_label="1", nights=3)
    clock.set_local(2026, 1, 16, 9, 0)

    check_out(ctx, stay.id)

    assert stay.end_night == tonight + timedelta(days=1)
    assert figures(shelter, tonight).occupied == 1
    clock.set_local(2026, 1, 16, 18, 0)
    assert figures(shelter).occupied == 0
    assert check_in(ctx, shelter, make_person(), place_label="1").first_night == date(2026, 1, 16)


def test_checking_out_twice_is_refused(ctx: ServiceContext, stay: Stay) -> None:
    check_out(ctx, stay.id)

    with pytest.raises(InvalidState):
        check_out(ctx, stay.id)


def test_checking_out_a_stay_that_has_not_begun_is_refused(
    ctx: ServiceContext, shelter: Facility, make_person: MakePerson, tonight: date
) -> None:
    future = check_in(ctx, shelter, make_person(), night=tonight + timedelta(days=1))

    with pytest.raises(InvalidState):
        check_out(ctx, future.id)
    assert future.status == StayStatus.CHECKED_IN


def test_a_hold_is_not_a_stay_to_check_out(ctx: ServiceContext, shelter: Facility) -> None:
    hold = create_hold(ctx, shelter)

    with pytest.raises(NotFound):
        check_out(ctx, hold.id)
