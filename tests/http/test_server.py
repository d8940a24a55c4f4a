"""The JSON API through a real HTTP server: gunicorn in a subprocess, several workers with
threads, on committed data in the test database (SQLite file or PostgreSQL).

What the in-process test client cannot show: the app starts under gunicorn from its
factory, reads its settings from the environment, and answers over HTTP from several
processes sharing one database; and check-ins racing through separate workers and
connections still never give a place twice.

These tests commit for real, so they wipe the database before and after (as
tests/stays/test_concurrency.py does), and stop the server before the last wipe.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from belegung.context import Actor, ServiceContext
from belegung.facilities.models import Facility
from belegung.facilities.service import get_facility
from belegung.nights import NightCalendar
from belegung.persons.service import create_person
from belegung.stays.models import Stay
from belegung.stays.service import check_in
from tests.conftest import BERLIN, SECRET, TestDatabase
from tests.stays.test_concurrency import _wipe

CALENDAR = NightCalendar(BERLIN)

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
HOST = "127.0.0.1"
START_TIMEOUT = 30.0

# The Dortmund preset: regular and emergency places per facility.
DORTMUND = {
    "unionstrasse": (70, 0),
    "nortkirchenstrasse": (50, 4),
    "junge-erwachsene": (20, 0),
    "drogenhilfe": (20, 0),
    "wvp": (2000, 0),
}
FACILITY_FIELDS = {
    "slug", "name", "kind", "target_group", "capacity", "emergency_capacity",
    "out_of_service", "occupied", "held", "free", "free_emergency",
}  # fmt: skip
COUNTS = FACILITY_FIELDS - {"slug", "name", "kind", "target_group"}


# --- HTTP ----------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any

    def __repr__(self) -> str:
        return f"Reply({self.status}, {self.body!r})"


@dataclass
class Server:
    port: int
    log_path: Path
    token: str = ""

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = "",
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """One request on its own connection. `token=""` means the admin's token,
        `token=None` no Authorization header at all."""
        sent = {"Accept": "application/json", **(headers or {})}
        if token is not None:
            sent["Authorization"] = f"Bearer {token or self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        url = path if path.startswith("/") else f"/api/v1/{path}"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            conn.request(method, url, body=data, headers=sent)
            return _read(conn.getresponse())
        finally:
            conn.close()

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any, **kwargs: Any) -> Reply:
        return self.request("POST", path, body, **kwargs)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _read(response: http.client.HTTPResponse) -> Reply:
    raw = response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    is_json = headers.get("content-type", "").startswith("application/json")
    body = json.loads(raw) if is_json and raw else raw.decode(errors="replace")
    return Reply(response.status, headers, body)


# --- the server ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _server_env(database: TestDatabase) -> dict[str, str]:
    return {
        **os.environ,
        "BELEGUNG_DATABASE_URL": database.url,
        "BELEGUNG_SECRET_KEY": SECRET,
    }


def _wait_until_up(proc: subprocess.Popen[bytes], server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if server.get("/api/v1/openapi.json", token=None).status == 200:
                return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            state = "exited" if proc.poll() is not None else "did not answer"
            pytest.fail(f"gunicorn {state} (rc={proc.returncode}):\n{server.log()}")
        time.sleep(0.1)


@contextmanager
def gunicorn(
    database: TestDatabase, log_path: Path, *, workers: int, threads: int
) -> Iterator[Server]:
    """gunicorn serving `belegung:create_app()` on the test database until the block ends."""
    port = _free_port()
    server = Server(port, log_path)
    command = [
        sys.executable, "-m", "gunicorn",
        "-w", str(workers), "--threads", str(threads),
        "-b", f"{HOST}:{port}",
        "--graceful-timeout", "10",
        "belegung:create_app()",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            command, cwd=REPO_ROOT, env=_server_env(database), stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_up(proc, server)
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def cli(database: TestDatabase, *args: str) -> str:
    """`flask --app belegung ARGS…` in process, committing to the test database."""
    result = database.app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def admin_token(database: TestDatabase) -> str:
    cli(database, "users", "create", "admin", "--role", "admin")
    return cli(database, "tokens", "create", "admin").strip().splitlines()[-1]


@contextmanager
def committed(database: TestDatabase) -> Iterator[None]:
    """An empty database before, and again after, the block."""
    _wipe(database.engine)
    try:
        yield
    finally:
        _wipe(database.engine)


# --- the API as gunicorn serves it ---------------------------------------------------------


@pytest.fixture(scope="class")
def server(database: TestDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn (2 workers x 4 threads) on the seeded Dortmund preset, with an admin token."""
    with committed(database):
        cli(database, "seed", "dortmund")
        token = admin_token(database)
        log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
        with gunicorn(database, log_path, workers=2, threads=4) as running:
            running.token = token
            yield running


def _figures(server: Server, slug: str, night: str | None = None) -> dict[str, Any]:
    reply = server.get("availability" + (f"?night={night}" if night else ""))
    assert reply.status == 200, reply
    return next(f for f in reply.body["facilities"] if f["slug"] == slug)


def _check_in(server: Server, facility: str, name: str, **person: Any) -> Reply:
    new = {"name": name, "birth_year": 1971, "gender": "m", "nationality": "german", **person}
    return server.post("stays", {"facility": facility, "person": new})


class TestRealServer:
    """The routes crews and integrations rely on, over HTTP, from 2 workers x 4 threads."""

    def test_the_openapi_document_is_served_without_a_token(self, server: Server) -> None:
        reply = server.get("/api/v1/openapi.json", token=None)
        assert reply.status == 200, reply
        assert reply.headers["content-type"].startswith("application/json")
        spec = reply.body
        assert spec["openapi"].startswith("3.")
        assert spec["info"]["title"] == "belegung"
        for path in (
            "/api/v1/availability",
            "/api/v1/stays",
            "/api/v1/stays/{stay_id}/checkout",
            "/api/v1/holds",
            "/api/v1/holds/{hold_id}",
            "/api/v1/turnaways",
        ):
            assert path in spec["paths"], path
        assert "bearerAuth" in spec["components"]["securitySchemes"]

    def test_without_a_valid_token_the_api_answers_401(self, server: Server) -> None:
        reply = server.get("availability", token=None)
        assert reply.status == 401, reply
        assert reply.body["code"] == "unauthorized"
        assert reply.body["message"]
        assert reply.headers["www-authenticate"].startswith("Bearer")
        assert server.get("availability", token="blg_not-a-token").status == 401
        assert server.post("stays", {"facility": "unionstrasse"}, token=None).status == 401

    def test_availability_answers_every_field_for_the_five_dortmund_facilities(
        self, server: Server
    ) -> None:
        before = datetime.now(UTC)
        reply = server.get("availability")
        assert reply.status == 200, reply
        body = reply.body
        assert {"night", "as_of", "winter_emergency", "facilities", "totals"} <= set(body)
        as_of = datetime.fromisoformat(body["as_of"])
        assert as_of.tzinfo is not None
        assert before - timedelta(seconds=5) <= as_of <= datetime.now(UTC) + timedelta(seconds=5)
        assert date.fromisoformat(body["night"]) == NightCalendar(BERLIN).night_of(as_of)
        assert body["winter_emergency"] is False

        facilities = {f["slug"]: f for f in body["facilities"]}
        assert set(facilities) == set(DORTMUND)
        for slug, (regular, emergency) in DORTMUND.items():
            f = facilities[slug]
            assert set(f) == FACILITY_FIELDS, slug
            assert (f["capacity"], f["emergency_capacity"]) == (regular, emergency), f
            assert f["out_of_service"] == 0, f
            assert f["free"] == regular - f["occupied"] - f["held"], f
            assert f["name"], f
        assert facilities["unionstrasse"]["target_group"] == "men"
        assert facilities["nortkirchenstrasse"]["target_group"] == "women"
        assert facilities["wvp"]["kind"] == "housing_programme"
        assert "Nortkirchenstraße" in facilities["nortkirchenstrasse"]["name"]  # UTF-8 intact
        assert set(body["totals"]) == COUNTS
        for count in COUNTS:
            assert body["totals"][count] == sum(f[count] for f in facilities.values()), count

    def test_check_in_is_201_with_the_stay_and_counts_in_availability(self, server: Server) -> None:
        before = _figures(server, "unionstrasse")
        reply = _check_in(server, "unionstrasse", "Thomas K.")
        assert reply.status == 201, reply
        stay = reply.body
        assert {"id", "facility", "place", "person", "first_night", "nights", "status"} <= set(stay)
        assert stay["facility"] == "unionstrasse"
        assert stay["status"] == "checked_in"
        assert stay["nights"] == 1
        assert stay["person"]["name"] == "Thomas K."
        assert isinstance(stay["person"]["id"], int)
        assert stay["place"]
        # Read back through the other worker (or the same): committed, visible to all.
        assert server.get(f"stays/{stay['id']}").body["place"] == stay["place"]
        after = _figures(server, "unionstrasse")
        assert after["occupied"] == before["occupied"] + 1
        assert after["free"] == before["free"] - 1

    def test_a_hold_is_201_and_cancelling_it_frees_the_place(self, server: Server) -> None:
        reply = server.post(
            "holds", {"facility": "nortkirchenstrasse", "note": "Frau, ca. 40, Hbf", "minutes": 30}
        )
        assert reply.status == 201, reply
        hold = reply.body
        assert {"id", "place", "expires_at"} <= set(hold)
        assert hold["status"] == "held"
        expires_at = datetime.fromisoformat(hold["expires_at"])
        assert timedelta(minutes=29) < expires_at - datetime.now(UTC) <= timedelta(minutes=30)
        # The hold is for the night it runs out in: before the day boundary (12:00) that is
        # the coming night, not the current one.
        held = _figures(server, "nortkirchenstrasse", night=hold["night"])

        cancelled = server.request("DELETE", f"holds/{hold['id']}")
        assert cancelled.status == 200, cancelled
        assert cancelled.body["status"] == "cancelled"
        after = _figures(server, "nortkirchenstrasse", night=hold["night"])
        assert (held["held"], held["free"]) == (after["held"] + 1, after["free"] - 1)

    def test_a_turn_away_is_201(self, server: Server) -> None:
        reply = server.post(
            "turnaways", {"facility": "junge-erwachsene", "reason": "full", "note": "zu alt"}
        )
        assert reply.status == 201, reply
        assert reply.body["facility"] == "junge-erwachsene"
        assert reply.body["reason"] == "full"
        assert isinstance(reply.body["id"], int)

    def test_check_out_is_200(self, server: Server) -> None:
        stay = _check_in(server, "drogenhilfe", "Gast zum Auschecken").body
        extended = server.post(f"stays/{stay['id']}/extend", {"nights": 2})
        assert extended.status == 200, extended
        reply = server.post(f"stays/{stay['id']}/checkout", {})
        assert reply.status == 200, reply
        assert reply.body["id"] == stay["id"]
        assert reply.body["checked_out_at"]
        # The server runs on the real clock: the stay ends with the night the guest
        # leaves in, and one left in the evening of its first night is cancelled.
        left = datetime.fromisoformat(reply.body["checked_out_at"])
        night = CALENDAR.night_of(left)
        end = night if CALENDAR.before_midnight(left) else night + timedelta(days=1)
        if end <= date.fromisoformat(stay["first_night"]):
            assert reply.body["status"] == "cancelled", reply
        else:
            assert reply.body["status"] == "checked_out", reply
            assert date.fromisoformat(reply.body["end_night"]) == end
        assert server.post(f"stays/{stay['id']}/checkout", {}).status == 409

    def test_invalid_input_is_422_naming_each_bad_field(self, server: Server) -> None:
        reply = server.post(
            "stays",
            {"facility": "unionstrasse", "person": {"name": "Gast"}, "nights": 0, "place": ""},
        )
        assert reply.status == 422, reply
        assert reply.body["code"] == "invalid"
        assert reply.body["message"]
        assert set(reply.body["errors"]["json"]) == {"nights", "place"}

        nested = server.post(
            "stays", {"facility": "unionstrasse", "person": {"name": "Gast", "birth_year": "x"}}
        )
        assert nested.status == 422, nested
        assert set(nested.body["errors"]["json"]["person"]) == {"birth_year"}

        query = server.get("availability?night=gestern")
        assert query.status == 422, query
        assert "night" in query.body["errors"]["query"]

    def test_a_422_names_every_bad_field_of_a_new_person_at_once(self, server: Server) -> None:
        reply = server.post("stays", {"facility": "unionstrasse", "person": {"birth_year": "x"}})
        assert reply.status == 422, reply
        assert set(reply.body["errors"]["json"]["person"]) == {"birth_year", "name"}

    @pytest.mark.postgres_only
    def test_a_check_in_that_deadlocks_with_a_rival_claim_is_not_answered_503(
        self, server: Server, database: TestDatabase
    ) -> None:
        """The deadlock the 32-request race runs into now and then, made deterministic: a
        rival transaction holds an uncommitted claim on place 20 for tonight; the server's
        check-in (tonight and tomorrow, place 20) waits for it; then the rival claims place
        20 for tomorrow night and so waits for the server's claim. PostgreSQL aborts the
        server's INSERT (the first to wait, so the first to look for a deadlock)."""
        night = date.fromisoformat(server.get("availability").body["night"])
        reply: list[Any] = []

        def server_check_in() -> None:
            person = {"name": "Gast im Patt", "gender": "m"}
            body = {"facility": "drogenhilfe", "person": person, "place": "20", "nights": 2}
            try:
                reply.append(server.post("stays", body))
            except Exception as exc:
                reply.append(repr(exc))

        with Session(database.engine) as rival, database.engine.connect() as watcher:
            ctx = ServiceContext(rival, Actor.system("rival"), NightCalendar(BERLIN))
            drogenhilfe = get_facility(rival, "drogenhilfe")
            first = create_person(ctx, "Rivale heute")
            check_in(ctx, drogenhilfe, first, place_label="20", night=night, nights=1)
            rival_pid = rival.scalar(sa.text("SELECT pg_backend_pid()"))

            request = threading.Thread(target=server_check_in)
            request.start()
            try:
                _wait_for_a_lock_wait(watcher, besides={rival_pid})
                second = create_person(ctx, "Rivale morgen")
                try:
                    check_in(ctx, drogenhilfe, second, place_label="20", night=night + timedelta(1))
                except OperationalError:
                    pytest.skip("the rival, not the server, lost the deadlock (too slow here)")
                finally:
                    rival.rollback()
            finally:
                request.join(timeout=60)
        assert not request.is_alive(), "the check-in hung"

        assert isinstance(reply[0], Reply), reply
        assert reply[0].status in (201, 409), reply
        if reply[0].status == 409:
            assert reply[0].body["code"] == "place_taken", reply

    def test_the_server_logged_no_errors(self, server: Server) -> None:
        log = server.log()
        assert "Traceback" not in log, log
        assert "[ERROR]" not in log, log
        assert "[CRITICAL]" not in log, log


def _wait_for_a_lock_wait(conn: sa.Connection, *, besides: set[int], timeout: float = 10) -> None:
    """Until another backend in this database waits for a lock (or the time is up)."""
    deadline = time.monotonic() + timeout
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND NOT (pid = ANY(:besides))"
    )
    while time.monotonic() < deadline:
        if conn.scalar(query, {"besides": list(besides)}):
            return
        conn.rollback()
        time.sleep(0.02)


# --- the race, through HTTP ----------------------------------------------------------------

THREADS = 32
FREE_PLACES = 5


def _stays_in(database: TestDatabase, slug: str) -> list[tuple[str, str]]:
    with Session(database.engine) as session:
        rows = session.execute(
            sa.select(Stay.place_id, Stay.status).join(Facility).where(Facility.slug == slug)
        ).all()
    return [(str(place_id), str(status)) for place_id, status in rows]


def test_32_concurrent_http_check_ins_with_5_free_places_give_exactly_5_stays(
    database: TestDatabase, tmp_path: Path
) -> None:
    """32 check-ins released at once, each on its own HTTP connection, through 4 gunicorn
    workers x 8 threads, into a shelter with 5 places: 5 stays on 5 places, 27 refusals.

    Runs on both backends (SQLite serialises the writers with BEGIN IMMEDIATE and passed
    every run). On PostgreSQL this once ran into a deadlock inside the exclusion
    constraint now and then (answered 503); claims in a facility now take turns
    (lock_facility_claims), and
    test_a_check_in_that_deadlocks_with_a_rival_claim_is_not_answered_503 pins that."""
    with committed(database):
        token = admin_token(database)
        with gunicorn(database, tmp_path / "gunicorn.log", workers=4, threads=8) as server:
            server.token = token
            shelter = {"slug": "wettlauf", "name": "Wettlauf", "kind": "night_shelter"}
            created = server.post("facilities", {**shelter, "target_group": "any"})
            assert created.status == 201, created
            for label in range(1, FREE_PLACES + 1):
                place = server.post("facilities/wettlauf/places", {"label": str(label)})
                assert place.status == 201, place

            barrier = threading.Barrier(THREADS)
            results: list[Any] = [None] * THREADS

            def attempt(index: int) -> None:
                body = json.dumps({"facility": "wettlauf", "person": {"name": f"Gast {index}"}})
                conn = http.client.HTTPConnection(HOST, server.port, timeout=60)
                try:
                    conn.connect()  # each its own connection, open before the start
                    barrier.wait(timeout=30)
                    conn.request(
                        "POST",
                        "/api/v1/stays",
                        body=body.encode(),
                        headers={
                            "Authorization": f"Bearer {token}",
                            "Content-Type": "application/json",
                        },
                    )
                    results[index] = _read(conn.getresponse())
                except Exception as exc:
                    results[index] = repr(exc)
                finally:
                    conn.close()

            threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=90)
            assert not any(t.is_alive() for t in threads), "a request hung"

            figures = _figures(server, "wettlauf")
            log = server.log()

        assert all(isinstance(r, Reply) for r in results), results
        # Never a place given twice, whatever else happened.
        stays = _stays_in(database, "wettlauf")
        assert len({place for place, _ in stays}) == len(stays) <= FREE_PLACES, stays
        won = [r.body for r in results if r.status == 201]
        assert len({s["place"] for s in won}) == len(won) == len(stays), results
        assert {r.body["code"] for r in results if r.status == 409} <= {"no_free_place"}, results
        assert "Traceback" not in log, log
        statuses = Counter(r.status for r in results)
        assert not [r for r in results if r.status >= 500], results
        assert statuses == {201: FREE_PLACES, 409: THREADS - FREE_PLACES}, results
        assert {s["place"] for s in won} == {str(i) for i in range(1, FREE_PLACES + 1)}
        assert len(stays) == FREE_PLACES, stays
        assert (figures["occupied"], figures["free"]) == (FREE_PLACES, 0), figures
