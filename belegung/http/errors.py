"""Errors as answers: one mapping from every error to a status, a code and a German message,
given as JSON to the API and as an HTML page to everything else.

The mapping (`answer_for`) is the only place that decides how an error reads; the two
renderers only dress it. Every error answer rolls the request's work back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from jinja2 import TemplateNotFound
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    PendingRollbackError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from belegung import texts
from belegung.errors import DomainError, InvalidInput
from belegung.http.context import rollback_request
from belegung.http.paths import is_api_request
from belegung.limits import DATABASE_RETRY_AFTER_SECONDS

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
}


@dataclass(frozen=True)
class ErrorAnswer:
    """How an error reads, whoever asked: status, machine-readable code, German message,
    and on invalid input the bad fields by location (json, query, form)."""

    status: int
    code: str
    message: str
    errors: dict[str, Any] | None = None
    headers: tuple[tuple[str, str], ...] = ()
    # More the caller needs to decide (e.g. the existing stay of a possible duplicate),
    # set by the route as `details` on the domain error.
    details: dict[str, Any] | None = None


def answer_for(exc: Exception) -> ErrorAnswer:
    """The one mapping of errors to answers."""
    if isinstance(exc, DomainError):
        errors = None
        if isinstance(exc, InvalidInput):
            # A GET has no body: what the service refused came from the query string.
            location = "query" if request.method == "GET" else "json"
            errors = {location: {exc.params.get("field", "_schema"): [exc.message]}}
        return ErrorAnswer(exc.http_status, exc.code, exc.message, errors, details=exc.details)
    if isinstance(exc, CSRFError):
        # A page's form without its token, or from another session (expired login).
        return ErrorAnswer(400, "csrf_failed", texts.PAGES["csrf_failed"])
    if isinstance(exc, HTTPException):
        status = exc.code or 500
        data = getattr(exc, "data", None) or {}
        code = HTTP_CODES.get(status, "error")
        headers = dict(data.get("headers") or {})
        if status == 405 and exc.get_response().headers.get("Allow"):
            headers["Allow"] = exc.get_response().headers["Allow"]
        return ErrorAnswer(
            status,
            code,
            texts.API.get(code) or exc.description or texts.API["error"],
            data.get("errors") or data.get("messages"),
            tuple(headers.items()),
        )
    if isinstance(exc, IntegrityError):
        # The services check first; a constraint that still fires is a race or a gap in
        # those checks. Never a 500, never the database's message (it may echo values).
        log.warning("integrity error on %s %r: %s", request.method, request.path, type(exc.orig))
        return ErrorAnswer(409, "conflict", texts.API["conflict"])
    if _is_database_unavailable(exc):
        return _database_unavailable(exc)
    # The path as repr: a %0A in it must not start a forged log line.
    log.exception("unexpected error on %s %r", request.method, request.path)
    return ErrorAnswer(500, "internal_error", texts.API["internal_error"])


# SQLSTATEs of waits that were cut short: statement_timeout (57014), lock_timeout (55P03).
TIMEOUT_SQLSTATES = frozenset({"57014", "55P03"})


# SQLAlchemy's "Can't reconnect until invalid transaction is rolled back": the connection
# was lost inside the transaction (e.g. in a savepoint whose error was caught, as the
# alert hooks do) and the next statement or the commit finds it gone.
LOST_IN_TRANSACTION = "8s2b"


def _is_database_unavailable(exc: Exception) -> bool:
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    if isinstance(exc, PendingRollbackError) and exc.code == LOST_IN_TRANSACTION:
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def database_timed_out(exc: Exception) -> bool:
    """Whether a database error is a bounded wait that ran out (config: bounded_waits),
    rather than a database that cannot be reached."""
    if isinstance(exc, PoolTimeout):
        return True
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in TIMEOUT_SQLSTATES:
        return True
    # SQLite: the write lock was not free within the busy timeout.
    return "database is locked" in str(orig) if orig is not None else False


def _database_unavailable(exc: Exception) -> ErrorAnswer:
    """503 with Retry-After: a wait ran out (overloaded) or the database is away. Never a
    hang (every wait is bounded) and never a 500."""
    timed_out = database_timed_out(exc)
    orig = getattr(exc, "orig", None)
    # The driver's class and SQLSTATE say what happened; its message may quote data.
    log.error(
        "database %s: %s (SQLSTATE %s) on %s %r",
        "timeout" if timed_out else "error",
        type(orig or exc).__name__,
        getattr(orig, "sqlstate", None),
        request.method,
        request.path,
    )
    from belegung.http import metrics

    metrics.database_error("timeout" if timed_out else "unavailable")
    code = "database_busy" if timed_out else "unavailable"
    return ErrorAnswer(
        503, code, texts.API[code], headers=(("Retry-After", str(DATABASE_RETRY_AFTER_SECONDS)),)
    )


def json_error(answer: ErrorAnswer) -> Response:
    body: dict[str, Any] = {"code": answer.code, "message": answer.message}
    if answer.errors:
        body["errors"] = _encodable(answer.errors)
    for key, value in (answer.details or {}).items():
        body.setdefault(key, value)
    response = jsonify(body)
    response.status_code = answer.status
    if answer.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="belegung"'
    response.headers.update(answer.headers)
    return response


def html_error(answer: ErrorAnswer) -> Response:
    # Without the database the page layout cannot be drawn (it reads the login): a page
    # of its own.
    template = "errors/unavailable.html" if answer.status == 503 else "errors/error.html"
    try:
        body = render_template(template, error=answer)
    except TemplateNotFound:
        body = answer.message
    response = Response(body, status=answer.status, mimetype="text/html")
    response.headers.update(answer.headers)
    return response


def error_response(exc: Exception) -> Response:
    """The answer to an error in the caller's format; the request's work is undone."""
    try:
        rollback_request()
    except Exception as rollback_failed:  # the connection may be gone with the database
        log.warning("rollback failed: %s", type(rollback_failed).__name__)
    answer = answer_for(exc)
    return json_error(answer) if is_api_request() else html_error(answer)


def _encodable(errors: Any) -> Any:
    """Error details that can be sent as UTF-8: an unknown field's name is echoed, and a
    name from a `\\ud800` escape in the body holds a lone surrogate, which has no UTF-8
    form (it is shown as the escape instead)."""
    if isinstance(errors, str):
        return errors.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(errors, dict):
        return {_encodable(key): _encodable(value) for key, value in errors.items()}
    if isinstance(errors, list | tuple):
        return [_encodable(value) for value in errors]
    return errors


def init_errors(app: Flask) -> None:
    for kind in (DomainError, HTTPException, IntegrityError, Exception):
        app.register_error_handler(kind, error_response)
