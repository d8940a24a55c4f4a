"""A name searched for never travels in a URL (which access logs, proxies and browser
histories keep): `POST /api/v1/persons/search` is the documented way, and the shelter
pages post their search forms. `GET /persons?q=` stays for existing clients."""

from __future__ import annotations

import re
from typing import Any

import pytest

from belegung.facilities.models import Facility
from belegung.persons.models import Person
from tests.apiclient import ApiClient, assert_invalid, audited, new_person
from tests.pageclient import PageClient

BOARD = "/nacht/unionstrasse"


def test_persons_are_found_with_the_query_in_the_body(api: ApiClient) -> None:
    thomas = new_person(api, name="Thomas Müller", birth_year=1971)
    anna = new_person(api, name="Anna Müller", birth_year=1971)
    new_person(api, name="Thomas Meier", birth_year=1980)

    def found(**body: Any) -> list[int]:
        response = api.post("/persons/search", as_="staff", json=body)
        assert response.status_code == 200, response.json
        return [p["id"] for p in response.json["items"]]

    assert found(q="Müller 1971") == [anna, thomas]
    assert found(q="Müller 1971", page_size=1) == [anna]
    as_get = api.get("/persons", as_="staff", query_string={"q": "Müller 1971"})
    body = api.post("/persons/search", as_="staff", json={"q": "Müller 1971"})
    assert body.json == as_get.json
    # The same audit: the persons shown, never the query.
    entries = audited(api.session, "person.search")
    assert {e.object_id for e in entries} == {anna, thomas}
    assert all("Müller" not in str(e.details) for e in entries)


def test_a_search_in_the_body_is_checked_like_the_get(api: ApiClient) -> None:
    assert set(assert_invalid(api.post("/persons/search", as_="staff", json={}))) == {"q"}
    assert api.post("/persons/search", as_="outreach", json={"q": "Müller"}).status_code == 403
    too_broad = api.post("/persons/search", as_="staff", json={"q": "M"})
    assert too_broad.status_code == 422


def test_the_openapi_document_names_the_post_as_the_way_to_search(api: ApiClient) -> None:
    paths = api.get("/openapi.json", as_=None).json["paths"]
    assert "post" in paths["/api/v1/persons/search"]
    assert "POST /persons/search" in paths["/api/v1/persons"]["get"]["description"]


@pytest.fixture
def guest(make_person) -> Person:  # type: ignore[no-untyped-def]
    return make_person("Heinz Wiederkehr", birth_year=1961)


def test_the_board_posts_its_search_so_the_name_stays_out_of_urls(
    pages: PageClient, dortmund: dict[str, Facility], guest: Person
) -> None:
    pages.as_("staff")
    board = pages.get(BOARD)
    search = pages.form(board, "/aufnahme")
    assert "q" in search["fields"]

    found = pages.submit(board, {"q": "Wiederkehr 1961"}, action="/aufnahme")

    assert found.status_code == 200
    assert "Heinz Wiederkehr" in found.text
    # The results page searches again by POST; the links carry ids, never the name.
    again = pages.form(found, "/aufnahme")
    assert "Wiederkehr" not in again["action"]
    links = re.findall(r'href="([^"]*)"', found.text)
    assert links
    assert not [link for link in links if "Wiederkehr" in link]


def test_a_hold_is_converted_after_a_posted_search(
    pages: PageClient, dortmund: dict[str, Facility], guest: Person, make_hold: Any
) -> None:
    hold = make_hold(dortmund["unionstrasse"], note="Wärmebus")
    pages.as_("staff")
    page = pages.get(f"{BOARD}/reservierung/{hold.id}")
    assert page.status_code == 200, page.text

    found = pages.submit(page, {"q": "Wiederkehr"}, action=f"/aufnahme?reservierung={hold.id}")

    assert found.status_code == 200
    assert re.search(rf'href="{BOARD}/aufnahme/{guest.id}\?reservierung={hold.id}"', found.text)
