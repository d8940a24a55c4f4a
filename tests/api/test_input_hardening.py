"""Hostile input through the HTTP interface: ids beyond the integer column, characters no
database stores, JSON nested or numbered past the parser's limits, and what every answer
tells caches and logs. Each is a 422 (or a 404 for a path) naming the field, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug.test import TestResponse

from tests.api.conftest import ApiClient

MAX_ID = 2**31 - 1
HUGE = 99999999999999999999
# More digits than Python turns into an int (sys.int_info.default_max_str_digits: 4300).
ENDLESS_DIGITS = "9" * 5000


def send_json(api: ApiClient, method: str, path: str, body: Any) -> TestResponse:
    """The body as a client would write it: non-ASCII as \\u escapes (so "\\ud800" arrives
    as the escape, not as bytes no encoder would produce)."""
    return api.request(method, path, data=json.dumps(body), content_type="application/json")


def field_errors(response: TestResponse, location: str, *field: str) -> list[str]:
    """The messages a 422 gives for one (possibly nested) field."""
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["code"] == "invalid"
    errors = response.json["errors"][location]
    for name in field:
        errors = errors[name]
    assert isinstance(errors, list), errors
    return errors


def with_value(body: dict[str, Any], field: tuple[str, ...], value: Any) -> dict[str, Any]:
    body = json.loads(json.dumps(body))
    target = body
    for name in field[:-1]:
        target = target[name]
    target[field[-1]] = value
    return body


# --- ids -------------------------------------------------------------------------------

NEW_GUEST = {"name": "Gast", "gender": "m"}
CHECK_IN = {"facility": "unionstrasse", "person": NEW_GUEST}
TURN_AWAY = {"facility": "unionstrasse", "reason": "full"}
BAN = {"facility": "unionstrasse", "person": 1, "kind": "conduct", "reason": "Streit"}
# (method, path, a valid body, the id field): every id a body carries.
BODY_IDS = [
    ("POST", "/stays", {**CHECK_IN, "person": {"id": 1}}, ("person", "id")),
    ("POST", "/holds/1/convert", {"person": {"id": 1}}, ("person", "id")),
    ("POST", "/turnaways", {**TURN_AWAY, "person": 1}, ("person",)),
    ("POST", "/bans", BAN, ("person",)),
]
QUERY_IDS = [("/stays", "person"), ("/bans", "person")]


@pytest.mark.parametrize(("method", "path", "body", "field"), BODY_IDS)
@pytest.mark.parametrize("value", [HUGE, MAX_ID + 1, 0, -1])
def test_an_id_out_of_range_in_a_body_is_a_422(
    api: ApiClient, method: str, path: str, body: dict[str, Any], field: tuple[str, ...], value: int
) -> None:
    response = send_json(api, method, path, with_value(body, field, value))
    assert field_errors(response, "json", *field)


def test_the_largest_id_is_looked_up_and_not_found(api: ApiClient) -> None:
    body = {"facility": "unionstrasse", "person": {"id": MAX_ID}}
    response = send_json(api, "POST", "/stays", body)
    assert (response.status_code, response.json["code"]) == (404, "not_found")


@pytest.mark.parametrize(("path", "field"), QUERY_IDS)
@pytest.mark.parametrize("value", [str(HUGE), str(MAX_ID + 1), "0", ENDLESS_DIGITS])
def test_an_id_out_of_range_in_a_query_is_a_422(
    api: ApiClient, path: str, field: str, value: str
) -> None:
    assert field_errors(api.get(path, query_string={field: value}), "query", field)


def test_the_largest_id_in_a_query_finds_nothing(api: ApiClient) -> None:
    for path, field in QUERY_IDS:
        response = api.get(path, query_string={field: str(MAX_ID)})
        assert response.status_code == 200, response.json
        assert response.json["total"] == 0


@pytest.mark.parametrize("value", [str(HUGE), ENDLESS_DIGITS])
def test_a_huge_page_number_is_a_422(api: ApiClient, value: str) -> None:
    for field in ("page", "page_size"):
        assert field_errors(api.get("/stays", query_string={field: value}), "query", field)


@pytest.mark.parametrize(
    "value", ["0", "007", "-1", "١", str(MAX_ID + 1), str(HUGE), ENDLESS_DIGITS]
)
def test_a_path_id_out_of_range_or_not_plain_digits_matches_no_route(
    api: ApiClient, value: str
) -> None:
    # DELETE /holds/{id} shares its path with GET: still a 404, not a 405. And "١" (an
    # Arabic-Indic one) is no way to write id 1.
    for method, path in [
        ("GET", f"/stays/{value}"),
        ("GET", f"/persons/{value}"),
        ("POST", f"/holds/{value}/convert"),
        ("DELETE", f"/holds/{value}"),
    ]:
        response = api.request(method, path, json={"person": NEW_GUEST})
        assert response.json == {"code": "not_found", "message": "Nicht gefunden."}, path


def test_ids_in_a_path_go_up_to_the_largest_id(api: ApiClient) -> None:
    for value in (str(MAX_ID), "2147483639", "1999999999", "1"):
        response = api.delete(f"/holds/{value}")
        assert response.json["message"] == "Reservierung nicht gefunden.", value
