"""The checks every claim of a person passes: which nights, whether the facility takes
anyone now, whether it is meant for the person, whether the person sleeps elsewhere."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.context import ServiceContext
from belegung.db import on_night
from belegung.errors import (
    AlreadyCheckedIn,
    FacilityNotOffering,
    InvalidInput,
    PossibleDuplicate,
    WrongTargetGroup,
)
from belegung.facilities.models import Facility, FacilityKind, FacilityStatus, TargetGroup
from belegung.facilities.service import offers_places
from belegung.limits import BACKFILL_DAYS, MAX_NIGHTS, YOUNG_ADULT_AGES
from belegung.persons.models import Gender, Person
from belegung.persons.service import name_key
from belegung.stays.models import Stay, StayStatus, person_elsewhere_clause
from belegung.winter.service import winter_state


def check_nights(nights: int) -> None:
    """A stay, extension or override covers 1 to MAX_NIGHTS nights."""
    if not 1 <= nights <= MAX_NIGHTS:
        raise InvalidInput(field="nights", reason="between", low=1, high=MAX_NIGHTS)


def check_nights_per_call(ctx: ServiceContext, facility: Facility, nights: int) -> None:
    """A night shelter books at most `ctx.nights_per_call` nights in one call (a check-in,
    a converted hold, an extension): its beds are for the coming nights, not a lease. The
    housing programme is open-ended."""
    if facility.kind != FacilityKind.HOUSING_PROGRAMME and nights > ctx.nights_per_call:
        raise InvalidInput(field="nights", reason="nights_per_call", max=ctx.nights_per_call)


def nights_range(
    ctx: ServiceContext, facility: Facility, night: date | None, nights: int | None
) -> tuple[date, date | None]:
    """The nights [first, end) a check-in asks for: from `night` (default tonight), at most
    BACKFILL_DAYS back and a year ahead; one night in a shelter unless told otherwise,
    open-ended in the housing programme."""
    tonight = ctx.tonight()
    first = night or tonight
    if first < tonight - timedelta(days=BACKFILL_DAYS):
        raise InvalidInput(field="night", reason="backfill_limit", days=BACKFILL_DAYS)
    if first > tonight + timedelta(days=MAX_NIGHTS):
        raise InvalidInput(field="night", reason="too_far_ahead")
    if nights is None:
        if facility.kind == FacilityKind.HOUSING_PROGRAMME:
            return first, None
        nights = 1
    check_nights(nights)
    check_nights_per_call(ctx, facility, nights)
    return first, first + timedelta(days=nights)


def require_offering(
    session: Session,
    facility: Facility,
    *,
    held: bool = False,
    winter_active: bool | None = None,
) -> bool:
    """Refuse a facility that takes nobody now (closed; standby outside a winter
    emergency). Returns whether a winter emergency is active (`winter_active`: as the
    caller read it in this transaction; else it is read here).

    `held`: the guest arrives on a live hold. A standby facility keeps its word after an
    emergency ended: the place held during it is given until the hold expires."""
    if winter_active is None:
        winter_active = winter_state(session).active
    if held and facility.status == FacilityStatus.STANDBY:
        return winter_active
    if not offers_places(facility, winter_active):
        raise FacilityNotOffering(facility=facility.name)
    return winter_active


def check_target_group(facility: Facility, person: Person, night: date) -> None:
    """Refuse only what is clearly wrong; an unknown gender or birth year is staff's call.

    No check for the drug-user shelter: belegung keeps no health data.
    """
    group = facility.target_group
    if group == TargetGroup.MEN and person.gender == Gender.FEMALE:
        raise WrongTargetGroup(facility=facility.name, reason="men_only")
    if group == TargetGroup.WOMEN and person.gender == Gender.MALE:
        raise WrongTargetGroup(facility=facility.name, reason="women_only")
    if group == TargetGroup.YOUNG_ADULTS and person.birth_year is not None:
        # With only the year of birth, the age on `night` is one of two values.
        oldest = night.year - person.birth_year
        youngest = oldest - 1
        low, high = YOUNG_ADULT_AGES
        if oldest < low or youngest >= high:
            raise WrongTargetGroup(facility=facility.name, reason="age")


def check_person_free(
    session: Session, person: Person, first: date, end: date | None, *, besides: int | None = None
) -> None:
    """Refuse a person who already sleeps somewhere on one of the nights."""
    elsewhere = person_elsewhere_clause(person.id, first, end, besides=besides)
    if session.scalar(sa.select(elsewhere)):
        raise AlreadyCheckedIn()


# pg_advisory_xact_lock's class for new guests of one name and year at one facility.
DUPLICATES_LOCK_CLASS = 0x647570


def refuse_possible_duplicate(
    session: Session, facility: Facility, name: str, birth_year: int | None, night: date
) -> None:
    """Refuse a new person whose name (as search folds it) and year of birth are those of
    a guest checked in at the facility that night: a check-in sent twice (a tablet that
    lost the answer), or the guest registered again by a colleague. The caller confirms a
    namesake explicitly (`confirm_new_person`). Without a year of birth a name alone
    ("Gast", an alias) says too little: no question is asked.

    Two sends of one new guest at the same moment take turns on a lock of this facility,
    name and year (PostgreSQL; SQLite's write lock serialises anyway): the second asks
    after the first has committed its stay, and other check-ins don't wait for it."""
    key = name_key(name)
    if not key or birth_year is None:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:cls, hashtext(:key))"),
            {"cls": DUPLICATES_LOCK_CLASS, "key": f"{facility.id}:{birth_year}:{key}"},
        )
    twin = session.scalar(
        sa.select(Stay)
        .join(Person, Stay.person_id == Person.id)
        .where(
            Stay.facility_id == facility.id,
            Stay.status == StayStatus.CHECKED_IN,
            on_night(Stay.first_night, Stay.end_night, night),
            Person.name_key == key,
            Person.birth_year == birth_year,
        )
        .order_by(Stay.id)
        .limit(1)
    )
    if twin is not None:
        person = twin.person
        raise PossibleDuplicate(
            twin,
            name=person.name if person is not None else name,
            birth_year=birth_year,
            place=twin.place.label,
        )
