"""Health and metrics for operators (issue 13, point 9): /healthz, /readyz and /metrics
without a login and without personal data, /metrics only for its token or network, and
a request id on every answer and in the request's log line."""

from __future__ import annotations

import hashlib
import logging
import re
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from belegung import create_app
from belegung.extensions import db
from belegung.serving import OneLineFormatter
from tests.apiclient import ApiClient
from tests.conftest import SECRET, TestDatabase
from tests.http.test_bounded_waits import silent_server, unreachable_app  # noqa: F401

OTHER_NETWORK = {"REMOTE_ADDR": "10.9.8.7"}


def test_healthz_answers_without_a_login(app: Flask) -> None:
    reply = app.test_client().get("/healthz")
    assert reply.status_code == 200
    assert reply.json == {"status": "ok"}
    assert reply.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(r"[0-9a-f]{32}", reply.headers["X-Request-Id"])


def test_readyz_is_ready_on_a_migrated_database(app: Flask, session: Session) -> None:
    reply = app.test_client().get("/readyz")
    assert reply.status_code == 200, reply.json
    assert reply.json == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "current"},
    }


def test_readyz_is_not_ready_while_migrations_are_missing(app: Flask, session: Session) -> None:
    session.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    reply = app.test_client().get("/readyz")
    assert reply.status_code == 503
    assert reply.json["checks"] == {"database": "ok", "migrations": "not_current"}
    assert reply.headers["Retry-After"]


def test_readyz_is_not_ready_without_a_database(silent_server: int) -> None:  # noqa: F811
    app = unreachable_app(silent_server)
    reply = app.test_client().get("/readyz")
    assert reply.status_code == 503
    assert reply.json == {
        "status": "not_ready",
        "checks": {"database": "unavailable", "migrations": "unknown"},
    }
    # The process itself is up.
    assert app.test_client().get("/healthz").status_code == 200


def test_metrics_count_requests_and_show_tonights_places(api: ApiClient, app: Flask) -> None:
    for _ in range(3):
        assert api.get("/availability", as_="staff").status_code == 200
    api.get("/persons", as_="staff", query_string={"q": "Müller"})
    client = app.test_client()
    body = client.get("/metrics").get_data(as_text=True)
    counted = re.search(
        r'^belegung_http_requests_total\{method="GET",route="/api/v1/availability",'
        r'status="200"\} (\d+)',
        body,
        re.M,
    )
    assert counted is not None, body
    assert float(counted.group(1)) >= 3, body
    assert "belegung_http_request_duration_seconds_bucket{" in body
    assert "# TYPE belegung_database_errors_total counter" in body
    free = re.search(
        r'^belegung_places_free\{facility="unionstrasse",night="[\d-]+"\} (\d+)', body, re.M
    )
    assert free is not None, body
    assert float(free.group(1)) > 0, body
    assert re.search(r"^belegung_outbox_depth \d", body, re.M)
    assert "belegung_database_up 1.0" in body
    # No personal data: the route, never the path or the search.
    assert "Müller" not in body
    assert "M%C3%BCller" not in body
    assert 'route="/api/v1/persons"' in body


def test_metrics_are_refused_outside_the_networks_without_the_token(app: Flask) -> None:
    reply = app.test_client().get("/metrics", environ_base=OTHER_NETWORK)
    assert reply.status_code == 403
    assert "belegung_" not in reply.get_data(as_text=True)


def test_metrics_take_the_token_whose_hash_is_configured(database: TestDatabase) -> None:
    digest = hashlib.sha256(b"scrape-me-please").hexdigest()
    app = create_app(
        env={
            "BELEGUNG_DATABASE_URL": database.url,
            "BELEGUNG_SECRET_KEY": SECRET,
            "BELEGUNG_METRICS_TOKEN_SHA256": digest,
            "BELEGUNG_METRICS_NETWORKS": "192.168.0.0/16",
        },
        config={"TESTING": True},
    )
    try:
        client = app.test_client()
        right = {"Authorization": "Bearer scrape-me-please"}
        wrong = {"Authorization": "Bearer scrape-me-not"}
        outside = OTHER_NETWORK
        assert client.get("/metrics", environ_base=outside, headers=right).status_code == 200
        assert client.get("/metrics", environ_base=outside, headers=wrong).status_code == 403
        # Loopback is no longer in the configured networks.
        assert client.get("/metrics").status_code == 403
        inside = {"REMOTE_ADDR": "192.168.4.2"}
        assert client.get("/metrics", environ_base=inside).status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()


def test_a_bad_metrics_setting_is_refused_at_start_up(tmp_path: Path) -> None:
    from belegung.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="BELEGUNG_METRICS_TOKEN_SHA256"):
        load_settings({"BELEGUNG_METRICS_TOKEN_SHA256": "secret"}, instance_path=tmp_path)
    with pytest.raises(ConfigError, match="BELEGUNG_METRICS_NETWORKS"):
        load_settings({"BELEGUNG_METRICS_NETWORKS": "intranet"}, instance_path=tmp_path)


def test_a_request_id_is_answered_and_logged_once_without_the_query(
    api: ApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="belegung.requests")
    reply = api.get(
        "/persons",
        as_="staff",
        query_string={"q": "Müller"},
        headers={"X-Request-Id": "tablet-4711-a"},
    )
    assert reply.headers["X-Request-Id"] == "tablet-4711-a"
    lines = [r.getMessage() for r in caplog.records if r.name == "belegung.requests"]
    assert len(lines) == 1, lines
    assert re.fullmatch(r"request tablet-4711-a GET /api/v1/persons 200 [\d.]+ms", lines[0])
    assert "Müller" not in caplog.text


@pytest.mark.parametrize("sent", ["x\r\nforged: 1", "short", "a" * 65, "ü-äöü-äöü"])
def test_a_request_id_that_could_break_a_log_line_is_replaced(app: Flask, sent: str) -> None:
    environ = {"HTTP_X_REQUEST_ID": sent.encode().decode("latin-1")}
    reply = app.test_client().get("/healthz", environ_base=environ)
    assert re.fullmatch(r"[0-9a-f]{32}", reply.headers["X-Request-Id"])


def test_every_log_record_is_one_line_with_the_request_id() -> None:
    formatter = OneLineFormatter("%(levelname)s [%(request_id)s] %(message)s")
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "a\nb", (), sys.exc_info())
    line = formatter.format(record)
    assert "\n" not in line
    assert line.startswith("ERROR [-] a | b | Traceback")
    assert "ValueError: boom" in line
