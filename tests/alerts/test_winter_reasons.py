"""Switching the winter emergency on again while it is active — by the forecast or by a
manager — keeps the state and records the new reason in its history (once, not at
every weather check)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from belegung.alerts import tasks
from belegung.winter.models import WinterAction
from belegung.winter.service import winter_state
from tests.alerts.test_winter_watch import history, night_hours, weather  # noqa: F401
from tests.alerts.weather_stub import WeatherStub, fixture
from tests.apiclient import ApiClient
from tests.conftest import FakeClock


def test_a_colder_forecast_while_active_records_its_reason(
    weather: WeatherStub,  # noqa: F811
    session: Session,
    clock: FakeClock,
) -> None:
    weather.serve("/weather", fixture("brightsky_weather.json"))  # -2.6 °C
    tasks.check_weather()
    since = winter_state(session).since

    weather.serve("/weather", night_hours(date(2026, 1, 15), -9.0))
    clock.advance(hours=1)
    tasks.check_weather()
    tasks.check_weather()  # the same figure again: nothing new to record

    state = winter_state(session)
    assert (state.active, state.since) == (True, since)
    switches = history(session)
    assert [(s.action, s.changed) for s in switches] == [
        (WinterAction.ON, True),
        (WinterAction.ON, False),
    ]
    assert switches[0].reason == "nachts -2,6 Grad erwartet"
    assert switches[1].reason is not None
    assert "-9" in switches[1].reason
    assert switches[1].period_id == switches[0].period_id
    assert switches[1].forecast_value == -9.0


def test_a_managers_new_reason_while_active_is_in_the_history(api: ApiClient) -> None:
    for reason in ("-8 °C erwartet", "Glatteis, -12 °C"):
        response = api.put(
            "/winter-emergency", as_="manager", json={"active": True, "reason": reason}
        )
        assert response.status_code == 200, response.json

    listed = api.get("/winter-emergency/history", as_="staff").json["items"]
    assert [(s["reason"], s["changed"]) for s in listed] == [
        ("Glatteis, -12 °C", False),
        ("-8 °C erwartet", True),
    ]
