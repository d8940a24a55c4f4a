"""Holds: a place kept tonight for someone on the way; it expires, or becomes their stay."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.audit.models import AuditEntry
from belegung.context import ServiceContext
from belegung.errors import (
    AlreadyCheckedIn,
    Banned,
    EmergencyPlaceNotOffered,
    FacilityNotOffering,
    HoldExpired,
    InvalidInput,
    InvalidState,
    NoFreePlace,
    PlaceOutOfService,
    PlaceTaken,
    WrongTargetGroup,
)
from belegung.facilities.models import Facility, FacilityStatus, TargetGroup
from belegung.persons.models import Gender
from belegung.stays.bans import impose_ban
from belegung.stays.holds import cancel_hold, convert_hold, create_hold, holds_for
from belegung.stays.models import BanKind, Stay, StayStatus
from belegung.stays.out_of_service import take_out_of_service
from belegung.stays.service import check_in, check_out
from belegung.winter.service import switch_winter_emergency
from tests.conftest import FakeClock
from tests.stays.conftest import Figures, MakeFacility, MakeHold, MakePerson


@pytest.fixture
def shelter(make_facility: MakeFacility) -> Facility:
    """A shelter with a single bed, so that a hold on it is visible everywhere."""
    return make_facility(places=1)


@pytest.fixture
def hold(shelter: Facility, make_hold: MakeHold) -> Stay:
    return make_hold(shelter, note="Wärmebus, Mann am Hbf", minutes=30)


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


# --- creating ------------------------------------------------------------------------


def test_hold_keeps_a_place_tonight_until_it_expires(
    ctx: ServiceContext, shelter: Facility, tonight: date
) -> None:
    hold = create_hold(ctx, shelter, note="  Wärmebus,\n Mann am   Hbf ", minutes=45)

    assert hold.status == StayStatus.HELD
    assert hold.person_id is None
    assert (hold.first_night, hold.end_night) == (tonight, tonight + timedelta(days=1))
    assert hold.hold_expires_at == ctx.now() + timedelta(minutes=45)
    assert hold.hold_note == "Wärmebus, Mann am Hbf"


def test_hold_lasts_the_default_minutes_unless_told(ctx: ServiceContext, shelter: Facility) -> None:
    hold = create_hold(ctx, shelter)

    assert hold.hold_expires_at == ctx.now() + timedelta(minutes=ctx.hold_minutes_default)
    assert ctx.hold_minutes_default == 60


def test_hold_may_last_up_to_three_hours(ctx: ServiceContext, shelter: Facility) -> None:
    hold = create_hold(ctx, shelter, minutes=180)

    assert hold.hold_expires_at == ctx.now() + timedelta(hours=3)


@pytest.mark.parametrize("minutes", [0, 181])
def test_hold_outside_one_minute_to_three_hours_is_refused(
    ctx: ServiceContext, shelter: Facility, minutes: int
) -> None:
    with pytest.raises(InvalidInput):
        create_hold(ctx, shelter, minutes=minutes)


def test_hold_takes_the_free_regular_place_with_the_lowest_position(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    facility = make_facility(places=3, emergency=1)
    check_in(ctx, facility, make_person(), place_label="1")

    assert create_hold(ctx, facility).place.label == "2"


def test_hold_on_an_emergency_place_is_refused_while_regular_places_are_free(
    ctx: ServiceContext, make_facility: MakeFacility
) -> None:
    with pytest.raises(EmergencyPlaceNotOffered):
        create_hold(ctx, make_facility(places=1, emergency=1), place_label="N1")


def test_standby_facility_refuses_holds_outside_a_winter_emergency(
    ctx: ServiceContext, make_facility: MakeFacility
) -> None:
    standby = make_facility(status=FacilityStatus.STANDBY)

    with pytest.raises(FacilityNotOffering):
        create_hold(ctx, standby)
    switch_winter_emergency(ctx, True)
    assert create_hold(ctx, standby).status == StayStatus.HELD


def test_live_holds_are_listed_for_the_night_board(
    ctx: ServiceContext, make_facility: MakeFacility, tonight: date
) -> None:
    facility = make_facility(places=3)
    later = create_hold(ctx, facility, minutes=90)
    sooner = create_hold(ctx, facility, minutes=20)
    cancel_hold(ctx, create_hold(ctx, facility).id)

    assert holds_for(ctx.session, facility, tonight, ctx.now()) == [sooner, later]


def test_expired_hold_is_no_longer_listed_for_the_night_board(
    ctx: ServiceContext, clock: FakeClock, shelter: Facility, hold: Stay, tonight: date
) -> None:
    clock.advance(minutes=31)

    assert holds_for(ctx.session, shelter, tonight, ctx.now()) == []


# --- a live hold blocks the place ----------------------------------------------------


def test_live_hold_makes_the_place_unavailable(
    ctx: ServiceContext, shelter: Facility, hold: Stay, make_person: MakePerson, figures: Figures
) -> None:
    with pytest.raises(NoFreePlace):
        check_in(ctx, shelter, make_person())
    with pytest.raises(PlaceTaken):
        check_in(ctx, shelter, make_person(), place_label="1")
    counts = figures(shelter)
    assert (counts.held, counts.occupied, counts.free) == (1, 0, 0)


@pytest.mark.parametrize("minutes", [30, 31], ids=["at-expiry", "after-expiry"])
def test_expired_hold_frees_the_place_for_check_in(
    ctx: ServiceContext,
    clock: FakeClock,
    shelter: Facility,
    hold: Stay,
    make_person: MakePerson,
    minutes: int,
) -> None:
    clock.advance(minutes=minutes)

    stay = check_in(ctx, shelter, make_person())

    assert stay.place_id == hold.place_id
    assert hold.status == StayStatus.EXPIRED


def test_expired_hold_is_not_counted_even_before_housekeeping_marks_it(
    ctx: ServiceContext, clock: FakeClock, shelter: Facility, hold: Stay, figures: Figures
) -> None:
    clock.advance(minutes=30)

    counts = figures(shelter)

    assert hold.status == StayStatus.HELD
    assert (counts.held, counts.free) == (0, 1)


# --- converting ----------------------------------------------------------------------


def test_converted_hold_becomes_the_persons_stay_on_the_held_place(
    ctx: ServiceContext, hold: Stay, make_person: MakePerson, tonight: date
) -> None:
    person = make_person()
    place_id = hold.place_id

    stay = convert_hold(ctx, hold.id, person, nights=2)

    assert stay.id == hold.id
    assert (stay.status, stay.person_id, stay.place_id) == (
        StayStatus.CHECKED_IN,
        person.id,
        place_id,
    )
    assert (stay.first_night, stay.end_night) == (tonight, tonight + timedelta(days=2))
    assert stay.checked_in_at == ctx.now()


def test_a_hold_made_before_the_day_boundary_is_for_the_night_it_runs_out_in(
    ctx: ServiceContext,
    clock: FakeClock,
    shelter: Facility,
    make_person: MakePerson,
    figures: Figures,
    tonight: date,
) -> None:
    """At 11:40 the night of the 15th is ending; a hold for an hour brings someone for the
    night of the 16th, and converted at 12:20 it is their stay for that night."""
    clock.set_local(2026, 1, 16, 11, 40)
    hold = create_hold(ctx, shelter, minutes=60)
    assert hold.first_night == tonight + timedelta(days=1)
    short = create_hold(ctx, shelter, minutes=10)  # same bed, the ending night
    assert short.first_night == tonight

    clock.set_local(2026, 1, 16, 12, 20)
    stay = convert_hold(ctx, hold.id, make_person())

    assert (stay.first_night, stay.end_night) == (
        tonight + timedelta(days=1),
        tonight + timedelta(days=2),
    )
    assert figures(shelter).occupied == 1


def test_a_guest_who_arrived_in_the_late_morning_may_leave_before_the_night(
    ctx: ServiceContext,
    clock: FakeClock,
    shelter: Facility,
    make_person: MakePerson,
    figures: Figures,
    tonight: date,
) -> None:
    clock.set_local(2026, 1, 16, 11, 30)
    stay = convert_hold(ctx, create_hold(ctx, shelter, minutes=60).id, make_person())
    clock.set_local(2026, 1, 16, 11, 50)

    assert check_out(ctx, stay.id).status == StayStatus.CANCELLED
    assert figures(shelter, tonight + timedelta(days=1)).free == 1


@pytest.mark.parametrize("minutes", [30, 31], ids=["at-expiry", "after-expiry"])
def test_converting_an_expired_hold_is_refused(
    ctx: ServiceContext, clock: FakeClock, hold: Stay, make_person: MakePerson, minutes: int
) -> None:
    clock.advance(minutes=minutes)

    with pytest.raises(HoldExpired):
        convert_hold(ctx, hold.id, make_person())
    assert hold.status == StayStatus.EXPIRED
    with pytest.raises(HoldExpired):
        convert_hold(ctx, hold.id, make_person())


def test_converting_a_cancelled_hold_is_refused(
    ctx: ServiceContext, hold: Stay, make_person: MakePerson
) -> None:
    cancel_hold(ctx, hold.id)

    with pytest.raises(InvalidState):
        convert_hold(ctx, hold.id, make_person())


def test_converting_a_hold_twice_is_refused(
    ctx: ServiceContext, hold: Stay, make_person: MakePerson
) -> None:
    convert_hold(ctx, hold.id, make_person())

    with pytest.raises(InvalidState):
        convert_hold(ctx, hold.id, make_person())


def test_converting_for_nights_on_which_the_place_is_booked_is_refused(
    ctx: ServiceContext,
    shelter: Facility,
    hold: Stay,
    make_person: MakePerson,
    tonight: date,
) -> None:
    check_in(ctx, shelter, make_person(), night=tonight + timedelta(days=1))

    with pytest.raises(PlaceTaken):
        convert_hold(ctx, hold.id, make_person(), nights=3)
    assert hold.status == StayStatus.HELD


def test_converting_for_nights_on_which_the_place_is_out_of_service_is_refused(
    ctx: ServiceContext, hold: Stay, make_person: MakePerson, tonight: date
) -> None:
    take_out_of_service(ctx, hold.place, reason="Maler", first_night=tonight + timedelta(days=1))

    with pytest.raises(PlaceOutOfService):
        convert_hold(ctx, hold.id, make_person(), nights=2)


def test_converting_for_a_person_of_another_target_group_is_refused(
    ctx: ServiceContext, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    women_only = make_facility(target_group=TargetGroup.WOMEN)
    hold = create_hold(ctx, women_only)

    with pytest.raises(WrongTargetGroup):
        convert_hold(ctx, hold.id, make_person(gender=Gender.MALE))


def test_converting_for_a_banned_person_is_refused(
    ctx: ServiceContext, shelter: Facility, hold: Stay, make_person: MakePerson
) -> None:
    person = make_person()
    impose_ban(ctx, person, shelter, kind=BanKind.DANGER, reason="Messer gezogen")

    with pytest.raises(Banned):
        convert_hold(ctx, hold.id, person)


def test_converting_for_a_person_already_checked_in_elsewhere_is_refused(
    ctx: ServiceContext, hold: Stay, make_facility: MakeFacility, make_person: MakePerson
) -> None:
    person = make_person()
    check_in(ctx, make_facility(), person)

    with pytest.raises(AlreadyCheckedIn):
        convert_hold(ctx, hold.id, person)


# --- cancelling ----------------------------------------------------------------------


def test_cancelled_hold_frees_the_place(
    ctx: ServiceContext, shelter: Facility, hold: Stay, make_person: MakePerson
) -> None:
    cancel_hold(ctx, hold.id)

    assert hold.status == StayStatus.CANCELLED
    assert check_in(ctx, shelter, make_person()).place_id == hold.place_id


def test_cancelling_a_hold_twice_changes_nothing(
    ctx: ServiceContext, hold: Stay, session: Session
) -> None:
    cancel_hold(ctx, hold.id)

    again = cancel_hold(ctx, hold.id)

    assert again.status == StayStatus.CANCELLED
    assert audit_actions(session).count("hold.cancel") == 1


def test_cancelling_a_hold_after_it_expired_leaves_it_a_no_show(
    ctx: ServiceContext, clock: FakeClock, hold: Stay
) -> None:
    clock.advance(minutes=31)

    assert cancel_hold(ctx, hold.id).status == StayStatus.EXPIRED


def test_cancelling_a_converted_hold_is_refused(
    ctx: ServiceContext, hold: Stay, make_person: MakePerson
) -> None:
    convert_hold(ctx, hold.id, make_person())

    with pytest.raises(InvalidState):
        cancel_hold(ctx, hold.id)
    assert hold.status == StayStatus.CHECKED_IN
