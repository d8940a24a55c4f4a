"""The programme's figures against a hand-counted fixture, and the demo's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from flask import Flask
from sqlalchemy.orm import Session

from belegung.context import ServiceContext
from belegung.facilities.service import get_facility
from belegung.housing.figures import housing_figures
from belegung.housing.models import Apartment, Household, Outcome
from belegung.housing.service import block_apartment, move, move_in, move_out
from belegung.persons.models import HouseholdType
from tests.apiclient import ApiClient


def test_the_figures_agree_with_a_hand_counted_programme(
    api: ApiClient,
    ctx: ServiceContext,
    make_apartment: Callable[..., Apartment],
    make_household: Callable[..., Household],
) -> None:
    # Today is 15 January 2026.
    f1, f2, f3 = make_apartment("F-1", 4), make_apartment("F-2", 2), make_apartment("F-3", 3)
    f4, f5, f6 = make_apartment("F-4", 2), make_apartment("F-5", 1), make_apartment("F-6", 3)
    f7 = make_apartment("F-7", 3)
    # Living there today: 3 + 1 + 2 persons in F-1, F-2 and F-7.
    move_in(ctx, make_household(3, HouseholdType.COUPLE_WITH_CHILDREN), f1, date(2025, 12, 20))
    move_in(ctx, make_household(1, HouseholdType.SINGLE), f2, date(2026, 1, 5))
    moved = move_in(ctx, make_household(2, HouseholdType.SINGLE_PARENT), f6, date(2025, 12, 18))
    move(ctx, moved, f7, date(2026, 1, 8))
    # Moved out this month: after 25 days into an own tenancy, after 23 to a shelter.
    couple = move_in(ctx, make_household(2, HouseholdType.COUPLE), f4, date(2025, 12, 16))
    move_out(ctx, couple, date(2026, 1, 10), Outcome.OWN_TENANCY)
    single = move_in(ctx, make_household(1, HouseholdType.SINGLE), f5, date(2025, 12, 20))
    move_out(ctx, single, date(2026, 1, 12), Outcome.SHELTER)
    block_apartment(ctx, f3, "Renovierung")

    response = api.get("/housing/figures", as_="housing")

    assert response.status_code == 200, response.json
    figures = response.json
    assert figures["date"] == "2026-01-15"
    assert figures["apartments"] == {"occupied": 3, "free": 3, "blocked": 1, "handed_back": 0}
    assert figures["places"] == {"occupied": 6, "free": 9, "blocked": 3}
    assert (figures["persons_housed"], figures["households_housed"]) == (6, 3)
    assert figures["households_by_type"] == {
        "single": 1,
        "single_parent": 1,
        "couple": 0,
        "couple_with_children": 1,
        "other_multi": 0,
        "unknown": 0,
    }
    # Days in the programme: 26 (F-1), 10 (F-2), 28 (F-6 then F-7), 25 and 23 (moved out).
    assert figures["average_stay_days"] == 22.4
    assert figures["median_stay_days"] == 25.0
    assert figures["outcomes"] == [
        {"month": "2026-01", "outcome": "own_tenancy", "households": 1},
        {"month": "2026-01", "outcome": "shelter", "households": 1},
    ]
    # Into the programme in December: F-1, F-6 (then moved on: no new household), F-4's
    # couple, F-5's single; in January F-2's single. Out in January: two.
    assert figures["moves"][-2:] == [
        {"month": "2025-12", "moved_in": 4, "moved_out": 0},
        {"month": "2026-01", "moved_in": 1, "moved_out": 2},
    ]
    assert len(figures["moves"]) == 12


def test_the_figures_of_an_earlier_day_see_who_lived_there_then(
    api: ApiClient,
    ctx: ServiceContext,
    make_apartment: Callable[..., Apartment],
    make_household: Callable[..., Household],
) -> None:
    apartment = make_apartment("G-1", 3)
    placement = move_in(ctx, make_household(3), apartment, date(2025, 12, 20))
    move_out(ctx, placement, date(2026, 1, 10), Outcome.SUPPORTED_HOUSING)

    then = api.get("/housing/figures", as_="housing", query_string={"date": "2026-01-09"}).json
    now = api.get("/housing/figures", as_="housing").json

    assert (then["persons_housed"], then["places"]["occupied"]) == (3, 3)
    assert then["outcomes"] == []
    assert (now["persons_housed"], now["places"]["occupied"]) == (0, 0)


def test_the_demo_houses_418_people_in_158_apartments(app: Flask, session: Session) -> None:
    result = app.test_cli_runner().invoke(args=["seed", "dortmund", "--demo"])
    assert result.exit_code == 0, result.output

    figures = housing_figures(session, get_facility(session, "wvp"), datetime.now(UTC).date())

    assert figures.apartments["occupied"] == 158
    assert (figures.persons_housed, figures.households_housed) == (418, 158)
    assert figures.apartments["occupied"] + figures.apartments["free"] == 600
    assert figures.places["occupied"] + figures.places["free"] == 2000
    assert sum(figures.households_by_type.values()) == 158
    assert figures.households_by_type["other_multi"] > 0
    assert any(o.outcome == Outcome.OWN_TENANCY for o in figures.outcomes)
