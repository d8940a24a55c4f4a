"""Weather sources for the winter emergency: the coldest forecast hour of the coming night.

Two sources read public forecasts over plain HTTP: Bright Sky (the DWD's MOSMIX forecast;
attribute the DWD) and Open-Meteo (CC BY 4.0). Whatever goes wrong — a timeout, an HTTP
error, a garbled body, no forecast for the night — comes out as WeatherUnavailable, so
that a caller never mistakes a missing forecast for a mild one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

import requests

from belegung import texts

BERLIN = ZoneInfo("Europe/Berlin")
EVENING = time(18, 0)
MORNING = time(8, 0)
# (connect, read) in seconds: a weather check may be slow, but never hangs a scheduler job.
TIMEOUT = (3.05, 10.0)

Problem = Literal["timeout", "connection", "http_status", "bad_json", "bad_data", "no_data"]


class WeatherUnavailable(Exception):
    """No usable forecast; `reason` says why (its German text: texts.WEATHER_PROBLEMS)."""

    def __init__(
        self, source: str, reason: Problem, detail: str = "", *, status: int | None = None
    ) -> None:
        super().__init__(f"{source}: {reason}" + (f" ({detail})" if detail else ""))
        self.source = source
        self.reason = reason
        self.status = status

    @property
    def notice(self) -> str:
        """German, for the administrators' notice of an outage."""
        return texts.WEATHER_PROBLEMS[self.reason].format(source=self.source, status=self.status)


@dataclass(frozen=True)
class NightForecast:
    """The coldest of the night: lowest air temperature (°C) and when it is forecast, and
    the lowest wind chill (°C; the air temperature where the formula does not apply)."""

    night: date
    min_temperature: float
    min_wind_chill: float
    at: datetime
    source_name: str


@dataclass(frozen=True)
class FrostWarning:
    """An official DWD warning of frost (`FROST` or `STRENGER FROST`)."""

    event: str
    headline: str
    onset: datetime
    expires: datetime | None


@dataclass(frozen=True)
class Hour:
    """One forecast hour: °C and km/h (wind may be missing)."""

    at: datetime
    temperature: float
    wind_speed: float | None


class WeatherSource(Protocol):
    """A forecast provider; `name` is shown with its figures (attribution)."""

    name: str

    def night_forecast(
        self, night: date, *, evening: time = EVENING, morning: time = MORNING
    ) -> NightForecast:
        """The coldest forecast between `evening` of `night` and `morning` after it, local
        time; raises WeatherUnavailable."""
        ...


def wind_chill(temperature: float, wind_speed: float | None) -> float:
    """Felt temperature (°C) by the NWS / Environment Canada formula, wind in km/h.

    Defined only at or below 10 °C and above 4.8 km/h; elsewhere the air temperature.
    """
    if wind_speed is None or temperature > 10 or wind_speed <= 4.8:
        return temperature
    v = wind_speed**0.16
    return 13.12 + 0.6215 * temperature - 11.37 * v + 0.3965 * temperature * v


def night_window(
    night: date, tz: ZoneInfo, evening: time = EVENING, morning: time = MORNING
) -> tuple[datetime, datetime]:
    """Start and end (both included) of the night named by the date of its evening."""
    start = datetime.combine(night, evening, tzinfo=tz)
    end_day = night + timedelta(days=1) if morning <= evening else night
    return start, datetime.combine(end_day, morning, tzinfo=tz)


def coldest_of_night(
    hours: Iterable[Hour],
    night: date,
    source_name: str,
    *,
    tz: ZoneInfo,
    evening: time = EVENING,
    morning: time = MORNING,
) -> NightForecast:
    """The NightForecast of the hours inside the night's window; WeatherUnavailable
    (`no_data`) when none is."""
    start, end = night_window(night, tz, evening, morning)
    # In UTC: aware datetimes sharing one tzinfo compare by wall clock, wrong across DST.
    first, last = start.astimezone(UTC), end.astimezone(UTC)
    inside = [h for h in hours if first <= h.at.astimezone(UTC) <= last]
    if not inside:
        raise WeatherUnavailable(source_name, "no_data", f"no forecast from {start} to {end}")
    coldest = min(inside, key=lambda h: (h.temperature, h.at))
    return NightForecast(
        night=night,
        min_temperature=coldest.temperature,
        min_wind_chill=min(wind_chill(h.temperature, h.wind_speed) for h in inside),
        at=coldest.at.astimezone(tz),
        source_name=source_name,
    )


# --- reading answers -------------------------------------------------------------------


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def _number(source: str, value: Any) -> float | None:
    """A JSON number, or None for null; anything else is a malformed answer."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WeatherUnavailable(source, "bad_data", f"not a number: {value!r:.40}")
    return float(value)


def _field(source: str, obj: Any, key: str) -> Any:
    if not isinstance(obj, Mapping) or key not in obj:
        raise WeatherUnavailable(source, "bad_data", f"missing {key!r}")
    return obj[key]


def _list(source: str, obj: Any, key: str) -> list[Any]:
    value = _field(source, obj, key)
    if not isinstance(value, list):
        raise WeatherUnavailable(source, "bad_data", f"{key!r} is not a list")
    return value


def _timestamp(source: str, value: Any) -> datetime:
    """An ISO 8601 timestamp with its UTC offset."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise WeatherUnavailable(source, "bad_data", f"bad timestamp {value!r:.40}") from None
    if moment.tzinfo is None:
        raise WeatherUnavailable(source, "bad_data", f"timestamp without offset {value!r:.40}")
    return moment


def _unix_time(source: str, value: Any) -> datetime:
    """Unix seconds (Open-Meteo's `timeformat=unixtime`) as an aware datetime."""
    seconds = _number(source, value)
    try:
        if seconds is None:
            raise ValueError(value)
        return datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError):
        raise WeatherUnavailable(source, "bad_data", f"bad time {value!r:.40}") from None


class _HttpSource:
    """A forecast read by one GET from `base_url`, which tests point at a local server."""

    name: str

    def __init__(
        self,
        latitude: float,
        longitude: float,
        *,
        base_url: str,
        tz: ZoneInfo = BERLIN,
        timeout: tuple[float, float] = TIMEOUT,
        session: requests.Session | None = None,
    ) -> None:
        self.latitude = latitude
        self.longitude = longitude
        self.base_url = base_url.rstrip("/")
        self.tz = tz
        self.timeout = timeout
        self.session = session

    def _get_json(self, path: str, params: Mapping[str, str | float]) -> Any:
        session = self.session or requests.Session()
        try:
            response = session.get(self.base_url + path, params=params, timeout=self.timeout)
            # A body we can't read is as bad as none: read it inside the timeout handling.
            content = response.content
        except requests.Timeout as exc:
            raise WeatherUnavailable(self.name, "timeout", type(exc).__name__) from None
        except requests.RequestException as exc:
            raise WeatherUnavailable(self.name, "connection", type(exc).__name__) from None
        finally:
            if self.session is None:
                session.close()
        if response.status_code != 200:
            raise WeatherUnavailable(
                self.name, "http_status", str(response.status_code), status=response.status_code
            )
        try:
            # NaN and Infinity are not JSON, though Python's parser takes them.
            return json.loads(content, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise WeatherUnavailable(self.name, "bad_json", str(exc)[:80]) from None


class BrightSky(_HttpSource):
    """The DWD's MOSMIX forecast through Bright Sky (°C, km/h: its default `dwd` units)."""

    name = "Bright Sky (DWD)"
    BASE_URL = "https://api.brightsky.dev"

    def __init__(
        self,
        latitude: float,
        longitude: float,
        *,
        base_url: str = BASE_URL,
        tz: ZoneInfo = BERLIN,
        timeout: tuple[float, float] = TIMEOUT,
        session: requests.Session | None = None,
    ) -> None:
        super().__init__(
            latitude, longitude, base_url=base_url, tz=tz, timeout=timeout, session=session
        )

    def night_forecast(
        self, night: date, *, evening: time = EVENING, morning: time = MORNING
    ) -> NightForecast:
        start, end = night_window(night, self.tz, evening, morning)
        answer = self._get_json(
            "/weather",
            {
                "lat": self.latitude,
                "lon": self.longitude,
                "date": start.isoformat(),
                "last_date": end.isoformat(),
                "tz": self.tz.key,
                "units": "dwd",
            },
        )
        return coldest_of_night(
            self._forecast_hours(answer),
            night,
            self.name,
            tz=self.tz,
            evening=evening,
            morning=morning,
        )

    def _forecast_hours(self, answer: Any) -> list[Hour]:
        # One answer mixes observed (historical, current) and forecast rows; only the
        # forecast counts, as its source tells.
        forecast_sources = {
            _number(self.name, _field(self.name, source, "id"))
            for source in _list(self.name, answer, "sources")
            if _field(self.name, source, "observation_type") == "forecast"
        }
        forecast_sources.discard(None)
        hours = []
        for row in _list(self.name, answer, "weather"):
            if _number(self.name, _field(self.name, row, "source_id")) not in forecast_sources:
                continue
            temperature = _number(self.name, _field(self.name, row, "temperature"))
            if temperature is None:
                continue
            hours.append(
                Hour(
                    at=_timestamp(self.name, _field(self.name, row, "timestamp")),
                    temperature=temperature,
                    wind_speed=_number(self.name, row.get("wind_speed")),
                )
            )
        return hours

    def frost_warnings(self) -> list[FrostWarning]:
        """The DWD's current frost warnings for the location; raises WeatherUnavailable."""
        answer = self._get_json("/alerts", {"lat": self.latitude, "lon": self.longitude})
        warnings = []
        for alert in _list(self.name, answer, "alerts"):
            event = _field(self.name, alert, "event_de")
            # "test" alerts are the DWD's exercises, not weather.
            if event not in ("FROST", "STRENGER FROST") or alert.get("status") == "test":
                continue
            expires = alert.get("expires")
            warnings.append(
                FrostWarning(
                    event=event,
                    headline=str(_field(self.name, alert, "headline_de")),
                    onset=_timestamp(self.name, _field(self.name, alert, "onset")),
                    expires=None if expires is None else _timestamp(self.name, expires),
                )
            )
        return warnings


class OpenMeteo(_HttpSource):
    """Open-Meteo's hourly forecast (°C, km/h)."""

    name = "Open-Meteo"
    BASE_URL = "https://api.open-meteo.com"

    def __init__(
        self,
        latitude: float,
        longitude: float,
        *,
        base_url: str = BASE_URL,
        tz: ZoneInfo = BERLIN,
        timeout: tuple[float, float] = TIMEOUT,
        session: requests.Session | None = None,
    ) -> None:
        super().__init__(
            latitude, longitude, base_url=base_url, tz=tz, timeout=timeout, session=session
        )

    def night_forecast(
        self, night: date, *, evening: time = EVENING, morning: time = MORNING
    ) -> NightForecast:
        start, end = night_window(night, self.tz, evening, morning)
        answer = self._get_json(
            "/v1/forecast",
            {
                "latitude": self.latitude,
                "longitude": self.longitude,
                "hourly": "temperature_2m,wind_speed_10m",
                "timezone": self.tz.key,
                "start_date": start.date().isoformat(),
                "end_date": end.date().isoformat(),
                # Unix seconds are unambiguous in the hour repeated when summer time ends.
                "timeformat": "unixtime",
                "temperature_unit": "celsius",
                "wind_speed_unit": "kmh",
            },
        )
        return coldest_of_night(
            self._hours(answer), night, self.name, tz=self.tz, evening=evening, morning=morning
        )

    def _hours(self, answer: Any) -> list[Hour]:
        hourly = _field(self.name, answer, "hourly")
        times = _list(self.name, hourly, "time")
        temperatures = _list(self.name, hourly, "temperature_2m")
        winds = _list(self.name, hourly, "wind_speed_10m")
        if not len(times) == len(temperatures) == len(winds):
            raise WeatherUnavailable(self.name, "bad_data", "hourly lists differ in length")
        hours = []
        for moment, temperature, wind in zip(times, temperatures, winds, strict=True):
            value = _number(self.name, temperature)
            if value is None:
                continue
            hours.append(
                Hour(
                    at=_unix_time(self.name, moment),
                    temperature=value,
                    wind_speed=_number(self.name, wind),
                )
            )
        return hours
