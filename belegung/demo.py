"""Sample occupancy for `seed dortmund --demo`: a first start shows a living system.

Everything here is invented and reproducible (a fixed random seed). It is only written
into a database that holds no person data yet, so it can never mix with real records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from belegung.alerts.presets import seed_demo_recipients
from belegung.context import ServiceContext
from belegung.facilities.models import Facility, Place, Unit
from belegung.facilities.service import get_facility
from belegung.housing.models import Household, HouseholdMember, Outcome, Placement, PlacementStay
from belegung.housing.presets import seed_apartments
from belegung.persons.models import Gender, HouseholdType, Nationality, Person
from belegung.persons.service import create_person
from belegung.stays.bans import impose_ban
from belegung.stays.holds import create_hold
from belegung.stays.models import BanKind, Stay, StayStatus, TurnAway, TurnAwayReason
from belegung.stays.service import check_in
from belegung.stays.turn_aways import record_turn_away

SEED = 2026

FIRST_NAMES = {
    Gender.MALE: (
        "Thomas",
        "Michael",
        "Andreas",
        "Stefan",
        "Frank",
        "Jürgen",
        "Uwe",
        "Klaus",
        "Peter",
        "Marek",
        "Piotr",
        "Ionut",
        "Mehmet",
        "Ali",
        "Dirk",
        "Sven",
        "Jan",
        "Kevin",
        "Dennis",
        "Tobias",
        "Lukas",
        "Florin",
        "Sergej",
        "Wolfgang",
        "Heinz",
        "Rainer",
        "Ahmad",
        "Nico",
    ),
    Gender.FEMALE: (
        "Sabine",
        "Petra",
        "Andrea",
        "Claudia",
        "Monika",
        "Nicole",
        "Anna",
        "Maria",
        "Elena",
        "Jasmin",
        "Sandra",
        "Katarzyna",
        "Fatma",
        "Ramona",
        "Birgit",
        "Lea",
        "Julia",
        "Sarah",
        "Vanessa",
        "Gabriele",
        "Ioana",
        "Nadine",
        "Tanja",
        "Melanie",
    ),
}
LAST_INITIALS = "ABCDEFGHIKLMNOPRSTWZ"

# Tonight's guests per shelter: a plausible winter night.
SHELTER_GUESTS = {
    "unionstrasse": 61,
    "nortkirchenstrasse": 44,
    "junge-erwachsene": 16,
    "drogenhilfe": 17,
}
# Nights of history before tonight (its guests arrived up to 5 nights ago): the
# managers' charts show a living system. Each shelter's occupancy rises between these
# shares towards the coldest weeks.
HISTORY_NIGHTS = 90
HISTORY_SHARE = (0.72, 0.97)
HISTORY_GUESTS = {
    "unionstrasse": (Gender.MALE, (27, 68)),
    "nortkirchenstrasse": (Gender.FEMALE, (20, 70)),
    "junge-erwachsene": (Gender.MALE, (19, 25)),
    "drogenhilfe": (Gender.MALE, (24, 55)),
}
# Households in the housing programme by size: 158 households, 418 people.
HOUSEHOLDS = {1: 44, 2: 39, 3: 31, 4: 25, 5: 11, 6: 8}
# Households that lived in the programme and moved out in the last year, by size, and
# where they went (own tenancy is the programme's goal).
FORMER_HOUSEHOLDS = {1: 14, 2: 9, 3: 7, 4: 5, 5: 1}
OUTCOME_WEIGHTS = {
    Outcome.OWN_TENANCY: 12,
    Outcome.OTHER_HOUSING: 3,
    Outcome.SUPPORTED_HOUSING: 3,
    Outcome.SHELTER: 2,
    Outcome.INSTITUTION: 1,
    Outcome.DECEASED: 1,
    Outcome.UNKNOWN: 2,
}


@dataclass
class DemoResult:
    persons: int = 0
    stays: int = 0
    holds: int = 0
    turn_aways: int = 0
    recipients: int = 0
    skipped: bool = False


# Countries of citizenship of the invented guests, by nationality group.
CITIZENSHIPS = {
    Nationality.EU: ("PL", "RO", "BG", "IT", "GR", "HR"),
    Nationality.NON_EU: ("SY", "TR", "UA", "AF", "IQ", "ER", "XK"),
}


def _nationality(rng: random.Random) -> tuple[Nationality, str | None]:
    """A nationality group, and the country where the (invented) guest gave one."""
    group = rng.choices(
        (
            Nationality.GERMAN,
            Nationality.EU,
            Nationality.NON_EU,
            Nationality.STATELESS,
            Nationality.UNCLEAR,
            Nationality.UNKNOWN,
        ),
        weights=(64, 21, 11, 1, 1, 2),
    )[0]
    # Most guests name their country; some give only a group.
    if group == Nationality.GERMAN:
        return group, "DE" if rng.random() < 0.9 else None
    if group in CITIZENSHIPS and rng.random() < 0.8:
        return group, rng.choice(CITIZENSHIPS[group])
    return group, None


def _person(
    ctx: ServiceContext,
    rng: random.Random,
    gender: Gender,
    ages: tuple[int, int],
    household: tuple[HouseholdType, int] = (HouseholdType.SINGLE, 1),
) -> Person:
    first = rng.choice(FIRST_NAMES.get(gender, FIRST_NAMES[Gender.MALE]))
    year = ctx.now().year - rng.randint(*ages)
    nationality, citizenship = _nationality(rng)
    return create_person(
        ctx,
        f"{first} {rng.choice(LAST_INITIALS)}.",
        birth_year=year,
        gender=gender,
        nationality=nationality,
        citizenship=citizenship,
        household_type=household[0],
        household_size=household[1],
    )


def _shelter_night(ctx: ServiceContext, rng: random.Random, result: DemoResult) -> None:
    tonight = ctx.tonight()
    for slug, guests in SHELTER_GUESTS.items():
        facility = get_facility(ctx.session, slug)
        for _ in range(guests):
            if slug == "unionstrasse":
                gender, ages = Gender.MALE, (27, 68)
            elif slug == "nortkirchenstrasse":
                gender, ages = Gender.FEMALE, (20, 70)
            elif slug == "junge-erwachsene":
                gender, ages = rng.choice((Gender.MALE, Gender.MALE, Gender.FEMALE)), (19, 25)
            else:
                gender, ages = rng.choice((Gender.MALE, Gender.MALE, Gender.FEMALE)), (24, 55)
            person = _person(ctx, rng, gender, ages)
            result.persons += 1
            # Some guests arrived a few nights ago and were extended.
            since = rng.choice((0, 0, 0, 1, 2, 3, 5))
            first = tonight - timedelta(days=since)
            check_in(ctx, facility, person, night=first, nights=since + rng.choice((1, 1, 2, 7)))
            result.stays += 1

    union = get_facility(ctx.session, "unionstrasse")
    women = get_facility(ctx.session, "nortkirchenstrasse")
    for facility, note in (
        (union, "Wärmebus: Mann, ca. 50, kommt vom Hauptbahnhof"),
        (union, "Wärmebus: Mann mit Hund, Nordmarkt"),
        (women, "Wärmebus: Frau, Stadtgarten"),
    ):
        create_hold(ctx, facility, note=note, minutes=rng.choice((45, 60, 90)))
        result.holds += 1
    for facility, reason in (
        (union, TurnAwayReason.BANNED),
        (women, TurnAwayReason.WRONG_TARGET_GROUP),
        (get_facility(ctx.session, "junge-erwachsene"), TurnAwayReason.WRONG_TARGET_GROUP),
    ):
        record_turn_away(ctx, facility, reason)
        result.turn_aways += 1
    banned = _person(ctx, rng, Gender.MALE, (30, 60))
    result.persons += 1
    impose_ban(
        ctx,
        banned,
        union,
        kind=BanKind.CONDUCT,
        reason="Beispiel: Streit im Aufenthaltsraum",
        first_night=tonight - timedelta(days=3),
        end_night=tonight + timedelta(days=11),
    )


def _history(ctx: ServiceContext, rng: random.Random, result: DemoResult) -> None:
    """Past nights of each shelter: guests who came for a few nights and left, turn-aways
    on full nights, and holds that ran out unused (no-shows). Written directly, as an
    import of older records would be (most nights are past the backfill limit); each
    place's history ends where tonight's guest on it began."""
    tonight = ctx.tonight()
    first = tonight - timedelta(days=HISTORY_NIGHTS)
    low, high = HISTORY_SHARE
    for slug in SHELTER_GUESTS:
        facility = get_facility(ctx.session, slug)
        places = [p for p in facility.places if not p.emergency]
        rows = ctx.session.execute(
            sa.select(Stay.place_id, sa.func.min(Stay.first_night).label("since"))
            .where(Stay.facility_id == facility.id)
            .group_by(Stay.place_id)
        ).all()
        claimed_from = {row.place_id: row.since for row in rows}
        gender, ages = HISTORY_GUESTS[slug]
        guests = [_person(ctx, rng, gender, ages) for _ in range(len(places) * 2)]
        result.persons += len(guests)
        free_from = {p.id: first for p in places}
        busy_until = {g.id: first for g in guests}
        night = first
        while night < tonight:
            # Fuller as the nights grow colder, and a little noise each night.
            progress = (night - first).days / HISTORY_NIGHTS + rng.uniform(-0.15, 0.15)
            share = low + (high - low) * min(1.0, max(0.0, progress))
            occupied = 0
            for place in places:
                until = claimed_from.get(place.id, tonight)
                if free_from[place.id] > night or night >= until:
                    occupied += 1
                    continue
                if rng.random() > share:
                    continue
                nights = min(rng.choice((1, 1, 1, 2, 3, 5, 7)), (until - night).days)
                end = night + timedelta(days=nights)
                guest = next((g for g in guests if busy_until[g.id] <= night), None)
                if guest is None:
                    continue
                moment = datetime.combine(night, time(21), tzinfo=ctx.calendar.timezone)
                ctx.session.add(
                    Stay(
                        facility_id=facility.id,
                        place_id=place.id,
                        person_id=guest.id,
                        first_night=night,
                        end_night=end,
                        status=StayStatus.CHECKED_OUT,
                        created_at=moment,
                        checked_in_at=moment,
                        checked_out_at=moment + timedelta(days=nights, hours=-13),
                    )
                )
                result.stays += 1
                free_from[place.id] = end
                busy_until[guest.id] = end
                occupied += 1
            moment = datetime.combine(night, time(22, 30), tzinfo=ctx.calendar.timezone)
            if occupied >= len(places) - 2:
                for _ in range(rng.randint(0, 3)):
                    reason = rng.choice((TurnAwayReason.FULL,) * 4 + tuple(TurnAwayReason))
                    ctx.session.add(
                        TurnAway(
                            facility_id=facility.id,
                            night=night,
                            occurred_at=moment,
                            reason=reason,
                        )
                    )
                    result.turn_aways += 1
            if rng.random() < 0.25:
                ctx.session.add(
                    Stay(
                        facility_id=facility.id,
                        place_id=rng.choice(places).id,
                        first_night=night,
                        end_night=night + timedelta(days=1),
                        status=StayStatus.EXPIRED,
                        created_at=moment,
                        held_at=moment,
                        hold_expires_at=moment + timedelta(hours=1),
                        hold_note="Wärmebus",
                    )
                )
            night += timedelta(days=1)
    ctx.session.flush()


def _household_type(rng: random.Random, size: int) -> HouseholdType:
    if size == 1:
        return HouseholdType.SINGLE
    if size == 2:
        return rng.choice((HouseholdType.COUPLE, HouseholdType.SINGLE_PARENT))
    # Now and then several adults with or without children (grown-up siblings, a
    # grandmother with her daughter's family): the statistic's "other" household.
    return rng.choice(
        (
            HouseholdType.COUPLE_WITH_CHILDREN,
            HouseholdType.SINGLE_PARENT,
            HouseholdType.COUPLE_WITH_CHILDREN,
            HouseholdType.OTHER_MULTI,
        )
    )


def _place_household(
    ctx: ServiceContext,
    rng: random.Random,
    result: DemoResult,
    places: list[Place],
    size: int,
    first: date,
    end: date | None,
    outcome: Outcome | None,
) -> None:
    """A household, its members and its placement in the apartment of `places`, written
    directly (its history predates belegung, as an import's would)."""
    household_type = _household_type(rng, size)
    household = Household(type=household_type, created_at=ctx.now())
    ctx.session.add(household)
    ctx.session.flush()
    placement = Placement(
        household_id=household.id,
        apartment_id=places[0].unit_id,
        first_night=first,
        end_night=end,
        outcome=outcome,
        created_at=ctx.now(),
        moved_out_at=None if end is None else ctx.now(),
    )
    ctx.session.add(placement)
    ctx.session.flush()
    for place in places[:size]:
        gender = rng.choice((Gender.MALE, Gender.FEMALE))
        person = _person(ctx, rng, gender, (1, 75), (household_type, size))
        result.persons += 1
        ctx.session.add(
            HouseholdMember(
                household_id=household.id,
                person_id=person.id,
                joined_on=first,
                left_on=end,
            )
        )
        stay = Stay(
            facility_id=place.facility_id,
            place_id=place.id,
            person_id=person.id,
            first_night=first,
            end_night=end,
            status=StayStatus.CHECKED_IN if end is None else StayStatus.CHECKED_OUT,
            created_at=ctx.now(),
            checked_in_at=ctx.now(),
            checked_out_at=None if end is None else ctx.now(),
        )
        ctx.session.add(stay)
        ctx.session.flush()
        ctx.session.add(PlacementStay(stay_id=stay.id, placement_id=placement.id))
        result.stays += 1


def _housing(ctx: ServiceContext, rng: random.Random, result: DemoResult) -> None:
    """158 households living in apartments that fit them, moved in over the last years,
    and a few dozen who moved out in the last year (in apartments that are empty now)."""
    wvp: Facility = get_facility(ctx.session, "wvp")
    # Each apartment unit with its housing office's record (seed dortmund adds them too).
    seed_apartments(ctx, wvp)
    apartments: dict[int | None, list[Place]] = {}
    for place in ctx.session.scalars(
        sa.select(Place).join(Unit).where(Place.facility_id == wvp.id).order_by(Place.position)
    ):
        apartments.setdefault(place.unit_id, []).append(place)
    vacant = list(apartments.values())
    rng.shuffle(vacant)
    tonight = ctx.tonight()
    sizes = [size for size, count in sorted(HOUSEHOLDS.items(), reverse=True) for _ in range(count)]
    for size in sizes:
        places = next(p for p in vacant if len(p) >= size)
        vacant.remove(places)
        moved_in = tonight - timedelta(days=rng.randint(10, 900))
        _place_household(ctx, rng, result, places, size, moved_in, None, None)
    outcomes, weights = zip(*OUTCOME_WEIGHTS.items(), strict=True)
    former = [
        s for s, count in sorted(FORMER_HOUSEHOLDS.items(), reverse=True) for _ in range(count)
    ]
    for size in former:
        places = next(p for p in vacant if len(p) >= size)
        vacant.remove(places)
        moved_out = tonight - timedelta(days=rng.randint(3, 360))
        moved_in = moved_out - timedelta(days=rng.randint(60, 800))
        outcome = rng.choices(outcomes, weights=weights)[0]
        _place_household(ctx, rng, result, places, size, moved_in, moved_out, outcome)
    ctx.session.flush()


def fill_demo(ctx: ServiceContext) -> DemoResult:
    """Fill sample occupancy, unless the database already holds person data."""
    if ctx.session.scalar(sa.select(sa.func.count()).select_from(Person)):
        return DemoResult(skipped=True)
    rng = random.Random(SEED)  # noqa: S311  (invented sample data, not security)
    result = DemoResult()
    _shelter_night(ctx, rng, result)
    _history(ctx, rng, result)
    _housing(ctx, rng, result)
    result.recipients = seed_demo_recipients(ctx)
    return result
