"""The availability and stays routes: figures, check-in, listing, extension, check-out;
every write audited and committed once."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.orm import Session

from belegung.audit.models import AuditEntry
from belegung.persons.models import Person
from tests.apiclient import (
    COUNTS,
    FACILITY_FIELDS,
    NIGHTS_OUT_OF_RANGE,
    PERSON_FIELDS,
    TOMORROW,
    TONIGHT,
    YESTERDAY,
    ApiClient,
    Caller,
    assert_error,
    assert_invalid,
    audited,
    ban,
    check_in,
    check_in_body,
    figures,
    item_ids,
    new_person,
)


@pytest.fixture
def banned_person(api: ApiClient) -> int:
    """A person with a `danger` house ban at unionstrasse from tonight."""
    person_id = new_person(api)
    assert ban(api, person_id, kind="danger", reason="Gewalt").status_code == 201
    return person_id


@pytest.fixture
def three_stays(api: ApiClient) -> dict[str, int]:
    """A man tonight and one tomorrow night at unionstrasse, a woman tonight at
    nortkirchenstrasse."""
    tonight = check_in(api, name="Heute").json["id"]
    tomorrow = check_in_body(api, person={"name": "Morgen", "gender": "m"}, night=TOMORROW)
    assert tomorrow.status_code == 201, tomorrow.json
    woman = check_in(api, "nortkirchenstrasse", as_="staff_women", gender="f").json["id"]
    return {"tonight": tonight, "tomorrow": tomorrow.json["id"], "woman": woman}


# --- availability ----------------------------------------------------------------------


def test_availability_gives_exactly_the_documented_figures_per_facility(api: ApiClient) -> None:
    response = api.get("/availability", as_="outreach")

    assert response.status_code == 200
    body = response.json
    assert set(body) == {"night", "as_of", "winter_emergency", "facilities", "totals"}
    assert body["night"] == TONIGHT
    assert body["as_of"] == "2026-01-15T21:00:00+01:00"
    assert body["winter_emergency"] is False
    assert [f["slug"] for f in body["facilities"]] == [
        "unionstrasse", "nortkirchenstrasse", "junge-erwachsene", "drogenhilfe", "wvp",
    ]  # fmt: skip
    for row in body["facilities"]:
        assert set(row) == FACILITY_FIELDS
    women = next(f for f in body["facilities"] if f["slug"] == "nortkirchenstrasse")
    assert women == {
        "slug": "nortkirchenstrasse",
        "name": "Frauenübernachtungsstelle Nortkirchenstraße",
        "kind": "night_shelter",
        "target_group": "women",
        "capacity": 50,
        "emergency_capacity": 4,
        "out_of_service": 0,
        "occupied": 0,
        "held": 0,
        "free": 50,
        # Four emergency places stand empty, but none is offered while regular places
        # are free (and no winter emergency is active).
        "free_emergency": 0,
    }
    assert set(body["totals"]) == COUNTS
    for name in COUNTS:
        assert body["totals"][name] == sum(f[name] for f in body["facilities"])
    assert body["totals"]["capacity"] == 70 + 50 + 20 + 20 + 2000


def test_a_check_in_counts_as_occupied_on_its_night_only(api: ApiClient) -> None:
    assert check_in(api).status_code == 201

    tonight = figures(api, "unionstrasse")
    assert (tonight["occupied"], tonight["free"]) == (1, 69)
    assert figures(api, "unionstrasse", night=TONIGHT) == tonight
    tomorrow = figures(api, "unionstrasse", night=TOMORROW)
    assert (tomorrow["occupied"], tomorrow["free"]) == (0, 70)


def test_availability_is_filtered_by_target_group_and_kind(api: ApiClient) -> None:
    def slugs(**query: str) -> list[str]:
        response = api.get("/availability", query_string=query)
        assert response.status_code == 200
        return [f["slug"] for f in response.json["facilities"]]

    assert slugs(target_group="women") == ["nortkirchenstrasse"]
    assert slugs(kind="housing_programme") == ["wvp"]
    assert slugs(kind="night_shelter", target_group="young_adults") == ["junge-erwachsene"]
    assert slugs(kind="housing_programme", target_group="men") == []

    women = api.get("/availability", query_string={"target_group": "women"}).json
    assert women["totals"]["capacity"] == 50
    assert women["totals"]["emergency_capacity"] == 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"night": "2026-13-01"}, "night"),
        ({"night": "morgen"}, "night"),
        ({"target_group": "children"}, "target_group"),
        ({"kind": "hotel"}, "kind"),
    ],
    ids=["month-13", "not-a-date", "unknown-target-group", "unknown-kind"],
)
def test_availability_refuses_a_bad_query_naming_the_parameter(
    api: ApiClient, query: dict[str, str], field: str
) -> None:
    errors = assert_invalid(api.get("/availability", query_string=query), "query")
    assert set(errors) == {field}


# --- check-in --------------------------------------------------------------------------


def test_checking_in_a_new_person_answers_201_with_the_stay(api: ApiClient) -> None:
    person = {"name": "Thomas K.", "birth_year": 1971, "gender": "m", "nationality": "german"}
    response = check_in_body(api, person=person)

    assert response.status_code == 201, response.json
    stay = response.json
    assert isinstance(stay["id"], int)
    assert stay["facility"] == "unionstrasse"
    assert stay["place"] == "1"
    assert set(stay["person"]) == PERSON_FIELDS
    assert stay["person"]["name"] == "Thomas K."
    assert stay["person"]["birth_year"] == 1971
    assert (stay["person"]["gender"], stay["person"]["nationality"]) == ("m", "german")
    assert stay["first_night"] == TONIGHT
    assert stay["nights"] == 1
    assert stay["end_night"] == TOMORROW
    assert stay["status"] == "checked_in"
    assert stay["checked_out_at"] is None


def test_checking_in_a_known_person_by_id(api: ApiClient, session: Session) -> None:
    person_id = new_person(api, name="Jens W.")
    persons_before = session.scalar(sa.select(sa.func.count()).select_from(Person))

    response = check_in_body(api, person={"id": person_id})

    assert response.status_code == 201, response.json
    assert response.json["person"]["id"] == person_id
    assert response.json["person"]["name"] == "Jens W."
    assert session.scalar(sa.select(sa.func.count()).select_from(Person)) == persons_before


def test_a_person_id_with_other_person_fields_is_422(api: ApiClient) -> None:
    person_id = new_person(api)
    errors = assert_invalid(check_in_body(api, person={"id": person_id, "name": "Anders"}))
    assert set(errors) == {"person"}
    assert set(errors["person"]) == {"name"}


def test_a_person_without_id_or_name_is_422(api: ApiClient) -> None:
    errors = assert_invalid(check_in_body(api, person={"gender": "m", "birth_year": 1980}))
    assert errors["person"] == {"name": ["„id“ oder „name“ angeben."]}


@pytest.mark.parametrize("person", [{"name": ""}, {"id": 0}], ids=["empty-name", "id-zero"])
def test_a_bad_id_or_name_is_named_once(api: ApiClient, person: dict[str, Any]) -> None:
    errors = assert_invalid(check_in_body(api, person=person))
    ((field, messages),) = errors["person"].items()
    assert field == next(iter(person))
    assert len(messages) == 1, messages


def test_an_unknown_field_is_422_naming_it(api: ApiClient) -> None:
    errors = assert_invalid(check_in_body(api, person={"name": "Gast"}, bett="3"))
    assert errors == {"bett": ["Unknown field."]}

    # No health data: a field the person record doesn't have is refused, not dropped.
    errors = assert_invalid(check_in_body(api, person={"name": "Gast", "diagnose": "x"}))
    assert set(errors["person"]) == {"diagnose"}


@pytest.mark.parametrize(
    "nights", [0, -1, 367, "2"], ids=["zero", "negative", "over-a-year", "string"]
)
def test_nights_outside_one_to_366_is_422(api: ApiClient, nights: object) -> None:
    errors = assert_invalid(check_in_body(api, person={"name": "Gast"}, nights=nights))
    assert set(errors) == {"nights"}


def test_a_full_shelter_is_409_no_free_place(api: ApiClient) -> None:
    for n in range(20):
        response = check_in(api, "junge-erwachsene", as_="admin", name=f"Gast {n}")
        assert response.status_code == 201, response.json
    assert figures(api, "junge-erwachsene")["free"] == 0

    assert_error(check_in(api, "junge-erwachsene", as_="admin"), 409, "no_free_place")


def test_asking_for_a_taken_place_is_409_place_taken(api: ApiClient) -> None:
    first = check_in_body(api, person={"name": "A", "gender": "m"}, place="7")
    assert (first.status_code, first.json["place"]) == (201, "7")

    assert_error(
        check_in_body(api, person={"name": "B", "gender": "m"}, place="7"), 409, "place_taken"
    )
    assert_error(check_in_body(api, person={"name": "B"}, place="999"), 404, "not_found")


def test_a_banned_person_is_403_banned(api: ApiClient) -> None:
    person_id = new_person(api)
    assert ban(api, person_id).status_code == 201

    assert_error(check_in_body(api, person={"id": person_id}), 403, "banned")


def test_staffs_override_ban_reason_is_403_forbidden(api: ApiClient, banned_person: int) -> None:
    response = check_in_body(
        api, person={"id": banned_person}, override_ban_reason="Es ist sehr kalt."
    )
    assert_error(response, 403, "forbidden")


def test_an_admins_override_ban_reason_lets_a_banned_person_in_and_is_logged(
    api: ApiClient, banned_person: int, session: Session, callers: dict[str, Caller]
) -> None:
    response = check_in_body(
        api, as_="admin", person={"id": banned_person}, override_ban_reason="Es ist sehr kalt."
    )

    assert response.status_code == 201, response.json
    (override,) = audited(session, "ban.override")
    assert override.actor_id == callers["admin"].user_id
    assert override.details["stay_id"] == response.json["id"]


def test_managers_override_ahead_and_cannot_check_in_themselves(
    api: ApiClient, banned_person: int
) -> None:
    """Managers don't check people in (DESIGN.md, Roles): their override is granted ahead
    with POST /bans/{id}/override, then staff check the person in."""
    response = check_in_body(
        api, as_="manager", person={"id": banned_person}, override_ban_reason="Es ist sehr kalt."
    )
    assert_error(response, 403, "forbidden")


def test_a_woman_at_the_mens_shelter_is_422_wrong_target_group(api: ApiClient) -> None:
    assert_error(check_in(api, gender="f"), 422, "wrong_target_group")


def test_checking_the_same_person_in_twice_is_409_already_checked_in(api: ApiClient) -> None:
    person_id = new_person(api)
    assert check_in_body(api, person={"id": person_id}).status_code == 201

    assert_error(check_in_body(api, person={"id": person_id}), 409, "already_checked_in")


def test_an_unknown_facility_or_person_is_404(api: ApiClient) -> None:
    assert_error(check_in(api, "gibt-es-nicht", as_="admin"), 404, "not_found")
    assert_error(check_in_body(api, person={"id": 999_999}), 404, "not_found")


def test_staff_check_in_only_in_their_own_shelter(api: ApiClient) -> None:
    assert_error(check_in(api, "nortkirchenstrasse", as_="staff", gender="f"), 403, "forbidden")
    assert check_in(api, "nortkirchenstrasse", as_="staff_women", gender="f").status_code == 201


def test_a_housing_programme_stay_without_nights_is_open_ended(api: ApiClient) -> None:
    response = check_in(api, "wvp", as_="admin")

    assert response.status_code == 201, response.json
    assert response.json["facility"] == "wvp"
    assert response.json["nights"] is None
    assert response.json["end_night"] is None
    assert figures(api, "wvp", night="2026-06-01")["occupied"] == 1


@pytest.mark.parametrize(
    ("night", "reason"),
    [("2026-01-07", "höchstens 7 Nächte zurück"), ("2027-01-17", "höchstens ein Jahr im Voraus")],
    ids=["eight-nights-back", "over-a-year-ahead"],
)
def test_a_check_in_too_far_back_or_ahead_is_422_naming_night(
    api: ApiClient, night: str, reason: str
) -> None:
    errors = assert_invalid(check_in_body(api, person={"name": "Gast"}, night=night))
    assert set(errors) == {"night"}
    assert reason in errors["night"][0]


def test_a_late_check_in_for_last_night_is_recorded(api: ApiClient) -> None:
    response = check_in_body(api, person={"name": "Gast", "gender": "m"}, night="2026-01-08")
    assert (response.status_code, response.json["end_night"]) == (201, "2026-01-09")


@pytest.mark.parametrize(
    ("birth_year", "status"),
    [(1990, 422), (1999, 201), (2005, 201), (2008, 201), (2010, 422)],
    ids=["36", "26-or-27", "20-or-21", "17-or-18", "15-or-16"],
)
def test_the_young_adults_shelter_refuses_only_guests_clearly_outside_18_to_26(
    api: ApiClient, birth_year: int, status: int
) -> None:
    response = check_in(api, "junge-erwachsene", as_="admin", birth_year=birth_year)
    assert response.status_code == status, response.json
    if status == 422:
        assert response.json["code"] == "wrong_target_group"


@pytest.mark.parametrize("night", NIGHTS_OUT_OF_RANGE)
@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/availability", "night"),
        ("/stays", "night"),
        ("/holds", "night"),
        ("/turnaways", "night"),
        ("/bans", "active_on"),
        ("/out-of-service", "night"),
    ],
)
def test_a_night_outside_2000_to_2099_in_a_query_is_422_naming_it(
    api: ApiClient, path: str, param: str, night: str
) -> None:
    response = api.get(path, as_="manager", query_string={param: night})
    assert set(assert_invalid(response, "query")) == {param}


@pytest.mark.parametrize("night", NIGHTS_OUT_OF_RANGE)
def test_a_check_in_for_a_night_outside_2000_to_2099_is_422(api: ApiClient, night: str) -> None:
    response = check_in_body(api, person={"name": "Gast"}, night=night)
    assert set(assert_invalid(response)) == {"night"}


# --- listing and reading stays ------------------------------------------------------------


def test_stays_are_listed_a_page_at_a_time_newest_first(api: ApiClient) -> None:
    ids = [check_in(api, name=f"Gast {n}").json["id"] for n in range(3)]

    first = api.get("/stays", as_="staff", query_string={"page_size": 2})
    assert first.status_code == 200
    assert {k: first.json[k] for k in ("page", "page_size", "total")} == {
        "page": 1,
        "page_size": 2,
        "total": 3,
    }
    assert item_ids(first) == [ids[2], ids[1]]
    second = api.get("/stays", as_="staff", query_string={"page_size": 2, "page": 2})
    assert (second.json["page"], second.json["total"]) == (2, 3)
    assert item_ids(second) == [ids[0]]
    assert_invalid(api.get("/stays", query_string={"page_size": 201}), "query")
    assert_invalid(api.get("/stays", query_string={"page": 0}), "query")


def test_stays_are_filtered_by_night_and_facility(
    api: ApiClient, three_stays: dict[str, int]
) -> None:
    def listed(**query: str) -> set[int]:
        return set(item_ids(api.get("/stays", as_="manager", query_string=query)))

    assert listed() == set(three_stays.values())
    assert listed(night=TONIGHT) == {three_stays["tonight"], three_stays["woman"]}
    assert listed(night=TOMORROW) == {three_stays["tomorrow"]}
    assert listed(facility="nortkirchenstrasse") == {three_stays["woman"]}
    assert listed(facility="unionstrasse", night=TOMORROW) == {three_stays["tomorrow"]}
    woman = api.get(f"/stays/{three_stays['woman']}").json["person"]["id"]
    assert listed(person=woman) == {three_stays["woman"]}
    assert_error(api.get("/stays", query_string={"facility": "nirgends"}), 404, "not_found")


def test_staff_see_only_the_stays_of_their_own_shelter(
    api: ApiClient, three_stays: dict[str, int]
) -> None:
    assert set(item_ids(api.get("/stays", as_="staff"))) == {
        three_stays["tonight"],
        three_stays["tomorrow"],
    }
    assert set(item_ids(api.get("/stays", as_="staff_women"))) == {three_stays["woman"]}
    other = api.get("/stays", as_="staff", query_string={"facility": "nortkirchenstrasse"})
    assert_error(other, 403, "forbidden")
    assert_error(api.get(f"/stays/{three_stays['woman']}", as_="staff"), 404, "not_found")


def test_a_stay_is_read_by_id(api: ApiClient) -> None:
    created = check_in(api).json

    response = api.get(f"/stays/{created['id']}", as_="staff")

    assert response.status_code == 200
    assert response.json == created
    assert_error(api.get("/stays/999999", as_="staff"), 404, "not_found")


# --- extension and check-out ----------------------------------------------------------------


def test_extending_a_stay_adds_nights_on_the_same_place(api: ApiClient) -> None:
    stay = check_in(api).json

    response = api.post(f"/stays/{stay['id']}/extend", as_="staff", json={"nights": 2})

    assert response.status_code == 200, response.json
    assert (response.json["place"], response.json["first_night"]) == (stay["place"], TONIGHT)
    assert (response.json["nights"], response.json["end_night"]) == (3, "2026-01-18")
    assert figures(api, "unionstrasse", night="2026-01-17")["occupied"] == 1
    assert set(assert_invalid(api.post(f"/stays/{stay['id']}/extend", json={"nights": 0}))) == {
        "nights"
    }


def test_extending_onto_a_place_booked_the_next_night_is_409_place_taken(api: ApiClient) -> None:
    stay = check_in_body(api, person={"name": "Heute", "gender": "m"}, place="4").json
    booked = check_in_body(api, person={"name": "Morgen", "gender": "m"}, place="4", night=TOMORROW)
    assert booked.status_code == 201, booked.json

    response = api.post(f"/stays/{stay['id']}/extend", as_="staff", json={})

    assert_error(response, 409, "place_taken")
    assert api.get(f"/stays/{stay['id']}").json["end_night"] == TOMORROW


def test_checking_out_ends_the_stay_and_a_second_checkout_is_409_invalid_state(
    api: ApiClient,
) -> None:
    # In since last night for three nights; leaves this evening (21:00).
    stay = check_in_body(
        api, person={"name": "Gast", "gender": "m"}, night=YESTERDAY, nights=3
    ).json

    response = api.post(f"/stays/{stay['id']}/checkout", as_="staff")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "checked_out"
    assert response.json["checked_out_at"] is not None
    assert (response.json["first_night"], response.json["end_night"]) == (YESTERDAY, TONIGHT)
    assert figures(api, "unionstrasse")["occupied"] == 0
    assert_error(api.post(f"/stays/{stay['id']}/checkout", as_="staff"), 409, "invalid_state")
    assert_error(
        api.post(f"/stays/{stay['id']}/extend", as_="staff", json={}), 409, "invalid_state"
    )
    assert_error(api.post("/stays/999999/checkout", as_="staff"), 404, "not_found")


def test_a_guest_who_leaves_on_the_evening_of_arrival_frees_place_and_person(
    api: ApiClient,
) -> None:
    stay = check_in(api).json

    response = api.post(f"/stays/{stay['id']}/checkout", as_="staff")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "cancelled"
    assert api.get(f"/stays/{stay['id']}").json["status"] == "cancelled"
    assert figures(api, "unionstrasse")["occupied"] == 0
    # The Wärmebus brings the same man to another shelter the same night.
    again = check_in_body(
        api, facility="drogenhilfe", as_="admin", person={"id": stay["person"]["id"]}
    )
    assert again.status_code == 201, again.json


def test_a_stay_that_has_not_begun_cannot_be_checked_out(api: ApiClient) -> None:
    later = check_in_body(api, person={"name": "Gast", "gender": "m"}, night=TOMORROW).json

    assert_error(api.post(f"/stays/{later['id']}/checkout", as_="staff"), 409, "invalid_state")


def test_an_open_ended_stay_is_checked_out_but_not_extended(api: ApiClient) -> None:
    stay = check_in(api, "wvp", as_="admin").json

    assert_error(api.post(f"/stays/{stay['id']}/extend", json={}), 409, "invalid_state")
    moved_out = api.post(f"/stays/{stay['id']}/checkout")
    assert moved_out.status_code == 200, moved_out.json
    # Moved in and out the same evening: no night used.
    assert (moved_out.json["status"], moved_out.json["end_night"]) == ("cancelled", None)
    assert figures(api, "wvp")["occupied"] == 0


# --- audit and one commit per request -----------------------------------------------------------


def test_a_check_in_is_audited_with_the_caller_as_actor(
    api: ApiClient, session: Session, callers: dict[str, Caller]
) -> None:
    stay = check_in(api).json

    (entry,) = audited(session, "stay.check_in")
    assert (entry.actor_id, entry.object_id) == (callers["staff"].user_id, stay["id"])
    assert entry.object_type == "stay"
    # Ids and codes only: no name in the log.
    assert "Gast" not in str(entry.details)


def test_looking_up_a_persons_stays_and_bans_is_audited(
    api: ApiClient, session: Session, callers: dict[str, Caller]
) -> None:
    stay = check_in(api).json
    person_id = stay["person"]["id"]
    banned = ban(api, person_id, facility="drogenhilfe", as_="admin").json

    assert item_ids(api.get("/stays", as_="manager", query_string={"person": person_id})) == [
        stay["id"]
    ]
    assert api.get(f"/stays/{stay['id']}", as_="staff").status_code == 200
    assert item_ids(api.get("/bans", as_="manager", query_string={"person": person_id})) == [
        banned["id"]
    ]
    # The night's list is the shelter's daily work, not a look-up of anyone.
    assert api.get("/stays", as_="staff", query_string={"night": TONIGHT}).status_code == 200

    manager, staff = callers["manager"].user_id, callers["staff"].user_id
    (stays_read,) = audited(session, "person.stays_read")
    (bans_read,) = audited(session, "person.bans_read")
    (stay_read,) = audited(session, "stay.read")
    assert (stays_read.actor_id, stays_read.object_type, stays_read.object_id) == (
        manager,
        "person",
        person_id,
    )
    assert stays_read.details == {"ids": [stay["id"]]}
    assert (bans_read.object_id, bans_read.details) == (person_id, {"ids": [banned["id"]]})
    assert (stay_read.actor_id, stay_read.object_id) == (staff, stay["id"])


def test_a_failed_check_in_leaves_no_new_person_behind(api: ApiClient, session: Session) -> None:
    def count(what: Any) -> int:
        return int(session.scalar(sa.select(sa.func.count()).select_from(what)) or 0)

    persons, entries = count(Person), count(AuditEntry)

    assert_error(check_in(api, gender="f", name="Erika M."), 422, "wrong_target_group")

    assert count(Person) == persons
    assert count(AuditEntry) == entries


def test_each_write_request_commits_once(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    commits: list[str] = []
    commit = Session.commit

    def counting_commit(self: Session) -> None:
        if has_request_context():  # not the test client's own commit before each request
            commits.append(request.path)
        commit(self)

    # The token's first use is noted in a short transaction of its own, after the
    # request's (auth.service.note_token_use): not part of the request's work.
    assert api.get("/availability", as_="staff").status_code == 200
    monkeypatch.setattr(Session, "commit", counting_commit)

    assert check_in(api).status_code == 201
    assert commits == ["/api/v1/stays"]
    assert check_in(api, gender="f").status_code == 422
    assert commits == ["/api/v1/stays"]
