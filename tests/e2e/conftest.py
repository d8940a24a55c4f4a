"""Browser tests: the app served on a free local port (SQLite, the Dortmund preset with
demo data), Debian's chromium driven by Playwright, screenshots and axe-core checks.

These fixtures never touch the backend-parametrized `database` fixture of
tests/conftest.py, so every browser test runs once, not once per database backend.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler, make_server

from belegung import create_app
from belegung.config import settings_of
from belegung.context import Actor, service_context
from belegung.extensions import db, session

CHROMIUM = Path("/usr/bin/chromium")
# Debian's chromium instead of a browser downloaded by `playwright install` (which fails
# here); no sandbox because CI runs as root, and nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
E2E_SECRET = "e2e-secret-key-0123456789"
# The board and the phone page refresh themselves this often in the browser tests (30 s in
# real life): a hold made on a phone shows on the board within seconds.
E2E_REFRESH_SECONDS = 2
# Users of each role with known passwords (tests only), and a returning guest who has no
# bed tonight.
E2E_USERS = {
    "nachtdienst": ("staff", "unionstrasse"),
    "waermebus": ("outreach", None),
    "leitung": ("manager", None),
    "admin": ("admin", None),
    "wohnraum": ("housing", None),
}
E2E_PASSWORD = "e2e-passwort-0815"
RETURNING_GUEST = ("Heinz Wiederkehr", 1961)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


class _OneRequestPerConnection(WSGIRequestHandler):
    """HTTP/1.0: the browser closes each connection after its answer, so no request
    thread waits on a kept-alive socket when the server shuts down."""

    protocol_version = "HTTP/1.0"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # the access log would only bury a failure's output


def _seed_demo(app: Flask) -> None:
    """What `flask --app belegung seed dortmund --demo` does, in one transaction."""
    from belegung.auth.models import Role
    from belegung.auth.service import create_user
    from belegung.demo import fill_demo
    from belegung.facilities.presets import seed
    from belegung.facilities.service import get_facility
    from belegung.persons.models import Gender
    from belegung.persons.service import create_person

    with app.app_context():
        ctx = service_context(session(), Actor.system("e2e"), settings_of(app))
        seed(ctx)
        fill_demo(ctx)
        for name, (role, slug) in E2E_USERS.items():
            facilities = [get_facility(ctx.session, slug)] if slug else []
            create_user(ctx, name, Role(role), facilities=facilities, password=E2E_PASSWORD)
        guest, born = RETURNING_GUEST
        create_person(ctx, guest, birth_year=born, gender=Gender.MALE)
        db.session.commit()
        db.session.remove()


def _day_boundary_ahead() -> str:
    """A day boundary a few hours from now (local time), so that a crew's hold made during
    the run runs out in the night the board shows: with the default 12:00, a hold made at
    11:40 is for the coming night while the board still shows the ending one. Never in
    the daylight-saving gap (02:00–03:00)."""
    hour = (datetime.now(ZoneInfo("Europe/Berlin")) + timedelta(hours=3)).hour
    if hour == 2:
        hour = 3
    return f"{hour:02d}:00"


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on its own SQLite file, migrated and seeded with the Dortmund demo."""
    from flask_migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.sqlite3'}"
    app = create_app(
        env={
            "BELEGUNG_DATABASE_URL": url,
            "BELEGUNG_SECRET_KEY": E2E_SECRET,
            "BELEGUNG_DAY_BOUNDARY": _day_boundary_ahead(),
        },
        config={"BELEGUNG_REFRESH_SECONDS": E2E_REFRESH_SECONDS},
    )
    with app.app_context():
        upgrade()
        db.session.remove()
    _seed_demo(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The app served on a free port of 127.0.0.1 from a background thread; yields its
    base URL."""
    server = make_server(
        "127.0.0.1", 0, live_app, threaded=True, request_handler=_OneRequestPerConnection
    )
    assert isinstance(server, ThreadedWSGIServer)
    # Request threads are joined on close, not left running as daemons with open sockets.
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-base-url's fixture, pointed at the live server: `page.goto("/")` works."""
    return live_server
