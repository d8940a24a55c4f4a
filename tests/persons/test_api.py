"""Persons (register, find returning guests, read) and the winter emergency switch."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.apiclient import (
    PERSON_FIELDS,
    ApiClient,
    Caller,
    assert_error,
    assert_invalid,
    audited,
    ban,
    check_in_body,
    figures,
    new_person,
)

INACTIVE = {"active": False, "since": None, "source": None, "reason": None, "manual": False}


def women_check_in(api: ApiClient, **body: Any) -> Any:
    return check_in_body(
        api,
        as_="staff_women",
        facility="nortkirchenstrasse",
        person={"name": "Gästin", "gender": "f"},
        **body,
    )


# --- persons ------------------------------------------------------------------------------


def test_staff_register_a_person(api: ApiClient) -> None:
    body = {"name": "Thomas K.", "birth_year": 1971, "gender": "m", "nationality": "eu"}

    response = api.post("/persons", as_="staff", json=body)

    assert response.status_code == 201, response.json
    assert set(response.json) == PERSON_FIELDS
    assert {k: response.json[k] for k in body} == body
    assert (response.json["household_type"], response.json["household_size"]) == ("single", 1)


@pytest.mark.parametrize("household_type", ["other_multi", "unknown"])
def test_the_household_types_of_the_design_are_accepted(
    api: ApiClient, household_type: str
) -> None:
    body = {"name": "Familie K.", "household_type": household_type, "household_size": 3}

    response = api.post("/persons", as_="staff", json=body)

    assert response.status_code == 201, response.json
    assert response.json["household_type"] == household_type


@pytest.mark.parametrize("household_type", ["multi_person", "other_with_children"])
def test_the_former_household_types_are_refused(api: ApiClient, household_type: str) -> None:
    body = {"name": "Familie K.", "household_type": household_type, "household_size": 3}

    response = api.post("/persons", as_="staff", json=body)

    assert response.status_code == 422, response.json
    assert "household_type" in str(response.json)


def test_only_the_name_of_a_person_is_required(api: ApiClient) -> None:
    response = api.post("/persons", as_="staff_women", json={"name": "Anna"})

    assert response.status_code == 201, response.json
    assert response.json["birth_year"] is None
    assert (response.json["gender"], response.json["nationality"]) == ("unknown", "unknown")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "A", "birth_year": 1850}, "birth_year"),
        ({"name": "A", "birth_year": 2030}, "birth_year"),
        ({"name": "A", "gender": "x"}, "gender"),
        ({"name": "A", "nationality": "martian"}, "nationality"),
        ({"name": "A", "household_size": 0}, "household_size"),
        ({"name": "A", "drogen": True}, "drogen"),
    ],
    ids=[
        "no-name", "empty-name", "born-1850", "born-in-the-future", "unknown-gender",
        "unknown-nationality", "empty-household", "health-data",
    ],
)  # fmt: skip
def test_an_invalid_person_is_422_naming_the_field(
    api: ApiClient, body: dict[str, Any], field: str
) -> None:
    assert set(assert_invalid(api.post("/persons", as_="staff", json=body))) == {field}


def test_returning_guests_are_found_by_name_and_year_of_birth(api: ApiClient) -> None:
    thomas = new_person(api, name="Thomas Müller", birth_year=1971)
    anna = new_person(api, name="Anna Müller", birth_year=1971)
    meier = new_person(api, name="Thomas Meier", birth_year=1980)

    def found(q: str) -> list[int]:
        response = api.get("/persons", as_="staff", query_string={"q": q})
        assert response.status_code == 200, response.json
        assert response.json["total"] == len(response.json["items"])
        return [p["id"] for p in response.json["items"]]

    assert found("Müller 1971") == [anna, thomas]
    assert found("mueller") == [anna, thomas]
    assert found("thomas") == [meier, thomas]
    assert found("Thomas 1980") == [meier]
    assert found("Müller 1980") == []
    paged = api.get("/persons", as_="staff", query_string={"q": "thomas", "page_size": 1})
    assert (paged.json["total"], len(paged.json["items"])) == (2, 1)
    assert set(assert_invalid(api.get("/persons", as_="staff"), "query")) == {"q"}
    # A year of birth alone is too broad for staff (see test_persons_access), not for
    # managers.
    by_year = api.get("/persons", as_="manager", query_string={"q": "1971"})
    assert [p["id"] for p in by_year.json["items"]] == [anna, thomas]


def test_a_person_is_read_by_id_and_the_look_up_is_audited(
    api: ApiClient, session: Session, callers: dict[str, Caller]
) -> None:
    jana = {"name": "Jana W.", "birth_year": 1990, "gender": "f"}
    stay = check_in_body(api, as_="staff_women", facility="nortkirchenstrasse", person=jana)
    assert stay.status_code == 201, stay.json
    person_id = stay.json["person"]["id"]

    response = api.get(f"/persons/{person_id}", as_="staff_women")

    assert response.status_code == 200
    assert (response.json["id"], response.json["name"]) == (person_id, "Jana W.")
    (entry,) = audited(session, "person.read")
    assert (entry.actor_id, entry.object_id) == (callers["staff_women"].user_id, person_id)
    assert_error(api.get("/persons/999999", as_="staff"), 404, "not_found")


def test_a_search_is_audited_with_the_persons_shown_but_not_the_query(
    api: ApiClient, session: Session, callers: dict[str, Caller]
) -> None:
    jurgen = new_person(api, name="Jürgen Müller", birth_year=1971)
    karl = new_person(api, name="Karl Müller", birth_year=1980)

    api.get("/persons", as_="staff", query_string={"q": "Müller"})

    entries = audited(session, "person.search")
    assert {e.object_id for e in entries} == {jurgen, karl}
    assert {e.actor_id for e in entries} == {callers["staff"].user_id}
    assert all("Müller" not in str(e.details) for e in entries)


@pytest.mark.parametrize(
    "letter", ["ß", "ä", "ﬃ", "\ufdfa"], ids=["sharp-s", "umlaut", "ligature", "longest-fold"]
)
def test_a_name_of_120_letters_that_fold_to_more_is_registered_and_found(
    api: ApiClient, letter: str
) -> None:
    # ß and ä fold to two letters, "ﬃ" to three, U+FDFA (an Arabic ligature) to 18:
    # the search key is cut to its column, and the person found by its beginning.
    name = letter * 120

    response = api.post("/persons", as_="staff", json={"name": name, "birth_year": 1980})

    assert response.status_code == 201, response.json
    assert response.json["name"] == name
    found = api.get("/persons", as_="staff", query_string={"q": f"{letter * 3} 1980"})
    assert [p["id"] for p in found.json["items"]] == [response.json["id"]]


def test_outreach_crews_see_no_persons(api: ApiClient) -> None:
    person_id = new_person(api)
    assert_error(api.get("/persons", as_="outreach", query_string={"q": "Gast"}), 403, "forbidden")
    assert_error(api.get(f"/persons/{person_id}", as_="outreach"), 403, "forbidden")


# --- winter emergency ---------------------------------------------------------------------


def test_the_winter_emergency_is_off_at_first(api: ApiClient) -> None:
    response = api.get("/winter-emergency", as_="outreach")
    assert (response.status_code, response.json) == (200, INACTIVE)


def test_a_manager_switches_the_winter_emergency_on_and_off(
    api: ApiClient, session: Session, callers: dict[str, Caller]
) -> None:
    on = api.put("/winter-emergency", as_="manager", json={"active": True, "reason": "-8 °C"})

    active = {
        "active": True,
        "since": "2026-01-15T20:00:00+00:00",
        "source": "manual",
        "reason": "-8 °C",
        # Switched by hand: the forecast leaves it alone until a manager releases it.
        "manual": True,
    }
    assert (on.status_code, on.json) == (200, active)
    assert api.get("/winter-emergency", as_="staff").json == active
    assert api.get("/availability", as_="outreach").json["winter_emergency"] is True
    # Repeating the switch changes nothing.
    again = api.put("/winter-emergency", as_="manager", json={"active": True, "reason": "-9 °C"})
    assert again.json == active
    assert [e.actor_id for e in audited(session, "winter.start")] == [callers["manager"].user_id]

    off = api.put("/winter-emergency", as_="manager", json={"active": False, "reason": "Tauwetter"})
    assert (off.status_code, off.json) == (200, {**INACTIVE, "manual": True})
    assert api.get("/availability").json["winter_emergency"] is False


def test_emergency_places_are_offered_at_once_in_a_winter_emergency(api: ApiClient) -> None:
    assert_error(women_check_in(api, place="N1"), 409, "emergency_place_not_offered")
    assert figures(api, "nortkirchenstrasse")["free"] == 50

    switched = api.put("/winter-emergency", as_="manager", json={"active": True, "reason": "Frost"})
    assert switched.status_code == 200

    response = women_check_in(api, place="N1")
    assert response.status_code == 201, response.json
    assert response.json["place"] == "N1"
    row = figures(api, "nortkirchenstrasse")
    assert (row["free"], row["free_emergency"], row["occupied"]) == (50, 3, 1)


def test_conduct_bans_are_suspended_in_a_winter_emergency_but_danger_bans_hold(
    api: ApiClient,
) -> None:
    quarrel, danger = new_person(api), new_person(api)
    assert ban(api, quarrel, kind="conduct").status_code == 201
    assert ban(api, danger, kind="danger").status_code == 201
    switched = api.put("/winter-emergency", as_="manager", json={"active": True, "reason": "Frost"})
    assert switched.status_code == 200

    assert check_in_body(api, person={"id": quarrel}).status_code == 201
    assert_error(check_in_body(api, person={"id": danger}), 403, "banned")


def test_staff_cannot_switch_the_winter_emergency(api: ApiClient) -> None:
    response = api.put("/winter-emergency", as_="staff", json={"active": True, "reason": "kalt"})

    assert_error(response, 403, "forbidden")
    assert api.get("/winter-emergency", as_="staff").json == INACTIVE


@pytest.mark.parametrize(
    ("body", "fields"),
    [({"reason": "kalt"}, {"active"}), ({"active": True}, {"reason"}), ({}, {"active", "reason"})],
    ids=["no-active", "no-reason", "empty"],
)
def test_a_winter_switch_needs_active_and_a_reason(
    api: ApiClient, body: dict[str, Any], fields: set[str]
) -> None:
    assert set(assert_invalid(api.put("/winter-emergency", as_="manager", json=body))) == fields


def test_a_blank_winter_reason_is_422(api: ApiClient) -> None:
    response = api.put("/winter-emergency", as_="manager", json={"active": True, "reason": "   "})
    assert set(assert_invalid(response)) == {"reason"}
