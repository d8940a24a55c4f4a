"""The nationality amendment: the country of citizenship (ISO 3166-1 alpha-2) is checked
against the list of codes, the nationality group follows from it, and `unclear` is a
group of its own beside `unknown`."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from belegung.context import ServiceContext
from belegung.errors import InvalidInput
from belegung.persons.countries import EU_MEMBERS, country_names, nationality_group
from belegung.persons.models import Nationality
from belegung.persons.service import create_person, update_person
from tests.apiclient import ApiClient, assert_invalid, audited, check_in_body, new_person


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("DE", "german"), ("PL", "eu"), ("GR", "eu"), ("HR", "eu"), ("AT", "eu"),
        ("GB", "non_eu"), ("CH", "non_eu"), ("NO", "non_eu"), ("TR", "non_eu"),
        ("SY", "non_eu"), ("UA", "non_eu"), ("XK", "non_eu"),
    ],
)  # fmt: skip
def test_the_nationality_group_follows_from_the_country(code: str, group: str) -> None:
    assert nationality_group(code) == Nationality(group)


def test_the_eu_has_27_members_all_of_them_iso_countries() -> None:
    assert len(EU_MEMBERS) == 27
    assert set(EU_MEMBERS) <= set(country_names())


def test_a_citizenship_sets_the_group_and_is_stored_in_upper_case(ctx: ServiceContext) -> None:
    person = create_person(ctx, "Marek W.", citizenship="pl")

    assert (person.citizenship, person.nationality) == ("PL", Nationality.EU)


def test_a_group_given_with_the_citizenship_must_agree(ctx: ServiceContext) -> None:
    assert create_person(ctx, "A", citizenship="DE", nationality=Nationality.GERMAN).id

    with pytest.raises(InvalidInput) as refused:
        create_person(ctx, "B", citizenship="DE", nationality=Nationality.EU)

    assert refused.value.params["field"] == "nationality"


@pytest.mark.parametrize("code", ["ZZ", "EL", "UK", "D", "DEU", ""])
def test_a_code_that_names_no_country_is_refused(ctx: ServiceContext, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        create_person(ctx, "A", citizenship=code)

    assert refused.value.params["field"] == "citizenship"


def test_without_a_citizenship_the_group_is_as_given_unclear_apart_from_unknown(
    ctx: ServiceContext,
) -> None:
    unclear = create_person(ctx, "A", nationality=Nationality.UNCLEAR)
    unknown = create_person(ctx, "B")
    stateless = create_person(ctx, "C", nationality=Nationality.STATELESS)

    assert [p.nationality for p in (unclear, unknown, stateless)] == [
        Nationality.UNCLEAR,
        Nationality.UNKNOWN,
        Nationality.STATELESS,
    ]
    assert unclear.citizenship is None


def test_changing_the_citizenship_changes_the_group(ctx: ServiceContext) -> None:
    person = create_person(ctx, "A", nationality=Nationality.UNCLEAR)

    update_person(ctx, person, {"citizenship": "SY"})
    assert (person.citizenship, person.nationality) == ("SY", Nationality.NON_EU)

    with pytest.raises(InvalidInput):
        update_person(ctx, person, {"nationality": Nationality.EU})
    update_person(ctx, person, {"citizenship": None, "nationality": Nationality.STATELESS})
    assert (person.citizenship, person.nationality) == (None, Nationality.STATELESS)


# --- through the API --------------------------------------------------------------------


def test_check_in_registers_a_new_guest_with_a_citizenship(api: ApiClient) -> None:
    response = check_in_body(api, person={"name": "Ionut P.", "gender": "m", "citizenship": "RO"})

    assert response.status_code == 201, response.json
    person = response.json["person"]
    assert (person["citizenship"], person["nationality"]) == ("RO", "eu")


@pytest.mark.parametrize("code", ["ZZ", "deu", 49])
def test_the_api_refuses_an_unknown_country_naming_the_field(api: ApiClient, code: Any) -> None:
    response = api.post("/persons", as_="staff", json={"name": "A", "citizenship": code})

    assert set(assert_invalid(response)) == {"citizenship"}


def test_the_api_refuses_a_group_contradicting_the_country(api: ApiClient) -> None:
    response = api.post(
        "/persons", as_="staff", json={"name": "A", "citizenship": "TR", "nationality": "eu"}
    )

    assert set(assert_invalid(response)) == {"nationality"}


def test_staff_correct_a_person_and_the_audit_names_the_fields_not_the_values(
    api: ApiClient, session: Session
) -> None:
    person_id = new_person(api, name="Piotr", birth_year=1980)

    response = api.patch(
        f"/persons/{person_id}",
        as_="staff",
        json={"name": "Piotr Nowak", "citizenship": "PL", "birth_year": None},
    )

    assert response.status_code == 200, response.json
    assert {k: response.json[k] for k in ("name", "citizenship", "nationality", "birth_year")} == {
        "name": "Piotr Nowak",
        "citizenship": "PL",
        "nationality": "eu",
        "birth_year": None,
    }
    (entry,) = audited(session, "person.update")
    assert (entry.object_id, entry.details) == (
        person_id,
        {"fields": ["birth_year", "citizenship", "name", "nationality"]},
    )


def test_a_change_leaves_out_what_is_not_given(api: ApiClient) -> None:
    person_id = new_person(api, name="Anna", birth_year=1990, citizenship="DE")

    response = api.patch(f"/persons/{person_id}", as_="staff", json={"household_size": 2})

    assert response.status_code == 200, response.json
    assert (response.json["birth_year"], response.json["citizenship"]) == (1990, "DE")
    assert response.json["household_size"] == 2


def test_staff_of_another_shelter_cannot_change_a_person_they_may_not_read(
    api: ApiClient,
) -> None:
    person_id = new_person(api, name="Anna")

    response = api.patch(f"/persons/{person_id}", as_="staff_women", json={"name": "X"})

    assert response.status_code == 404


@pytest.mark.parametrize("body", [{"name": None}, {"name": ""}, {"gender": None}, {"id": 3}])
def test_a_change_with_an_invalid_field_is_refused(api: ApiClient, body: dict[str, Any]) -> None:
    person_id = new_person(api)

    response = api.patch(f"/persons/{person_id}", as_="staff", json=body)

    assert set(assert_invalid(response)) == set(body)
