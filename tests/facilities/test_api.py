"""Facilities, places and out-of-service periods: read by everyone, managed by admins."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import TestResponse

from tests.apiclient import (
    TONIGHT,
    ApiClient,
    assert_error,
    assert_invalid,
    check_in,
    check_in_body,
    figures,
)
from tests.conftest import FakeClock

DORTMUND = ["unionstrasse", "nortkirchenstrasse", "junge-erwachsene", "drogenhilfe", "wvp"]
NEW_FACILITY = {
    "slug": "kaeltebus-halle",
    "name": "Kältenotunterkunft Halle Nord",
    "kind": "night_shelter",
    "target_group": "any",
}


def out_of_service(api: ApiClient, place: str, **body: Any) -> TestResponse:
    """POST /out-of-service of a place at unionstrasse."""
    body = {"facility": "unionstrasse", "place": place, "reason": "Wasserschaden", **body}
    return api.post("/out-of-service", json=body)


def availability_slugs(api: ApiClient) -> list[str]:
    return [f["slug"] for f in api.get("/availability", as_="outreach").json["facilities"]]


# --- facilities -------------------------------------------------------------------------


def test_facilities_are_listed_and_read_by_slug(api: ApiClient) -> None:
    listed = api.get("/facilities", as_="outreach")

    assert listed.status_code == 200
    assert listed.json["total"] == 5
    assert [f["slug"] for f in listed.json["items"]] == DORTMUND
    one = api.get("/facilities/nortkirchenstrasse", as_="outreach")
    assert one.status_code == 200
    assert one.json == next(f for f in listed.json["items"] if f["slug"] == "nortkirchenstrasse")
    assert one.json["status"] == "active"
    assert (one.json["operator_type"], one.json["welfare_association"]) == (
        "welfare_association",
        "diakonie",
    )
    assert_error(api.get("/facilities/gibt-es-nicht"), 404, "not_found")


def test_an_admin_creates_a_facility(api: ApiClient) -> None:
    response = api.post("/facilities", json={**NEW_FACILITY, "operator_type": "other"})

    assert response.status_code == 201, response.json
    assert {k: response.json[k] for k in NEW_FACILITY} == NEW_FACILITY
    assert (response.json["status"], response.json["operator_type"]) == ("active", "other")
    assert api.get("/facilities/kaeltebus-halle").json == response.json
    assert figures(api, "kaeltebus-halle")["capacity"] == 0


def test_a_duplicate_slug_is_422_naming_slug(api: ApiClient) -> None:
    response = api.post("/facilities", json={**NEW_FACILITY, "slug": "unionstrasse"})
    assert set(assert_invalid(response)) == {"slug"}
    assert api.get("/facilities").json["total"] == 5


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"slug": "Halle Nord"}, {"slug"}),
        ({"kind": "hotel"}, {"kind"}),
        ({"target_group": None}, {"target_group"}),
        ({"name": ""}, {"name"}),
        ({"operator_type": "welfare_association"}, {"welfare_association"}),
    ],
    ids=["slug-format", "unknown-kind", "no-target-group", "empty-name", "association-missing"],
)
def test_an_invalid_facility_is_422_naming_the_field(
    api: ApiClient, change: dict[str, Any], fields: set[str]
) -> None:
    assert set(assert_invalid(api.post("/facilities", json={**NEW_FACILITY, **change}))) == fields


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_blank_facility_name_is_422(api: ApiClient, method: str) -> None:
    if method == "POST":
        response = api.post("/facilities", json={**NEW_FACILITY, "name": "   "})
    else:
        response = api.patch("/facilities/unionstrasse", json={"name": "   "})
    assert set(assert_invalid(response)) == {"name"}


def test_a_facility_on_standby_offers_places_only_in_a_winter_emergency(api: ApiClient) -> None:
    response = api.patch("/facilities/drogenhilfe", json={"status": "standby"})

    assert response.status_code == 200, response.json
    assert response.json["status"] == "standby"
    assert "drogenhilfe" not in availability_slugs(api)
    assert_error(check_in(api, "drogenhilfe", as_="admin"), 409, "facility_not_offering")

    switched = api.put("/winter-emergency", as_="manager", json={"active": True, "reason": "Frost"})
    assert switched.status_code == 200
    assert "drogenhilfe" in availability_slugs(api)
    assert check_in(api, "drogenhilfe", as_="admin").status_code == 201


def test_patching_a_facility_changes_only_the_fields_sent(api: ApiClient) -> None:
    before = api.get("/facilities/unionstrasse").json

    response = api.patch("/facilities/unionstrasse", json={"address": "Unionstraße 35"})

    assert response.status_code == 200
    assert response.json == {**before, "address": "Unionstraße 35"}
    assert set(assert_invalid(api.patch("/facilities/unionstrasse", json={"slug": "x"}))) == {
        "slug"
    }
    assert_error(api.patch("/facilities/gibt-es-nicht", json={"name": "X"}), 404, "not_found")


# --- places -----------------------------------------------------------------------------


def test_places_are_listed_regular_first(api: ApiClient) -> None:
    response = api.get("/facilities/nortkirchenstrasse/places", query_string={"page_size": 200})

    assert response.status_code == 200
    assert response.json["total"] == 54
    labels = [p["label"] for p in response.json["items"]]
    assert labels[:3] == ["1", "2", "3"]
    assert labels[-4:] == ["N1", "N2", "N3", "N4"]
    assert response.json["items"][0] == {
        "label": "1",
        "emergency": False,
        "unit": "Zimmer 1",
        "position": response.json["items"][0]["position"],
    }
    assert response.json["items"][-1]["emergency"] is True
    assert_error(api.get("/facilities/gibt-es-nicht/places"), 404, "not_found")


def test_an_admin_adds_places(api: ApiClient) -> None:
    regular = api.post(
        "/facilities/junge-erwachsene/places", json={"label": "21", "unit": "Zimmer 8"}
    )
    emergency = api.post(
        "/facilities/junge-erwachsene/places", json={"label": "N1", "emergency": True}
    )

    assert regular.status_code == 201, regular.json
    assert (regular.json["label"], regular.json["emergency"], regular.json["unit"]) == (
        "21",
        False,
        "Zimmer 8",
    )
    assert (emergency.status_code, emergency.json["emergency"]) == (201, True)
    row = figures(api, "junge-erwachsene")
    assert (row["capacity"], row["emergency_capacity"]) == (21, 1)
    duplicate = api.post("/facilities/junge-erwachsene/places", json={"label": "21"})
    assert set(assert_invalid(duplicate)) == {"label"}
    assert set(assert_invalid(api.post("/facilities/junge-erwachsene/places", json={}))) == {
        "label"
    }


# --- out of service ---------------------------------------------------------------------


def test_a_place_out_of_service_counts_neither_as_capacity_nor_as_free(api: ApiClient) -> None:
    response = out_of_service(api, "5", reason="Bett gebrochen")

    assert response.status_code == 201, response.json
    body = response.json
    assert isinstance(body["id"], int)
    assert (body["facility"], body["place"], body["reason"]) == (
        "unionstrasse",
        "5",
        "Bett gebrochen",
    )
    assert (body["first_night"], body["end_night"]) == (TONIGHT, None)
    row = figures(api, "unionstrasse")
    assert (row["capacity"], row["out_of_service"], row["free"]) == (69, 1, 69)
    taken = check_in_body(api, person={"name": "Gast", "gender": "m"}, place="5")
    assert_error(taken, 409, "place_out_of_service")


def test_a_place_someone_sleeps_on_cannot_go_out_of_service(api: ApiClient) -> None:
    assert check_in_body(api, person={"name": "Gast", "gender": "m"}, place="3").status_code == 201

    assert_error(out_of_service(api, "3"), 409, "place_occupied")
    # From the next night on the place is free again.
    assert out_of_service(api, "3", first_night="2026-01-16").status_code == 201
    assert_error(out_of_service(api, "999"), 404, "not_found")


def test_a_live_hold_keeps_its_place_in_service_until_it_expires(
    api: ApiClient, clock: FakeClock
) -> None:
    hold = api.post(
        "/holds", as_="outreach", json={"facility": "unionstrasse", "place": "6", "minutes": 10}
    )
    assert hold.status_code == 201

    assert_error(out_of_service(api, "6"), 409, "place_occupied")
    clock.advance(minutes=10)
    assert out_of_service(api, "6").status_code == 201


def test_ending_an_out_of_service_period_returns_the_place(api: ApiClient) -> None:
    period = out_of_service(api, "5", first_night="2026-01-10").json

    response = api.post(f"/out-of-service/{period['id']}/end", json={})

    assert response.status_code == 200, response.json
    assert (response.json["first_night"], response.json["end_night"]) == ("2026-01-10", TONIGHT)
    row = figures(api, "unionstrasse")
    assert (row["capacity"], row["out_of_service"]) == (70, 0)
    assert figures(api, "unionstrasse", night="2026-01-12")["out_of_service"] == 1
    assert_error(api.post(f"/out-of-service/{period['id']}/end", json={}), 409, "invalid_state")
    assert_error(api.post("/out-of-service/999999/end", json={}), 404, "not_found")


def test_out_of_service_periods_are_listed_by_facility_and_night(api: ApiClient) -> None:
    union = out_of_service(api, "5", end_night="2026-01-17").json["id"]
    women = api.post(
        "/out-of-service",
        json={"facility": "nortkirchenstrasse", "place": "N1", "reason": "Reinigung"},
    ).json["id"]

    def listed(**query: str) -> set[int]:
        response = api.get("/out-of-service", as_="staff", query_string=query)
        assert response.status_code == 200, response.json
        return {p["id"] for p in response.json["items"]}

    assert listed() == {union, women}
    assert listed(facility="unionstrasse") == {union}
    assert listed(night="2026-01-17") == {women}
    assert listed(night="2026-01-14") == set()
