"""For operators: is the process up (`/healthz`), can it serve (`/readyz`: the database
answers and its schema is the code's), and its figures for Prometheus (`/metrics`).

No personal data in any of them: the live figures are tonight's counts per facility and
the depth of the SMS outbox. `/healthz` and `/readyz` need no login (load balancers and
orchestrators ask them); `/metrics` is for a bearer token whose SHA-256 is
BELEGUNG_METRICS_TOKEN_SHA256, or for callers in BELEGUNG_METRICS_NETWORKS (loopback by
default).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, request
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from belegung.alerts.models import OutboxMessage, OutboxStatus
from belegung.config import settings_of
from belegung.extensions import session
from belegung.http import metrics
from belegung.http.context import clock, rollback_request
from belegung.http.pages import public
from belegung.limits import DATABASE_RETRY_AFTER_SECONDS
from belegung.stays.availability import Availability
from belegung.stays.operations import public_availability

log = logging.getLogger(__name__)

# The repository: migrations/ (and templates/) live beside the package.
ROOT = Path(__file__).resolve().parent.parent

bp = Blueprint("health", __name__)

# Outbox messages still to be handed to the provider.
WAITING = (OutboxStatus.QUEUED, OutboxStatus.SENDING)
DATABASE_ERRORS = (DBAPIError, PoolTimeout)


@cache
def migration_heads() -> frozenset[str]:
    """The schema revisions the code expects (the heads of migrations/)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@public
def healthz() -> Response:
    """The process is up and answers (no database involved)."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
@public
def readyz() -> Response:
    """Ready to serve: the database answers, and its migrations are the code's."""
    checks: dict[str, str] = {}
    try:
        current = set(session().scalars(sa.text("SELECT version_num FROM alembic_version")))
        checks["database"] = "ok"
        checks["migrations"] = "current" if current == migration_heads() else "not_current"
    except DATABASE_ERRORS as exc:
        log.warning("readiness: database %s", type(getattr(exc, "orig", None) or exc).__name__)
        checks["database"] = "unavailable"
        checks["migrations"] = "unknown"
    ready = checks == {"database": "ok", "migrations": "current"}
    response = jsonify(status="ready" if ready else "not_ready", checks=checks)
    if not ready:
        response.status_code = 503
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return _no_store(response)


class TonightCollector(Collector):
    """Tonight's places per facility and the outbox depth, read once per scrape."""

    def __init__(self, figures: Availability | None, outbox: int | None) -> None:
        self.figures = figures
        self.outbox = outbox

    def collect(self) -> Iterator[Any]:
        up = GaugeMetricFamily(
            "belegung_database_up", "1 when the scrape could read the database, else 0."
        )
        up.add_metric([], 0 if self.figures is None else 1)
        yield up
        if self.figures is not None:
            night = self.figures.night.isoformat()
            for name, attribute, text in (
                ("belegung_places_free", "free", "Free regular places tonight."),
                ("belegung_places_free_emergency", "free_emergency", "Free emergency places."),
                ("belegung_places_occupied", "occupied", "Places taken by a stay tonight."),
                ("belegung_places_held", "held", "Places held (reserved) tonight."),
                ("belegung_places_capacity", "capacity", "Regular places in service or not."),
            ):
                family = GaugeMetricFamily(name, text, labels=["facility", "night"])
                for facility in self.figures.facilities:
                    family.add_metric([facility.slug, night], getattr(facility, attribute))
                yield family
        if self.outbox is not None:
            depth = GaugeMetricFamily(
                "belegung_outbox_depth", "SMS in the outbox not yet handed to the provider."
            )
            depth.add_metric([], self.outbox)
            yield depth


def _may_read_metrics() -> bool:
    settings = settings_of(current_app)
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if settings.metrics_token_sha256 and scheme.lower() == "bearer" and raw.strip():
        digest = hashlib.sha256(raw.strip().encode()).hexdigest()
        if hmac.compare_digest(digest, settings.metrics_token_sha256):
            return True
    try:
        caller = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(
        caller in ipaddress.ip_network(network, strict=False)
        for network in settings.metrics_networks
    )


@bp.get("/metrics")
@public
def metrics_view() -> Response:
    if not _may_read_metrics():
        response = Response("forbidden\n", status=403, mimetype="text/plain")
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    settings = settings_of(current_app)
    figures: Availability | None = None
    outbox: int | None = None
    try:
        figures = public_availability(session(), settings.calendar, clock()())
        outbox = session().scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status.in_(WAITING))
        )
    except DATABASE_ERRORS as exc:
        log.warning("metrics: database %s", type(getattr(exc, "orig", None) or exc).__name__)
        figures = outbox = None
        _end_work()
    body = metrics.exposition([TonightCollector(figures, outbox)])
    return _no_store(Response(body, content_type=metrics.CONTENT_TYPE))


def _end_work() -> None:
    """Roll the request's failed reads back now (the connection may be gone)."""
    try:
        rollback_request()
    except Exception as exc:
        log.warning("metrics: rollback failed: %s", type(exc).__name__)
