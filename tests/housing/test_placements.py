"""Moves: move-in puts each member on a place through the claims, a second household is
refused, move-out with its outcome frees the places, a move to another apartment, members
leaving and joining, blocking; all through the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.context import ServiceContext
from belegung.housing.models import Apartment, Household, Placement
from belegung.housing.service import move_in
from belegung.stays.models import Stay, StayStatus
from tests.apiclient import ApiClient


@dataclass(frozen=True)
class Ref:
    """An apartment as the tests name it (requests end the test's session's objects)."""

    id: int
    number: str
    place_ids: tuple[int, ...]


@pytest.fixture
def flat(make_apartment: Callable[..., Apartment]) -> Callable[..., Ref]:
    def make(number: str, places: int = 2, **fields: Any) -> Ref:
        made = make_apartment(number, places, **fields)
        return Ref(made.id, made.number, tuple(p.id for p in made.unit.places))

    return make


def household(api: ApiClient, size: int, household_type: str = "couple_with_children") -> int:
    members = [{"name": f"Mitglied {i}", "gender": "f"} for i in range(size)]
    response = api.post(
        "/housing/households", as_="housing", json={"type": household_type, "members": members}
    )
    assert response.status_code == 201, response.json
    assert response.json["size"] == size
    return int(response.json["id"])


@pytest.mark.parametrize("household_type", ["other_multi", "unknown"])
def test_a_household_of_each_new_type_is_created(api: ApiClient, household_type: str) -> None:
    household_id = household(api, 3, household_type)

    response = api.get(f"/housing/households/{household_id}", as_="housing")

    assert response.status_code == 200, response.json
    assert response.json["type"] == household_type


@pytest.mark.parametrize("household_type", ["multi_person", "other_with_children"])
def test_a_household_of_a_former_type_is_refused(api: ApiClient, household_type: str) -> None:
    members = [{"name": "Mitglied", "gender": "f"}]
    response = api.post(
        "/housing/households", as_="housing", json={"type": household_type, "members": members}
    )

    assert response.status_code == 422, response.json


def place(api: ApiClient, household_id: int, apartment: Ref, when: str = "2026-01-16") -> Any:
    return api.post(
        "/housing/placements",
        as_="housing",
        json={"household": household_id, "apartment": apartment.id, "from": when},
    )


def live_stays(session: Session, apartment: Ref, night: date) -> list[Stay]:
    return list(
        session.scalars(
            sa.select(Stay).where(
                Stay.place_id.in_(apartment.place_ids),
                Stay.status.in_((StayStatus.CHECKED_IN, StayStatus.CHECKED_OUT)),
                Stay.first_night <= night,
                sa.or_(Stay.end_night.is_(None), Stay.end_night > night),
            )
        )
    )


def test_move_in_puts_each_member_on_a_place_of_the_apartment(
    api: ApiClient, session: Session, flat: Callable[..., Ref]
) -> None:
    apartment = flat("E-1", 5, step_free=True)
    family = household(api, 5)

    response = place(api, family, apartment)

    assert response.status_code == 201, response.json
    body = response.json
    assert (body["apartment"], body["household"], body["from"]) == (
        apartment.id,
        family,
        "2026-01-16",
    )
    assert sorted(body["places"]) == [f"E-1-{i}" for i in range(1, 6)]
    stays = live_stays(session, apartment, date(2026, 1, 20))
    assert len({s.person_id for s in stays}) == 5
    assert all(s.end_night is None for s in stays)
    detail = api.get(f"/housing/apartments/{apartment.id}", as_="housing").json
    # Today (15 January) nobody lives there yet; the placement is in its history.
    assert detail["occupied"] is False
    assert [p["household"]["id"] for p in detail["history"]] == [family]


def test_a_second_household_is_refused_unless_the_apartment_is_shared(
    api: ApiClient, flat: Callable[..., Ref]
) -> None:
    apartment = flat("E-2", 4)
    shared = flat("E-3", 3, shared=True)
    assert place(api, household(api, 2), apartment).status_code == 201
    assert place(api, household(api, 1, "single"), shared).status_code == 201

    taken = place(api, household(api, 1, "single"), apartment)
    second_single = place(api, household(api, 1, "single"), shared)
    couple = place(api, household(api, 2, "couple"), shared)

    assert (taken.status_code, taken.json["code"]) == (409, "apartment_taken")
    assert second_single.status_code == 201
    assert (couple.status_code, couple.json["code"]) == (409, "apartment_taken")


def test_a_household_larger_than_the_free_places_gets_no_room(
    api: ApiClient, flat: Callable[..., Ref]
) -> None:
    apartment = flat("E-4", 3)

    response = place(api, household(api, 4), apartment)

    assert (response.status_code, response.json["code"]) == (409, "no_room")
    assert "3" in response.json["message"]


def test_a_blocked_apartment_takes_nobody_until_unblocked(
    api: ApiClient, flat: Callable[..., Ref]
) -> None:
    apartment = flat("E-5", 3)
    blocked = api.post(
        f"/housing/apartments/{apartment.id}/block",
        as_="housing",
        json={"reason": "Wasserschaden", "until": "2026-02-01"},
    )
    assert blocked.status_code == 200, blocked.json
    assert (blocked.json["status"], blocked.json["free_places"]) == ("blocked", 0)
    family = household(api, 2)

    refused = place(api, family, apartment)
    api.post(f"/housing/apartments/{apartment.id}/unblock", as_="housing", json={})
    accepted = place(api, family, apartment)

    assert (refused.status_code, refused.json["code"]) == (409, "apartment_blocked")
    assert accepted.status_code == 201, accepted.json


def test_an_occupied_apartment_is_not_blocked(api: ApiClient, flat: Callable[..., Ref]) -> None:
    apartment = flat("E-6", 2)
    place(api, household(api, 2), apartment, "2026-01-15")

    response = api.post(
        f"/housing/apartments/{apartment.id}/block", as_="housing", json={"reason": "Schimmel"}
    )

    assert (response.status_code, response.json["code"]) == (409, "place_occupied")


def test_move_out_records_the_outcome_and_frees_the_places(
    api: ApiClient, session: Session, flat: Callable[..., Ref]
) -> None:
    apartment = flat("E-7", 5, step_free=True)
    placement = place(api, household(api, 5), apartment, "2026-01-10").json

    response = api.post(
        f"/housing/placements/{placement['id']}/move-out",
        as_="housing",
        json={"date": "2026-01-20", "outcome": "own_tenancy"},
    )

    assert response.status_code == 200, response.json
    assert (response.json["moved_out"], response.json["outcome"]) == ("2026-01-20", "own_tenancy")
    assert len(live_stays(session, apartment, date(2026, 1, 19))) == 5
    assert live_stays(session, apartment, date(2026, 1, 20)) == []
    again = api.post(
        f"/housing/placements/{placement['id']}/move-out",
        as_="housing",
        json={"date": "2026-01-21", "outcome": "own_tenancy"},
    )
    assert (again.status_code, again.json["code"]) == (409, "invalid_state")
    free = api.get(
        "/housing/vacancies", as_="housing", query_string={"size": "5", "from": "2026-01-20"}
    )
    assert [v["apartment"]["number"] for v in free.json["vacancies"]] == ["E-7"]


def test_move_out_needs_a_known_outcome_and_a_date_after_the_move_in(
    api: ApiClient, flat: Callable[..., Ref]
) -> None:
    placement = place(api, household(api, 1, "single"), flat("E-8", 1), "2026-01-15")
    url = f"/housing/placements/{placement.json['id']}/move-out"

    unknown = api.post(url, as_="housing", json={"outcome": "moon"})
    same_day = api.post(url, as_="housing", json={"date": "2026-01-15", "outcome": "shelter"})

    assert unknown.status_code == 422
    assert "outcome" in unknown.json["errors"]["json"]
    assert (same_day.status_code, same_day.json["code"]) == (422, "invalid")


def test_a_move_ends_one_placement_and_begins_the_next(
    api: ApiClient, session: Session, flat: Callable[..., Ref]
) -> None:
    old, new = flat("M-1", 3), flat("M-2", 4)
    first = place(api, household(api, 3), old, "2026-01-01").json

    response = api.post(
        f"/housing/placements/{first['id']}/move",
        as_="housing",
        json={"apartment": new.id, "date": "2026-01-16"},
    )

    assert response.status_code == 201, response.json
    assert (response.json["apartment"], response.json["previous"]) == (new.id, first["id"])
    ended = session.get(Placement, first["id"])
    assert ended is not None
    session.refresh(ended)
    assert (ended.end_night, ended.outcome) == (date(2026, 1, 16), None)
    assert live_stays(session, old, date(2026, 1, 16)) == []
    assert len(live_stays(session, new, date(2026, 1, 16))) == 3


def test_a_member_leaves_and_another_joins(
    api: ApiClient, session: Session, flat: Callable[..., Ref]
) -> None:
    apartment = flat("J-1", 3)
    family = household(api, 2, "couple")
    place(api, family, apartment, "2026-01-01")
    members = api.get(f"/housing/households/{family}", as_="housing").json["members"]

    left = api.post(
        f"/housing/households/{family}/members/{members[0]['id']}/leave",
        as_="housing",
        json={"date": "2026-01-16"},
    )
    joined = api.post(
        f"/housing/households/{family}/members",
        as_="housing",
        json={"person": {"name": "Baby", "birth_year": 2026}, "date": "2026-01-17"},
    )

    assert left.status_code == 200, left.json
    assert joined.status_code == 201, joined.json
    assert joined.json["size"] == 2
    assert len(live_stays(session, apartment, date(2026, 1, 15))) == 2
    assert len(live_stays(session, apartment, date(2026, 1, 16))) == 1
    assert len(live_stays(session, apartment, date(2026, 1, 17))) == 2
    last = joined.json["members"]
    for member in last[:1]:
        api.post(
            f"/housing/households/{family}/members/{member['id']}/leave",
            as_="housing",
            json={"date": "2026-01-18"},
        )
    alone = api.get(f"/housing/households/{family}", as_="housing").json["members"]
    refused = api.post(
        f"/housing/households/{family}/members/{alone[0]['id']}/leave", as_="housing", json={}
    )
    assert (refused.status_code, refused.json["code"]) == (409, "invalid_state")


def test_a_household_already_housed_is_moved_not_placed_again(
    api: ApiClient, flat: Callable[..., Ref]
) -> None:
    family = household(api, 2)
    place(api, family, flat("H-1", 2))

    again = place(api, family, flat("H-2", 2))

    assert (again.status_code, again.json["code"]) == (409, "invalid_state")


def test_a_person_belongs_to_one_household(
    api: ApiClient, ctx: ServiceContext, make_household: Callable[..., Household]
) -> None:
    existing = make_household(1)
    person_id = existing.members[0].id

    response = api.post(
        "/housing/households",
        as_="manager",
        json={"type": "single", "members": [{"id": person_id}]},
    )

    assert (response.status_code, response.json["code"]) == (409, "invalid_state")


@pytest.mark.parametrize("when", ["2025-12-01", "2027-06-01"])
def test_a_move_in_far_in_the_past_or_future_is_refused(
    api: ApiClient, flat: Callable[..., Ref], when: str
) -> None:
    response = place(api, household(api, 1, "single"), flat("F-1", 1), when)

    assert (response.status_code, response.json["code"]) == (422, "invalid")


def test_the_list_filters_by_status_district_and_search(
    api: ApiClient,
    ctx: ServiceContext,
    make_apartment: Callable[..., Apartment],
    make_household: Callable[..., Household],
) -> None:
    make_apartment("L-1", 2, district="Hörde", landlord="DOGEWO21")
    occupied = make_apartment("L-2", 2, district="Hörde")
    make_apartment("L-3", 2, district="Eving")
    move_in(ctx, make_household(1), occupied, date(2026, 1, 10))

    def numbers(**query: str) -> list[str]:
        response = api.get("/housing/apartments", as_="housing", query_string=query)
        assert response.status_code == 200, response.json
        return [a["number"] for a in response.json["items"]]

    assert numbers(district="hörde") == ["L-1", "L-2"]
    assert numbers(q="dogewo") == ["L-1"]
    assert numbers(q="L-", occupied="true") == ["L-2"]
    assert numbers(q="L-", status="available", occupied="false") == ["L-1", "L-3"]
    row = api.get("/housing/apartments", as_="housing", query_string={"q": "L-2"}).json
    assert row["items"][0]["occupied_places"] == 1
    assert row["items"][0]["free_places"] == 1
