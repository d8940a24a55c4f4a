"""Turn-aways (unmet demand, with a reason) and house bans (impose, find, lift, override)."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import TestResponse

from tests.apiclient import (
    NIGHTS_OUT_OF_RANGE,
    TOMORROW,
    TONIGHT,
    ApiClient,
    assert_error,
    assert_invalid,
    ban,
    check_in_body,
    item_ids,
    new_person,
)


def turn_away(api: ApiClient, as_: str = "staff", **body: Any) -> TestResponse:
    return api.post("/turnaways", as_=as_, json={"facility": "unionstrasse", **body})


def banned(api: ApiClient, person_id: int, **body: Any) -> dict[str, Any]:
    response = ban(api, person_id, **body)
    assert response.status_code == 201, response.json
    result: dict[str, Any] = response.json
    return result


def lift(
    api: ApiClient, ban_id: int, as_: str = "staff", reason: str = "Aussprache geführt"
) -> TestResponse:
    return api.post(f"/bans/{ban_id}/lift", as_=as_, json={"reason": reason})


# --- turn-aways ---------------------------------------------------------------------------


def test_staff_record_a_turn_away_with_its_reason(api: ApiClient) -> None:
    response = turn_away(api, reason="full", note="kam nach 23 Uhr")

    assert response.status_code == 201, response.json
    body = response.json
    assert isinstance(body["id"], int)
    assert (body["facility"], body["night"], body["reason"]) == ("unionstrasse", TONIGHT, "full")
    assert (body["note"], body["person"]) == ("kam nach 23 Uhr", None)
    assert body["occurred_at"] == "2026-01-15T20:00:00+00:00"


@pytest.mark.parametrize("reason", ["full", "banned", "wrong_target_group", "other"])
def test_every_documented_turn_away_reason_is_accepted(api: ApiClient, reason: str) -> None:
    assert turn_away(api, reason=reason).json["reason"] == reason


def test_a_turn_away_may_name_a_known_person(api: ApiClient) -> None:
    person_id = new_person(api)
    assert turn_away(api, reason="banned", person=person_id).json["person"] == person_id
    assert_error(turn_away(api, reason="banned", person=999_999), 404, "not_found")


@pytest.mark.parametrize(
    "body",
    [{"reason": "voll"}, {"reason": ""}, {}, {"reason": "full", "name": "Heinz"}],
    ids=["unknown-reason", "empty-reason", "no-reason", "unknown-field"],
)
def test_a_turn_away_without_a_valid_reason_is_422(api: ApiClient, body: dict[str, Any]) -> None:
    errors = assert_invalid(turn_away(api, **body))
    assert set(errors) == ({"name"} if "name" in body else {"reason"})


def test_turn_aways_are_listed_per_shelter_and_night(api: ApiClient) -> None:
    first = turn_away(api, reason="full").json["id"]
    second = turn_away(api, reason="other").json["id"]
    women = turn_away(api, "staff_women", facility="nortkirchenstrasse", reason="full").json["id"]

    assert item_ids(api.get("/turnaways", as_="staff")) == [second, first]
    assert item_ids(api.get("/turnaways", as_="staff_women")) == [women]
    assert set(item_ids(api.get("/turnaways", as_="manager"))) == {first, second, women}
    assert item_ids(api.get("/turnaways", query_string={"night": TOMORROW})) == []
    assert set(item_ids(api.get("/turnaways", query_string={"night": TONIGHT}))) == {
        first,
        second,
        women,
    }
    in_women = api.get("/turnaways", query_string={"facility": "nortkirchenstrasse"})
    assert item_ids(in_women) == [women]
    other = api.get("/turnaways", as_="staff", query_string={"facility": "nortkirchenstrasse"})
    assert_error(other, 403, "forbidden")


def test_staff_record_turn_aways_only_in_their_own_shelter(api: ApiClient) -> None:
    response = turn_away(api, facility="nortkirchenstrasse", reason="full")
    assert_error(response, 403, "forbidden")


# --- house bans ---------------------------------------------------------------------------


def test_staff_impose_a_house_ban(api: ApiClient) -> None:
    person_id = new_person(api)

    response = ban(api, person_id, kind="danger", reason="Messer gezogen", end_night="2026-02-15")

    assert response.status_code == 201, response.json
    body = response.json
    assert isinstance(body["id"], int)
    assert (body["facility"], body["person"], body["kind"]) == ("unionstrasse", person_id, "danger")
    assert body["reason"] == "Messer gezogen"
    assert (body["first_night"], body["end_night"]) == (TONIGHT, "2026-02-15")
    assert body["lifted_at"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "rude"}, "kind"),
        ({"reason": ""}, "reason"),
        ({"end_night": TONIGHT}, "end_night"),
        ({"end_night": "2026-01-10"}, "end_night"),
    ],
    ids=["unknown-kind", "empty-reason", "ends-when-it-starts", "ends-before-it-starts"],
)
def test_an_invalid_ban_is_422_naming_the_field(
    api: ApiClient, body: dict[str, Any], field: str
) -> None:
    person_id = new_person(api)
    assert set(assert_invalid(ban(api, person_id, **body))) == {field}


def test_a_ban_of_an_unknown_person_is_404(api: ApiClient) -> None:
    assert_error(ban(api, 999_999), 404, "not_found")


def test_bans_are_found_by_person_facility_and_night(api: ApiClient) -> None:
    person_id, other_id = new_person(api), new_person(api)
    until_20th = banned(api, person_id, end_night="2026-01-20")["id"]
    banned(api, other_id)
    women = api.post(
        "/bans",
        as_="admin",
        json={
            "facility": "nortkirchenstrasse",
            "person": person_id,
            "kind": "danger",
            "reason": "x",
        },
    ).json["id"]

    def found(**query: Any) -> list[int]:
        return item_ids(api.get("/bans", as_="manager", query_string=query))

    query = {"person": person_id, "facility": "unionstrasse"}
    assert found(**query, active_on=TONIGHT) == [until_20th]
    assert found(**query, active_on="2026-01-19") == [until_20th]
    assert found(**query, active_on="2026-01-20") == []
    assert found(**query, active_on="2026-01-14") == []
    assert set(found(person=person_id)) == {until_20th, women}
    assert item_ids(api.get("/bans", as_="staff", query_string={"person": person_id})) == [
        until_20th
    ]
    other = api.get("/bans", as_="staff", query_string={"facility": "nortkirchenstrasse"})
    assert_error(other, 403, "forbidden")


def test_lifting_a_ban_lets_the_person_in_again(api: ApiClient) -> None:
    person_id = new_person(api)
    ban_id = banned(api, person_id)["id"]
    assert_error(check_in_body(api, person={"id": person_id}), 403, "banned")

    response = lift(api, ban_id)

    assert response.status_code == 200, response.json
    assert response.json["lifted_at"] == "2026-01-15T20:00:00+00:00"
    assert response.json["lift_reason"] == "Aussprache geführt"
    active = api.get("/bans", query_string={"person": person_id, "active_on": TONIGHT})
    assert item_ids(active) == []
    assert check_in_body(api, person={"id": person_id}).status_code == 201
    assert_error(lift(api, ban_id), 409, "invalid_state")
    assert_error(lift(api, 999999), 404, "not_found")


def test_lifting_a_ban_needs_a_reason(api: ApiClient) -> None:
    ban_id = banned(api, new_person(api))["id"]
    assert set(assert_invalid(api.post(f"/bans/{ban_id}/lift", as_="staff", json={}))) == {"reason"}
    assert_error(lift(api, ban_id, reason="   "), 422, "invalid")


def test_staff_of_another_shelter_cannot_lift_a_ban(api: ApiClient) -> None:
    ban_id = banned(api, new_person(api))["id"]
    assert_error(lift(api, ban_id, as_="staff_women"), 404, "not_found")


def test_a_danger_ban_is_lifted_only_by_a_manager(api: ApiClient) -> None:
    """Else staff could let in, for good, whom only a manager may let in for a night."""
    ban_id = banned(api, new_person(api), kind="danger")["id"]

    refused = lift(api, ban_id, as_="staff")
    assert_error(refused, 403, "forbidden")
    assert "nur die Leitung" in refused.json["message"]
    assert_error(lift(api, ban_id, as_="outreach"), 403, "forbidden")
    response = lift(api, ban_id, as_="manager", reason="Fallkonferenz")
    assert (response.status_code, response.json["lift_reason"]) == (200, "Fallkonferenz")


def test_a_managers_override_lets_staff_check_a_banned_person_in(api: ApiClient) -> None:
    person_id = new_person(api)
    ban_id = banned(api, person_id, kind="danger")["id"]

    response = api.post(
        f"/bans/{ban_id}/override", as_="manager", json={"reason": "minus 12 Grad, ruhig"}
    )

    assert response.status_code == 201, response.json
    override = response.json
    assert isinstance(override["id"], int)
    assert (override["ban"], override["stay"]) == (ban_id, None)
    assert (override["first_night"], override["end_night"]) == (TONIGHT, TOMORROW)
    assert override["reason"] == "minus 12 Grad, ruhig"
    # The override covers tonight only.
    assert_error(check_in_body(api, person={"id": person_id}, nights=2), 403, "banned")
    assert check_in_body(api, person={"id": person_id}).status_code == 201


def test_staff_cannot_override_a_ban(api: ApiClient) -> None:
    ban_id = banned(api, new_person(api))["id"]
    response = api.post(f"/bans/{ban_id}/override", as_="staff", json={"reason": "kalt"})
    assert_error(response, 403, "forbidden")


def test_a_lifted_or_unknown_ban_cannot_be_overridden(api: ApiClient) -> None:
    ban_id = banned(api, new_person(api))["id"]
    assert lift(api, ban_id).status_code == 200

    lifted = api.post(f"/bans/{ban_id}/override", as_="manager", json={"reason": "kalt"})
    assert_error(lifted, 409, "invalid_state")
    unknown = api.post("/bans/999999/override", as_="manager", json={"reason": "kalt"})
    assert_error(unknown, 404, "not_found")
    assert set(assert_invalid(api.post(f"/bans/{ban_id}/override", as_="manager", json={}))) == {
        "reason"
    }


@pytest.mark.parametrize("night", NIGHTS_OUT_OF_RANGE)
def test_an_override_from_a_night_outside_2000_to_2099_is_422(api: ApiClient, night: str) -> None:
    ban_id = banned(api, new_person(api))["id"]
    body = {"reason": "kalt", "first_night": night}
    response = api.post(f"/bans/{ban_id}/override", as_="manager", json=body)
    assert set(assert_invalid(response)) == {"first_night"}


def test_a_blank_override_reason_is_422_naming_reason(api: ApiClient) -> None:
    ban_id = banned(api, new_person(api))["id"]
    response = api.post(f"/bans/{ban_id}/override", as_="manager", json={"reason": "   "})
    assert set(assert_invalid(response)) == {"reason"}
