"""Hostile input through the HTTP interface: ids beyond the integer column, characters no
database stores, JSON nested or numbered past the parser's limits, and what every answer
tells caches and logs. Each is a 422 (or a 404 for a path) naming the field, never a 500."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from werkzeug.test import TestResponse

from belegung.facilities import service as facilities_service
from tests.apiclient import ApiClient

MAX_ID = 2**31 - 1
HUGE = 99999999999999999999
# More digits than Python turns into an int (sys.int_info.default_max_str_digits: 4300).
ENDLESS_DIGITS = "9" * 5000

# Characters no text may hold: NUL (PostgreSQL refuses it), a lone surrogate (no UTF-8
# form), other control characters, and bidi overrides and isolates.
FORBIDDEN = {
    "nul": "\u0000",
    "lone surrogate": "\ud800",
    "escape": "\u001b",
    "C1 control": "\u0085",
    "right-to-left override": "\u202e",
    "first strong isolate": "\u2068",
}


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


# --- text ------------------------------------------------------------------------------

NEW_FACILITY = {
    "slug": "halle-nord",
    "name": "Halle",
    "kind": "night_shelter",
    "target_group": "any",
}
OUT_OF_SERVICE = {"facility": "unionstrasse", "place": "1", "reason": "Wasserschaden"}
# (method, path, a valid body, the text field): every string a body carries.
BODY_TEXTS = [
    ("POST", "/facilities", NEW_FACILITY, ("slug",)),
    ("POST", "/facilities", NEW_FACILITY, ("name",)),
    ("POST", "/facilities", NEW_FACILITY, ("address",)),
    ("POST", "/facilities", NEW_FACILITY, ("operator_name",)),
    ("PATCH", "/facilities/unionstrasse", {}, ("name",)),
    ("PATCH", "/facilities/unionstrasse", {}, ("address",)),
    ("PATCH", "/facilities/unionstrasse", {}, ("operator_name",)),
    ("POST", "/facilities/unionstrasse/places", {"label": "99"}, ("label",)),
    ("POST", "/facilities/unionstrasse/places", {"label": "99"}, ("unit",)),
    ("POST", "/out-of-service", OUT_OF_SERVICE, ("facility",)),
    ("POST", "/out-of-service", OUT_OF_SERVICE, ("place",)),
    ("POST", "/out-of-service", OUT_OF_SERVICE, ("reason",)),
    ("POST", "/persons", {"name": "Gast"}, ("name",)),
    ("POST", "/stays", CHECK_IN, ("facility",)),
    ("POST", "/stays", CHECK_IN, ("place",)),
    ("POST", "/stays", CHECK_IN, ("person", "name")),
    ("POST", "/stays", CHECK_IN, ("override_ban_reason",)),
    ("POST", "/stays/1/extend", {}, ("override_ban_reason",)),
    ("POST", "/holds", {"facility": "unionstrasse"}, ("facility",)),
    ("POST", "/holds", {"facility": "unionstrasse"}, ("note",)),
    ("POST", "/holds", {"facility": "unionstrasse"}, ("place",)),
    ("POST", "/holds/1/convert", {"person": NEW_GUEST}, ("person", "name")),
    ("POST", "/holds/1/convert", {"person": NEW_GUEST}, ("override_ban_reason",)),
    ("POST", "/turnaways", TURN_AWAY, ("facility",)),
    ("POST", "/turnaways", TURN_AWAY, ("note",)),
    ("POST", "/bans", BAN, ("facility",)),
    ("POST", "/bans", BAN, ("reason",)),
    ("POST", "/bans/1/lift", {"reason": "Aussprache"}, ("reason",)),
    ("POST", "/bans/1/override", {"reason": "Frost"}, ("reason",)),
    ("PUT", "/winter-emergency", {"active": True, "reason": "Frost"}, ("reason",)),
]
QUERY_TEXTS = [
    ("/persons", "q"),
    ("/stays", "facility"),
    ("/holds", "facility"),
    ("/turnaways", "facility"),
    ("/bans", "facility"),
    ("/out-of-service", "facility"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), BODY_TEXTS)
@pytest.mark.parametrize("char", ["\u0000", "\ud800", "\u202e"], ids=["nul", "surrogate", "rlo"])
def test_a_forbidden_character_in_any_text_of_a_body_is_a_422_naming_the_field(
    api: ApiClient,
    method: str,
    path: str,
    body: dict[str, Any],
    field: tuple[str, ...],
    char: str,
) -> None:
    response = send_json(api, method, path, with_value(body, field, f"Ab{char}cd"))
    # (A person's bad name is also "no name": the schema says that as a second message.)
    assert field_errors(response, "json", *field)[0] == (
        f"Unzulässiges Zeichen U+{ord(char):04X}: Steuerzeichen (außer Tabulator und "
        "Zeilenumbruch), Textrichtungszeichen und einzelne Surrogate sind nicht erlaubt."
    )


@pytest.mark.parametrize(("path", "field"), QUERY_TEXTS)
def test_a_nul_in_any_text_of_a_query_string_is_a_422_naming_the_field(
    api: ApiClient, path: str, field: str
) -> None:
    response = api.get(f"{path}?{field}=M%C3%BCller%00")
    assert "U+0000" in field_errors(response, "query", field)[0]


@pytest.mark.parametrize("char", FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_every_forbidden_character_is_refused(api: ApiClient, char: str) -> None:
    response = send_json(api, "POST", "/persons", {"name": f"Ma{char}x"})
    assert f"U+{ord(char):04X}" in field_errors(response, "json", "name")[0]
    if char != "\ud800":  # a URL cannot carry it (no UTF-8 form)
        query = api.get("/persons", query_string={"q": f"Ma{char}x"})
        assert f"U+{ord(char):04X}" in field_errors(query, "query", "q")[0]


def test_a_surrogate_encoded_as_bytes_in_a_query_string_is_no_error(api: ApiClient) -> None:
    # Not UTF-8: the bytes are read as replacement characters, and the search finds nobody.
    response = api.get("/persons?q=Ma%ED%A0%80x")
    assert response.status_code == 200, response.json
    assert response.json["total"] == 0


def test_tabs_line_breaks_umlauts_and_emoji_are_ordinary_text(api: ApiClient) -> None:
    note = "Mann, ca. 50\tvom Hbf\r\nkommt mit Hund 🐕, spricht Türkçe/العربية"
    response = send_json(api, "POST", "/holds", {"facility": "unionstrasse", "note": note})
    assert response.status_code == 201, response.json
    # The service folds whitespace into single spaces.
    assert response.json["note"] == " ".join(note.split())


def test_a_field_name_with_a_lone_surrogate_is_named_as_its_escape(api: ApiClient) -> None:
    response = api.post(
        "/holds",
        data='{"facility": "unionstrasse", "\\ud800": 1, "\\u0000": 2}',
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json["errors"] == {
        "json": {"\\ud800": ["Unknown field."], "\u0000": ["Unknown field."]}
    }


def test_a_forbidden_character_in_a_path_matches_no_route(api: ApiClient) -> None:
    for path in ("/facilities/union%00strasse", "/facilities/%E2%80%AE/places"):
        response = api.get(path)
        assert (response.status_code, response.json["code"]) == (404, "not_found"), path
    # The spec still describes the slug as a plain string.
    spec = api.get("/openapi.json", as_=None).json
    (slug,) = spec["paths"]["/api/v1/facilities/{slug}"]["parameters"]
    assert slug["schema"] == {"type": "string", "minLength": 1}


# --- JSON past the parser's limits --------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[" * 2000,
        "[" * 100_000,
        '{"a": ' * 5000 + "1" + "}" * 5000,
        '{"facility": "unionstrasse", "minutes": ' + ENDLESS_DIGITS + "}",
        "[" + ENDLESS_DIGITS + "]",
    ],
    ids=["2000 brackets", "100000 brackets", "5000 objects", "long int field", "long int"],
)
def test_json_past_the_parser_limits_is_invalid_json(api: ApiClient, body: str) -> None:
    response = api.post("/holds", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.json == {
        "code": "invalid",
        "message": "Ungültige Eingabe; siehe „errors“.",
        "errors": {"json": {"_schema": ["Der Inhalt ist kein gültiges JSON."]}},
    }


def test_huge_and_odd_numbers_in_a_body_are_422s(api: ApiClient) -> None:
    for minutes in ("1e400", "-1e400", "NaN", "Infinity", str(HUGE), "4" * 4300):
        body = '{"facility": "unionstrasse", "minutes": ' + minutes + "}"
        response = api.post("/holds", data=body, content_type="application/json")
        assert field_errors(response, "json", "minutes"), minutes


# --- caches and logs -----------------------------------------------------------------------


def test_every_api_answer_is_no_store(api: ApiClient) -> None:
    answers = {
        "200": api.get("/availability"),
        "201": send_json(api, "POST", "/holds", {"facility": "unionstrasse"}),
        "401": api.get("/availability", as_=None),
        "404 route": api.get("/nowhere"),
        "404 id": api.get("/stays/12345"),
        "405": api.delete("/availability"),
        "422": api.get("/availability", query_string={"night": "gestern"}),
        "spec": api.get("/openapi.json", as_=None),
    }
    for what, response in answers.items():
        assert response.headers.get("Cache-Control") == "no-store", what


def test_a_failed_request_is_no_store_too(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(facilities_service, "get_facility", broken)
    with caplog.at_level(logging.ERROR):
        response = api.get("/facilities/unionstrasse")
    assert response.status_code == 500
    assert response.headers["Cache-Control"] == "no-store"


def test_a_line_break_in_the_path_does_not_forge_a_log_line(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(facilities_service, "get_facility", broken)
    forged = "x%0D%0AERROR belegung.api: admin logged in"
    with caplog.at_level(logging.ERROR):
        response = api.get(f"/facilities/{forged}")
    assert response.status_code == 500
    (record,) = [r for r in caplog.records if r.name == "belegung.http.errors"]
    message = record.getMessage()
    assert "\n" not in message
    assert "\r" not in message
    assert message == (
        "unexpected error on GET '/api/v1/facilities/x\\r\\nERROR belegung.api: admin logged in'"
    )


def test_the_interactive_docs_may_be_cached(api: ApiClient) -> None:
    page = api.get("/api/v1/docs/", as_=None)
    assert page.status_code == 200
    assert page.headers.get("Cache-Control") != "no-store"
