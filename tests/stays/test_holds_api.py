"""Holds: an outreach crew holds a place for someone on the way; it expires, is converted
into a stay on arrival, or is cancelled."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.apiclient import (
    TONIGHT,
    ApiClient,
    Caller,
    assert_error,
    assert_invalid,
    audited,
    check_in,
    check_in_body,
    convert,
    figures,
    held,
    hold,
    item_ids,
)
from tests.conftest import FakeClock


def test_outreach_hold_a_place_for_someone_on_the_way(
    api: ApiClient, session: Session, callers: dict[str, Caller]
) -> None:
    response = hold(api, note="Mann, ca. 50, Hbf", minutes=30)

    assert response.status_code == 201, response.json
    body = response.json
    assert isinstance(body["id"], int)
    assert body["facility"] == "unionstrasse"
    assert body["place"] == "1"
    assert body["night"] == TONIGHT
    assert body["note"] == "Mann, ca. 50, Hbf"
    assert body["status"] == "held"
    assert body["created_at"] == "2026-01-15T20:00:00+00:00"
    assert body["expires_at"] == "2026-01-15T20:30:00+00:00"
    (entry,) = audited(session, "hold.create")
    assert (entry.actor_id, entry.object_id) == (callers["outreach"].user_id, body["id"])


def test_a_hold_lasts_an_hour_by_default(api: ApiClient) -> None:
    assert held(api)["expires_at"] == "2026-01-15T21:00:00+00:00"


@pytest.mark.parametrize("minutes", [0, 181, 500], ids=["zero", "just-over-3h", "500"])
def test_a_hold_outside_one_minute_to_three_hours_is_422(api: ApiClient, minutes: int) -> None:
    assert set(assert_invalid(hold(api, minutes=minutes))) == {"minutes"}


def test_a_hold_of_three_hours_is_allowed(api: ApiClient) -> None:
    assert held(api, minutes=180)["expires_at"] == "2026-01-15T23:00:00+00:00"


def test_a_held_place_counts_as_held_not_free(api: ApiClient) -> None:
    held(api)

    row = figures(api, "unionstrasse")
    assert (row["held"], row["occupied"], row["free"]) == (1, 0, 69)
    assert figures(api, "unionstrasse", night="2026-01-16")["held"] == 0


def test_a_hold_on_a_taken_place_is_409_place_taken(api: ApiClient) -> None:
    assert check_in(api).json["place"] == "1"
    assert_error(hold(api, place="1"), 409, "place_taken")
    assert held(api, place="2")["place"] == "2"


def test_an_expired_hold_frees_its_place_and_cannot_be_converted(
    api: ApiClient, clock: FakeClock
) -> None:
    hold_id = held(api, minutes=30)["id"]
    clock.advance(minutes=29)
    assert figures(api, "unionstrasse")["held"] == 1

    clock.advance(minutes=2)

    row = figures(api, "unionstrasse")
    assert (row["held"], row["free"]) == (0, 70)
    shown = api.get(f"/holds/{hold_id}", as_="outreach")
    assert shown.status_code == 200
    assert shown.json["status"] == "expired"
    assert_error(convert(api, hold_id), 409, "hold_expired")
    assert figures(api, "unionstrasse")["occupied"] == 0


def test_converting_a_live_hold_checks_the_person_in_on_the_held_place(api: ApiClient) -> None:
    created = held(api, place="12")

    response = convert(api, created["id"], person={"name": "Ankömmling", "gender": "m"})

    assert response.status_code == 201, response.json
    stay = response.json
    assert (stay["facility"], stay["place"]) == ("unionstrasse", "12")
    assert (stay["status"], stay["first_night"], stay["nights"]) == ("checked_in", TONIGHT, 1)
    assert stay["person"]["name"] == "Ankömmling"
    row = figures(api, "unionstrasse")
    assert (row["occupied"], row["held"], row["free"]) == (1, 0, 69)
    assert api.get(f"/stays/{stay['id']}", as_="staff").json["place"] == "12"
    assert_error(convert(api, created["id"]), 409, "invalid_state")


def test_converting_a_hold_checks_the_person_like_a_check_in(api: ApiClient) -> None:
    hold_id = held(api)["id"]

    assert_error(
        convert(api, hold_id, person={"name": "Erika", "gender": "f"}), 422, "wrong_target_group"
    )
    assert set(assert_invalid(convert(api, hold_id, nights=0))) == {"nights"}
    assert api.get(f"/holds/{hold_id}", as_="staff").json["status"] == "held"


def test_cancelling_a_hold_frees_its_place(api: ApiClient) -> None:
    hold_id = held(api)["id"]

    response = api.delete(f"/holds/{hold_id}", as_="outreach")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "cancelled"
    row = figures(api, "unionstrasse")
    assert (row["held"], row["free"]) == (0, 70)
    assert_error(convert(api, hold_id), 409, "invalid_state")
    assert_error(api.delete("/holds/999999", as_="outreach"), 404, "not_found")


def test_cancelling_an_expired_hold_keeps_it_a_no_show(api: ApiClient, clock: FakeClock) -> None:
    hold_id = held(api, minutes=10)["id"]
    clock.advance(minutes=10)

    response = api.delete(f"/holds/{hold_id}", as_="outreach")

    assert (response.status_code, response.json["status"]) == (200, "expired")
    assert api.get(f"/holds/{hold_id}", as_="outreach").json["status"] == "expired"


def test_a_hold_blocks_its_place_until_it_expires(api: ApiClient, clock: FakeClock) -> None:
    last_night = check_in_body(
        api, person={"name": "Gast", "gender": "m"}, place="5", night="2026-01-14"
    ).json
    held(api, place="5", minutes=10)
    extend = f"/stays/{last_night['id']}/extend"

    assert_error(api.post(extend, as_="staff", json={}), 409, "place_taken")
    clock.advance(minutes=10)
    extended = api.post(extend, as_="staff", json={})
    assert (extended.status_code, extended.json["end_night"]) == (200, "2026-01-16")


def test_a_shelter_that_takes_nobody_in_takes_no_holds(api: ApiClient) -> None:
    assert api.patch("/facilities/drogenhilfe", json={"status": "closed"}).status_code == 200
    assert_error(hold(api, facility="drogenhilfe"), 409, "facility_not_offering")
    assert_error(hold(api, facility="gibt-es-nicht"), 404, "not_found")


def test_outreach_see_and_cancel_only_their_own_holds(api: ApiClient) -> None:
    own = held(api, as_="outreach")["id"]
    staffs = held(api, as_="staff")["id"]

    assert_error(api.get(f"/holds/{staffs}", as_="outreach"), 404, "not_found")
    assert_error(api.delete(f"/holds/{staffs}", as_="outreach"), 404, "not_found")
    assert item_ids(api.get("/holds", as_="outreach")) == [own]
    assert api.get(f"/holds/{staffs}", as_="staff").json["status"] == "held"


def test_one_caller_holds_at_most_five_places_at_once(api: ApiClient, clock: FakeClock) -> None:
    """A lost crew phone (or a script gone wrong) cannot hold a whole shelter."""
    holds = [held(api, minutes=30, facility=slug)["id"] for slug in ("unionstrasse",) * 4]
    holds.append(held(api, minutes=60, facility="nortkirchenstrasse")["id"])

    refused = hold(api)
    assert_error(refused, 409, "hold_limit")
    assert "5" in refused.json["message"]
    # Other callers are not affected.
    assert hold(api, as_="staff").status_code == 201
    # A cancelled or expired hold no longer counts.
    assert api.delete(f"/holds/{holds[0]}", as_="outreach").status_code == 200
    assert hold(api).status_code == 201
    assert_error(hold(api), 409, "hold_limit")
    clock.advance(minutes=30)
    assert [hold(api).status_code for _ in range(3)] == [201, 201, 201]  # 3 ran out
    assert_error(hold(api), 409, "hold_limit")


def test_outreach_cannot_convert_a_hold(api: ApiClient) -> None:
    own = held(api, as_="outreach")["id"]
    assert_error(convert(api, own, as_="outreach"), 403, "forbidden")


def test_staff_hold_and_see_holds_only_in_their_own_shelter(api: ApiClient) -> None:
    assert_error(hold(api, as_="staff", facility="nortkirchenstrasse"), 403, "forbidden")
    union = held(api, as_="outreach")["id"]
    women = held(api, as_="outreach", facility="nortkirchenstrasse")["id"]

    assert item_ids(api.get("/holds", as_="staff")) == [union]
    assert item_ids(api.get("/holds", as_="staff_women")) == [women]
    assert_error(api.get(f"/holds/{women}", as_="staff"), 404, "not_found")
    assert_error(convert(api, women, as_="staff"), 404, "not_found")
    assert_error(
        api.get("/holds", as_="staff", query_string={"facility": "nortkirchenstrasse"}),
        403,
        "forbidden",
    )
    assert item_ids(api.get("/holds", as_="manager")) == [women, union]
