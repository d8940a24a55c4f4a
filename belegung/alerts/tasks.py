"""The alerts' scheduler jobs: evaluate the capacity rules, check the weather, send the
evening summary, dispatch the outbox. Each is idempotent: run twice, it sends nothing
twice (the outbox's unique key per phone and cause is the guard)."""

from __future__ import annotations

import logging

from flask import current_app

from belegung.alerts import capacity, notices, winter_watch
from belegung.alerts.dispatch import DispatchResult, dispatch
from belegung.alerts.sms import backend_for
from belegung.config import Settings, settings_of
from belegung.extensions import session
from belegung.jobs import app_clock, job_context

log = logging.getLogger(__name__)


def evaluate_capacity_rules() -> None:
    """Every rule against tonight's figures: what no claim moved (holds running out, the
    new night at the day boundary) and what a commit's own evaluation could not see."""
    with job_context() as ctx:
        result = capacity.evaluate(ctx, capacity.enabled_rules(ctx.session), note=True)
    if result.fired or result.rearmed:
        log.info("capacity rules fired %s, re-armed %s", result.fired, result.rearmed)


def check_weather() -> None:
    """The forecast for the coming night, applied to the winter emergency."""
    settings = settings_of(current_app)
    source = winter_watch.weather_source(settings)
    if source is None:
        return
    with job_context() as ctx:
        winter_watch.check_weather(
            ctx,
            source,
            winter_watch.WeatherConfig.of(settings),
            winter_watch.warnings_source(settings),
        )


def send_evening_summary() -> None:
    """Tonight's free places to the managers (once per night, however often it runs)."""
    with job_context() as ctx:
        notices.queue_evening_summary(ctx)


def status_callback_url(settings: Settings) -> str | None:
    """Where Twilio reports delivery: only with a public address it can reach."""
    if settings.sms_backend != "twilio" or not settings.public_url:
        return None
    return settings.public_url + "/sms/status"


def dispatch_outbox() -> DispatchResult:
    """Send what waits in the outbox."""
    settings = settings_of(current_app)
    backend = backend_for(settings)
    try:
        result = dispatch(
            session(),
            backend,
            app_clock(),
            timeout=settings.sms_timeout,
            status_callback=status_callback_url(settings),
        )
    finally:
        backend.close()
    if result.handled:
        log.info(
            "outbox: %d sent, %d found sent, %d to retry, %d failed, %d cancelled",
            result.sent, result.found, result.retried, result.failed, result.cancelled,
        )  # fmt: skip
    return result
