"""Vacancy matching against a hand-checked fixture: which apartments can take a family of
five needing step-free access in Innenstadt-West with at least three rooms, in which order,
and why every other one was left out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from belegung.context import ServiceContext
from belegung.housing.models import Apartment, Household, Outcome
from belegung.housing.service import block_apartment, move_in, move_out
from tests.apiclient import ApiClient


@pytest.fixture
def fixture_apartments(
    ctx: ServiceContext,
    make_apartment: Callable[..., Apartment],
    make_household: Callable[..., Household],
) -> dict[str, Apartment]:
    def apartment(number: str, places: int, **fields: Any) -> Apartment:
        fields.setdefault("rooms", "3")
        fields.setdefault("step_free", True)
        return make_apartment(number, places, **fields)

    made = {
        # Fit: a family of five leaves no place empty; never lived in.
        "A-1": apartment("A-1", 5, rooms="4"),
        # Fits with one place left empty.
        "A-2": apartment("A-2", 6, rooms="4.5"),
        # Fit, empty since 10 January.
        "A-3": apartment("A-3", 5, rooms="4"),
        # Fit, empty since 5 January (longer than A-3).
        "A-4": apartment("A-4", 5),
        "B-1": apartment("B-1", 4),  # too small (places)
        "B-2": apartment("B-2", 5, step_free=False),
        "B-3": apartment("B-3", 5, district="Hörde"),
        "B-4": apartment("B-4", 6),  # blocked below
        "B-5": apartment("B-5", 6, lease_end=date(2026, 3, 1)),
        "B-6": apartment("B-6", 6),  # a couple lives there
        "B-7": apartment("B-7", 5, rooms="2"),  # too small (rooms)
    }
    earlier = move_in(ctx, make_household(2), made["A-4"], date(2025, 12, 20))
    move_out(ctx, earlier, date(2026, 1, 5), Outcome.OWN_TENANCY)
    later = move_in(ctx, make_household(3), made["A-3"], date(2026, 1, 1))
    move_out(ctx, later, date(2026, 1, 10), Outcome.SHELTER)
    block_apartment(ctx, made["B-4"], "Wasserschaden im Bad")
    move_in(ctx, make_household(2), made["B-6"], date(2026, 1, 2))
    return made


QUERY = {
    "size": "5",
    "from": "2026-01-16",
    "step_free": "true",
    "district": "innenstadt-west",
    "min_rooms": "3",
}


def test_the_family_of_five_gets_the_best_fit_first(
    api: ApiClient, fixture_apartments: dict[str, Apartment]
) -> None:
    response = api.get("/housing/vacancies", as_="housing", query_string=QUERY)

    assert response.status_code == 200, response.json
    found = [
        (v["apartment"]["number"], v["free_places"], v["left_empty"], v["vacant_since"])
        for v in response.json["vacancies"]
    ]
    assert found == [
        ("A-1", 5, 0, None),
        ("A-4", 5, 0, "2026-01-05"),
        ("A-3", 5, 0, "2026-01-10"),
        ("A-2", 6, 1, None),
    ]
    assert "excluded" not in response.json or response.json["excluded"] == []


def test_explain_names_why_each_other_apartment_was_left_out(
    api: ApiClient, fixture_apartments: dict[str, Apartment]
) -> None:
    response = api.get(
        "/housing/vacancies", as_="housing", query_string={**QUERY, "explain": "true"}
    )

    assert response.status_code == 200, response.json
    excluded = [(e["number"], e["reason"]) for e in response.json["excluded"]]
    assert excluded == [
        ("B-4", "blocked"),
        ("B-1", "too_small"),
        ("B-7", "too_small"),
        ("B-2", "not_step_free"),
        ("B-3", "other_district"),
        ("B-5", "lease_ends_too_soon"),
        ("B-6", "taken"),
    ]


def test_without_needs_every_apartment_with_room_is_offered(
    api: ApiClient, fixture_apartments: dict[str, Apartment]
) -> None:
    response = api.get("/housing/vacancies", as_="housing", query_string={"size": "5"})

    numbers = [v["apartment"]["number"] for v in response.json["vacancies"]]
    # Left empty 0: A-1, B-2, B-3, B-7 (never lived in), A-4, A-3; then 1: A-2. B-5's
    # lease still ends within 90 days of any move-in today.
    assert numbers == ["A-1", "B-2", "B-3", "B-7", "A-4", "A-3", "A-2"]


def test_a_shared_apartment_takes_single_adults_but_not_a_couple(
    api: ApiClient,
    ctx: ServiceContext,
    make_apartment: Callable[..., Apartment],
    make_household: Callable[..., Household],
) -> None:
    shared = make_apartment("S-1", 3, shared=True)
    private = make_apartment("P-1", 3)
    move_in(ctx, make_household(1), shared, date(2026, 1, 10))
    move_in(ctx, make_household(1), private, date(2026, 1, 10))

    single = api.get("/housing/vacancies", as_="housing", query_string={"size": "1"})
    couple = api.get(
        "/housing/vacancies", as_="housing", query_string={"size": "2", "explain": "true"}
    )

    assert [(v["apartment"]["number"], v["free_places"]) for v in single.json["vacancies"]] == [
        ("S-1", 2)
    ]
    assert {(e["number"], e["reason"]) for e in couple.json["excluded"]} == {
        ("S-1", "taken"),
        ("P-1", "taken"),
    }


def test_a_bad_query_names_the_field(api: ApiClient) -> None:
    response = api.get("/housing/vacancies", as_="housing", query_string={"size": "0"})

    assert response.status_code == 422
    assert "size" in response.json["errors"]["query"]
