"""A hand-counted month: March 2026 in two shelters, with gaps between stays, a stay
over the night the clocks go forward (28/29 March), a stay cancelled on its first
evening, runs that end in the month and runs that go on into April, turn-aways, holds
(converted, run out, cancelled) and a place out of service.

The figures it must give are counted by hand in EXPECTED (see each comment).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from belegung.context import ServiceContext
from belegung.facilities.models import Facility
from belegung.persons.models import Gender, Nationality, Person
from belegung.persons.service import create_person
from belegung.stays.holds import cancel_hold, convert_hold, create_hold
from belegung.stays.models import TurnAwayReason
from belegung.stays.out_of_service import take_out_of_service
from belegung.stays.service import check_in, check_out
from belegung.stays.turn_aways import record_turn_away
from tests.conftest import FakeClock


@dataclass
class March:
    ctx: ServiceContext
    clock: FakeClock
    first: Facility  # 3 regular places
    second: Facility  # 2 regular places
    persons: dict[str, Person]


# Per facility and in total; occupancy_rate = occupied / capacity, rounded to 4 places.
EXPECTED: dict[str, dict[str, Any]] = {
    "first": {
        # 3 places × 31 nights, less place 3 out of service 10–12 March (3 nights).
        "capacity_nights": 90,
        # A: 1, 5, 27, 28 (the DST night), 29 March = 5; B: 1, 2 March = 2 (28 February
        # is February's); C: 30, 31 = 2; F: 20 = 1; G: 31 = 1. E cancelled: none.
        "occupied_nights": 11,
        "occupancy_rate": 0.1222,
        "persons": 5,  # A, B, C, F, G
        "new_persons": 4,  # A, C, F, G (B's first night was in February)
        "turn_aways": {"full": 2, "banned": 1, "wrong_target_group": 0, "other": 2, "total": 5},
        "holds": 3,  # converted (F), run out, cancelled
        "no_shows": 1,
        # Runs ended in March: A 1 (1 March), A 1 (5 March), A 3 (27–29 March joined),
        # B 3 (28 February–2 March), F 1. C and G go on into April.
        "average_run_nights": 1.8,
        "median_run_nights": 1.0,
    },
    "second": {
        "capacity_nights": 62,
        "occupied_nights": 1,  # A, 10 March
        "occupancy_rate": 0.0161,
        "persons": 1,
        "new_persons": 1,  # A's first night here
        "turn_aways": {"full": 0, "banned": 0, "wrong_target_group": 0, "other": 0, "total": 0},
        "holds": 0,
        "no_shows": 0,
        "average_run_nights": 1.0,
        "median_run_nights": 1.0,
    },
    "totals": {
        "capacity_nights": 152,
        "occupied_nights": 12,
        "occupancy_rate": 0.0789,
        "persons": 5,  # A once, though in both shelters
        "new_persons": 4,
        "turn_aways": {"full": 2, "banned": 1, "wrong_target_group": 0, "other": 2, "total": 5},
        "holds": 3,
        "no_shows": 1,
        # Runs 1, 1, 3, 3, 1 and 1: (1+1+3+3+1+1) / 6.
        "average_run_nights": 1.67,
        "median_run_nights": 1.0,
    },
}


@pytest.fixture
def march(ctx: ServiceContext, clock: FakeClock, make_facility: Callable[..., Facility]) -> March:
    first, second = make_facility(places=3, slug="erste"), make_facility(places=2, slug="zweite")
    people = {
        key: create_person(ctx, f"Gast {key}", gender=Gender.MALE, birth_year=1980)
        for key in "ABCEFG"
    }
    people["A"].nationality = Nationality.EU
    at = clock.set_local

    def stay(person: str, facility: Facility, nights: int = 1) -> None:
        check_in(ctx, facility, people[person], nights=nights)

    def turn_away(reason: TurnAwayReason) -> None:
        record_turn_away(ctx, first, reason)

    at(2026, 2, 28, 21, 0)
    stay("B", first, nights=3)
    turn_away(TurnAwayReason.FULL)  # February's
    at(2026, 3, 1, 21, 0)
    stay("A", first)
    at(2026, 3, 5, 21, 0)
    stay("A", first)  # a gap of three nights: a run of its own
    at(2026, 3, 9, 13, 0)
    (place_3,) = [p for p in first.places if p.label == "3"]
    take_out_of_service(
        ctx,
        place_3,
        reason="Bettwanzen",
        first_night=date(2026, 3, 10),
        end_night=date(2026, 3, 13),
    )
    at(2026, 3, 10, 21, 0)
    stay("A", second)
    at(2026, 3, 15, 21, 0)
    cancelled = check_in(ctx, first, people["E"])
    at(2026, 3, 15, 21, 30)
    check_out(ctx, cancelled.id)  # left on the first evening: no night
    at(2026, 3, 20, 21, 0)
    converted = create_hold(ctx, first, minutes=60)
    at(2026, 3, 20, 21, 30)
    convert_hold(ctx, converted.id, people["F"])
    at(2026, 3, 21, 21, 0)
    create_hold(ctx, first, minutes=30)  # nobody comes
    at(2026, 3, 22, 21, 0)
    cancel_hold(ctx, create_hold(ctx, first).id)
    at(2026, 3, 27, 21, 0)
    stay("A", first, nights=2)  # 27 and 28 March: the clocks go forward that night
    turn_away(TurnAwayReason.FULL)
    turn_away(TurnAwayReason.FULL)
    at(2026, 3, 29, 1, 30)  # still winter time: the night of 28 March
    turn_away(TurnAwayReason.BANNED)
    at(2026, 3, 29, 3, 30)  # summer time already: still the night of 28 March
    turn_away(TurnAwayReason.OTHER)
    at(2026, 3, 29, 20, 0)
    stay("A", first)  # joins the stay that ended this morning: one run of 3
    at(2026, 3, 30, 21, 0)
    stay("C", first, nights=3)  # into April
    at(2026, 3, 31, 21, 0)
    stay("G", first)
    turn_away(TurnAwayReason.OTHER)
    at(2026, 4, 1, 21, 0)
    stay("G", first)  # continues G's run: it did not end in March
    turn_away(TurnAwayReason.FULL)  # April's
    at(2026, 4, 2, 21, 0)
    ctx.session.flush()
    return March(ctx, clock, first, second, people)
