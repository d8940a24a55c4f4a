"""Safe retries: the `Idempotency-Key` header on every POST of the API (IETF httpapi draft,
Stripe). The same key with the same request replays the first answer without doing the
work again — also when both arrive at once (PostgreSQL, threads); the same key with
another request is 422 `idempotency_key_reused`; keys belong to the token's user."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.apiclient import ApiClient, assert_error, figures
from tests.conftest import FakeClock
from tests.live import LiveApi, live  # noqa: F401 - the fixture

KEY = {"Idempotency-Key": "0d7c6f1e-5d1f-4c39-9d1c-2b1f3f0e9a11"}
CHECK_IN = {"facility": "unionstrasse", "person": {"name": "Thomas K.", "gender": "m"}}


def _occupied(api: ApiClient) -> int:
    return int(figures(api, "unionstrasse")["occupied"])


def test_a_check_in_sent_twice_with_one_key_gives_one_bed(api: ApiClient) -> None:
    before = _occupied(api)
    first = api.post("/stays", as_="staff", json=CHECK_IN, headers=KEY)
    again = api.post("/stays", as_="staff", json=CHECK_IN, headers=KEY)

    assert first.status_code == again.status_code == 201, (first.json, again.json)
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _occupied(api) == before + 1


def test_the_body_is_compared_as_json_not_as_bytes(api: ApiClient) -> None:
    first = api.post("/stays", as_="staff", json=CHECK_IN, headers=KEY)
    reordered = '{"person": {"gender": "m", "name": "Thomas K."},\n "facility": "unionstrasse"}'
    again = api.post(
        "/stays",
        as_="staff",
        data=reordered,
        headers={**KEY, "Content-Type": "application/json"},
    )

    assert (again.status_code, again.json) == (201, first.json)


def test_without_the_header_a_retry_is_a_second_request(api: ApiClient) -> None:
    first = api.post("/persons", as_="staff", json={"name": "Anna"})
    again = api.post("/persons", as_="staff", json={"name": "Anna"})

    assert first.json["id"] != again.json["id"]


def test_one_key_with_another_body_is_refused(api: ApiClient) -> None:
    assert api.post("/stays", as_="staff", json=CHECK_IN, headers=KEY).status_code == 201
    other = {**CHECK_IN, "person": {"name": "Jürgen B.", "gender": "m"}}

    refused = api.post("/stays", as_="staff", json=other, headers=KEY)

    assert_error(refused, 422, "idempotency_key_reused")
    elsewhere = api.post(
        "/turnaways", as_="staff", json={"facility": "unionstrasse", "reason": "full"}, headers=KEY
    )
    assert_error(elsewhere, 422, "idempotency_key_reused")


def test_keys_belong_to_the_tokens_user(api: ApiClient) -> None:
    person = {"name": "Anna", "gender": "f"}
    mine = api.post("/persons", as_="staff", json=person, headers=KEY)
    theirs = api.post("/persons", as_="staff_women", json=person, headers=KEY)

    assert mine.status_code == theirs.status_code == 201
    assert mine.json["id"] != theirs.json["id"]
    assert "Idempotent-Replayed" not in theirs.headers


def test_a_refused_request_keeps_no_answer_so_the_corrected_one_runs(api: ApiClient) -> None:
    wrong = {"facility": "unionstrasse", "person": {"name": "Erika", "gender": "f"}}
    assert api.post("/stays", as_="staff", json=wrong, headers=KEY).status_code == 422

    corrected = api.post("/stays", as_="staff", json=CHECK_IN, headers=KEY)

    assert corrected.status_code == 201, corrected.json


def test_after_24_hours_the_key_is_forgotten(api: ApiClient, clock: FakeClock) -> None:
    body = {"name": "Anna", "gender": "f"}
    first = api.post("/persons", as_="staff", json=body, headers=KEY)
    clock.advance(hours=23, minutes=59)
    assert api.post("/persons", as_="staff", json=body, headers=KEY).json == first.json
    clock.advance(minutes=2)

    later = api.post("/persons", as_="staff", json=body, headers=KEY)

    assert later.status_code == 201
    assert later.json["id"] != first.json["id"]


@pytest.mark.parametrize("key", ["", "x" * 101, "zwei wörter", "mit leerzeichen"])
def test_a_key_that_is_empty_too_long_or_not_visible_ascii_is_422(api: ApiClient, key: str) -> None:
    response = api.post(
        "/persons", as_="staff", json={"name": "Anna"}, headers={"Idempotency-Key": key}
    )

    assert response.status_code == 422, response.json
    assert "Idempotency-Key" in response.json["errors"]["headers"]


@pytest.mark.parametrize(
    ("path", "as_", "body"),
    [
        ("/holds", "outreach", {"facility": "unionstrasse"}),
        ("/turnaways", "staff", {"facility": "unionstrasse", "reason": "full"}),
        ("/persons", "staff", {"name": "Anna"}),
        (
            "/recipients",
            "manager",
            {"name": "Leitung", "phone": "0152 2881 7386", "role": "manager"},
        ),
    ],
)
def test_every_creating_post_replays(api: ApiClient, path: str, as_: str, body: Any) -> None:
    first = api.post(path, as_=as_, json=body, headers=KEY)
    again = api.post(path, as_=as_, json=body, headers=KEY)

    assert first.status_code == 201, first.json
    assert (again.status_code, again.json) == (201, first.json)
    listed = api.get(path, as_=as_) if path != "/persons" else None
    if listed is not None and listed.status_code == 200 and "total" in listed.json:
        assert listed.json["total"] == 1


def test_the_openapi_document_names_the_header_on_every_post(api: ApiClient) -> None:
    spec = api.get("/openapi.json", as_=None).json
    posts = {path: ops["post"] for path, ops in spec["paths"].items() if "post" in ops}
    assert len(posts) >= 12
    for path, operation in posts.items():
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert headers == ["Idempotency-Key"], path
        assert "422" in operation["responses"], path
    for path, ops in spec["paths"].items():
        for method in set(ops) & {"get", "delete", "patch", "put"}:
            params = ops[method].get("parameters", [])
            assert all(p["in"] != "header" for p in params), (method, path)


# --- at the same moment (committed, each request on its own connection) -------------------


@pytest.mark.slow
@pytest.mark.postgres_only
def test_eight_simultaneous_sends_of_one_check_in_give_one_bed(live: LiveApi) -> None:  # noqa: F811
    send = ("POST", "/stays", {"json": CHECK_IN, "headers": KEY})
    replies = live.at_once(*[send] * 8)

    assert Counter(r.status for r in replies) == {201: 8}, [r.body for r in replies]
    assert len({r.body["id"] for r in replies}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in replies) == 7
    stays = live.get("/stays", query_string={"facility": "unionstrasse"})
    assert stays.body["total"] == 1


@pytest.mark.slow
@pytest.mark.postgres_only
def test_simultaneous_sends_with_one_key_and_different_bodies_do_one(live: LiveApi) -> None:  # noqa: F811
    sends = [
        ("POST", "/persons", {"json": {"name": f"Gast {i}"}, "headers": KEY}) for i in range(6)
    ]
    replies = live.at_once(*sends)

    assert Counter(r.status for r in replies) == {201: 1, 422: 5}, [r.body for r in replies]
    assert {r.body["code"] for r in replies if r.status == 422} == {"idempotency_key_reused"}
