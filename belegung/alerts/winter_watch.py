"""The winter emergency from the forecast: look at the coming night, decide whether it is
cold by the configured rule, and let the winter domain switch (a manual switch wins).

The rule: the lowest air temperature forecast for the night (evening to morning, local
time) at or under the threshold — or, if configured, the lowest wind chill instead — or,
if configured, an official DWD frost warning for the night. A mild night ends the
emergency only before the night begins (never while people are out in it). A failing
source is logged, recorded, and reported to the admins once per outage; it never flips
the state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from belegung import texts
from belegung.alerts import messages
from belegung.alerts.models import WeatherCheck
from belegung.alerts.notices import queue_weather_outage
from belegung.alerts.weather import (
    EVENING,
    MORNING,
    BrightSky,
    FrostWarning,
    NightForecast,
    OpenMeteo,
    WeatherSource,
    WeatherUnavailable,
    night_window,
)
from belegung.config import Settings
from belegung.context import ServiceContext
from belegung.winter.service import Forecast, switch_from_forecast, winter_state

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Assessment:
    cold: bool
    # The figure that counted (°C), and the German reason shown with a switch.
    value: float
    reason: str
    warning: FrostWarning | None = None


@dataclass(frozen=True)
class WeatherConfig:
    """What the rule needs from the settings (tests give it directly)."""

    threshold: float = 0.0
    wind_chill: bool = False
    frost_warnings: bool = False

    @classmethod
    def of(cls, settings: Settings) -> WeatherConfig:
        return cls(
            settings.winter_threshold, settings.winter_wind_chill, settings.winter_frost_warnings
        )


def coming_night(now: datetime, tz: ZoneInfo) -> date:
    """The night a check looks at: tonight from the morning on, the current night before."""
    local = now.astimezone(tz)
    return local.date() if local.time() >= MORNING else local.date() - timedelta(days=1)


def night_started(now: datetime, night: date, tz: ZoneInfo) -> bool:
    start, _ = night_window(night, tz, EVENING, MORNING)
    return now >= start


def warning_for(warnings: list[FrostWarning], night: date, tz: ZoneInfo) -> FrostWarning | None:
    """The first frost warning in force during the night (STRENGER FROST first)."""
    start, end = night_window(night, tz, EVENING, MORNING)
    current = [w for w in warnings if w.onset <= end and (w.expires is None or w.expires >= start)]
    current.sort(key=lambda w: (w.event != "STRENGER FROST", w.onset))
    return current[0] if current else None


def assess(
    forecast: NightForecast, warning: FrostWarning | None, config: WeatherConfig
) -> Assessment:
    value = forecast.min_wind_chill if config.wind_chill else forecast.min_temperature
    if value <= config.threshold:
        key = "winter_forecast_wind_chill_reason" if config.wind_chill else "winter_forecast_reason"
        return Assessment(True, value, texts.SMS[key].format(value=messages.degrees(value)))
    if config.frost_warnings and warning is not None:
        reason = texts.SMS["winter_warning_reason"].format(event=warning.event)
        return Assessment(True, value, reason, warning)
    reason = texts.SMS["winter_mild_reason"].format(value=messages.degrees(value))
    return Assessment(False, value, reason)


def weather_source(settings: Settings) -> WeatherSource | None:
    """The configured forecast source; None when the forecast is switched off."""
    position = (settings.weather_latitude, settings.weather_longitude)
    if settings.weather_source == "brightsky":
        return BrightSky(*position, base_url=settings.brightsky_url, tz=settings.timezone)
    if settings.weather_source == "openmeteo":
        return OpenMeteo(*position, base_url=settings.openmeteo_url, tz=settings.timezone)
    return None


def warnings_source(settings: Settings) -> BrightSky | None:
    if not settings.winter_frost_warnings:
        return None
    return BrightSky(
        settings.weather_latitude,
        settings.weather_longitude,
        base_url=settings.brightsky_url,
        tz=settings.timezone,
    )


def _outage_start(ctx: ServiceContext, failed: WeatherCheck) -> int:
    """The first failed check since the last good one: it names the outage."""
    last_ok = ctx.session.scalar(
        sa.select(sa.func.max(WeatherCheck.id)).where(WeatherCheck.ok.is_(True))
    )
    first = ctx.session.scalar(
        sa.select(sa.func.min(WeatherCheck.id)).where(
            WeatherCheck.ok.is_(False), WeatherCheck.id > (last_ok or 0)
        )
    )
    return int(first or failed.id)


def check_weather(
    ctx: ServiceContext,
    source: WeatherSource,
    config: WeatherConfig,
    warnings: BrightSky | None = None,
) -> WeatherCheck:
    """Look at the coming night's forecast and apply it to the winter emergency."""
    now = ctx.now()
    tz = ctx.calendar.timezone
    night = coming_night(now, tz)
    try:
        forecast = source.night_forecast(night)
        frost = warning_for(warnings.frost_warnings(), night, tz) if warnings else None
    except WeatherUnavailable as exc:
        log.warning("weather check for the night of %s failed: %s", night, exc)
        check = WeatherCheck(
            checked_at=now,
            night=night,
            source=exc.source[:60],
            ok=False,
            problem=exc.reason,
            detail=str(exc)[:300],
        )
        ctx.session.add(check)
        ctx.session.flush()
        queue_weather_outage(
            ctx,
            _outage_start(ctx, check),
            exc.notice,
            winter_active=winter_state(ctx.session).active,
        )
        return check
    assessment = assess(forecast, frost, config)
    check = WeatherCheck(
        checked_at=now,
        night=night,
        source=forecast.source_name[:60],
        ok=True,
        min_temperature=forecast.min_temperature,
        min_wind_chill=forecast.min_wind_chill,
        frost_warning=frost.event[:60] if frost else None,
        cold=assessment.cold,
    )
    ctx.session.add(check)
    ctx.session.flush()
    switch_from_forecast(
        ctx,
        assessment.cold,
        may_end=not night_started(now, night, tz),
        reason=assessment.reason,
        forecast=Forecast(night=night, value=assessment.value, source=forecast.source_name),
    )
    return check
