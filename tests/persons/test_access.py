"""Who sees which person. Staff find any returning guest, wherever they slept before, by a
specific search with few hits (or by a whole short name), and read or act on a person by
id only when the person is known at one of their facilities (a stay, a house ban or a
turn-away there) or their own search showed them the person (or they registered them)
within the last 24 hours; to everyone else's ids they get the same 404 as to ids that
don't exist. Managers and admins see every person; outreach crews none. Every person
shown is audited, the query never."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from belegung.persons.models import Person
from tests.apiclient import (
    ApiClient,
    Caller,
    assert_error,
    assert_invalid,
    audited,
    ban,
    check_in,
    check_in_body,
    convert,
    held,
    item_ids,
    new_person,
)
from tests.conftest import FakeClock


def assert_error_message(response: TestResponse) -> str:
    assert_invalid(response, "query")
    message: str = response.json["message"]
    return message


def search(api: ApiClient, q: str, as_: str = "staff", **query: Any) -> TestResponse:
    return api.get("/persons", as_=as_, query_string={"q": q, **query})


def registered(api: ApiClient, **fields: Any) -> int:
    """A person registered by an admin: known at no facility yet."""
    response = api.post("/persons", as_="admin", json={"name": "Gast", "gender": "m", **fields})
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def read(api: ApiClient, person_id: int, as_: str = "staff") -> TestResponse:
    return api.get(f"/persons/{person_id}", as_=as_)


# --- searching --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    ["a", "Al", "1971", "a 1971", "%%%", "a-b", "12 34", "J. 1971"],
    ids=[
        "one-letter", "two-letters", "year-only", "one-letter-and-year", "wildcards",
        "two-letters-and-a-dash", "digits", "initial-and-year",
    ],
)  # fmt: skip
def test_staff_search_needs_three_letters_of_the_name_or_two_with_the_year(
    api: ApiClient, q: str
) -> None:
    new_person(api, name="Alan Jansen", birth_year=1971)

    response = search(api, q)

    assert set(assert_invalid(response, "query")) == {"q"}
    assert "mindestens 3 Buchstaben" in response.json["message"]


@pytest.mark.parametrize(
    ("q", "name"),
    [("Ali", "Ali K."), ("Li 1990", "Li Wei"), ("Öz 1990", "Öz Demir"), ("Wu 1990", "Wu")],
    ids=["three-letters", "two-letters-and-year", "umlaut-counts-once", "whole-name"],
)
def test_staff_find_a_short_name_with_enough_letters_or_the_year(
    api: ApiClient, q: str, name: str
) -> None:
    person_id = new_person(api, name=name, birth_year=1990)

    assert item_ids(search(api, q)) == [person_id]


def test_staff_are_asked_to_refine_a_search_matching_more_than_20_persons(
    api: ApiClient, session: Session
) -> None:
    for year in range(1960, 1981):
        new_person(api, name="Anna Schmidt", birth_year=year)

    response = search(api, "Schmidt")

    assert set(assert_invalid(response, "query")) == {"q"}
    assert "mehr als 20 Treffer" in response.json["message"]
    assert "bitte genauer suchen" in response.json["message"]
    assert audited(session, "person.search") == []
    assert len(item_ids(search(api, "Schmidt 1970"))) == 1


def test_staff_find_a_guest_known_by_a_short_name_alone(api: ApiClient) -> None:
    """No year of birth, a name shorter than 3 letters or contained in many others: the
    whole word still finds the guest, so that nobody is registered twice."""
    wu, ali = new_person(api, name="Wu"), new_person(api, name="Ali")
    for n in range(21):
        new_person(api, name=f"Alina Kowalik {n}")

    assert item_ids(search(api, "Wu")) == [wu]
    assert item_ids(search(api, "ali")) == [ali]
    assert_invalid(search(api, "Ka"), "query")  # no one is called just "Ka"


def test_staff_are_asked_to_refine_a_search_matching_more_than_20_whole_names(
    api: ApiClient,
) -> None:
    for _ in range(21):
        new_person(api, name="Ali")

    response = search(api, "Ali")

    assert "mehr als 20 Treffer" in assert_error_message(response)


def test_staff_see_up_to_20_hits_in_pages(api: ApiClient) -> None:
    for year in range(1960, 1980):
        new_person(api, name="Anna Schmidt", birth_year=year)

    first = search(api, "Schmidt", page_size=15)
    second = search(api, "Schmidt", page_size=15, page=2)

    assert (first.json["total"], len(item_ids(first)), len(item_ids(second))) == (20, 15, 5)
    assert set(item_ids(first)).isdisjoint(item_ids(second))


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_search_without_limits(api: ApiClient, role: str) -> None:
    for year in range(1960, 1985):
        new_person(api, name="Anna Schmidt", birth_year=year)

    everyone = search(api, "a", as_=role, page_size=10, page=3)
    by_year = search(api, "1970", as_=role)

    assert (everyone.json["total"], len(item_ids(everyone))) == (25, 5)
    assert len(item_ids(by_year)) == 1


def test_staff_find_a_returning_guest_who_slept_only_elsewhere_and_check_him_in(
    api: ApiClient, clock: FakeClock
) -> None:
    # Last night in the drug users' shelter (staff of unionstrasse never met him).
    last_night = check_in_body(
        api,
        as_="admin",
        facility="drogenhilfe",
        person={"name": "Karl Becker", "birth_year": 1975, "gender": "m"},
    )
    assert last_night.status_code == 201, last_night.json
    karl = last_night.json["person"]["id"]
    clock.advance(days=1)
    assert_error(read(api, karl), 404, "not_found")

    # Tonight at the door of unionstrasse: search, pick, check in by id.
    (found,) = search(api, "becker 1975").json["items"]
    assert (found["id"], found["name"]) == (karl, "Karl Becker")
    tonight = check_in_body(api, person={"id": found["id"]})

    assert tonight.status_code == 201, tonight.json
    assert read(api, karl).json["name"] == "Karl Becker"


# --- reading one person -----------------------------------------------------------------


def _stay(api: ApiClient, person_id: int, as_: str = "admin") -> TestResponse:
    return check_in_body(api, as_=as_, person={"id": person_id})


def _hold(api: ApiClient, person_id: int, as_: str = "admin") -> TestResponse:
    return convert(api, held(api)["id"], as_=as_, person={"id": person_id})


def _ban(api: ApiClient, person_id: int, as_: str = "admin") -> TestResponse:
    return ban(api, person_id, as_=as_)


def _turn_away(api: ApiClient, person_id: int, as_: str = "admin") -> TestResponse:
    body = {"facility": "unionstrasse", "reason": "full", "person": person_id}
    return api.post("/turnaways", as_=as_, json=body)


RECORDS = pytest.mark.parametrize(
    "record",
    [_stay, _hold, _ban, _turn_away],
    ids=["stay", "converted-hold", "house-ban", "turn-away"],
)


@RECORDS
def test_staff_read_a_person_once_known_at_their_facility(
    api: ApiClient, record: Callable[[ApiClient, int], TestResponse]
) -> None:
    person_id = registered(api, name="Ralf Vogt", birth_year=1968)
    assert_error(read(api, person_id), 404, "not_found")

    recorded = record(api, person_id)  # by the admin, at unionstrasse

    assert recorded.status_code == 201, recorded.json
    response = read(api, person_id)
    assert response.status_code == 200, response.json
    assert (response.json["id"], response.json["name"]) == (person_id, "Ralf Vogt")
    # Known at unionstrasse is not known at the women's shelter.
    assert_error(read(api, person_id, as_="staff_women"), 404, "not_found")


def test_staff_cannot_tell_a_person_of_another_shelter_from_an_id_that_does_not_exist(
    api: ApiClient,
) -> None:
    stay = check_in_body(
        api,
        as_="staff_women",
        facility="nortkirchenstrasse",
        person={"name": "Maria L.", "gender": "f"},
    )
    maria = stay.json["person"]["id"]

    elsewhere, nowhere = read(api, maria), read(api, maria + 1000)

    assert (elsewhere.status_code, elsewhere.json) == (nowhere.status_code, nowhere.json)
    assert elsewhere.status_code == 404
    assert read(api, maria, as_="staff_women").status_code == 200


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_read_every_person(api: ApiClient, role: str) -> None:
    person_id = registered(api, name="Ralf Vogt")

    assert read(api, person_id, as_=role).json["name"] == "Ralf Vogt"


def test_a_person_shown_to_staff_is_theirs_to_read_and_act_on_for_a_day(
    api: ApiClient, clock: FakeClock
) -> None:
    # Registered by this staff member: theirs (not other staff's) until tomorrow evening.
    person_id = new_person(api, name="Emil Brandt", birth_year=1999)
    assert read(api, person_id).status_code == 200
    assert_error(read(api, person_id, as_="staff_women"), 404, "not_found")
    clock.advance(hours=25)
    assert_error(read(api, person_id), 404, "not_found")

    # Shown again by a search; then taken in, known at the shelter for good.
    assert item_ids(search(api, "Brandt 1999")) == [person_id]
    assert _stay(api, person_id, as_="staff").status_code == 201
    clock.advance(hours=25)
    assert read(api, person_id).status_code == 200


@RECORDS
def test_staff_cannot_make_a_record_about_a_person_they_were_never_shown(
    api: ApiClient, session: Session, record: Callable[..., TestResponse]
) -> None:
    """Else a turn-away for any id would tell whether it exists, and then tie the person
    to the shelter, so that staff could read them."""
    person_id = registered(api, name="Erika Muster", birth_year=1980, gender="m")
    entries = len(audited(session, "stay.check_in") + audited(session, "ban.create"))

    assert_error(record(api, person_id, as_="staff"), 404, "not_found")
    assert_error(record(api, person_id + 1000, as_="staff"), 404, "not_found")
    assert len(audited(session, "stay.check_in") + audited(session, "ban.create")) == entries
    assert audited(session, "turn_away.create") == []
    assert_error(read(api, person_id), 404, "not_found")

    assert item_ids(search(api, "Muster 1980")) == [person_id]
    assert record(api, person_id, as_="staff").status_code == 201


def test_an_anonymised_person_is_read_by_nobody(api: ApiClient, session: Session) -> None:
    person_id = check_in(api).json["person"]["id"]
    anonymised = session.get(Person, person_id)
    assert anonymised is not None
    anonymised.anonymised_at = anonymised.created_at

    for role in ("staff", "manager", "admin"):
        assert_error(read(api, person_id, as_=role), 404, "not_found")


# --- the audit log ----------------------------------------------------------------------


def test_reading_a_hidden_person_leaves_no_read_in_the_log(
    api: ApiClient, session: Session
) -> None:
    person_id = registered(api)

    assert_error(read(api, person_id), 404, "not_found")

    assert audited(session, "person.read") == []


def test_the_log_tells_who_was_shown_to_whom_by_a_search(
    api: ApiClient, session: Session, callers: dict[str, Caller]
) -> None:
    karl = new_person(api, name="Karl Becker", birth_year=1975)
    new_person(api, name="Karla Becker", birth_year=1980)

    search(api, "Becker 1975")
    search(api, "Niemand")

    entries = sorted(audited(session, "person.search"), key=lambda e: e.id)
    assert [(e.actor_id, e.object_id, e.details) for e in entries] == [
        (callers["staff"].user_id, karl, {"results": 1}),
        (callers["staff"].user_id, None, {"results": 0}),
    ]
