"""Stricter input: what a lenient parser would resolve silently is refused, naming the
field — a key twice in a JSON object, a query parameter twice, digits other than 0-9, a
date in another form than 2026-12-03; a chunked body over the limit is 413 like any
other; a night shelter books at most BELEGUNG_NIGHTS_PER_CALL nights at once."""

from __future__ import annotations

import dataclasses
import io
import json
from typing import Any

import pytest
from flask import Flask

from belegung.config import settings_of
from tests.apiclient import ApiClient, assert_invalid, check_in_body, new_person

CHECK_IN = {"facility": "unionstrasse", "person": {"name": "Gast", "gender": "m"}}


def raw_post(api: ApiClient, path: str, body: str, as_: str = "staff") -> Any:
    return api.post(path, as_=as_, data=body, content_type="application/json")


# --- keys and parameters given twice ----------------------------------------------------------


def test_a_key_given_twice_in_a_json_body_is_refused_naming_it(api: ApiClient) -> None:
    body = '{"facility": "unionstrasse", "facility": "nortkirchenstrasse", "person": {"id": 1}}'
    assert set(assert_invalid(raw_post(api, "/stays", body))) == {"facility"}

    nested = '{"facility": "unionstrasse", "person": {"name": "A", "gender": "m", "name": "B"}}'
    assert set(assert_invalid(raw_post(api, "/stays", nested))) == {"name"}
    assert api.get("/stays", query_string={"facility": "unionstrasse"}).json["total"] == 0


def test_a_query_parameter_given_twice_is_refused_naming_it(api: ApiClient) -> None:
    response = api.get("/availability?night=2026-01-15&night=2026-01-16", as_="staff")
    assert set(assert_invalid(response, "query")) == {"night"}
    response = api.get("/stays?facility=unionstrasse&page=1&page=2", as_="staff")
    assert set(assert_invalid(response, "query")) == {"page"}


# --- digits and dates ---------------------------------------------------------------------


@pytest.mark.parametrize("digits", ["١٩٧١", "१९७१", "１９７１", "197\u00b9"])
def test_digits_other_than_0_to_9_are_refused_naming_the_field(api: ApiClient, digits: str) -> None:
    person = {"name": "Gast", "gender": "m", "birth_year": digits}
    response = api.post("/stays", as_="staff", json={**CHECK_IN, "person": person})
    assert set(assert_invalid(response)["person"]) == {"birth_year"}
    query = api.get("/stays", as_="staff", query_string={"facility": "unionstrasse", "page": "١"})
    assert set(assert_invalid(query, "query")) == {"page"}


@pytest.mark.parametrize(
    "night", ["20260115", "2026-W03-4", "2026-015", "٢٠٢٦-٠١-١٥", "2026-01-15T00:00"]
)
def test_a_night_in_another_form_than_yyyy_mm_dd_is_refused(api: ApiClient, night: str) -> None:
    response = api.get("/availability", as_="staff", query_string={"night": night})
    assert set(assert_invalid(response, "query")) == {"night"}
    check_in = api.post("/stays", as_="staff", json={**CHECK_IN, "night": night})
    assert set(assert_invalid(check_in)) == {"night"}


def test_the_one_date_form_and_plain_numbers_still_pass(api: ApiClient) -> None:
    person = {"name": "Gast", "gender": "m", "birth_year": 1971}
    response = api.post(
        "/stays", as_="staff", json={**CHECK_IN, "person": person, "night": "2026-01-15"}
    )
    assert response.status_code == 201, response.json
    assert (
        api.get("/availability", as_="staff", query_string={"night": "2026-01-16"}).status_code
        == 200
    )


# --- a chunked body over the limit ---------------------------------------------------------


def test_a_chunked_body_over_the_limit_is_413(api: ApiClient, app: Flask) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = json.dumps({**CHECK_IN, "person": {"name": "x" * limit, "gender": "m"}}).encode()

    response = api.post(
        "/stays",
        as_="staff",
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_overrides={"wsgi.input_terminated": True},
    )

    assert response.status_code == 413, response.get_data(as_text=True)[:300]
    assert response.json["code"] == "too_large"
    small = json.dumps(CHECK_IN).encode()
    fine = api.post(
        "/stays",
        as_="staff",
        input_stream=io.BytesIO(small),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert fine.status_code == 201, fine.json


# --- nights per call ------------------------------------------------------------------------


def test_a_shelter_check_in_books_at_most_14_nights_at_once(api: ApiClient) -> None:
    too_many = check_in_body(api, person={"name": "Gast", "gender": "m"}, nights=15)
    assert set(assert_invalid(too_many)) == {"nights"}
    fourteen = check_in_body(api, person={"name": "Gast", "gender": "m"}, nights=14)
    assert fourteen.status_code == 201, fourteen.json

    longer = api.post(f"/stays/{fourteen.json['id']}/extend", as_="staff", json={"nights": 15})
    assert set(assert_invalid(longer)) == {"nights"}
    extended = api.post(f"/stays/{fourteen.json['id']}/extend", as_="staff", json={"nights": 14})
    assert extended.status_code == 200, extended.json
    assert extended.json["nights"] == 28


def test_a_converted_hold_books_at_most_14_nights(api: ApiClient) -> None:
    hold = api.post("/holds", as_="outreach", json={"facility": "unionstrasse"})
    person = new_person(api)
    too_many = api.post(
        f"/holds/{hold.json['id']}/convert",
        as_="staff",
        json={"person": {"id": person}, "nights": 15},
    )
    assert set(assert_invalid(too_many)) == {"nights"}


def test_the_housing_programme_is_open_ended(api: ApiClient) -> None:
    person = {"name": "Familie K.", "gender": "f", "household_type": "family", "household_size": 3}
    body = {"facility": "wvp", "person": person, "nights": 60}
    response = api.post("/stays", as_="manager", json=body)
    assert response.status_code != 422 or "nights" not in response.json["errors"]["json"]


def test_the_nights_per_call_are_configurable(
    api: ApiClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert settings_of(app).nights_per_call == 14
    five = dataclasses.replace(settings_of(app), nights_per_call=5)
    monkeypatch.setitem(app.config, "BELEGUNG", five)

    six = check_in_body(api, person={"name": "Gast", "gender": "m"}, nights=6)

    assert set(assert_invalid(six)) == {"nights"}
    assert "5" in six.json["errors"]["json"]["nights"][0]
