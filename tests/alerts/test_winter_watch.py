"""The winter emergency from the forecast (recorded answers served locally): a cold night
switches it on, a manual switch wins until released, a mild night ends it only before
the night begins, and a failing source is reported once per outage and changes nothing.
Start and end go to every manager and crew once."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from belegung.alerts import tasks
from belegung.alerts.models import RecipientRole, WeatherCheck
from belegung.alerts.weather import BrightSky
from belegung.alerts.winter_watch import WeatherConfig, check_weather, coming_night
from belegung.config import settings_of
from belegung.context import ServiceContext
from belegung.jobs import job_context
from belegung.transaction import unit_of_work
from belegung.winter.models import WinterAction, WinterSource, WinterSwitch
from belegung.winter.service import (
    release_manual_control,
    switch_winter_emergency,
    winter_state,
    winter_status,
)
from tests.alerts.conftest import MakeRecipient, outbox
from tests.alerts.local_server import Reply
from tests.alerts.weather_stub import WeatherStub, fixture
from tests.apiclient import ApiClient
from tests.conftest import BERLIN, FakeClock


def night_hours(night: date, temperature: float, wind: float = 10.0) -> Reply:
    """A Bright Sky answer with forecast hours through the night, all at `temperature`."""
    start = datetime(night.year, night.month, night.day, 17, tzinfo=BERLIN)
    rows = [
        {
            "timestamp": (start + timedelta(hours=h)).isoformat(),
            "source_id": 3,
            "temperature": temperature,
            "wind_speed": wind,
        }
        for h in range(17)
    ]
    return Reply.json({"weather": rows, "sources": [{"id": 3, "observation_type": "forecast"}]})


@pytest.fixture
def weather(in_app: Flask, weather_server: WeatherStub) -> Iterator[WeatherStub]:
    """The app reading the forecast from the local stub (Bright Sky)."""
    settings = settings_of(in_app)
    in_app.config["BELEGUNG"] = dataclasses.replace(
        settings, weather_source="brightsky", brightsky_url=weather_server.base_url
    )
    yield weather_server
    in_app.config["BELEGUNG"] = settings


def configure(app: Flask, **changes: Any) -> None:
    app.config["BELEGUNG"] = dataclasses.replace(settings_of(app), **changes)


@pytest.fixture
def people(make_recipient: MakeRecipient) -> dict[str, int]:
    return {
        "manager": make_recipient(RecipientRole.MANAGER).id,
        "crew": make_recipient(RecipientRole.CREW).id,
        "admin": make_recipient(RecipientRole.ADMIN).id,
    }


def history(session: Session) -> list[WinterSwitch]:
    return list(session.scalars(sa.select(WinterSwitch).order_by(WinterSwitch.id)))


def checks(session: Session) -> list[WeatherCheck]:
    return list(session.scalars(sa.select(WeatherCheck).order_by(WeatherCheck.id)))


# --- on from the forecast ---------------------------------------------------------------


def test_a_cold_night_switches_the_winter_emergency_on_and_alerts_managers_and_crews(
    weather: WeatherStub, session: Session, people: dict[str, int]
) -> None:
    weather.serve("/weather", fixture("brightsky_weather.json"))  # -2.6 °C at 04:00

    tasks.check_weather()
    tasks.check_weather()  # a second look changes nothing

    state = winter_state(session)
    assert (state.active, state.source, state.reason) == (
        True,
        WinterSource.FORECAST,
        "nachts -2,6 Grad erwartet",
    )
    (switched,) = history(session)
    assert (switched.action, switched.source, switched.changed) == (
        WinterAction.ON,
        WinterSource.FORECAST,
        True,
    )
    assert (switched.night, switched.forecast_value, switched.forecast_source) == (
        date(2026, 1, 15),
        -2.6,
        "Bright Sky (DWD)",
    )
    assert switched.actor_label == "scheduler"
    check = checks(session)[0]
    assert (check.ok, check.min_temperature, check.cold) == (True, -2.6, True)
    alerts = outbox(session)
    assert sorted(m.recipient_id for m in alerts) == sorted([people["manager"], people["crew"]])
    assert {m.body for m in alerts} == {
        "Winternothilfe AKTIV ab 21:00 Uhr (nachts -2,6 Grad erwartet). Notschlafplätze "
        "offen, Hausverbote wg. Verhalten ausgesetzt. FREI senden: freie Betten."
    }
    assert weather.received[0].query["date"] == "2026-01-15T18:00:00+01:00"


def test_under_a_lower_threshold_the_same_night_is_not_cold_enough(
    weather: WeatherStub, in_app: Flask, session: Session
) -> None:
    configure(in_app, winter_threshold=-5.0)
    weather.serve("/weather", fixture("brightsky_weather.json"))

    tasks.check_weather()

    assert winter_state(session).active is False
    assert checks(session)[0].cold is False


def test_the_wind_chill_can_count_instead_of_the_air_temperature(
    weather: WeatherStub, in_app: Flask, session: Session
) -> None:
    configure(in_app, winter_threshold=-5.0, winter_wind_chill=True)
    weather.serve("/weather", fixture("brightsky_weather.json"))  # wind chill -7.1 °C

    tasks.check_weather()

    state = winter_state(session)
    assert (state.active, state.reason) == (True, "nachts gefühlt -7,1 Grad erwartet")
    assert history(session)[0].forecast_value == pytest.approx(-7.1, abs=0.05)


def test_a_dwd_frost_warning_for_the_night_can_switch_it_on(
    weather: WeatherStub, in_app: Flask, session: Session
) -> None:
    configure(in_app, winter_threshold=-5.0, winter_frost_warnings=True)
    weather.serve("/weather", fixture("brightsky_weather.json"))
    weather.serve("/alerts", fixture("brightsky_alerts.json"))

    tasks.check_weather()

    state = winter_state(session)
    assert (state.active, state.reason) == (True, "DWD-Warnung FROST")
    assert checks(session)[0].frost_warning == "FROST"


# --- a manual switch wins ------------------------------------------------------------------


def test_a_manual_switch_wins_until_a_manager_releases_it(
    weather: WeatherStub, ctx: ServiceContext, session: Session, clock: FakeClock
) -> None:
    weather.serve("/weather", fixture("brightsky_weather.json"))
    with unit_of_work(session):
        switch_winter_emergency(ctx, False, reason="Einrichtungen voll besetzt mit Personal")
    assert winter_status(session).manual is True

    tasks.check_weather()
    assert winter_state(session).active is False, "the manager's switch holds"

    with unit_of_work(session):
        release_manual_control(ctx, reason="Vorhersage entscheidet")
    assert winter_status(session).manual is False
    clock.advance(hours=1)
    tasks.check_weather()

    assert winter_state(session).active is True
    assert [(h.action, h.source, h.changed) for h in history(session)] == [
        (WinterAction.OFF, WinterSource.MANUAL, False),
        (WinterAction.RELEASE, WinterSource.MANUAL, False),
        (WinterAction.ON, WinterSource.FORECAST, True),
    ]


def test_switching_by_hand_alerts_every_manager_and_crew_once(
    api: ApiClient, session: Session, people: dict[str, int], in_app: Flask
) -> None:
    on = api.put("/winter-emergency", as_="manager", json={"active": True, "reason": "-8 °C"})
    assert on.status_code == 200
    again = api.put("/winter-emergency", as_="manager", json={"active": True, "reason": "-9 °C"})
    assert again.status_code == 200

    started = outbox(session, "winter:")
    assert sorted(m.recipient_id for m in started) == sorted([people["manager"], people["crew"]])
    assert {m.body for m in started} == {
        "Winternothilfe AKTIV ab 21:00 Uhr (-8 Grad). Notschlafplätze offen, Hausverbote "
        "wg. Verhalten ausgesetzt. FREI senden: freie Betten."
    }

    off = api.put("/winter-emergency", as_="manager", json={"active": False, "reason": "Tauwetter"})
    assert off.status_code == 200
    ended = [m for m in outbox(session, "winter:") if m.cause.endswith(":end")]
    assert len(ended) == 2
    assert ended[0].body == (
        "Winternothilfe beendet um 21:00 Uhr (Tauwetter). Notschlafplätze wieder nur, wenn "
        "alle Betten belegt sind."
    )

    released = api.post("/winter-emergency/release", as_="manager", json={})
    assert (released.status_code, released.json["manual"]) == (200, False)
    listed = api.get("/winter-emergency/history", as_="staff").json["items"]
    assert [(h["action"], h["source"], h["changed"], h["by"]) for h in listed] == [
        ("release", "manual", False, "manager"),
        ("off", "manual", True, "manager"),
        ("on", "manual", False, "manager"),
        ("on", "manual", True, "manager"),
    ]


# --- off from the forecast ----------------------------------------------------------------


def test_a_mild_night_ends_it_only_before_the_night_begins(
    weather: WeatherStub, ctx: ServiceContext, session: Session, clock: FakeClock
) -> None:
    weather.serve("/weather", fixture("brightsky_weather.json"))
    tasks.check_weather()
    assert winter_state(session).active is True

    # At 23:00 the forecast turns mild: nobody is sent out of a bed promised tonight.
    weather.serve("/weather", night_hours(date(2026, 1, 15), 4.0))
    clock.set_local(2026, 1, 15, 23, 0)
    tasks.check_weather()
    assert winter_state(session).active is True

    # The next morning, a mild coming night ends it.
    weather.serve("/weather", night_hours(date(2026, 1, 16), 4.0))
    clock.set_local(2026, 1, 16, 10, 0)
    tasks.check_weather()

    assert winter_state(session).active is False
    off = history(session)[-1]
    assert (off.action, off.source, off.night, off.forecast_value) == (
        WinterAction.OFF,
        WinterSource.FORECAST,
        date(2026, 1, 16),
        4.0,
    )
    assert off.reason == "nachts 4,0 Grad erwartet"


def test_the_coming_night_is_tonight_from_the_morning_on() -> None:
    assert coming_night(datetime(2026, 1, 16, 7, 59, tzinfo=BERLIN), BERLIN) == date(2026, 1, 15)
    assert coming_night(datetime(2026, 1, 16, 8, 0, tzinfo=BERLIN), BERLIN) == date(2026, 1, 16)
    assert coming_night(datetime(2026, 1, 16, 23, 0, tzinfo=BERLIN), BERLIN) == date(2026, 1, 16)


# --- a failing source ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        Reply.json({"detail": "error"}, 503),
        Reply(200, b"<html>Wartung</html>", "text/html"),
        Reply.json({"weather": [], "sources": []}),
        Reply.json({"weather": [{"timestamp": None, "temperature": "kalt"}], "sources": []}),
    ],
    ids=["503", "garbage", "empty", "nonsense"],
)
def test_a_failing_source_is_reported_to_admins_once_per_outage_and_never_flips_the_state(
    weather: WeatherStub,
    ctx: ServiceContext,
    session: Session,
    clock: FakeClock,
    people: dict[str, int],
    reply: Reply,
) -> None:
    with unit_of_work(session):
        switch_winter_emergency(ctx, True, reason="Kälte", source=WinterSource.FORECAST)
    weather.serve("/weather", reply)

    for _ in range(3):
        tasks.check_weather()
        clock.advance(hours=3)

    assert winter_state(session).active is True
    notices = outbox(session, "weather-outage:")
    assert [m.recipient_id for m in notices] == [people["admin"]]
    assert "Die Winternothilfe bleibt aktiv; bitte selbst prüfen." in notices[0].body
    assert [c.ok for c in checks(session)] == [False, False, False]

    # Back, then down again: a new outage, a new notice.
    weather.serve("/weather", night_hours(date(2026, 1, 16), -3.0))
    clock.set_local(2026, 1, 16, 16, 0)
    tasks.check_weather()
    weather.serve("/weather", reply)
    clock.advance(hours=3)
    tasks.check_weather()
    assert len(outbox(session, "weather-outage:")) == 2


def test_a_source_that_does_not_answer_in_time_is_an_outage_too(
    weather: WeatherStub, session: Session, people: dict[str, int]
) -> None:
    weather.serve("/weather", Reply.json({}, delay=15))
    source = BrightSky(51.514, 7.468, base_url=weather.base_url, timeout=(0.5, 0.5))

    with job_context() as ctx:
        check = check_weather(ctx, source, WeatherConfig())

    assert (check.ok, check.problem) == (False, "timeout")
    assert winter_state(session).active is False
    assert len(outbox(session, "weather-outage:")) == 1
