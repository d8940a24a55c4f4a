"""Prometheus metrics of the HTTP layer: requests by route and status, their latency, and
database errors and timeouts (issue 13).

Under gunicorn the workers are separate processes: with PROMETHEUS_MULTIPROC_DIR set
(gunicorn.conf.py sets it) every worker writes its figures to files there and a scrape
adds them up (prometheus_client's multiprocess mode). Figures read at scrape time from
the database (free places, outbox depth) are not kept here: the app registers a
collector for them (`live_collectors`), see belegung.health.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import Collector

CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter(
    "belegung_http_requests_total",
    "HTTP requests answered, by route (the URL rule, never the path), method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "belegung_http_request_duration_seconds",
    "Time from the request reaching the app to its answer, by route and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
DATABASE_ERRORS = Counter(
    "belegung_database_errors_total",
    "Requests answered 503 because of the database: kind=timeout (a bounded wait ran "
    "out) or kind=unavailable (it could not be reached).",
    ["kind"],
)


def database_error(kind: str) -> None:
    DATABASE_ERRORS.labels(kind=kind).inc()


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(route=route, method=method, status=str(status)).inc()
    LATENCY.labels(route=route, method=method).observe(seconds)


def exposition(live: Iterable[Collector] = ()) -> bytes:
    """The text exposition of every metric: the counters and histograms of all worker
    processes (multiprocess mode) or of this one, then the live collectors'."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    if live:
        scrape = CollectorRegistry(auto_describe=False)
        for collector in live:
            scrape.register(collector)
        body += generate_latest(scrape)
    return body
