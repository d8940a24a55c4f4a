"""Weather sources: recorded Bright Sky and Open-Meteo answers served locally give the
coldest forecast hour of the coming night; the query each source sends is checked; every
kind of failure (timeout, HTTP error, garbage, empty, nulls) is WeatherUnavailable."""

from __future__ import annotations

import json
import socket
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from belegung.alerts.weather import (
    BrightSky,
    FrostWarning,
    NightForecast,
    OpenMeteo,
    WeatherSource,
    WeatherUnavailable,
    night_window,
    wind_chill,
)
from tests.alerts.local_server import Reply
from tests.alerts.weather_stub import WeatherStub, fixture

BERLIN = ZoneInfo("Europe/Berlin")
DORTMUND = (51.514, 7.468)
NIGHT = date(2026, 1, 15)
FORECAST_SOURCE = {"id": 3, "observation_type": "forecast"}


def local(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=BERLIN)


def bright_sky(server: WeatherStub, **kwargs: Any) -> BrightSky:
    return BrightSky(*DORTMUND, base_url=server.base_url, **kwargs)


def open_meteo(server: WeatherStub, **kwargs: Any) -> OpenMeteo:
    return OpenMeteo(*DORTMUND, base_url=server.base_url, **kwargs)


def brightsky_body(*hours: tuple[datetime, float | None, float | None]) -> dict[str, Any]:
    rows = [
        {"timestamp": at.isoformat(), "source_id": 3, "temperature": t, "wind_speed": w}
        for at, t, w in hours
    ]
    return {"weather": rows, "sources": [FORECAST_SOURCE]}


# --- wind chill and the night ----------------------------------------------------------


@pytest.mark.parametrize(
    ("temperature", "wind", "table"),
    # Environment Canada's wind chill table, rounded to whole degrees.
    [(-10, 20, -18), (-20, 30, -33), (0, 10, -3), (5, 40, -1), (-5, 5, -7)],
)
def test_wind_chill_matches_the_published_table(
    temperature: float, wind: float, table: int
) -> None:
    assert round(wind_chill(temperature, wind)) == table


@pytest.mark.parametrize(
    ("temperature", "wind"), [(10.5, 30.0), (12.0, 50.0), (-5.0, 4.8), (-5.0, 0.0), (-5.0, None)]
)
def test_wind_chill_outside_its_range_is_the_air_temperature(
    temperature: float, wind: float | None
) -> None:
    assert wind_chill(temperature, wind) == temperature


def test_wind_chill_applies_at_exactly_ten_degrees() -> None:
    assert wind_chill(10.0, 20.0) < 10.0


def test_night_window_runs_from_evening_to_next_morning_across_dst() -> None:
    start, end = night_window(date(2026, 3, 28), BERLIN)
    assert (start, end) == (local(2026, 3, 28, 18), local(2026, 3, 29, 8))
    # The clocks go forward that night: 13 hours, not 14.
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=13)


def test_night_window_after_midnight_stays_on_the_same_date() -> None:
    assert night_window(NIGHT, BERLIN, time(0), time(6)) == (
        local(2026, 1, 15),
        local(2026, 1, 15, 6),
    )


# --- Bright Sky ------------------------------------------------------------------------


def test_bright_sky_gives_the_coldest_forecast_hour_of_the_night(
    weather_server: WeatherStub,
) -> None:
    weather_server.serve("/weather", fixture("brightsky_weather.json"))
    source: WeatherSource = bright_sky(weather_server)

    forecast = source.night_forecast(NIGHT)

    # The observed rows at 18:00 and 19:00 (-4.2, -4.5 °C) are no forecast and don't count.
    assert forecast == NightForecast(
        night=NIGHT,
        min_temperature=-2.6,
        min_wind_chill=pytest.approx(-7.09, abs=0.01),  # type: ignore[arg-type]
        at=local(2026, 1, 16, 4),
        source_name="Bright Sky (DWD)",
    )
    assert forecast.at.tzinfo == BERLIN


def test_bright_sky_query_names_place_night_time_zone_and_units(
    weather_server: WeatherStub,
) -> None:
    weather_server.serve("/weather", fixture("brightsky_weather.json"))
    bright_sky(weather_server).night_forecast(NIGHT)

    [request] = weather_server.received
    assert (request.method, request.path) == ("GET", "/weather")
    assert request.query == {
        "lat": "51.514",
        "lon": "7.468",
        "date": "2026-01-15T18:00:00+01:00",
        "last_date": "2026-01-16T08:00:00+01:00",
        "tz": "Europe/Berlin",
        "units": "dwd",
    }


def test_bright_sky_window_is_a_parameter(weather_server: WeatherStub) -> None:
    weather_server.serve("/weather", fixture("brightsky_weather.json"))
    forecast = bright_sky(weather_server).night_forecast(NIGHT, evening=time(20), morning=time(1))
    assert (forecast.min_temperature, forecast.at) == (-1.7, local(2026, 1, 16, 1))
    assert weather_server.received[0].query["last_date"] == "2026-01-16T01:00:00+01:00"


def test_bright_sky_counts_both_ends_of_the_window_and_nothing_outside(
    weather_server: WeatherStub,
) -> None:
    body = brightsky_body(
        (local(2026, 1, 15, 17), -9.0, 10.0),
        (local(2026, 1, 15, 18), -1.0, 2.0),
        (local(2026, 1, 16, 8), -2.0, 2.0),
        (local(2026, 1, 16, 9), -9.0, 10.0),
    )
    weather_server.serve("/weather", Reply.json(body))
    forecast = bright_sky(weather_server).night_forecast(NIGHT)
    assert (forecast.min_temperature, forecast.min_wind_chill) == (-2.0, -2.0)
    assert forecast.at == local(2026, 1, 16, 8)


def test_bright_sky_with_only_observations_in_the_window_has_no_forecast(
    weather_server: WeatherStub,
) -> None:
    body = {
        "weather": [
            {"timestamp": "2026-01-15T19:00:00+01:00", "source_id": 2, "temperature": -3.0}
        ],
        "sources": [{"id": 2, "observation_type": "current"}, FORECAST_SOURCE],
    }
    weather_server.serve("/weather", Reply.json(body))
    with pytest.raises(WeatherUnavailable) as caught:
        bright_sky(weather_server).night_forecast(NIGHT)
    assert caught.value.reason == "no_data"


@pytest.mark.parametrize(
    "body",
    [
        {"weather": [], "sources": []},
        {"weather": [], "sources": [FORECAST_SOURCE]},
        brightsky_body((local(2026, 1, 15, 22), None, 5.0), (local(2026, 1, 16, 3), None, None)),
    ],
    ids=["empty", "no-rows", "null-temperatures"],
)
def test_bright_sky_without_values_is_no_data(
    weather_server: WeatherStub, body: dict[str, Any]
) -> None:
    weather_server.serve("/weather", Reply.json(body))
    with pytest.raises(WeatherUnavailable) as caught:
        bright_sky(weather_server).night_forecast(NIGHT)
    assert caught.value.reason == "no_data"
    assert (
        caught.value.notice == "Bright Sky (DWD) liefert für die kommende Nacht keine Vorhersage."
    )


def test_bright_sky_null_wind_uses_the_air_temperature(weather_server: WeatherStub) -> None:
    weather_server.serve(
        "/weather", Reply.json(brightsky_body((local(2026, 1, 16, 2), -3.5, None)))
    )
    forecast = bright_sky(weather_server).night_forecast(NIGHT)
    assert (forecast.min_temperature, forecast.min_wind_chill) == (-3.5, -3.5)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "bad_json"),
        (b"", "bad_json"),
        (b'{"weather": [', "bad_json"),
        (
            b'{"weather": [{"timestamp": "2026-01-15T22:00:00+01:00", "source_id": 3, '
            b'"temperature": NaN}], "sources": [{"id": 3, "observation_type": "forecast"}]}',
            "bad_json",
        ),
        (b"\xff\xfe\x00garbage", "bad_json"),
        (b"[]", "bad_data"),
        (b'{"weather": []}', "bad_data"),
        (b'{"sources": []}', "bad_data"),
        (b'{"weather": {}, "sources": []}', "bad_data"),
        (
            b'{"weather": ["row"], "sources": [{"id": 3, "observation_type": "forecast"}]}',
            "bad_data",
        ),
        (
            b'{"weather": [{"timestamp": "2026-01-15T22:00:00+01:00", "source_id": 3, '
            b'"temperature": "-3"}], "sources": [{"id": 3, "observation_type": "forecast"}]}',
            "bad_data",
        ),
        (
            b'{"weather": [{"timestamp": "yesterday", "source_id": 3, "temperature": -3}], '
            b'"sources": [{"id": 3, "observation_type": "forecast"}]}',
            "bad_data",
        ),
        (
            b'{"weather": [{"timestamp": "2026-01-15T22:00:00", "source_id": 3, '
            b'"temperature": -3}], "sources": [{"id": 3, "observation_type": "forecast"}]}',
            "bad_data",
        ),
        (b'{"weather": [], "sources": [{"id": [3], "observation_type": "forecast"}]}', "bad_data"),
    ],
)
def test_bright_sky_garbage_is_weather_unavailable(
    weather_server: WeatherStub, body: bytes, reason: str
) -> None:
    weather_server.serve("/weather", Reply(200, body))
    with pytest.raises(WeatherUnavailable) as caught:
        bright_sky(weather_server).night_forecast(NIGHT)
    assert caught.value.reason == reason


@pytest.mark.parametrize("status", [500, 503, 404, 400, 429])
def test_bright_sky_http_error_is_weather_unavailable(
    weather_server: WeatherStub, status: int
) -> None:
    weather_server.serve("/weather", Reply.json({"detail": "error"}, status))
    with pytest.raises(WeatherUnavailable) as caught:
        bright_sky(weather_server).night_forecast(NIGHT)
    assert (caught.value.reason, caught.value.status) == ("http_status", status)
    assert f"(HTTP {status})" in caught.value.notice


def test_bright_sky_timeout_is_weather_unavailable(weather_server: WeatherStub) -> None:
    weather_server.serve("/weather", Reply.json(brightsky_body(), delay=5))
    with pytest.raises(WeatherUnavailable) as caught:
        bright_sky(weather_server, timeout=(0.5, 0.3)).night_forecast(NIGHT)
    assert caught.value.reason == "timeout"


def test_unreachable_source_is_weather_unavailable() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = BrightSky(*DORTMUND, base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(WeatherUnavailable) as caught:
        source.night_forecast(NIGHT)
    assert caught.value.reason == "connection"
    assert caught.value.notice == "Bright Sky (DWD) ist nicht erreichbar."


# --- Bright Sky: the DWD's frost warnings ------------------------------------------------


def test_frost_warnings_are_frost_and_strong_frost_only(weather_server: WeatherStub) -> None:
    weather_server.serve("/alerts", fixture("brightsky_alerts.json"))

    warnings = bright_sky(weather_server).frost_warnings()

    assert warnings == [
        FrostWarning(
            event="FROST",
            headline="Amtliche WARNUNG vor FROST",
            onset=local(2026, 1, 15, 19),
            expires=local(2026, 1, 16, 10),
        ),
        FrostWarning(
            event="STRENGER FROST",
            headline="Amtliche WARNUNG vor STRENGEM FROST",
            onset=local(2026, 1, 16, 18),
            expires=None,
        ),
    ]
    [request] = weather_server.received
    assert (request.path, request.query) == ("/alerts", {"lat": "51.514", "lon": "7.468"})


def test_frost_warning_of_a_dwd_exercise_is_ignored(weather_server: WeatherStub) -> None:
    answer = json.loads(fixture("brightsky_alerts.json").body)
    for alert in answer["alerts"]:
        alert["status"] = "test"
    weather_server.serve("/alerts", Reply.json(answer))
    assert bright_sky(weather_server).frost_warnings() == []


def test_no_warnings_is_an_empty_list(weather_server: WeatherStub) -> None:
    weather_server.serve("/alerts", Reply.json({"alerts": [], "location": None}))
    assert bright_sky(weather_server).frost_warnings() == []


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply.json({"location": None}), "bad_data"),
        (Reply.json({"alerts": [{"event_de": "FROST", "onset": None}]}), "bad_data"),
        (Reply(200, b"not json"), "bad_json"),
        (Reply.json({"detail": "Internal Server Error"}, 500), "http_status"),
    ],
)
def test_broken_warnings_answer_is_weather_unavailable(
    weather_server: WeatherStub, reply: Reply, reason: str
) -> None:
    weather_server.serve("/alerts", reply)
    with pytest.raises(WeatherUnavailable) as caught:
        bright_sky(weather_server).frost_warnings()
    assert caught.value.reason == reason


# --- Open-Meteo ------------------------------------------------------------------------


def test_open_meteo_gives_the_coldest_forecast_hour_of_the_night(
    weather_server: WeatherStub,
) -> None:
    weather_server.serve("/v1/forecast", fixture("openmeteo_forecast.json"))
    source: WeatherSource = open_meteo(weather_server)

    forecast = source.night_forecast(NIGHT)

    # Colder hours lie outside the window: -3.8 °C that morning, -4.3 °C the next evening.
    assert forecast == NightForecast(
        night=NIGHT,
        min_temperature=-3.1,
        min_wind_chill=pytest.approx(-7.94, abs=0.01),  # type: ignore[arg-type]
        at=local(2026, 1, 16, 6),
        source_name="Open-Meteo",
    )


def test_open_meteo_query_names_place_variables_days_and_units(
    weather_server: WeatherStub,
) -> None:
    weather_server.serve("/v1/forecast", fixture("openmeteo_forecast.json"))
    open_meteo(weather_server).night_forecast(NIGHT)

    [request] = weather_server.received
    assert (request.method, request.path) == ("GET", "/v1/forecast")
    assert request.query == {
        "latitude": "51.514",
        "longitude": "7.468",
        "hourly": "temperature_2m,wind_speed_10m",
        "timezone": "Europe/Berlin",
        "start_date": "2026-01-15",
        "end_date": "2026-01-16",
        "timeformat": "unixtime",
        "temperature_unit": "celsius",
        "wind_speed_unit": "kmh",
    }


def test_open_meteo_hour_repeated_at_the_end_of_summer_time_is_two_hours(
    weather_server: WeatherStub,
) -> None:
    # 25 October 2026: 02:00 local happens twice; unix times tell the two apart.
    first = int(datetime(2026, 10, 25, 2, tzinfo=BERLIN, fold=0).timestamp())
    hourly = {
        "time": [first, first + 3600],
        "temperature_2m": [1.0, -0.5],
        "wind_speed_10m": [3.0, 3.0],
    }
    weather_server.serve("/v1/forecast", Reply.json({"hourly": hourly}))
    forecast = open_meteo(weather_server).night_forecast(date(2026, 10, 24))
    assert forecast.at == datetime(2026, 10, 25, 2, tzinfo=BERLIN, fold=1)
    assert forecast.at.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    ("hourly", "reason"),
    [
        ({"time": [], "temperature_2m": [], "wind_speed_10m": []}, "no_data"),
        ({"time": [1768510800], "temperature_2m": [None], "wind_speed_10m": [None]}, "no_data"),
        ({"time": [1768510800], "temperature_2m": [-1.0], "wind_speed_10m": []}, "bad_data"),
        ({"time": [1768510800], "temperature_2m": [-1.0]}, "bad_data"),
        (
            {"time": ["2026-01-15T22:00"], "temperature_2m": [-1.0], "wind_speed_10m": [3]},
            "bad_data",
        ),
        ({"time": [None], "temperature_2m": [-1.0], "wind_speed_10m": [3]}, "bad_data"),
        ({"time": [1e300], "temperature_2m": [-1.0], "wind_speed_10m": [3]}, "bad_data"),
        ({"time": [1768510800], "temperature_2m": [True], "wind_speed_10m": [3]}, "bad_data"),
        ("nothing", "bad_data"),
    ],
)
def test_open_meteo_empty_null_or_malformed_is_weather_unavailable(
    weather_server: WeatherStub, hourly: Any, reason: str
) -> None:
    weather_server.serve("/v1/forecast", Reply.json({"hourly": hourly}))
    with pytest.raises(WeatherUnavailable) as caught:
        open_meteo(weather_server).night_forecast(NIGHT)
    assert caught.value.reason == reason


def test_open_meteo_error_answer_is_weather_unavailable(weather_server: WeatherStub) -> None:
    error = {"error": True, "reason": "Parameter 'start_date' is out of allowed range"}
    weather_server.serve("/v1/forecast", Reply.json(error, 400))
    with pytest.raises(WeatherUnavailable) as caught:
        open_meteo(weather_server).night_forecast(NIGHT)
    assert (caught.value.reason, caught.value.status) == ("http_status", 400)


def test_open_meteo_timeout_is_weather_unavailable(weather_server: WeatherStub) -> None:
    weather_server.serve("/v1/forecast", Reply.json({}, delay=5))
    with pytest.raises(WeatherUnavailable) as caught:
        open_meteo(weather_server, timeout=(0.5, 0.3)).night_forecast(NIGHT)
    assert caught.value.reason == "timeout"
