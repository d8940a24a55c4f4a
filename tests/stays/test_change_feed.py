"""What other processes committed (belegung.changes), on both backends: a warm read of the
figures with a known token sends no statement at all, and every write through one app
instance (one gunicorn worker) or another process — a check-in, a revocation, a
deactivation — counts at once through another; on PostgreSQL also while the feed is down
(then the caches ask the database)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from belegung.auth.models import ApiToken, User
from belegung.auth.service import revoke_token, set_active
from belegung.changes import ChangeFeed, feed_of
from belegung.context import Actor, ServiceContext
from belegung.extensions import db
from belegung.nights import NightCalendar
from tests.conftest import BERLIN, TestDatabase, make_app
from tests.live import LiveApi, live  # noqa: F401 - the fixture


def _get(app: Flask, token: str, path: str = "/api/v1/availability") -> Any:
    return app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})


def _unionstrasse(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.get_json()
    return next(f for f in response.get_json()["facilities"] if f["slug"] == "unionstrasse")


def _feed(app: Flask) -> ChangeFeed:
    with app.app_context():
        feed = feed_of(db.engine)
    assert feed is not None
    return feed


def _wait_listening(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
    feed = _feed(app)
    deadline = time.monotonic() + 10
    while feed.stamp("figures") is None:
        assert time.monotonic() < deadline, "the change feed did not connect"
        time.sleep(0.02)


@pytest.fixture
def second(live: LiveApi, database: TestDatabase) -> Iterator[Flask]:  # noqa: F811
    """Another app instance on the same database: its own engine, caches and feed (as
    another gunicorn worker, or another machine, has)."""
    app = make_app(database.url, BELEGUNG_CLOCK=live.clock)
    _wait_listening(app)
    _wait_listening(live.app)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@contextmanager
def _statements(app: Flask) -> Iterator[list[str]]:
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def keep(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    def began(_conn: Any) -> None:
        seen.append("BEGIN")

    event.listen(engine, "before_cursor_execute", keep)
    event.listen(engine, "begin", began)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", keep)
        event.remove(engine, "begin", began)


def test_a_warm_read_with_a_known_token_sends_no_statement(
    live: LiveApi,  # noqa: F811
    second: Flask,
) -> None:
    token = live.tokens["outreach"]
    first = _get(second, token)
    with _statements(second) as statements:
        again = _get(second, token)
        assert statements == []
    assert again.get_data() == first.get_data()


def test_every_check_in_through_one_worker_is_seen_at_once_through_another(
    live: LiveApi,  # noqa: F811
    second: Flask,
) -> None:
    token = live.tokens["outreach"]
    free = _unionstrasse(_get(second, token))["free"]
    for i in range(1, 11):
        assert _unionstrasse(_get(second, token))["free"] == free - i + 1  # warm
        reply = live.post(
            "/stays", json={"facility": "unionstrasse", "person": {"name": f"Gast {i}"}}
        )
        assert reply.status == 201, reply.body
        assert _unionstrasse(_get(second, token))["free"] == free - i


def _revoke(engine: sa.Engine, token_id: int, user_id: int | None = None) -> None:
    """Revoke a token (or deactivate its user) as the CLI does, in a process of its own."""
    with Session(engine) as session, session.begin():
        ctx = ServiceContext(session, Actor.system("test"), NightCalendar(BERLIN))
        if user_id is None:
            revoke_token(ctx, token_id)
        else:
            user = session.get(User, user_id)
            assert user is not None
            set_active(ctx, user, False)


def _token_id(engine: sa.Engine, user_id: int) -> int:
    with engine.connect() as conn:
        found = conn.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == user_id))
    assert found is not None
    return int(found)


def test_a_revoked_token_is_refused_at_once_by_a_worker_that_knew_it(
    live: LiveApi,  # noqa: F811
    second: Flask,
    database: TestDatabase,
) -> None:
    token = live.tokens["outreach"]
    assert _get(second, token).status_code == 200
    with _statements(second) as statements:
        assert _get(second, token).status_code == 200
        assert statements == []  # known: no statement
    engine = database.engine
    _revoke(engine, _token_id(engine, live.user_ids["outreach"]))
    # The revoking process answered; the next request through the other worker is refused.
    assert _get(second, token).status_code == 401


def test_a_deactivated_user_is_refused_at_once(
    live: LiveApi,  # noqa: F811
    second: Flask,
    database: TestDatabase,
) -> None:
    token = live.tokens["staff"]
    assert _get(second, token).status_code == 200
    assert _get(second, token).status_code == 200
    _revoke(database.engine, 0, user_id=live.user_ids["staff"])
    assert _get(second, token).status_code == 401


@pytest.mark.postgres_only
def test_while_the_feed_is_down_the_caches_ask_the_database(
    live: LiveApi,  # noqa: F811
    second: Flask,
    database: TestDatabase,
) -> None:
    token = live.tokens["outreach"]
    free = _unionstrasse(_get(second, token))["free"]
    feed = _feed(second)
    feed.stop()  # the listener ends; it does not reconnect
    with database.engine.connect() as conn:
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'belegung-changes'"
            )
        )
    deadline = time.monotonic() + 10
    while feed.connected:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert feed.stamp("figures") is None
    reply = live.post("/stays", json={"facility": "unionstrasse", "person": {"name": "Gast"}})
    assert reply.status == 201, reply.body
    with _statements(second) as statements:
        assert _unionstrasse(_get(second, token))["free"] == free - 1
        assert any("figures_version" in s for s in statements)
        assert any("api_tokens" in s for s in statements)
