"""Check-in: which place a person gets, for which nights, and when a check-in is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from belegung.context import ServiceContext
from belegung.errors import (
    AlreadyCheckedIn,
    EmergencyPlaceNotOffered,
    FacilityNotOffering,
    InvalidInput,
    NoFreePlace,
    NotFound,
    PlaceOutOfService,
    PlaceTaken,
    WrongTargetGroup,
)
from belegung.facilities.models import FacilityKind, FacilityStatus, TargetGroup
from belegung.facilities.service import get_place
from belegung.persons.models import Gender
from belegung.stays.models import StayStatus
from belegung.stays.out_of_service import take_out_of_service
from belegung.stays.service import check_in
from belegung.winter.service import switch_winter_emergency
from tests.conftest import FakeClock
from tests.stays.conftest import MakeFacility, MakePerson, MakeStay

# --- nights --------------------------------------------------------------------------


def test_shelter_check_in_is_for_tonight_only_by_default(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson, tonight: date
) -> None:
    stay = check_in(ctx, make_facility(), make_person())

    assert (stay.first_night, stay.end_night) == (tonight, tonight + timedelta(days=1))
    assert stay.nights == 1
    assert stay.status == StayStatus.CHECKED_IN


def test_housing_programme_stay_is_open_ended_by_default(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson, tonight: date
) -> None:
    facility = make_facility(kind=FacilityKind.HOUSING_PROGRAMME)

    stay = check_in(ctx, facility, make_person())

    assert stay.first_night == tonight
    assert stay.end_night is None


def test_check_in_for_several_nights_covers_a_half_open_range(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson, tonight: date
) -> None:
    stay = check_in(ctx, make_facility(), make_person(), nights=3)

    assert (stay.first_night, stay.end_night) == (tonight, date(2026, 1, 18))


def test_check_in_after_midnight_belongs_to_the_night_that_began_the_evening_before(
    ctx: ServiceContext, clock: FakeClock, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    clock.set_local(2026, 1, 16, 2, 30)

    stay = check_in(ctx, make_facility(), make_person())

    assert stay.first_night == date(2026, 1, 15)


@pytest.mark.parametrize(
    ("offset", "nights"),
    [(-7, 1), (366, 1), (0, 366)],
    ids=["seven-nights-back", "a-year-ahead", "a-year-long"],
)
def test_check_in_accepts_nights_at_the_limits(
    ctx: ServiceContext,
    make_facility: MakeFacility,
    make_person: MakePerson,
    tonight: date,
    offset: int,
    nights: int,
) -> None:
    night = tonight + timedelta(days=offset)
    # A night shelter books at most 14 nights at once; the housing programme a year.
    kind = FacilityKind.HOUSING_PROGRAMME if nights > 14 else FacilityKind.NIGHT_SHELTER

    stay = check_in(ctx, make_facility(kind=kind), make_person(), night=night, nights=nights)

    assert (stay.first_night, stay.nights) == (night, nights)


@pytest.mark.parametrize(
    ("offset", "nights", "field"),
    [(-8, 1, "night"), (367, 1, "night"), (0, 0, "nights"), (0, 367, "nights")],
    ids=["eight-nights-back", "over-a-year-ahead", "no-night", "over-a-year-long"],
)
def test_check_in_refuses_nights_beyond_the_limits(
    ctx: ServiceContext,
    make_facility: MakeFacility,
    make_person: MakePerson,
    tonight: date,
    offset: int,
    nights: int,
    field: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_in(
            ctx,
            make_facility(),
            make_person(),
            night=tonight + timedelta(days=offset),
            nights=nights,
        )
    assert refused.value.params["field"] == field


# --- choosing the place --------------------------------------------------------------


def test_check_in_chooses_the_free_regular_place_with_the_lowest_position(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    facility = make_facility(places=3)
    check_in(ctx, facility, make_person(), place_label="1")

    stay = check_in(ctx, facility, make_person())

    assert stay.place.label == "2"


def test_check_in_takes_the_asked_for_place(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    stay = check_in(ctx, make_facility(places=3), make_person(), place_label="3")

    assert stay.place.label == "3"


def test_emergency_place_is_given_only_when_every_regular_place_is_taken(
    make_stay: MakeStay, ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    facility = make_facility(places=2, emergency=1)

    regular = [make_stay(facility) for _ in range(2)]
    last = check_in(ctx, facility, make_person())

    assert [stay.place.emergency for stay in regular] == [False, False]
    assert (last.place.label, last.place.emergency) == ("N1", True)


def test_asking_for_an_emergency_place_while_regular_places_are_free_is_refused(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    facility = make_facility(places=2, emergency=1)

    with pytest.raises(EmergencyPlaceNotOffered):
        check_in(ctx, facility, make_person(), place_label="N1")


def test_open_ended_stay_on_an_emergency_place_is_refused_while_regular_places_are_free(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    facility = make_facility(places=2, emergency=1, kind=FacilityKind.HOUSING_PROGRAMME)

    with pytest.raises(EmergencyPlaceNotOffered):
        check_in(ctx, facility, make_person(), place_label="N1")


def test_no_emergency_place_for_several_nights_while_a_regular_one_is_free_tonight(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson, tonight: date
) -> None:
    """Both regular places are booked from tomorrow on: none is free for three nights, yet
    both are free tonight, so the emergency place is not offered."""
    facility = make_facility(places=2, emergency=1)
    tomorrow = tonight + timedelta(days=1)
    for label in ("1", "2"):
        check_in(ctx, facility, make_person(), place_label=label, night=tomorrow)

    with pytest.raises(NoFreePlace):
        check_in(ctx, facility, make_person(), nights=3)
    with pytest.raises(EmergencyPlaceNotOffered):
        check_in(ctx, facility, make_person(), place_label="N1", nights=3)
    assert not check_in(ctx, facility, make_person()).place.emergency


def test_emergency_place_for_several_nights_once_every_regular_one_is_taken_tonight(
    make_stay: MakeStay, ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    facility = make_facility(places=2, emergency=1)
    for _ in range(2):
        make_stay(facility)

    assert check_in(ctx, facility, make_person(), nights=3).place.label == "N1"


def test_emergency_place_may_be_asked_for_once_every_regular_place_is_taken(
    make_stay: MakeStay, ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    facility = make_facility(places=1, emergency=1)
    for _ in range(1):
        make_stay(facility)

    stay = check_in(ctx, facility, make_person(), place_label="N1")

    assert stay.place.label == "N1"


def test_emergency_place_may_be_asked_for_in_a_winter_emergency(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    facility = make_facility(places=2, emergency=1)
    switch_winter_emergency(ctx, True)

    stay = check_in(ctx, facility, make_person(), place_label="N1")

    assert stay.place.label == "N1"


def test_check_in_in_a_full_facility_is_refused(
    make_stay: MakeStay, ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    facility = make_facility(places=2)
    for _ in range(2):
        make_stay(facility)

    with pytest.raises(NoFreePlace):
        check_in(ctx, facility, make_person())


def test_check_in_when_regular_and_emergency_places_are_all_taken_is_refused(
    make_stay: MakeStay, ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    facility = make_facility(places=1, emergency=1)
    for _ in range(2):
        make_stay(facility)

    with pytest.raises(NoFreePlace):
        check_in(ctx, facility, make_person())


def test_asking_for_a_taken_place_is_refused(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    facility = make_facility(places=2)
    check_in(ctx, facility, make_person(), place_label="1")

    with pytest.raises(PlaceTaken):
        check_in(ctx, facility, make_person(), place_label="1")


def test_a_place_taken_on_a_later_night_of_the_range_is_not_given(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson, tonight: date
) -> None:
    facility = make_facility(places=2)
    check_in(ctx, facility, make_person(), place_label="1", night=tonight + timedelta(days=2))

    with pytest.raises(PlaceTaken):
        check_in(ctx, facility, make_person(), place_label="1", nights=3)
    assert check_in(ctx, facility, make_person(), nights=3).place.label == "2"


def test_a_place_is_free_again_the_night_after_a_stay_ends(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson, tonight: date
) -> None:
    facility = make_facility(places=1)
    check_in(ctx, facility, make_person())

    stay = check_in(ctx, facility, make_person(), night=tonight + timedelta(days=1))

    assert stay.place.label == "1"


def test_asking_for_a_place_out_of_service_is_refused(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson, session: Session
) -> None:
    facility = make_facility(places=2)
    take_out_of_service(ctx, get_place(session, facility, "1"), reason="Wasserschaden")

    with pytest.raises(PlaceOutOfService):
        check_in(ctx, facility, make_person(), place_label="1")
    assert check_in(ctx, facility, make_person()).place.label == "2"


def test_asking_for_an_unknown_place_is_refused(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    with pytest.raises(NotFound):
        check_in(ctx, make_facility(places=2), make_person(), place_label="99")


# --- the person ----------------------------------------------------------------------


def test_a_person_cannot_be_checked_in_twice_for_the_same_night(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    person = make_person()
    check_in(ctx, make_facility(), person)

    with pytest.raises(AlreadyCheckedIn):
        check_in(ctx, make_facility(), person)


def test_a_stay_overlapping_a_later_one_of_the_same_person_is_refused(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson, tonight: date
) -> None:
    person = make_person()
    check_in(ctx, make_facility(), person, night=tonight + timedelta(days=2))

    with pytest.raises(AlreadyCheckedIn):
        check_in(ctx, make_facility(), person, nights=3)


def test_an_open_ended_stay_blocks_every_later_night_of_the_person(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson, tonight: date
) -> None:
    person = make_person()
    check_in(ctx, make_facility(kind=FacilityKind.HOUSING_PROGRAMME), person)

    with pytest.raises(AlreadyCheckedIn):
        check_in(ctx, make_facility(), person, night=tonight + timedelta(days=100))


def test_a_person_may_stay_the_next_night_elsewhere(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson, tonight: date
) -> None:
    person = make_person()
    check_in(ctx, make_facility(), person)

    stay = check_in(ctx, make_facility(), person, night=tonight + timedelta(days=1))

    assert stay.first_night == tonight + timedelta(days=1)


# --- target groups -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "gender"),
    [(TargetGroup.MEN, Gender.FEMALE), (TargetGroup.WOMEN, Gender.MALE)],
)
def test_shelter_for_one_gender_refuses_the_other(
    ctx: ServiceContext,
    make_facility: MakeFacility,
    make_person: MakePerson,
    group: TargetGroup,
    gender: Gender,
) -> None:
    with pytest.raises(WrongTargetGroup):
        check_in(ctx, make_facility(target_group=group), make_person(gender=gender))


@pytest.mark.parametrize(
    ("group", "gender"),
    [
        (TargetGroup.MEN, Gender.MALE),
        (TargetGroup.MEN, Gender.DIVERSE),
        (TargetGroup.MEN, Gender.UNKNOWN),
        (TargetGroup.WOMEN, Gender.FEMALE),
        (TargetGroup.WOMEN, Gender.DIVERSE),
        (TargetGroup.WOMEN, Gender.UNKNOWN),
        (TargetGroup.DRUG_USERS, Gender.FEMALE),
        (TargetGroup.DRUG_USERS, Gender.MALE),
    ],
)
def test_shelter_takes_everyone_not_clearly_outside_its_target_group(
    ctx: ServiceContext,
    make_facility: MakeFacility,
    make_person: MakePerson,
    group: TargetGroup,
    gender: Gender,
) -> None:
    stay = check_in(ctx, make_facility(target_group=group), make_person(gender=gender))

    assert stay.status == StayStatus.CHECKED_IN


# Tonight is in 2026: born in 2008 someone is 17 or 18, born in 1999 26 or 27.
@pytest.mark.parametrize("birth_year", [2008, 1999, None], ids=["17-or-18", "26-or-27", "unknown"])
def test_young_adults_shelter_takes_anyone_who_may_be_18_to_26(
    ctx: ServiceContext,
    make_facility: MakeFacility,
    make_person: MakePerson,
    birth_year: int | None,
) -> None:
    facility = make_facility(target_group=TargetGroup.YOUNG_ADULTS)

    stay = check_in(ctx, facility, make_person(birth_year=birth_year))

    assert stay.status == StayStatus.CHECKED_IN


@pytest.mark.parametrize("birth_year", [2009, 1998], ids=["16-or-17", "27-or-28"])
def test_young_adults_shelter_refuses_anyone_clearly_outside_18_to_26(
    ctx: ServiceContext,
    make_facility: MakeFacility,
    make_person: MakePerson,
    birth_year: int | None,
) -> None:
    facility = make_facility(target_group=TargetGroup.YOUNG_ADULTS)

    with pytest.raises(WrongTargetGroup):
        check_in(ctx, facility, make_person(birth_year=birth_year))


# --- facility status -----------------------------------------------------------------


def test_standby_facility_refuses_check_in_outside_a_winter_emergency(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    with pytest.raises(FacilityNotOffering):
        check_in(ctx, make_facility(status=FacilityStatus.STANDBY), make_person())


def test_standby_facility_takes_guests_in_a_winter_emergency(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    facility = make_facility(status=FacilityStatus.STANDBY)
    switch_winter_emergency(ctx, True)

    stay = check_in(ctx, facility, make_person())

    assert stay.status == StayStatus.CHECKED_IN


def test_closed_facility_refuses_check_in_even_in_a_winter_emergency(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    facility = make_facility(status=FacilityStatus.CLOSED)
    switch_winter_emergency(ctx, True)

    with pytest.raises(FacilityNotOffering):
        check_in(ctx, facility, make_person())
