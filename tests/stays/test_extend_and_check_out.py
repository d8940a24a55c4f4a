"""Extending a stay on its place, and checking out: the stay ends with the current night."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from belegung.context import ServiceContext
from belegung.errors import InvalidInput, InvalidState, NotFound, PlaceOutOfService, PlaceTaken
from belegung.facilities.models import Facility, FacilityKind
from belegung.facilities.service import take_out_of_service
from belegung.stays.models import Stay, StayStatus
from belegung.stays.service import check_in, check_out, create_hold, extend_stay
from tests.conftest import FakeClock
from tests.stays.conftest import Figures, MakeFacility, MakePerson


@pytest.fixture
def shelter(make_facility: MakeFacility) -> Facility:
    return make_facility(places=2)


@pytest.fixture
def stay(ctx: ServiceContext, shelter: Facility, make_person: MakePerson) -> Stay:
    """A guest on place 1 for tonight."""
    return check_in(ctx, shelter, make_person(), place_label="1")


def book_place_1(
    ctx: ServiceContext, shelter: Facility, make_person: MakePerson, night: date
) -> Stay:
    return check_in(ctx, shelter, make_person(), place_label="1", night=night)


# --- extension -----------------------------------------------------------------------


def test_extension_adds_nights_on_the_same_place(
    ctx: ServiceContext, stay: Stay, tonight: date
) -> None:
    extended = extend_stay(ctx, stay.id, nights=2)

    assert extended.id == stay.id
    assert extended.place.label == "1"
    assert (extended.first_night, extended.end_night) == (tonight, tonight + timedelta(days=3))


def test_extension_is_refused_when_the_place_is_booked_later(
    ctx: ServiceContext, stay: Stay, shelter: Facility, make_person: MakePerson, tonight: date
) -> None:
    book_place_1(ctx, shelter, make_person, tonight + timedelta(days=2))

    with pytest.raises(PlaceTaken):
        extend_stay(ctx, stay.id, nights=2)
    assert extend_stay(ctx, stay.id, nights=1).nights == 2


def test_extension_into_a_held_night_is_refused_until_the_hold_expires(
    ctx: ServiceContext,
    clock: FakeClock,
    shelter: Facility,
    make_person: MakePerson,
    tonight: date,
) -> None:
    last_night = book_place_1(ctx, shelter, make_person, tonight - timedelta(days=1))
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


def test_check_out_ends_a_longer_stay_with_tonight(
    ctx: ServiceContext, shelter: Facility, make_person: MakePerson, tonight: date
) -> None:
    stay = check_in(ctx, shelter, make_person(), nights=5)

    checked_out = check_out(ctx, stay.id)

    assert checked_out.status == StayStatus.CHECKED_OUT
    assert checked_out.end_night == tonight + timedelta(days=1)
    assert checked_out.checked_out_at == ctx.now()


def test_check_out_ends_an_open_ended_stay_with_tonight(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson, tonight: date
) -> None:
    housing = make_facility(kind=FacilityKind.HOUSING_PROGRAMME)
    stay = check_in(ctx, housing, make_person(), night=tonight - timedelta(days=3))

    assert check_out(ctx, stay.id).end_night == tonight + timedelta(days=1)


def test_checked_out_place_stays_occupied_tonight_and_is_free_tomorrow(
    ctx: ServiceContext,
    stay: Stay,
    shelter: Facility,
    make_person: MakePerson,
    figures: Figures,
    tonight: date,
) -> None:
    extend_stay(ctx, stay.id, nights=3)
    check_out(ctx, stay.id)

    assert figures(shelter).occupied == 1
    assert figures(shelter, tonight + timedelta(days=1)).occupied == 0
    assert book_place_1(ctx, shelter, make_person, tonight + timedelta(days=1)).place.label == "1"


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
