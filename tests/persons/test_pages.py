"""The persons' pages: search, read and correct a person (citizenship included), the
access export (printable and JSON) and the erasure behind a confirmation — each through
the operations the API calls, with their rights."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.audit.models import AuditEntry
from belegung.persons.models import Nationality, Person
from tests.apiclient import ApiClient, check_in
from tests.pageclient import PageClient


def guest(api: ApiClient, **fields: object) -> int:
    stay = check_in(api, name="Zacharias Quellmann", birth_year=1961, **fields)
    assert stay.status_code == 201, stay.json
    return int(stay.json["person"]["id"])


def test_staff_find_a_guest_and_add_the_citizenship(
    pages: PageClient, api: ApiClient, session: Session
) -> None:
    person_id = guest(api)
    found = pages.as_("staff").get("/personen?q=Quellmann 1961")
    assert found.status_code == 200
    assert f'href="/personen/{person_id}"' in found.text

    page = pages.get(f"/personen/{person_id}")
    assert page.status_code == 200
    assert '<option value="SY">Syrien, Arabische Republik</option>' in page.text
    assert "Auskunft (Art. 15 DSGVO)" not in page.text  # managers' and admins' only

    saved = pages.submit(page, {"citizenship": "PL"}, path=f"/personen/{person_id}")
    assert saved.status_code == 303
    person = session.get(Person, person_id)
    session.refresh(person)
    assert (person.citizenship, person.nationality) == ("PL", Nationality.EU)

    # A group that contradicts the country is the operation's refusal, next to its field.
    refused = pages.submit(
        pages.get(f"/personen/{person_id}"),
        {"citizenship": "SY", "nationality": "german"},
        path=f"/personen/{person_id}",
    )
    assert refused.status_code == 422
    assert "passt nicht zur Staatsangehörigkeit" in refused.text

    cleared = pages.submit(
        pages.get(f"/personen/{person_id}"),
        {"citizenship": "", "nationality": "unclear"},
        path=f"/personen/{person_id}",
    )
    assert cleared.status_code == 303
    session.refresh(person)
    assert (person.citizenship, person.nationality) == (None, Nationality.UNCLEAR)


def test_staff_of_another_shelter_do_not_see_the_person(pages: PageClient, api: ApiClient) -> None:
    person_id = guest(api)
    assert pages.as_("staff_women").get(f"/personen/{person_id}").status_code == 404
    assert pages.get(f"/personen/{person_id}/auskunft").status_code == 403
    assert pages.as_("outreach").get("/personen").status_code == 403


def test_a_vague_search_by_staff_is_explained(pages: PageClient, api: ApiClient) -> None:
    guest(api)
    page = pages.as_("staff").get("/personen?q=Qu")
    assert page.status_code == 422
    assert 'id="q-error"' in page.text


def test_a_manager_exports_what_is_stored_about_a_person(pages: PageClient, api: ApiClient) -> None:
    person_id = guest(api)
    page = pages.as_("manager").get(f"/personen/{person_id}")
    assert f'href="/personen/{person_id}/auskunft"' in page.text

    printable = pages.get(f"/personen/{person_id}/auskunft")
    assert printable.status_code == 200
    assert "Zacharias Quellmann" in printable.text
    assert "Aufenthalte (1)" in printable.text
    assert "Männerübernachtungsstelle Unionstraße" in printable.text
    assert "Aufnahme" in printable.text  # the audit trail: who checked them in

    download = pages.get(f"/personen/{person_id}/auskunft.json")
    assert download.mimetype == "application/json"
    assert "attachment" in download.headers["Content-Disposition"]
    body = json.loads(download.get_data(as_text=True))
    by_api = api.get(f"/persons/{person_id}/export", as_="manager").json
    assert body["person"] == by_api["person"]
    assert [s["id"] for s in body["stays"]] == [s["id"] for s in by_api["stays"]]


def test_a_manager_erases_a_person_after_confirming(
    pages: PageClient, api: ApiClient, session: Session
) -> None:
    person_id = guest(api)
    stay = api.get(f"/persons/{person_id}/export", as_="manager").json["stays"][0]
    assert api.post(f"/stays/{stay['id']}/checkout", as_="staff").status_code == 200
    path = f"/personen/{person_id}/loeschen"
    page = pages.as_("manager").get(path)
    assert page.status_code == 200

    unconfirmed = pages.submit(page, {"reason": "Antrag vom 2. März"}, path=path)
    assert unconfirmed.status_code == 422
    session.expire_all()
    assert session.get(Person, person_id).anonymised_at is None

    done = pages.submit(page, {"reason": "Antrag vom 2. März", "confirm": "y"}, path=path)
    assert done.status_code == 303
    session.expire_all()
    person = session.get(Person, person_id)
    assert person.anonymised_at is not None
    assert person.name is None
    erased = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "person.erase")).one()
    assert erased.details["reason"] == "Antrag vom 2. März"
    assert pages.get(f"/personen/{person_id}").status_code == 404


def test_a_guest_still_checked_in_is_not_erased(pages: PageClient, api: ApiClient) -> None:
    person_id = guest(api)
    path = f"/personen/{person_id}/loeschen"
    page = pages.as_("admin").get(path)
    refused = pages.submit(page, {"reason": "Antrag", "confirm": "y"}, path=path)
    assert refused.status_code == 409
    assert "bitte zuerst abmelden" in refused.text
    assert pages.as_("staff").get(path).status_code == 403
