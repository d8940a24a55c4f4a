"""The app on committed data, for requests racing each other: the Dortmund preset, a caller
per role with a real token, and a client that sends each request in its own thread, app
context, session and transaction — the way concurrent requests reach a worker's threads.

A rolled-back test transaction can show no race, so these requests commit for real; the
fixture empties the database before and after (as tests/stays/test_concurrency.py does).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from belegung.auth.service import create_token, create_user
from belegung.context import Actor, ServiceContext
from belegung.facilities.presets import seed
from belegung.facilities.service import get_facility
from belegung.nights import NightCalendar
from tests.apiclient import CALLERS
from tests.conftest import BERLIN, FakeClock, TestDatabase
from tests.stays.test_concurrency import _wipe


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class LiveApi:
    app: Flask
    clock: FakeClock
    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        *,
        as_: str = "staff",
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Reply:
        sent = {"Authorization": f"Bearer {self.tokens[as_]}", **(headers or {})}
        url = path if path.startswith("/api/") else f"/api/v1{path}"
        response = self.app.test_client().open(url, method=method, headers=sent, **kwargs)
        return Reply(response.status_code, dict(response.headers), response.get_json(silent=True))

    def post(self, path: str, **kwargs: Any) -> Reply:
        return self.request("POST", path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def at_once(self, *calls: tuple[str, str, dict[str, Any]]) -> list[Reply]:
        """Send each (method, path, kwargs) in its own thread, all released together."""
        barrier = threading.Barrier(len(calls))
        replies: list[Reply | BaseException | None] = [None] * len(calls)

        def run(index: int) -> None:
            method, path, kwargs = calls[index]
            barrier.wait(timeout=60)
            try:
                replies[index] = self.request(method, path, **kwargs)
            except BaseException as exc:  # a thread's failure is the test's
                replies[index] = exc

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "a request hung"
        for reply in replies:
            if isinstance(reply, BaseException):
                raise reply
        return [r for r in replies if isinstance(r, Reply)]


@pytest.fixture
def live(database: TestDatabase) -> Iterator[LiveApi]:
    """The Dortmund preset and one user with a token per role of tests.apiclient.CALLERS,
    committed; the app's clock at 21:00 on 15 January 2026."""
    engine = database.engine
    _wipe(engine)
    clock = FakeClock(datetime(2026, 1, 15, 21, 0, tzinfo=BERLIN))
    made = LiveApi(database.app, clock)
    with Session(engine) as session, session.begin():
        ctx = ServiceContext(session, Actor.system("setup"), NightCalendar(BERLIN), clock)
        seed(ctx)
        for key, (role, slugs) in CALLERS.items():
            user = create_user(
                ctx,
                key.replace("_", "-"),
                role,
                facilities=[get_facility(session, s) for s in slugs],
            )
            token, raw = create_token(ctx, user)
            # Used a moment ago: requests then write nothing to the token's row (they
            # would queue on it, hiding the races these tests are about).
            token.last_used_at = clock()
            made.tokens[key] = raw
            made.user_ids[key] = user.id
    database.app.config["BELEGUNG_CLOCK"] = clock
    try:
        yield made
    finally:
        database.app.config.pop("BELEGUNG_CLOCK", None)
        _wipe(engine)
