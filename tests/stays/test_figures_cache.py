"""Availability's cache (stays.figures_cache): answered from memory while nothing changed, read
anew at once after any claim-changing write — through this app instance or another one
on the same database — and when a live hold runs out; `as_of` tells when the figures
were read."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event

from belegung.auth.models import Role
from belegung.auth.service import create_token, create_user
from belegung.cli import cli_context
from belegung.extensions import db
from belegung.facilities.presets import seed
from belegung.stays import figures_cache
from belegung.stays.figures_cache import cache_of
from tests.apiclient import ApiClient, check_in
from tests.conftest import FakeClock, make_app
from tests.live import LiveApi, live  # noqa: F401 - the fixture


def unionstrasse(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return next(f for f in body["facilities"] if f["slug"] == "unionstrasse")


@pytest.fixture
def statements(app: Flask, session: Any) -> Iterator[list[str]]:
    seen: list[str] = []
    conn = session.connection()

    def keep(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(conn, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", keep)


def test_a_warm_read_takes_two_statements_the_token_and_the_version(
    api: ApiClient, statements: list[str]
) -> None:
    api.get("/availability", as_="outreach")  # notes the token's use, fills the cache
    first = api.get("/availability", as_="outreach").get_json()
    statements.clear()
    second = api.get("/availability", as_="outreach").get_json()
    assert second == first
    sent = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))]
    assert len(sent) == 2, sent
    assert "api_tokens" in sent[0]
    assert "figures_version" in sent[1]


def test_a_check_in_is_seen_by_the_next_read(api: ApiClient) -> None:
    before = unionstrasse(api.get("/availability", as_="outreach"))
    assert check_in(api).status_code == 201
    after = unionstrasse(api.get("/availability", as_="outreach"))
    assert after["occupied"] == before["occupied"] + 1
    assert after["free"] == before["free"] - 1


def test_a_refused_write_leaves_the_cache_warm(api: ApiClient, app: Flask, session: Any) -> None:
    api.get("/availability", as_="outreach")
    cache = cache_of(session)
    hits = cache.hits
    assert check_in(api, "no-such-shelter").status_code in (404, 422)
    api.get("/availability", as_="outreach")
    assert cache.hits == hits + 1


def test_each_filter_and_night_has_its_own_figures(api: ApiClient) -> None:
    women = api.get("/availability?target_group=women", as_="outreach").get_json()
    everyone = api.get("/availability", as_="outreach").get_json()
    assert {f["target_group"] for f in women["facilities"]} == {"women"}
    assert len(everyone["facilities"]) > len(women["facilities"])
    assert check_in(api, "nortkirchenstrasse", as_="admin", gender="f").status_code == 201
    women_after = api.get("/availability?target_group=women", as_="outreach").get_json()
    assert women_after["totals"]["occupied"] == women["totals"]["occupied"] + 1


def test_the_figures_change_when_a_hold_runs_out_without_any_write(
    api: ApiClient, clock: FakeClock
) -> None:
    hold = api.post("/holds", as_="outreach", json={"facility": "unionstrasse", "minutes": 30})
    assert hold.status_code == 201, hold.get_json()
    held = unionstrasse(api.get("/availability", as_="outreach"))
    assert held["held"] == 1
    clock.advance(minutes=29)
    assert unionstrasse(api.get("/availability", as_="outreach"))["held"] == 1
    clock.advance(minutes=1)
    after = unionstrasse(api.get("/availability", as_="outreach"))
    assert after["held"] == 0
    assert after["free"] == held["free"] + 1


def test_as_of_is_when_the_figures_were_read(api: ApiClient, clock: FakeClock) -> None:
    first = api.get("/availability", as_="outreach").get_json()
    clock.advance(seconds=20)
    cached = api.get("/availability", as_="outreach").get_json()
    assert cached["as_of"] == first["as_of"]
    assert check_in(api).status_code == 201
    fresh = api.get("/availability", as_="outreach").get_json()
    assert fresh["as_of"] > first["as_of"]


# --- two app instances (two gunicorn workers) on one database -----------------------------


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[Flask, Flask, dict[str, str]]]:
    """Two app instances, each with its own engine and cache, on one SQLite file whose
    writes are committed for real (not the tests' rolled-back transaction)."""
    url = f"sqlite:///{tmp_path / 'workers.sqlite3'}"
    first, second = make_app(url), make_app(url)
    with first.app_context():
        upgrade()
        with cli_context("test") as ctx:
            seed(ctx)
            staff = create_user(ctx, "staff-1", Role.ADMIN)
            outreach = create_user(ctx, "bus-1", Role.OUTREACH)
            tokens = {
                "staff": create_token(ctx, staff)[1],
                "outreach": create_token(ctx, outreach)[1],
            }
        db.session.remove()
    try:
        yield first, second, tokens
    finally:
        for app in (first, second):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def _free(app: Flask, token: str) -> int:
    response = app.test_client().get(
        "/api/v1/availability", headers={"Authorization": f"Bearer {token}"}
    )
    return int(unionstrasse(response)["free"])


def test_a_check_in_through_one_worker_is_seen_at_once_through_another(
    two_workers: tuple[Flask, Flask, dict[str, str]],
) -> None:
    first, second, tokens = two_workers
    free = _free(second, tokens["outreach"])
    assert _free(second, tokens["outreach"]) == free  # now from the second's cache
    with second.app_context():
        engine = db.engine
    response = first.test_client().post(
        "/api/v1/stays",
        json={"facility": "unionstrasse", "person": {"name": "Gast", "gender": "m"}},
        headers={"Authorization": f"Bearer {tokens['staff']}"},
    )
    assert response.status_code == 201, response.get_json()
    assert _free(second, tokens["outreach"]) == free - 1
    assert _free(first, tokens["outreach"]) == free - 1
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT version FROM figures_version")) != 0


# --- several requests missing the same figures at once ------------------------------------


@pytest.mark.slow
def test_simultaneous_misses_read_the_figures_once(
    live: LiveApi,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Eight requests for the same cold figures: one reads them, the others wait for it
    (a check-in invalidates every reader's entry at once; each reading the city's figures
    anew would cost the CPU eight times)."""
    read = figures_cache.availability
    calls: list[int] = []

    def slow_read(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        time.sleep(0.3)  # long enough for the others to arrive meanwhile
        return read(*args, **kwargs)

    monkeypatch.setattr(figures_cache, "availability", slow_read)
    replies = live.at_once(*[("GET", "/availability", {"as_": "outreach"})] * 8)
    assert {r.status for r in replies} == {200}
    assert len({json.dumps(r.body, sort_keys=True) for r in replies}) == 1
    assert len(calls) == 1
    # A write later, the next readers read the new figures, once again.
    reply = live.post("/stays", json={"facility": "unionstrasse", "person": {"name": "Gast"}})
    assert reply.status == 201, reply.body
    after = live.at_once(*[("GET", "/availability", {"as_": "outreach"})] * 8)
    assert len(calls) == 2
    before_free = next(f for f in replies[0].body["facilities"] if f["slug"] == "unionstrasse")
    for r in after:
        now_free = next(f for f in r.body["facilities"] if f["slug"] == "unionstrasse")
        assert now_free["free"] == before_free["free"] - 1
