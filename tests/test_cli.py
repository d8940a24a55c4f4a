"""The `flask --app belegung …` commands: seed, availability, serve."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from belegung import cli
from belegung.facilities.models import Facility, Place, Unit
from belegung.facilities.presets import apartment_plan
from belegung.persons.models import Person
from belegung.stays.models import Stay, StayStatus

EXPECTED_PLACES = {
    "unionstrasse": (70, 0),
    "nortkirchenstrasse": (50, 4),
    "junge-erwachsene": (20, 0),
    "drogenhilfe": (20, 0),
    "wvp": (2000, 0),
}
FIELDS = {
    "slug", "name", "kind", "target_group", "capacity", "emergency_capacity",
    "out_of_service", "occupied", "held", "free", "free_emergency",
}  # fmt: skip


def run(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def place_counts(session: Session) -> dict[str, tuple[int, int]]:
    rows = session.execute(
        sa.select(Facility.slug, Place.emergency, sa.func.count())
        .join(Place)
        .group_by(Facility.slug, Place.emergency)
    ).all()
    counts = {slug: [0, 0] for slug, _, _ in rows}
    for slug, emergency, n in rows:
        counts[slug][int(emergency)] = n
    return {slug: (regular, emergency) for slug, (regular, emergency) in counts.items()}


def test_seed_dortmund_creates_the_preset(app: Flask, session: Session) -> None:
    output = run(app, "seed", "dortmund")
    assert "5 Einrichtungen" in output
    assert place_counts(session) == EXPECTED_PLACES
    wvp_units = session.scalars(sa.select(Unit).join(Facility).where(Facility.slug == "wvp")).all()
    assert len(wvp_units) == 600
    sizes = [len(u.places) for u in sorted(wvp_units, key=lambda u: u.position)]
    assert sizes == apartment_plan()
    assert sum(sizes) == 2000
    assert min(sizes) == 1
    assert max(sizes) == 6
    assert session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0


def test_seed_dortmund_twice_changes_nothing(app: Flask, session: Session) -> None:
    run(app, "seed", "dortmund")
    before = place_counts(session), session.scalar(sa.select(sa.func.count()).select_from(Unit))
    output = run(app, "seed", "dortmund")
    assert "bereits vollständig" in output
    after = place_counts(session), session.scalar(sa.select(sa.func.count()).select_from(Unit))
    assert before == after


def test_apartment_distribution_is_fixed_and_spread() -> None:
    plan = apartment_plan()
    # Pinned: every installation numbers its apartments the same way.
    assert plan[:12] == [1, 4, 2, 5, 3, 1, 4, 3, 6, 4, 2, 5]
    assert plan[-6:] == [2, 5, 3, 2, 4, 3]
    assert len(plan) == 600
    assert sum(plan) == 2000
    assert {size: plan.count(size) for size in range(1, 7)} == {
        1: 60,
        2: 120,
        3: 150,
        4: 150,
        5: 70,
        6: 50,
    }
    # Spread, not sorted: each hundred apartments holds every size.
    assert all(set(plan[i : i + 100]) == set(range(1, 7)) for i in range(0, 600, 100))


def test_availability_json_shows_all_five_facilities_free_tonight(
    app: Flask, session: Session
) -> None:
    run(app, "seed", "dortmund")
    figures = json.loads(run(app, "availability", "--json"))
    assert set(figures) == {"night", "as_of", "winter_emergency", "facilities", "totals"}
    assert figures["winter_emergency"] is False
    by_slug = {f["slug"]: f for f in figures["facilities"]}
    assert list(by_slug) == list(EXPECTED_PLACES)
    for slug, (regular, emergency) in EXPECTED_PLACES.items():
        f = by_slug[slug]
        assert set(f) == FIELDS
        assert (f["capacity"], f["emergency_capacity"]) == (regular, emergency)
        # Emergency places are not offered (so not counted free) while regular ones are.
        assert (f["free"], f["free_emergency"]) == (regular, 0)
        assert f["occupied"] == f["held"] == f["out_of_service"] == 0
    assert figures["totals"]["capacity"] == 2160
    assert figures["totals"]["emergency_capacity"] == 4
    assert figures["totals"]["free_emergency"] == 0


def test_availability_for_a_given_night_and_filters(app: Flask, session: Session) -> None:
    run(app, "seed", "dortmund")
    figures = json.loads(
        run(app, "availability", "--night", "2026-12-24", "--json", "--target-group", "women")
    )
    assert figures["night"] == "2026-12-24"
    assert [f["slug"] for f in figures["facilities"]] == ["nortkirchenstrasse"]
    table = run(app, "availability", "--kind", "night_shelter")
    assert "Männerübernachtungsstelle Unionstraße" in table
    assert "Wohnraumvorhalteprogramm" not in table
    assert "Summe" in table


def test_availability_refuses_a_malformed_night(app: Flask, session: Session) -> None:
    result = app.test_cli_runner().invoke(args=["availability", "--night", "24.12.2026"])
    assert result.exit_code == 2
    assert "JJJJ-MM-TT" in result.output


def test_availability_takes_the_nights_the_api_takes(app: Flask, session: Session) -> None:
    run(app, "seed", "dortmund")
    for night in ("2000-01-01", "2099-12-31"):
        assert json.loads(run(app, "availability", "--night", night, "--json"))["night"] == night
    # 9999-12-31 once overflowed ("the night after") with a traceback.
    for night in ("1999-12-31", "2100-01-01", "9999-12-31", "0001-01-01"):
        result = app.test_cli_runner().invoke(args=["availability", "--night", night])
        assert result.exit_code == 2, (night, result.output, result.exception)
        assert "Die Nacht muss zwischen 2000-01-01 und 2099-12-31 liegen." in result.output


def test_serve_refuses_impossible_ports_and_worker_counts(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_start(*args: object) -> None:
        pytest.fail(f"serve would have started gunicorn: {args}")

    # Should a bad value get through, fail here rather than start gunicorn from pytest.
    monkeypatch.setattr(cli, "supervise", no_start)
    for option, value in [("--port", "0"), ("--port", "65536"), ("--workers", "0")]:
        result = app.test_cli_runner().invoke(args=["serve", option, value])
        assert result.exit_code == 2, (option, value, result.output)
        assert option in result.output


def test_seed_demo_fills_a_living_system_once(app: Flask, session: Session) -> None:
    output = run(app, "seed", "dortmund", "--demo")
    assert "Beispielbelegung angelegt" in output
    figures = json.loads(run(app, "availability", "--json"))
    by_slug = {f["slug"]: f for f in figures["facilities"]}
    assert by_slug["wvp"]["occupied"] == 418
    occupied_apartments = session.scalar(
        sa.select(sa.func.count(sa.distinct(Place.unit_id)))
        .join(Stay, Stay.place_id == Place.id)
        .join(Facility, Facility.id == Place.facility_id)
        .where(Facility.slug == "wvp", Stay.status == StayStatus.CHECKED_IN)
    )
    assert occupied_apartments == 158
    for slug in ("unionstrasse", "nortkirchenstrasse", "junge-erwachsene", "drogenhilfe"):
        f = by_slug[slug]
        assert 0 < f["occupied"] < f["capacity"], f
    persons = session.scalar(sa.select(sa.func.count()).select_from(Person))

    again = run(app, "seed", "dortmund", "--demo")
    assert "übersprungen" in again
    assert session.scalar(sa.select(sa.func.count()).select_from(Person)) == persons


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_migrates_seeds_and_opens_on_the_login_page(tmp_path: Path) -> None:
    """The README's first command, end to end, on a fresh SQLite database: the web server
    and the scheduler beside it, stopped together; the first start prints one-time
    passwords, the start page is the login, and the printed admin password logs in."""
    port = _free_port()
    env = {
        **os.environ,
        "BELEGUNG_DATABASE_URL": f"sqlite:///{tmp_path / 'first.sqlite3'}",
        "BELEGUNG_SECRET_KEY": "a-secret-key-for-this-test",
        "BELEGUNG_WEATHER_SOURCE": "off",
    }
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "belegung", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        deadline = time.monotonic() + 60
        while True:
            try:
                with opener.open(f"{base}/", timeout=2) as resp:
                    page = resp.read().decode()
                    landed = resp.url
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server did not come up:\n{log.read_text()}")
                time.sleep(0.3)
        printed = log.read_text()
        passwords = dict(re.findall(r"^\s+(\S+)\s+\S+\s+Passwort: (\S+)", printed, re.M))
        expected = {"admin", "nachtdienst", "waermebus", "leitung", "wohnraum"}
        assert set(passwords) == expected, printed
        assert re.search(r"^\s+wohnraum\s+housing\s+Passwort: ", printed, re.M), printed
        assert landed == f"{base}/login"
        assert "Anmelden bei belegung" in page
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token is not None
        form = urllib.parse.urlencode(
            {"csrf_token": token.group(1), "name": "admin", "password": passwords["admin"]}
        ).encode()
        with opener.open(f"{base}/login", data=form, timeout=5) as resp:
            assert resp.url == f"{base}/admin"
            assert "Verwaltung" in resp.read().decode()
        # The housing officer's printed password opens the housing programme's pages.
        housing = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        with housing.open(f"{base}/login", timeout=5) as resp:
            token = re.search(
                r'name="csrf_token" type="hidden" value="([^"]+)"', resp.read().decode()
            )
        assert token is not None
        form = urllib.parse.urlencode(
            {"csrf_token": token.group(1), "name": "wohnraum", "password": passwords["wohnraum"]}
        ).encode()
        with housing.open(f"{base}/login", data=form, timeout=5) as resp:
            assert resp.url == f"{base}/wohnungen"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=5) as resp:
            status = resp.read().decode()
        assert "Männerübernachtungsstelle Unionstraße" in status
        assert "Wohnraumvorhalteprogramm" in status
        # A line break in the path must not forge an access log line.
        forged = "/api/v1/x%0D%0A127.0.0.1%20%22GET%20/forged%22%20200%200%200ms?q=M%C3%BCller"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{forged}", timeout=5)
        assert refused.value.code == 401
        refused.value.close()
        # The scheduler runs beside the web server.
        while "Scheduler started" not in log.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the scheduler did not start:\n{log.read_text()}")
            time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(timeout=40)
    output = log.read_text()
    lines = output.splitlines()
    assert proc.returncode == 0, output
    assert "Scheduler läuft (Zeitzone Europe/Berlin" in output
    assert "Scheduler has been shut down" in output
    assert not [line for line in lines if "/forged" in line and "/api/v1/x" not in line], output
    (logged,) = [line for line in lines if "/forged" in line]
    assert '"GET /api/v1/x\\r\\n127.0.0.1 \\"GET /forged\\" 200 0 0ms" 401' in logged, logged
    assert "Müller" not in output
    assert "M%C3%BCller" not in output
