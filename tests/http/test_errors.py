"""The error contract: JSON with `code` and `message`, never a 500 for bad input, never a
database message, and no personal data in logs."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError

from belegung.stays import service
from tests.apiclient import ApiClient, check_in


def test_a_body_that_is_not_json_is_a_422(api: ApiClient) -> None:
    for body in ("not json", b"\xff\xfe", "{"):
        response = api.post("/stays", data=body, content_type="application/json")
        assert response.status_code == 422
        assert response.json["code"] == "invalid"
        assert response.json["errors"] == {
            "json": {"_schema": ["Der Inhalt ist kein gültiges JSON."]}
        }


def test_unknown_fields_in_body_and_query_are_named(api: ApiClient) -> None:
    body = api.post("/holds", json={"facility": "unionstrasse", "minuts": 30})
    assert body.status_code == 422
    assert body.json["errors"] == {"json": {"minuts": ["Unknown field."]}}
    query = api.get("/availability", query_string={"nigth": "2026-01-15"})
    assert query.status_code == 422
    assert query.json["errors"] == {"query": {"nigth": ["Unknown field."]}}


def test_wrong_method_and_unknown_path_answer_json(api: ApiClient) -> None:
    wrong = api.delete("/availability")
    assert wrong.status_code == 405
    assert wrong.json["code"] == "method_not_allowed"
    assert "GET" in wrong.headers["Allow"]
    missing = api.get("/nowhere")
    assert (missing.status_code, missing.json["code"]) == (404, "not_found")
    too_big = api.get("/stays/99999999999")
    assert (too_big.status_code, too_big.json["code"]) == (404, "not_found")


def test_an_unexpected_error_is_a_json_500_without_details(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "check_in", broken)
    with caplog.at_level(logging.ERROR):
        response = check_in(api, name="Erika Mustermann")
    assert response.status_code == 500
    assert response.json == {
        "code": "internal_error",
        "message": "Interner Fehler; er wurde protokolliert.",
    }
    assert "unexpected error on POST '/api/v1/stays'" in caplog.text
    assert "Mustermann" not in caplog.text


def test_a_constraint_violation_is_a_409_not_a_500(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def conflicting(*args: object, **kwargs: object) -> None:
        raise IntegrityError(
            "INSERT … ('Erika Mustermann')", {"name": "Erika Mustermann"}, Exception()
        )

    monkeypatch.setattr(service, "check_in", conflicting)
    with caplog.at_level(logging.WARNING):
        response = check_in(api, name="Erika Mustermann")
    assert response.status_code == 409
    assert response.json["code"] == "conflict"
    assert "Mustermann" not in response.get_data(as_text=True)
    assert "Mustermann" not in caplog.text


def test_a_failed_request_writes_nothing(api: ApiClient) -> None:
    # The new person would be created before the target-group check refuses: the whole
    # request rolls back.
    refused = check_in(api, gender="f", name="Nicht Gespeichert")
    assert refused.status_code == 422
    assert refused.json["code"] == "wrong_target_group"
    found = api.get("/persons", query_string={"q": "Gespeichert"})
    assert found.json["total"] == 0


def test_an_oversized_body_is_refused_as_json(api: ApiClient) -> None:
    response = api.post("/turnaways", data="x" * (2 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413
    assert response.json["code"] == "too_large"
