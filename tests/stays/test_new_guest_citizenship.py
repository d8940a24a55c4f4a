"""The new-guest form of the night board takes the citizenship (ISO 3166-1 alpha-2) by
the country's German name; the nationality group follows from it, or is chosen where no
country is known (`unclear` and `unknown` apart)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.facilities.models import Facility
from belegung.persons.models import Nationality, Person
from tests.pageclient import PageClient

NEW = "/nacht/unionstrasse/neu"


def registered(session: Session, name: str) -> Person:
    person = session.scalar(sa.select(Person).where(Person.name == name))
    assert person is not None
    return person


def test_a_new_guest_with_a_country(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    form = pages.as_("staff").get(NEW)
    assert '<option value="UA">Ukraine</option>' in form.text
    assert 'for="citizenship"' in form.text

    done = pages.submit(form, {"name": "Olek", "gender": "m", "citizenship": "UA"}, path=NEW)

    assert done.status_code == 303
    person = registered(session, "Olek")
    assert (person.citizenship, person.nationality) == ("UA", Nationality.NON_EU)


def test_a_new_guest_whose_nationality_is_unclear(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    form = pages.as_("staff").get(NEW)
    done = pages.submit(form, {"name": "Mira", "nationality": "unclear"}, path=NEW)
    assert done.status_code == 303
    person = registered(session, "Mira")
    assert (person.citizenship, person.nationality) == (None, Nationality.UNCLEAR)


def test_a_country_and_a_contradicting_group_are_refused_next_to_the_field(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    form = pages.as_("staff").get(NEW)
    refused = pages.submit(
        form, {"name": "Jan", "citizenship": "PL", "nationality": "non_eu"}, path=NEW
    )
    assert refused.status_code == 422
    assert 'id="nationality-error"' in refused.text
    assert session.scalar(sa.select(Person).where(Person.name == "Jan")) is None
