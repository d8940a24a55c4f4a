"""Bans, standby shelters and emergency places around a winter emergency, through the API:

- a `conduct` ban is suspended for the emergency's nights only: tonight, one night at a
  time; more nights need a manager's override, and when the emergency ends the nights
  after tonight are not kept without one;
- a standby shelter stays in the availability and keeps working (check-out, converting
  live holds) while anyone still stays or holds there after the emergency;
- an emergency place is not extended after the emergency while regular places are free,
  unless a manager overrides;
- `free_emergency` counts only emergency places that could be had that night.
"""

from __future__ import annotations

from typing import Any

import pytest

from belegung.facilities.models import Facility, FacilityStatus
from tests.apiclient import (
    ApiClient,
    assert_error,
    audited,
    ban,
    check_in_body,
    figures,
    hold,
    new_person,
)
from tests.conftest import FakeClock
from tests.pageclient import PageClient
from tests.stays.conftest import MakeFacility


def winter(api: ApiClient, active: bool, reason: str = "Frost") -> None:
    response = api.put(
        "/winter-emergency", as_="manager", json={"active": active, "reason": reason}
    )
    assert response.status_code == 200, response.json
    assert response.json["active"] is active


def stay(api: ApiClient, stay_id: int) -> dict[str, Any]:
    response = api.get(f"/stays/{stay_id}")
    assert response.status_code == 200, response.json
    result: dict[str, Any] = response.json
    return result


# --- conduct bans ---------------------------------------------------------------------


def test_in_an_emergency_a_conduct_banned_person_is_taken_one_night_at_a_time(
    api: ApiClient, clock: FakeClock
) -> None:
    person_id = new_person(api)
    assert ban(api, person_id).status_code == 201
    winter(api, True)

    refused = check_in_body(api, person={"id": person_id}, nights=2)
    assert_error(refused, 403, "banned")
    assert "nur für die heutige Nacht" in refused.json["message"]
    checked_in = check_in_body(api, person={"id": person_id})
    assert checked_in.status_code == 201, checked_in.json
    stay_id = checked_in.json["id"]
    # Extending into tomorrow: beyond tonight.
    assert_error(api.post(f"/stays/{stay_id}/extend", as_="staff", json={}), 403, "banned")

    clock.advance(days=1)  # the emergency goes on: tomorrow is tonight now
    extended = api.post(f"/stays/{stay_id}/extend", as_="staff", json={"nights": 1})
    assert extended.status_code == 200, extended.json
    assert extended.json["end_night"] == "2026-01-17"


def test_more_nights_for_a_conduct_banned_person_need_a_managers_override(
    api: ApiClient,
) -> None:
    person_id = new_person(api)
    ban_id = ban(api, person_id).json["id"]
    winter(api, True)

    override = api.post(
        f"/bans/{ban_id}/override", as_="manager", json={"reason": "Dauerfrost", "nights": 3}
    )
    assert override.status_code == 201, override.json

    checked_in = check_in_body(api, person={"id": person_id}, nights=3)
    assert checked_in.status_code == 201, checked_in.json


def test_a_danger_ban_holds_even_for_one_night_of_an_emergency(api: ApiClient) -> None:
    person_id = new_person(api)
    ban(api, person_id, kind="danger")
    winter(api, True)

    refused = check_in_body(api, person={"id": person_id})
    assert_error(refused, 403, "banned")
    assert "heutige Nacht" not in refused.json["message"]


def test_when_the_emergency_ends_a_conduct_banned_guest_keeps_only_tonight(
    api: ApiClient,
) -> None:
    # Both booked three nights, then banned after a quarrel in the emergency; one of them
    # a manager lets stay.
    kept_id, cut_id = new_person(api, name="Gast Eins"), new_person(api, name="Gast Zwei")
    kept = check_in_body(api, person={"id": kept_id}, nights=3).json["id"]
    cut = check_in_body(api, person={"id": cut_id}, nights=3).json["id"]
    winter(api, True)
    ban(api, cut_id)
    kept_ban = ban(api, kept_id).json["id"]
    override = api.post(
        f"/bans/{kept_ban}/override",
        as_="manager",
        json={"reason": "Fallkonferenz: bleibt", "first_night": "2026-01-16", "nights": 2},
    )
    assert override.status_code == 201, override.json
    assert (stay(api, cut)["end_night"], stay(api, kept)["end_night"]) == (
        "2026-01-18",
        "2026-01-18",
    )

    winter(api, False, reason="Tauwetter")

    assert stay(api, cut)["end_night"] == "2026-01-16"  # tonight stays, later nights go
    assert stay(api, kept)["end_night"] == "2026-01-18"
    assert [e.object_id for e in audited(api.session, "stay.ban_resumed")] == [cut]
    # Their place is free again from tomorrow.
    tomorrow = figures(api, "unionstrasse", night="2026-01-16")
    assert tomorrow["occupied"] == 1


# --- standby shelters --------------------------------------------------------------------


@pytest.fixture
def standby(make_facility: MakeFacility, api: ApiClient) -> Facility:
    return make_facility(slug="kaeltenacht", places=3, status=FacilityStatus.STANDBY)


def test_a_standby_shelter_winds_down_after_the_emergency(
    api: ApiClient, standby: Facility, clock: FakeClock
) -> None:
    winter(api, True)
    guest = check_in_body(api, "admin", facility="kaeltenacht", person={"name": "Gast"})
    assert guest.status_code == 201, guest.json
    held = [hold(api, facility="kaeltenacht", minutes=m).json["id"] for m in (60, 90)]

    winter(api, False, reason="Tauwetter")

    row = figures(api, "kaeltenacht")
    assert (row["occupied"], row["held"], row["free"], row["free_emergency"]) == (1, 2, 0, 0)
    assert api.get("/availability").json["totals"]["occupied"] == 1
    # No new guest, no new hold, no more nights there.
    assert_error(
        check_in_body(api, "admin", facility="kaeltenacht", person={"name": "Neu"}),
        409,
        "facility_not_offering",
    )
    assert_error(hold(api, facility="kaeltenacht"), 409, "facility_not_offering")
    more = {"person": {"name": "Ankömmling"}, "nights": 2}
    assert_error(
        api.post(f"/holds/{held[1]}/convert", as_="admin", json=more),
        409,
        "facility_not_offering",
    )
    # But whoever is there or on the way is served.
    arrived = api.post(
        f"/holds/{held[0]}/convert", as_="admin", json={"person": {"name": "Ankömmling"}}
    )
    assert arrived.status_code == 201, arrived.json
    assert api.post(f"/stays/{guest.json['id']}/checkout", as_="admin").status_code == 200
    assert figures(api, "kaeltenacht")["occupied"] == 1

    clock.advance(minutes=91)  # the other hold ran out
    assert api.post(f"/stays/{arrived.json['id']}/checkout", as_="admin").status_code == 200
    slugs = [f["slug"] for f in api.get("/availability").json["facilities"]]
    assert "kaeltenacht" not in slugs


# --- emergency places ---------------------------------------------------------------------


def test_an_emergency_place_is_not_extended_after_the_emergency_while_regular_ones_are_free(
    api: ApiClient,
) -> None:
    winter(api, True)
    guest = check_in_body(
        api,
        "staff_women",
        facility="nortkirchenstrasse",
        place="N1",
        person={"name": "Gästin", "gender": "f"},
    )
    assert guest.status_code == 201, guest.json
    stay_id = guest.json["id"]
    winter(api, False, reason="Tauwetter")

    refused = api.post(f"/stays/{stay_id}/extend", as_="staff_women", json={})
    assert_error(refused, 409, "emergency_place_not_extended")
    assert "regulären Platz" in refused.json["message"]
    by_staff = api.post(
        f"/stays/{stay_id}/extend",
        as_="staff_women",
        json={"override_emergency_reason": "will bleiben"},
    )
    assert_error(by_staff, 403, "forbidden")

    by_manager = api.post(
        f"/stays/{stay_id}/extend",
        as_="manager",
        json={"override_emergency_reason": "Zimmer N1 ist barrierefrei"},
    )

    assert by_manager.status_code == 200, by_manager.json
    assert by_manager.json["end_night"] == "2026-01-17"
    assert len(audited(api.session, "stay.emergency_place_override")) == 1


def test_an_emergency_place_is_extended_while_every_regular_place_is_taken(
    api: ApiClient, make_facility: MakeFacility
) -> None:
    make_facility(slug="klein", places=1, emergency=1)
    winter(api, True)
    on_emergency = check_in_body(api, "admin", facility="klein", place="N1", person={"name": "A"})
    assert on_emergency.status_code == 201, on_emergency.json
    winter(api, False, reason="Tauwetter")
    regular = check_in_body(api, "admin", facility="klein", nights=2, person={"name": "B"})
    assert regular.status_code == 201, regular.json

    extended = api.post(f"/stays/{on_emergency.json['id']}/extend", as_="admin", json={})

    assert extended.status_code == 200, extended.json


# --- free_emergency ---------------------------------------------------------------------------


def test_free_emergency_counts_only_emergency_places_that_could_be_had(
    api: ApiClient, make_facility: MakeFacility
) -> None:
    women = figures(api, "nortkirchenstrasse")
    assert (women["emergency_capacity"], women["free_emergency"]) == (4, 0)
    make_facility(slug="klein", places=1, emergency=2)
    assert figures(api, "klein")["free_emergency"] == 0
    check_in_body(api, "admin", facility="klein", person={"name": "A"})
    # Every regular place taken: the emergency places are offered, and counted.
    assert figures(api, "klein")["free_emergency"] == 2
    assert figures(api, "klein", night="2026-01-16")["free_emergency"] == 0

    winter(api, True)

    assert figures(api, "nortkirchenstrasse")["free_emergency"] == 4
    assert figures(api, "klein", night="2026-01-16")["free_emergency"] == 2


def test_the_openapi_document_says_what_free_emergency_counts(api: ApiClient) -> None:
    spec = api.get("/openapi.json", as_=None).json
    schemas = spec["components"]["schemas"]
    described = [
        s["properties"]["free_emergency"].get("description", "")
        for s in schemas.values()
        if "free_emergency" in s.get("properties", {})
    ]
    assert described
    for text in described:
        assert "could be given that night" in text
        assert "0 otherwise" in text


def test_the_public_page_sends_nobody_to_a_standby_shelter_after_the_emergency(
    api: ApiClient, pages: PageClient, standby: Facility
) -> None:
    winter(api, True)
    assert standby.name in pages.as_(None).get("/frei").text
    check_in_body(api, "admin", facility="kaeltenacht", person={"name": "Gast"})

    winter(api, False, reason="Tauwetter")

    assert figures(api, "kaeltenacht")["occupied"] == 1
    assert standby.name not in pages.as_(None).get("/frei").text
