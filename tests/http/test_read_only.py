"""SQLite as a first start: read-only requests (http.transactions.read_only) take no
write lock, so they are answered while a writer holds it; writes keep BEGIN IMMEDIATE.
On a SQLite file of its own, committed for real."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from belegung.auth.models import Role
from belegung.auth.service import create_token, create_user
from belegung.cli import cli_context
from belegung.extensions import db
from belegung.facilities.presets import seed
from tests.conftest import make_app


@dataclass
class FirstStart:
    app: Flask
    path: Path
    reader: dict[str, str]
    writer: dict[str, str]


@pytest.fixture
def first_start(tmp_path: Path) -> Iterator[FirstStart]:
    path = tmp_path / "first-start.sqlite3"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        with cli_context("test") as ctx:
            seed(ctx)
            bus = create_token(ctx, create_user(ctx, "bus-1", Role.OUTREACH))[1]
            admin = create_token(ctx, create_user(ctx, "admin-1", Role.ADMIN))[1]
        db.session.remove()
    start = FirstStart(
        app,
        path,
        {"Authorization": f"Bearer {bus}"},
        {"Authorization": f"Bearer {admin}"},
    )
    # Each token's first use is noted (a write, once a minute): done before the tests.
    for headers in (start.reader, start.writer):
        assert app.test_client().get("/api/v1/availability", headers=headers).status_code == 200
    try:
        yield start
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_availability_is_answered_while_a_writer_holds_the_lock(first_start: FirstStart) -> None:
    writer = sqlite3.connect(first_start.path, isolation_level=None, timeout=1)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE figures_version SET version = version")
        started = time.monotonic()
        response = first_start.app.test_client().get(
            "/api/v1/availability", headers=first_start.reader
        )
        assert response.status_code == 200
        assert time.monotonic() - started < 2
        assert first_start.app.test_client().get("/frei").status_code == 200
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_16_readers_and_a_writer_without_time_outs(first_start: FirstStart) -> None:
    answers: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    app = first_start.app

    def read() -> None:
        client = app.test_client()
        for _ in range(10):
            t0 = time.monotonic()
            status = client.get("/api/v1/availability", headers=first_start.reader).status_code
            with lock:
                answers.append(("read", status, time.monotonic() - t0))

    def write() -> None:
        client = app.test_client()
        for i in range(10):
            t0 = time.monotonic()
            status = client.post(
                "/api/v1/stays",
                json={"facility": "wvp", "person": {"name": f"Gast {i}"}},
                headers=first_start.writer,
            ).status_code
            with lock:
                answers.append(("write", status, time.monotonic() - t0))

    threads = [threading.Thread(target=read) for _ in range(16)]
    threads.append(threading.Thread(target=write))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert sorted({(kind, status) for kind, status, _ in answers}) == [
        ("read", 200),
        ("write", 201),
    ]
    assert len(answers) == 170
    assert max(seconds for _, _, seconds in answers) < 10
