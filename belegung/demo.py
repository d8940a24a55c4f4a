"""Sample occupancy for `seed dortmund --demo`: a first start shows a living system.

Everything here is invented and reproducible (a fixed random seed). It is only written
into a database that holds no person data yet, so it can never mix with real records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from belegung.alerts.presets import seed_demo_recipients
from belegung.context import ServiceContext
from belegung.facilities.models import Facility, Place, Unit
from belegung.facilities.service import get_facility
from belegung.persons.models import Gender, HouseholdType, Nationality, Person
from belegung.persons.service import create_person
from belegung.stays.bans import impose_ban
from belegung.stays.holds import create_hold
from belegung.stays.models import BanKind, Stay, StayStatus, TurnAwayReason
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
# Households in the housing programme by size: 158 households, 418 people.
HOUSEHOLDS = {1: 44, 2: 39, 3: 31, 4: 25, 5: 11, 6: 8}


@dataclass
class DemoResult:
    persons: int = 0
    stays: int = 0
    holds: int = 0
    turn_aways: int = 0
    recipients: int = 0
    skipped: bool = False


def _nationality(rng: random.Random) -> Nationality:
    return rng.choices(
        (Nationality.GERMAN, Nationality.EU, Nationality.NON_EU, Nationality.UNKNOWN),
        weights=(64, 21, 13, 2),
    )[0]


def _person(
    ctx: ServiceContext,
    rng: random.Random,
    gender: Gender,
    ages: tuple[int, int],
    household: tuple[HouseholdType, int] = (HouseholdType.SINGLE, 1),
) -> Person:
    first = rng.choice(FIRST_NAMES.get(gender, FIRST_NAMES[Gender.MALE]))
    year = ctx.now().year - rng.randint(*ages)
    return create_person(
        ctx,
        f"{first} {rng.choice(LAST_INITIALS)}.",
        birth_year=year,
        gender=gender,
        nationality=_nationality(rng),
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


def _household_type(rng: random.Random, size: int) -> HouseholdType:
    if size == 1:
        return HouseholdType.SINGLE
    if size == 2:
        return rng.choice((HouseholdType.COUPLE, HouseholdType.SINGLE_PARENT))
    return rng.choice(
        (
            HouseholdType.COUPLE_WITH_CHILDREN,
            HouseholdType.SINGLE_PARENT,
            HouseholdType.COUPLE_WITH_CHILDREN,
        )
    )


def _housing(ctx: ServiceContext, rng: random.Random, result: DemoResult) -> None:
    """158 households living in apartments that fit them, moved in over the last years."""
    wvp: Facility = get_facility(ctx.session, "wvp")
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
        household = (_household_type(rng, size), size)
        for place in places[:size]:
            gender = rng.choice((Gender.MALE, Gender.FEMALE))
            person = _person(ctx, rng, gender, (1, 75), household)
            result.persons += 1
            # History predates belegung: written directly, as an import would.
            ctx.session.add(
                Stay(
                    facility_id=wvp.id,
                    place_id=place.id,
                    person_id=person.id,
                    first_night=moved_in,
                    end_night=None,
                    status=StayStatus.CHECKED_IN,
                    created_at=ctx.now(),
                    checked_in_at=ctx.now(),
                )
            )
            result.stays += 1
    ctx.session.flush()


def fill_demo(ctx: ServiceContext) -> DemoResult:
    """Fill sample occupancy, unless the database already holds person data."""
    if ctx.session.scalar(sa.select(sa.func.count()).select_from(Person)):
        return DemoResult(skipped=True)
    rng = random.Random(SEED)  # noqa: S311  (invented sample data, not security)
    result = DemoResult()
    _shelter_night(ctx, rng, result)
    _housing(ctx, rng, result)
    result.recipients = seed_demo_recipients(ctx)
    return result
