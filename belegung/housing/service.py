"""The housing programme's rules: apartments (create, places, block, hand back),
households and their members, and placements (move-in, move-out, a move to another
apartment, a member leaving or joining).

Every place a member gets is a claim through stays.claims (the exclusion constraint is
the guarantee, claims in the facility take turns); what is occupied is read from those
claims (housing.occupancy). Services only flush; the caller's unit of work commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.audit.service import record
from belegung.context import ServiceContext
from belegung.errors import (
    ApartmentBlocked,
    ApartmentTaken,
    InvalidInput,
    InvalidState,
    NoRoom,
    NotFound,
    PlaceTaken,
)
from belegung.facilities.models import Facility, OutOfService, Place, Unit, UnitKind
from belegung.facilities.service import get_facility
from belegung.housing.models import (
    Apartment,
    ApartmentStatus,
    Household,
    HouseholdMember,
    Outcome,
    Placement,
    PlacementStay,
)
from belegung.housing.occupancy import state_of
from belegung.limits import (
    HOUSEHOLD_MEMBERS_MAX,
    HOUSEHOLD_NOTE_MAX,
    HOUSING_BACKFILL_DAYS,
    MAX_NIGHTS,
    REASON_MAX,
)
from belegung.persons.models import HouseholdType, Person
from belegung.stays.claims import claim_place, claims_changed, lock_facility_claims
from belegung.stays.models import Stay, StayStatus
from belegung.stays.out_of_service import return_to_service, take_out_of_service

# The housing programme's facility (DESIGN.md's Dortmund preset).
WVP = "wvp"


def programme(session: Session) -> Facility:
    return get_facility(session, WVP)


# --- look-ups ------------------------------------------------------------------------


def get_apartment(session: Session, apartment_id: int) -> Apartment:
    apartment = session.get(Apartment, apartment_id)
    if apartment is None:
        raise NotFound(what="apartment")
    return apartment


def get_household(session: Session, household_id: int) -> Household:
    household = session.get(Household, household_id)
    if household is None:
        raise NotFound(what="household")
    return household


def get_placement(session: Session, placement_id: int) -> Placement:
    placement = session.get(Placement, placement_id)
    if placement is None:
        raise NotFound(what="placement")
    return placement


def current_placement(session: Session, household: Household) -> Placement | None:
    """The household's placement that has not ended (a move-out may still lie ahead)."""
    return session.scalar(
        sa.select(Placement)
        .where(Placement.household_id == household.id)
        .order_by(Placement.first_night.desc(), Placement.id.desc())
        .limit(1)
    )


def stays_of(session: Session, placement: Placement) -> Sequence[Stay]:
    """The stays (one per member and place) a placement consists of."""
    return session.scalars(
        sa.select(Stay)
        .join(PlacementStay, PlacementStay.stay_id == Stay.id)
        .where(PlacementStay.placement_id == placement.id)
        .order_by(Stay.id)
    ).all()


def placements_of_apartment(session: Session, apartment: Apartment) -> Sequence[Placement]:
    return session.scalars(
        sa.select(Placement)
        .where(Placement.apartment_id == apartment.id)
        .order_by(Placement.first_night.desc(), Placement.id.desc())
    ).all()


def check_day(ctx: ServiceContext, day: date, field: str) -> date:
    """A move's date: up to HOUSING_BACKFILL_DAYS back, up to a year ahead."""
    today = ctx.tonight()
    low, high = today - timedelta(days=HOUSING_BACKFILL_DAYS), today + timedelta(days=MAX_NIGHTS)
    if not low <= day <= high:
        raise InvalidInput(
            field=field, reason="between", low=low.isoformat(), high=high.isoformat()
        )
    return day


# --- apartments ----------------------------------------------------------------------


@dataclass(frozen=True)
class ApartmentFields:
    """An apartment's own fields (places and status have rules of their own)."""

    number: str
    address: str
    district: str | None = None
    landlord: str | None = None
    floor: int | None = None
    rooms: Decimal | None = None
    area_m2: Decimal | None = None
    step_free: bool = False
    shared: bool = False
    lease_start: date | None = None
    lease_end: date | None = None


FIELD_NAMES = (
    "address", "district", "landlord", "floor", "rooms", "area_m2", "step_free", "shared",
    "lease_start", "lease_end",
)  # fmt: skip


def create_apartment(
    ctx: ServiceContext, facility: Facility, fields: ApartmentFields, places: int
) -> Apartment:
    """A new apartment: a unit of the facility with `places` places."""
    position = ctx.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(Unit.position), 0)).where(
            Unit.facility_id == facility.id
        )
    )
    unit = Unit(
        facility_id=facility.id,
        label=fields.number,
        kind=UnitKind.APARTMENT,
        address=fields.address,
        position=int(position or 0) + 1,
    )
    ctx.session.add(unit)
    ctx.session.flush()
    apartment = Apartment(
        id=unit.id,
        number=fields.number,
        status=ApartmentStatus.AVAILABLE,
        created_at=ctx.now(),
        **{name: getattr(fields, name) for name in FIELD_NAMES},
    )
    apartment.unit = unit
    ctx.session.add(apartment)
    ctx.session.flush()
    set_places(ctx, apartment, places)
    record(ctx, "housing.apartment_create", "apartment", apartment.id, facility_id=facility.id)
    return apartment


def update_apartment(ctx: ServiceContext, apartment: Apartment, changes: dict[str, object]) -> None:
    for name, value in changes.items():
        if name not in FIELD_NAMES:
            raise ValueError(name)
        setattr(apartment, name, value)
    if "address" in changes:
        apartment.unit.address = apartment.address
    apartment.updated_at = ctx.now()
    ctx.session.flush()
    record(ctx, "housing.apartment_update", "apartment", apartment.id, fields=sorted(changes))


def _place_position(session: Session, facility_id: int) -> int:
    return int(
        session.scalar(
            sa.select(sa.func.coalesce(sa.func.max(Place.position), 0)).where(
                Place.facility_id == facility_id
            )
        )
        or 0
    )


def set_places(ctx: ServiceContext, apartment: Apartment, count: int) -> None:
    """Give the apartment `count` places: new ones are added; surplus ones are removed from
    the end, only if nobody ever had them (a place with history stays, refused)."""
    unit = apartment.unit
    places = list(unit.places)
    if count > len(places):
        position = _place_position(ctx.session, unit.facility_id)
        taken = {p.label for p in places}
        index = 0
        for _ in range(count - len(places)):
            index += 1
            while f"{apartment.number}-{index}" in taken:
                index += 1
            position += 1
            place = Place(
                facility_id=unit.facility_id,
                unit_id=unit.id,
                label=f"{apartment.number}-{index}",
                position=position,
            )
            ctx.session.add(place)
            unit.places.append(place)
        ctx.session.flush()
    elif count < len(places):
        surplus = places[count:]
        used = set(
            ctx.session.scalars(
                sa.select(Stay.place_id).where(Stay.place_id.in_([p.id for p in surplus]))
            )
        )
        if used:
            raise InvalidState(reason="places_in_use")
        for place in surplus:
            ctx.session.execute(sa.delete(OutOfService).where(OutOfService.place_id == place.id))
            unit.places.remove(place)
            ctx.session.delete(place)
        ctx.session.flush()
    claims_changed(ctx, unit.facility_id)


def _clean_reason(reason: str | None) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise InvalidInput(field="reason", reason="reason_missing")
    if len(text) > REASON_MAX:
        raise InvalidInput(field="reason", reason="at_most_chars", max=REASON_MAX)
    return text


def _end_blocks(ctx: ServiceContext, apartment: Apartment, day: date) -> None:
    """Return the apartment's places to service from `day` (periods not begun go)."""
    place_ids = [p.id for p in apartment.unit.places]
    periods = ctx.session.scalars(
        sa.select(OutOfService).where(
            OutOfService.place_id.in_(place_ids),
            sa.or_(OutOfService.end_night.is_(None), OutOfService.end_night > day),
        )
    ).all()
    for period in periods:
        return_to_service(ctx, period.id, from_night=max(day, period.first_night))


def block_apartment(
    ctx: ServiceContext,
    apartment: Apartment,
    reason: str | None,
    first: date | None = None,
    until: date | None = None,
) -> Apartment:
    """Block an apartment (damage, renovation) for [first, until) — open-ended without
    `until`: its places go out of service, so that nobody is placed there, and the
    figures count it as blocked. Refused while someone lives there in that period."""
    text = _clean_reason(reason)
    if apartment.status == ApartmentStatus.HANDED_BACK:
        raise InvalidState(reason="handed_back")
    first = first or ctx.tonight()
    if until is not None and until <= first:
        raise InvalidInput(field="until", reason="end_before_first")
    if apartment.status == ApartmentStatus.BLOCKED:
        _end_blocks(ctx, apartment, ctx.tonight())
    for place in apartment.unit.places:
        take_out_of_service(ctx, place, reason=text, first_night=first, end_night=until)
    apartment.status = ApartmentStatus.BLOCKED
    apartment.blocked_reason = text
    apartment.blocked_from = first
    apartment.blocked_until = until
    apartment.updated_at = ctx.now()
    ctx.session.flush()
    record(ctx, "housing.apartment_block", "apartment", apartment.id)
    return apartment


def unblock_apartment(ctx: ServiceContext, apartment: Apartment, day: date | None = None) -> None:
    """Offer a blocked (or handed back) apartment again from `day` (default today)."""
    if apartment.status == ApartmentStatus.AVAILABLE:
        raise InvalidState(reason="not_blocked")
    _end_blocks(ctx, apartment, day or ctx.tonight())
    apartment.status = ApartmentStatus.AVAILABLE
    apartment.blocked_reason = None
    apartment.blocked_from = None
    apartment.blocked_until = None
    apartment.updated_at = ctx.now()
    ctx.session.flush()
    record(ctx, "housing.apartment_unblock", "apartment", apartment.id)


def hand_back(ctx: ServiceContext, apartment: Apartment, day: date | None = None) -> None:
    """The apartment goes back to its landlord from `day`: never offered again, kept for
    the history. Refused while a household lives there then."""
    if apartment.status == ApartmentStatus.HANDED_BACK:
        raise InvalidState(reason="handed_back")
    day = day or ctx.tonight()
    if apartment.status == ApartmentStatus.BLOCKED:
        _end_blocks(ctx, apartment, day)
    for place in apartment.unit.places:
        take_out_of_service(ctx, place, reason="zurückgegeben", first_night=day)
    apartment.status = ApartmentStatus.HANDED_BACK
    apartment.blocked_reason = None
    apartment.blocked_from = day
    apartment.blocked_until = None
    apartment.updated_at = ctx.now()
    ctx.session.flush()
    record(ctx, "housing.apartment_hand_back", "apartment", apartment.id)


# --- households ----------------------------------------------------------------------


def _sync_persons(household: Household) -> None:
    """Keep each member's household type and size (the federal statistic reads them from
    the person) in step with the household."""
    size = household.size
    for person in household.members:
        person.household_type = household.type
        person.household_size = max(size, 1)


def _present_membership(session: Session, person: Person) -> HouseholdMember | None:
    return session.scalar(
        sa.select(HouseholdMember).where(
            HouseholdMember.person_id == person.id, HouseholdMember.left_on.is_(None)
        )
    )


def create_household(
    ctx: ServiceContext,
    household_type: HouseholdType,
    members: Sequence[Person],
    note: str | None = None,
) -> Household:
    if not members:
        raise InvalidInput(field="members", reason="household_empty")
    if len(members) > HOUSEHOLD_MEMBERS_MAX:
        raise InvalidInput(field="members", reason="at_most_members", max=HOUSEHOLD_MEMBERS_MAX)
    if len({p.id for p in members}) != len(members):
        raise InvalidInput(field="members", reason="member_twice")
    for person in members:
        if _present_membership(ctx.session, person) is not None:
            raise InvalidState(reason="in_other_household")
    note = " ".join((note or "").split()) or None
    if note is not None and len(note) > HOUSEHOLD_NOTE_MAX:
        raise InvalidInput(field="note", reason="at_most_chars", max=HOUSEHOLD_NOTE_MAX)
    household = Household(
        type=household_type, note=note, created_at=ctx.now(), created_by_id=ctx.actor.user_id
    )
    ctx.session.add(household)
    ctx.session.flush()
    today = ctx.tonight()
    for person in members:
        member = HouseholdMember(household_id=household.id, person_id=person.id, joined_on=today)
        member.person = person
        household.memberships.append(member)
    ctx.session.flush()
    _sync_persons(household)
    record(ctx, "housing.household_create", "household", household.id, size=household.size)
    return household


def update_household(
    ctx: ServiceContext,
    household: Household,
    household_type: HouseholdType | None = None,
    note: str | None = None,
) -> Household:
    if household_type is not None:
        household.type = household_type
    if note is not None:
        cleaned = " ".join(note.split()) or None
        if cleaned is not None and len(cleaned) > HOUSEHOLD_NOTE_MAX:
            raise InvalidInput(field="note", reason="at_most_chars", max=HOUSEHOLD_NOTE_MAX)
        household.note = cleaned
    _sync_persons(household)
    ctx.session.flush()
    record(ctx, "housing.household_update", "household", household.id)
    return household


# --- placements ----------------------------------------------------------------------


def _open(placement: Placement | None, day: date) -> bool:
    return placement is not None and (placement.end_night is None or placement.end_night > day)


def _claim_places(
    ctx: ServiceContext,
    placement: Placement,
    persons: Sequence[Person],
    places: Sequence[Place],
    first: date,
) -> None:
    now = ctx.now()
    for person, place in zip(persons, places, strict=False):

        def make(place: Place = place, person: Person = person) -> Stay:
            return Stay(
                facility_id=place.facility_id,
                place_id=place.id,
                place=place,
                person_id=person.id,
                first_night=first,
                end_night=None,
                status=StayStatus.CHECKED_IN,
                created_at=now,
                created_by_id=ctx.actor.user_id,
                checked_in_at=now,
            )

        try:
            stay = claim_place(ctx, place, first, None, make)
        except PlaceTaken:
            raise ApartmentTaken(apartment=placement.apartment.number) from None
        ctx.session.add(PlacementStay(stay_id=stay.id, placement_id=placement.id))
    ctx.session.flush()


def _check_apartment(
    ctx: ServiceContext, facility: Facility, apartment: Apartment, size: int, first: date
) -> list[Place]:
    """The places a household of `size` gets in the apartment from `first`, or why not."""
    if apartment.status == ApartmentStatus.HANDED_BACK or (
        apartment.status == ApartmentStatus.BLOCKED
        and (apartment.blocked_until is None or apartment.blocked_until > first)
    ):
        raise ApartmentBlocked(apartment=apartment.number)
    if apartment.lease_end is not None and apartment.lease_end <= first:
        raise ApartmentBlocked(apartment=apartment.number)
    state = state_of(ctx.session, facility, apartment, first, None)
    if state.claimed and (not apartment.shared or size > 1):
        raise ApartmentTaken(apartment=apartment.number)
    free = state.free_places
    if len(free) < size:
        raise NoRoom(apartment=apartment.number, free=len(free), size=size)
    return free[:size]


def move_in(
    ctx: ServiceContext,
    household: Household,
    apartment: Apartment,
    first: date,
    *,
    previous: Placement | None = None,
) -> Placement:
    """Place a household into an apartment from `first`: each present member on a place.

    Refused if the apartment is blocked (ApartmentBlocked), another household lives there
    and it is not shared between single adults (ApartmentTaken), or it lacks places
    (NoRoom); a concurrent placement that won a place first is ApartmentTaken too.
    """
    facility = programme(ctx.session)
    if apartment.unit.facility_id != facility.id:
        raise NotFound(what="apartment")
    members = household.members
    if not members:
        raise InvalidState(reason="household_empty")
    if previous is None and _open(current_placement(ctx.session, household), first):
        raise InvalidState(reason="household_placed")
    # Take turns with every other claim in the programme, then look.
    lock_facility_claims(ctx.session, facility.id)
    places = _check_apartment(ctx, facility, apartment, len(members), first)
    placement = Placement(
        household_id=household.id,
        apartment_id=apartment.id,
        first_night=first,
        previous_id=previous.id if previous is not None else None,
        created_at=ctx.now(),
        created_by_id=ctx.actor.user_id,
    )
    placement.household = household
    placement.apartment = apartment
    ctx.session.add(placement)
    ctx.session.flush()
    _claim_places(ctx, placement, members, places, first)
    _sync_persons(household)
    record(
        ctx,
        "housing.move_in",
        "placement",
        placement.id,
        facility_id=facility.id,
        apartment=apartment.id,
        household=household.id,
    )
    return placement


def _end_stays(ctx: ServiceContext, stays: Sequence[Stay], day: date) -> None:
    now = ctx.now()
    for stay in stays:
        if stay.status not in (StayStatus.CHECKED_IN, StayStatus.CHECKED_OUT):
            continue
        if stay.end_night is not None and stay.end_night <= day:
            continue
        if stay.first_night >= day:
            # Not begun by then: it never happens.
            stay.status = StayStatus.CANCELLED
        else:
            stay.end_night = day
            stay.status = StayStatus.CHECKED_OUT
            stay.checked_out_at = now
    ctx.session.flush()


def _end_placement(
    ctx: ServiceContext, placement: Placement, day: date, outcome: Outcome | None
) -> None:
    if placement.end_night is not None:
        raise InvalidState(reason="placement_ended")
    if day <= placement.first_night:
        raise InvalidInput(field="date", reason="after_move_in")
    lock_facility_claims(ctx.session, placement.apartment.unit.facility_id)
    _end_stays(ctx, stays_of(ctx.session, placement), day)
    placement.end_night = day
    placement.outcome = outcome
    placement.moved_out_at = ctx.now()
    ctx.session.flush()
    claims_changed(ctx, placement.apartment.unit.facility_id)


def move_out(ctx: ServiceContext, placement: Placement, day: date, outcome: Outcome) -> Placement:
    """The household moves out on `day` (its last night the one before) to `outcome`."""
    _end_placement(ctx, placement, day, outcome)
    record(
        ctx,
        "housing.move_out",
        "placement",
        placement.id,
        facility_id=placement.apartment.unit.facility_id,
        outcome=outcome.value,
    )
    return placement


def move(ctx: ServiceContext, placement: Placement, apartment: Apartment, day: date) -> Placement:
    """The household moves to another apartment on `day`: this placement ends (without an
    outcome: the household stays in the programme) and the next begins."""
    if apartment.id == placement.apartment_id:
        raise InvalidInput(field="apartment", reason="same_apartment")
    _end_placement(ctx, placement, day, None)
    new = move_in(ctx, placement.household, apartment, day, previous=placement)
    record(ctx, "housing.move", "placement", new.id, previous=placement.id)
    return new


def member_leaves(ctx: ServiceContext, household: Household, person: Person, day: date) -> None:
    """A member leaves the household on `day`; their place in its apartment is free from
    then on. The last member doesn't leave: the household moves out."""
    membership = next(
        (m for m in household.memberships if m.person_id == person.id and m.left_on is None), None
    )
    if membership is None:
        raise NotFound(what="member")
    if household.size <= 1:
        raise InvalidState(reason="last_member")
    membership.left_on = day
    placement = current_placement(ctx.session, household)
    if placement is not None and _open(placement, day):
        lock_facility_claims(ctx.session, placement.apartment.unit.facility_id)
        stays = stays_of(ctx.session, placement)
        _end_stays(ctx, [s for s in stays if s.person_id == person.id], day)
        claims_changed(ctx, placement.apartment.unit.facility_id)
    ctx.session.flush()
    ctx.session.expire(household, ["memberships"])
    _sync_persons(household)
    person.household_size = 1
    record(ctx, "housing.member_leave", "household", household.id, person=person.id)


def member_joins(ctx: ServiceContext, household: Household, person: Person, day: date) -> None:
    """A person joins the household on `day`; if it is housed, they get a free place of
    its apartment (NoRoom if there is none)."""
    if _present_membership(ctx.session, person) is not None:
        raise InvalidState(reason="in_other_household")
    if household.size >= HOUSEHOLD_MEMBERS_MAX:
        raise InvalidInput(field="members", reason="at_most_members", max=HOUSEHOLD_MEMBERS_MAX)
    placement = current_placement(ctx.session, household)
    member = HouseholdMember(household_id=household.id, person_id=person.id, joined_on=day)
    member.person = person
    household.memberships.append(member)
    ctx.session.flush()
    if placement is not None and _open(placement, day):
        facility = programme(ctx.session)
        lock_facility_claims(ctx.session, facility.id)
        start = max(day, placement.first_night)
        free = state_of(ctx.session, facility, placement.apartment, start, None).free_places
        if not free:
            raise NoRoom(apartment=placement.apartment.number, free=0, size=1)
        _claim_places(ctx, placement, [person], free[:1], start)
    _sync_persons(household)
    record(ctx, "housing.member_join", "household", household.id, person=person.id)
