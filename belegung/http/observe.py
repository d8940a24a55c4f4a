"""What operators see of each request: a request id (taken from a proxy's X-Request-Id
when it looks like one, else made here) that the answer carries and every log line of the
request names; one log line per request (method, route, status, duration — the URL rule,
never the path or the query, which may carry a name); and the request metrics."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request

from belegung.http import metrics

log = logging.getLogger("belegung.requests")

HEADER = "X-Request-Id"
# What a proxy may hand on: short, and nothing that could break a log line.
_ACCEPTED = re.compile(r"^[A-Za-z0-9._\-]{8,64}$")


def request_id() -> str:
    """The current request's id ("-" outside a request)."""
    if not has_request_context():
        return "-"
    rid: str | None = g.get("request_id")
    return rid or "-"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (for the log format's %(request_id)s)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


def _begin() -> None:
    incoming = request.headers.get(HEADER, "")
    g.request_id = incoming if _ACCEPTED.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers[HEADER] = request_id()
    started = g.get("request_started")
    if started is None:
        return response
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
    metrics.observe_request(route, request.method, response.status_code, seconds)
    log.info(
        "request %s %s %s %d %.1fms",
        request_id(),
        request.method,
        route,
        response.status_code,
        seconds * 1000,
    )
    return response


def init_observe(app: Flask) -> None:
    """Register first among the before-request hooks and last among the after-request
    ones (Flask runs those in reverse), so that the id and the timing cover the others
    and a failed commit's answer is counted as it is sent."""
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
