"""A check-in of a new person whose name and year of birth are those of a guest already
checked in that night at the facility is 409 `possible_duplicate` with that guest's stay
(a tablet that lost the answer and sent it again, a colleague registering the same guest),
unless the request confirms a namesake with `"confirm_new_person": true`."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.apiclient import TOMORROW, ApiClient, assert_error, figures
from tests.live import LiveApi, live  # noqa: F401 - the fixture

THOMAS = {"name": "Thomas Müller", "birth_year": 1971, "gender": "m"}


def check_in(api: ApiClient, person: dict[str, Any], **body: Any) -> Any:
    return api.post(
        "/stays", as_="staff", json={"facility": "unionstrasse", "person": person, **body}
    )


def test_the_same_new_guest_sent_again_is_a_possible_duplicate(api: ApiClient) -> None:
    first = check_in(api, THOMAS)
    assert first.status_code == 201, first.json
    occupied = figures(api, "unionstrasse")["occupied"]

    again = check_in(api, {**THOMAS, "name": "thomas  Mueller"})

    assert_error(again, 409, "possible_duplicate")
    assert again.json["stay"] == first.json
    assert "Thomas Müller" in again.json["message"]
    assert "1971" in again.json["message"]
    assert figures(api, "unionstrasse")["occupied"] == occupied


def test_a_confirmed_namesake_is_checked_in(api: ApiClient) -> None:
    first = check_in(api, THOMAS)

    namesake = check_in(api, THOMAS, confirm_new_person=True)

    assert namesake.status_code == 201, namesake.json
    assert namesake.json["person"]["id"] != first.json["person"]["id"]


def test_another_year_or_night_is_no_duplicate(api: ApiClient) -> None:
    assert check_in(api, THOMAS).status_code == 201

    assert check_in(api, {**THOMAS, "birth_year": 1972}).status_code == 201
    # Without a year of birth a name alone ("Gast", an alias) says too little.
    assert check_in(api, {**THOMAS, "birth_year": None}).status_code == 201
    assert check_in(api, {**THOMAS, "birth_year": None}).status_code == 201
    assert check_in(api, THOMAS, night=TOMORROW).status_code == 201


def test_an_existing_person_by_id_is_not_asked_about(api: ApiClient) -> None:
    first = check_in(api, THOMAS)
    response = check_in(api, {"id": first.json["person"]["id"]})
    assert_error(response, 409, "already_checked_in")


def test_a_guest_gone_tonight_is_no_duplicate(api: ApiClient) -> None:
    first = check_in(api, THOMAS)
    assert api.post(f"/stays/{first.json['id']}/checkout", as_="staff").status_code == 200

    assert check_in(api, THOMAS).status_code == 201


def test_a_held_place_converted_for_the_same_new_guest_is_asked_about(api: ApiClient) -> None:
    assert check_in(api, THOMAS).status_code == 201
    hold = api.post("/holds", as_="outreach", json={"facility": "unionstrasse"}).json
    path = f"/holds/{hold['id']}/convert"

    assert_error(api.post(path, as_="staff", json={"person": THOMAS}), 409, "possible_duplicate")
    confirmed = api.post(path, as_="staff", json={"person": THOMAS, "confirm_new_person": True})
    assert confirmed.status_code == 201, confirmed.json


def test_the_openapi_document_describes_the_confirmation(api: ApiClient) -> None:
    spec = api.get("/openapi.json", as_=None).json
    check_in_schema = spec["components"]["schemas"]["CheckIn"]["properties"]
    assert check_in_schema["confirm_new_person"]["type"] == "boolean"
    assert "possible_duplicate" in spec["paths"]["/api/v1/stays"]["post"]["description"]
    assert "stay" in spec["components"]["schemas"]["Error"]["properties"]


@pytest.mark.slow
@pytest.mark.postgres_only
def test_one_new_guest_sent_six_times_at_once_is_checked_in_once(live: LiveApi) -> None:  # noqa: F811
    send = ("POST", "/stays", {"json": {"facility": "unionstrasse", "person": THOMAS}})
    replies = live.at_once(*[send] * 6)

    assert Counter(r.status for r in replies) == {201: 1, 409: 5}, [r.body for r in replies]
    assert {r.body["code"] for r in replies if r.status == 409} == {"possible_duplicate"}
