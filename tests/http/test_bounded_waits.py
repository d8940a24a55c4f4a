"""Bounded waits (issue 13, point 3): every wait on the database has a limit, and a wait
that runs out — or a database that cannot be reached — is answered 503 with Retry-After
and a German message, as JSON to the API and as a page to a browser; never a hang, never
a 500.

The lock tests commit for real (a lock held by another connection cannot be shown inside
one rolled-back transaction): they use an app of their own with short timeouts on the
test database and wipe it before and after.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.pool import NullPool

from belegung import create_app, texts
from belegung.config import load_settings
from belegung.extensions import db
from belegung.http import metrics
from belegung.limits import DATABASE_RETRY_AFTER_SECONDS
from tests.conftest import SECRET, TestDatabase
from tests.stays.test_concurrency import _wipe

# Without the bounds these tests would wait for the lock until the holder lets go.
HOLD_AT_MOST = 12.0


# --- the settings ------------------------------------------------------------------------


def test_postgresql_connections_carry_the_timeouts(tmp_path: Path) -> None:
    url = "postgresql://u@h/db"
    defaults = load_settings({"BELEGUNG_DATABASE_URL": url}, instance_path=tmp_path)
    options = defaults.flask_config()["SQLALCHEMY_ENGINE_OPTIONS"]
    assert isinstance(options, dict)
    args = options["connect_args"]
    assert args["connect_timeout"] == 5
    assert args["options"] == "-c statement_timeout=10000 -c lock_timeout=5000 -c jit=off"
    assert options["pool_timeout"] == 5.0
    assert options["hide_parameters"] is True

    tuned = load_settings(
        {
            "BELEGUNG_DATABASE_URL": url,
            "BELEGUNG_DB_CONNECT_TIMEOUT": "3",
            "BELEGUNG_DB_STATEMENT_TIMEOUT": "2,5",
            "BELEGUNG_DB_LOCK_TIMEOUT": "0.25",
        },
        instance_path=tmp_path,
    ).bounded_waits()
    assert tuned["connect_args"]["connect_timeout"] == 3  # type: ignore[index]
    assert tuned["connect_args"]["options"] == (  # type: ignore[index]
        "-c statement_timeout=2500 -c lock_timeout=250 -c jit=off"
    )


def test_sqlite_waits_for_its_write_lock_as_configured(tmp_path: Path) -> None:
    assert load_settings({}, instance_path=tmp_path).bounded_waits() == {
        "connect_args": {"timeout": 5.0}
    }
    env = {"BELEGUNG_SQLITE_BUSY_TIMEOUT": "0.5"}
    assert load_settings(env, instance_path=tmp_path).bounded_waits() == {
        "connect_args": {"timeout": 0.5}
    }


@pytest.mark.parametrize(
    "name",
    [
        "BELEGUNG_DB_CONNECT_TIMEOUT",
        "BELEGUNG_DB_STATEMENT_TIMEOUT",
        "BELEGUNG_DB_LOCK_TIMEOUT",
        "BELEGUNG_SQLITE_BUSY_TIMEOUT",
    ],
)
@pytest.mark.parametrize("raw", ["0", "-1", "soon", "nan", "100000"])
def test_a_timeout_must_be_a_sensible_number(tmp_path: Path, name: str, raw: str) -> None:
    from belegung.config import ConfigError

    with pytest.raises(ConfigError, match=name):
        load_settings({name: raw}, instance_path=tmp_path)


@pytest.mark.postgres_only
def test_the_server_applies_the_timeouts(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "10s"
        assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "5s"
        assert conn.exec_driver_sql("SHOW jit").scalar() == "off"


# --- a lock held elsewhere ---------------------------------------------------------------


@pytest.fixture
def quick(database: TestDatabase) -> Iterator[tuple[Flask, dict[str, str]]]:
    """An app on the (committed) test database with half-second lock waits, the Dortmund
    preset and an admin's token."""
    app = create_app(
        env={
            "BELEGUNG_DATABASE_URL": database.url,
            "BELEGUNG_SECRET_KEY": SECRET,
            "BELEGUNG_DB_LOCK_TIMEOUT": "0.5",
            "BELEGUNG_SQLITE_BUSY_TIMEOUT": "0.5",
        },
        config={"TESTING": True},
    )
    _wipe(database.engine)
    try:
        runner = app.test_cli_runner()
        for args in (["seed", "dortmund"], ["users", "create", "admin", "--role", "admin"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        result = runner.invoke(args=["tokens", "create", "admin"])
        token = result.output.strip().splitlines()[-1]
        yield app, {"Authorization": f"Bearer {token}"}
    finally:
        with app.app_context():
            db.engine.dispose()
        _wipe(database.engine)


@contextmanager
def held(database: TestDatabase, statement: str, **params: Any) -> Iterator[None]:
    """Another connection holds a lock (taken by `statement`) for the block, and lets go
    after HOLD_AT_MOST seconds at the latest."""
    engine = sa.create_engine(database.engine.url, poolclass=NullPool)
    conn = engine.connect()
    if database.backend == "sqlite":
        conn.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE (db.py): the write lock
    else:
        conn.execute(sa.text(statement), params)
    release = threading.Timer(HOLD_AT_MOST, conn.rollback)
    release.start()
    try:
        yield
    finally:
        release.cancel()
        conn.rollback()
        conn.close()
        engine.dispose()


def check_in_body(name: str) -> dict[str, Any]:
    return {
        "facility": "unionstrasse",
        "person": {"name": name, "birth_year": 1971, "gender": "m", "nationality": "german"},
    }


def assert_busy(reply: Any, started: float) -> None:
    elapsed = time.monotonic() - started
    assert reply.status_code == 503, reply.get_data(as_text=True)
    assert elapsed < 4, f"answered after {elapsed:.1f} s"
    assert reply.headers["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
    assert reply.json == {"code": "database_busy", "message": texts.API["database_busy"]}
    assert reply.json["message"].startswith("Die Datenbank ist gerade überlastet")


@pytest.mark.slow
def test_a_check_in_behind_a_held_claims_lock_answers_503_in_time(
    database: TestDatabase, quick: tuple[Flask, dict[str, str]]
) -> None:
    app, auth = quick
    client = app.test_client()
    with held(database, "LOCK TABLE stays IN ACCESS EXCLUSIVE MODE"):
        started = time.monotonic()
        reply = client.post("/api/v1/stays", json=check_in_body("Karl W."), headers=auth)
        assert_busy(reply, started)
    # The lock gone, the same check-in goes through: nothing was left half done.
    reply = client.post("/api/v1/stays", json=check_in_body("Karl W."), headers=auth)
    assert reply.status_code == 201, reply.json


@pytest.mark.slow
def test_a_check_out_behind_a_row_lock_answers_503_in_time(
    database: TestDatabase, quick: tuple[Flask, dict[str, str]]
) -> None:
    app, auth = quick
    client = app.test_client()
    stay = client.post("/api/v1/stays", json=check_in_body("Otto B."), headers=auth).json
    lock = "SELECT id FROM stays WHERE id = :id FOR UPDATE"
    with held(database, lock, id=stay["id"]):
        started = time.monotonic()
        reply = client.post(f"/api/v1/stays/{stay['id']}/checkout", json={}, headers=auth)
        assert_busy(reply, started)
    reply = client.post(f"/api/v1/stays/{stay['id']}/checkout", json={}, headers=auth)
    assert reply.status_code == 200, reply.json


@pytest.mark.slow
def test_a_page_behind_a_held_lock_is_an_error_page_with_retry_after(
    database: TestDatabase, quick: tuple[Flask, dict[str, str]]
) -> None:
    app, _auth = quick
    with held(database, "LOCK TABLE stays IN ACCESS EXCLUSIVE MODE"):
        started = time.monotonic()
        reply = app.test_client().get("/status")
        elapsed = time.monotonic() - started
    if database.backend == "sqlite":
        # SQLite (WAL): a read-only page reads past the writer's lock instead of waiting
        # (http.transactions.read_only); only writes queue for it.
        assert reply.status_code == 200
        assert elapsed < 4
        return
    assert reply.status_code == 503
    assert elapsed < 4
    assert reply.headers["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
    assert reply.mimetype == "text/html"
    assert "Die Datenbank ist gerade überlastet" in reply.get_data(as_text=True)


# --- a database that does not answer -----------------------------------------------------


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that takes connections (the kernel completes the handshake) but never says
    a word: a frozen or overloaded PostgreSQL, as the client sees it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield int(listener.getsockname()[1])


def unreachable_app(port: int) -> Flask:
    return create_app(
        env={
            "BELEGUNG_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/belegung",
            "BELEGUNG_SECRET_KEY": SECRET,
            "BELEGUNG_DB_CONNECT_TIMEOUT": "2",
        },
        config={"TESTING": True},
    )


def test_a_database_that_never_answers_is_a_503_after_the_connect_timeout(
    silent_server: int,
) -> None:
    app = unreachable_app(silent_server)
    started = time.monotonic()
    reply = app.test_client().get(
        "/api/v1/availability", headers={"Authorization": "Bearer blg_whatever"}
    )
    elapsed = time.monotonic() - started
    assert reply.status_code == 503, reply.get_data(as_text=True)
    assert elapsed < 6, f"answered after {elapsed:.1f} s"
    assert reply.headers["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
    assert reply.json["code"] in ("unavailable", "database_busy")
    assert reply.json["message"] in (texts.API["unavailable"], texts.API["database_busy"])


def test_a_database_that_is_down_is_a_503_page_not_a_500() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    app = unreachable_app(port)
    counted = metrics.DATABASE_ERRORS.labels(kind="unavailable")
    before = counted._value.get()
    reply = app.test_client().get("/status")
    assert reply.status_code == 503, reply.get_data(as_text=True)
    assert reply.mimetype == "text/html"
    assert reply.headers["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
    assert texts.API["unavailable"] in reply.get_data(as_text=True)
    reply = app.test_client().post(
        "/api/v1/stays", json=check_in_body("Eva"), headers={"Authorization": "Bearer blg_x"}
    )
    assert reply.status_code == 503
    assert reply.json == {"code": "unavailable", "message": texts.API["unavailable"]}
    # Operators see it in /metrics (belegung_database_errors_total{kind="unavailable"}).
    assert counted._value.get() == before + 2


# --- a connection lost inside the transaction ----------------------------------------------


@pytest.mark.postgres_only
def test_a_connection_lost_inside_a_transaction_is_a_503_not_a_500(
    database: TestDatabase,
) -> None:
    """The database restarts while a request is in its transaction, and the error is
    caught on the way (the alert hooks catch theirs, in a savepoint): the next statement
    finds the connection gone ("can't reconnect until invalid transaction is rolled
    back"). Seen once in bench/faults.py as a 500."""
    from belegung.extensions import session

    app = create_app(
        env={"BELEGUNG_DATABASE_URL": database.url, "BELEGUNG_SECRET_KEY": SECRET},
        config={"TESTING": True},
    )
    killer = sa.create_engine(database.engine.url, poolclass=NullPool)

    def lose_the_connection() -> str:
        pid = session().execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        with killer.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        try:
            with session().begin_nested():
                session().execute(sa.text("SELECT 1"))
        except sa.exc.OperationalError:
            pass  # caught, as the alert hooks do
        session().execute(sa.text("SELECT 1"))
        return "unreachable"

    app.add_url_rule("/api/v1/lost", view_func=lose_the_connection)
    app.before_request_funcs[None].remove(
        next(f for f in app.before_request_funcs[None] if f.__module__ == "belegung.auth.bearer")
    )
    try:
        reply = app.test_client().get("/api/v1/lost")
        assert reply.status_code == 503, reply.get_data(as_text=True)
        assert reply.json["code"] == "unavailable"
        assert reply.headers["Retry-After"]
        # The pool recovers: the next request gets a fresh connection.
        assert app.test_client().get("/readyz").status_code == 200
    finally:
        killer.dispose()
        with app.app_context():
            db.engine.dispose()
