"""The night board's new-guest form: a guest already checked in tonight under the same
name and year of birth is shown as a possible duplicate (in German), with the option to
confirm another person of the same name; confirmed, they are checked in."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.facilities.models import Facility
from belegung.persons.models import Person
from tests.pageclient import PageClient

NEW_GUEST = "/nacht/unionstrasse/neu"
THOMAS = {"name": "Thomas Müller", "birth_year": "1971", "gender": "m"}


def test_a_possible_duplicate_is_asked_about_and_confirmed(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    pages.as_("staff")
    assert pages.submit(pages.get(NEW_GUEST), THOMAS, path=NEW_GUEST).status_code == 303
    form = pages.get(NEW_GUEST)
    assert 'name="confirm_new_person"' not in form.text

    asked = pages.submit(form, {**THOMAS, "name": "Thomas Mueller"}, path=NEW_GUEST)

    assert asked.status_code == 409
    assert "ist für diese Nacht bereits aufgenommen" in asked.text
    assert "Andere Person – trotzdem aufnehmen" in asked.text
    assert 'name="confirm_new_person"' in asked.text
    persons = sa.select(sa.func.count()).select_from(Person).where(Person.birth_year == 1971)
    assert session.scalar(persons) == 1

    confirmed = pages.submit(
        asked, {**THOMAS, "name": "Thomas Mueller", "confirm_new_person": "y"}, path=NEW_GUEST
    )

    assert confirmed.status_code == 303, confirmed.text
    session.expire_all()
    assert session.scalar(persons) == 2
