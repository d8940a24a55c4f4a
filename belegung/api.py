"""The JSON API under /api/v1: bearer tokens, JSON errors, one commit per request.

Every route authenticates with `Authorization: Bearer …` (except the OpenAPI document
and its interactive docs), checks the caller's role with `require`, and answers errors
as `{"code", "message"}` (plus `errors` naming each bad field on a 422). The request
commits once, after the view succeeded; on any error it rolls back.
"""

from __future__ import annotations

import http
import json
import logging
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import marshmallow as ma
import sqlalchemy as sa
from flask import Flask, Response, current_app, g, jsonify, request
from flask_smorest import Api, Blueprint
from flask_smorest.spec.plugins import (
    integerconverter2paramschema,
    unicodeconverter2paramschema,
)
from flask_swagger_ui import get_swaggerui_blueprint
from sqlalchemy.exc import IntegrityError, OperationalError
from webargs.flaskparser import FlaskParser, abort
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter

from belegung import settings_of, texts
from belegung.auth.permissions import Action, authorize
from belegung.auth.service import actor_for, authenticate
from belegung.context import Actor, ServiceContext, service_context
from belegung.errors import DomainError, InvalidInput
from belegung.extensions import db, session
from belegung.nights import Clock, system_clock
from belegung.schemas import FORBIDDEN_RANGES, MAX_ID, ErrorSchema

PREFIX = "/api/v1"
SPEC_PATH = f"{PREFIX}/openapi.json"
DOCS_PATH = f"{PREFIX}/docs"

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


class BelegungApi(Api):
    ERROR_SCHEMA = ErrorSchema
    # Every response an operation can give is documented explicitly (see `responds`):
    # no catch-all "default" response that would make any status code conform.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        # Errors are handled by init_api's handlers, which answer JSON on API paths only
        # and leave the web pages their HTML errors.
        pass


api = BelegungApi()


def decimal_up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 1 to `limit`: ASCII digits, no leading
    zeros. E.g. 1 to 250: `[1-9][0-9]{0,1}|[1-1][0-9]{2}|2[0-4][0-9]{1}|250`."""
    digits = str(limit)
    options = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        lowest = 1 if i == 0 else 0
        if int(digit) > lowest:
            rest = len(digits) - i - 1
            options.append(f"{digits[:i]}[{lowest}-{int(digit) - 1}][0-9]{{{rest}}}")
    return "|".join([*options, digits])


class IdConverter(IntegerConverter):
    """`<id:…>`: a database id, 1 to 2³¹−1. Anything else matches no route (404) instead
    of reaching the database (an id beyond the integer column would fail there).

    The bounds are in the pattern, not only checked after it matched: werkzeug answers a
    match refused by its converter with 405 when another method's rule has the same path.
    """

    regex = decimal_up_to(MAX_ID)

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


class TextConverter(UnicodeConverter):
    """`<slug>` and other strings in a path: none with a character no stored text may
    hold (NUL, other control characters, bidi controls). Such a path matches no route
    (404) instead of reaching the database (PostgreSQL refuses NUL with an error)."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map)
        # {1,}: flask-smorest reads the length bounds for the OpenAPI document from it.
        self.regex = f"[^/{FORBIDDEN_RANGES}]{{1,}}"


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def _is_public() -> bool:
    return request.path == SPEC_PATH or request.path.startswith(DOCS_PATH)


# --- the caller --------------------------------------------------------------------------


def current_actor() -> Actor:
    actor: Actor = g.actor
    return actor


def clock() -> Clock:
    """The app's clock: the system clock, or the one a test set in BELEGUNG_CLOCK."""
    configured: Clock = current_app.config.get("BELEGUNG_CLOCK") or system_clock
    return configured


def service_ctx() -> ServiceContext:
    return service_context(session(), current_actor(), settings_of(current_app), clock())


def require(action: Action, facility_id: int | None = None) -> Actor:
    """The caller, if they may do `action` (in the facility); raises Forbidden otherwise."""
    actor = current_actor()
    authorize(actor, action, facility_id)
    return actor


def _authenticate() -> Response | None:
    if not is_api_request() or _is_public():
        return None
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    user = None
    if scheme.lower() == "bearer" and raw.strip():
        user = authenticate(session(), raw.strip(), clock()())
    if user is None:
        return _error_response(401, "unauthorized", texts.API["unauthorized"])
    g.actor = actor_for(user)
    return None


# --- documentation helpers ---------------------------------------------------------------


def responds(blp: Blueprint, *statuses: int) -> Callable[[F], F]:
    """Document the error responses an operation can give (401 is added to all)."""

    def decorate(func: F) -> F:
        for status in sorted({401, *statuses}):
            func = blp.alt_response(status, response=http.HTTPStatus(status).name)(func)
        return func

    return decorate


class ArgumentsParser(FlaskParser):
    def _raw_load_json(self, req: Any) -> Any:
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise  # webargs answers these (and treats an empty body as no body)
        except (RecursionError, ValueError) as exc:
            # Nested deeper than the parser's stack, or an integer with more digits than
            # Python converts (4,300): JSON no client of ours sends, refused as invalid.
            self._handle_invalid_json_error(exc, req)

    def _handle_invalid_json_error(
        self, error: Exception, req: Any, *args: Any, **kwargs: Any
    ) -> NoReturn:
        # A body that is not JSON is invalid input like any other: 422, errors by field.
        abort(422, exc=error, messages={"json": {"_schema": [texts.API["invalid_json"]]}})


class ApiBlueprint(Blueprint):
    # Unknown fields are refused everywhere, query strings included: a mistyped
    # `?nigth=` must not silently answer for tonight.
    ARGUMENTS_PARSER = ArgumentsParser(unknown=ma.RAISE)


def paginate(stmt: sa.Select[Any], args: dict[str, Any]) -> dict[str, Any]:
    """One page of a query's rows, with the total."""
    page, size = args["page"], args["page_size"]
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    )
    items = db.session.scalars(stmt.limit(size).offset((page - 1) * size)).all()
    return {"items": items, "page": page, "page_size": size, "total": total or 0}


# --- errors -------------------------------------------------------------------------------

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


def _error_response(
    status: int, code: str, message: str, errors: dict[str, Any] | None = None
) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if errors:
        body["errors"] = _encodable(errors)
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="belegung"'
    return response


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


def _rollback() -> None:
    db.session.rollback()


def handle_domain_error(exc: DomainError) -> Response | tuple[str, int]:
    _rollback()
    if not is_api_request():
        # The web pages map domain errors themselves; anything reaching here is a bug
        # in a page, shown as a plain error rather than a traceback.
        return exc.message, exc.http_status
    errors = None
    if isinstance(exc, InvalidInput):
        # A GET has no body: what the service refused came from the query string.
        location = "query" if request.method == "GET" else "json"
        errors = {location: {exc.params.get("field", "_schema"): [exc.message]}}
    return _error_response(exc.http_status, exc.code, exc.message, errors)


def handle_http_exception(exc: HTTPException) -> Response | HTTPException:
    if not is_api_request():
        return exc
    _rollback()
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    code = HTTP_CODES.get(status, "error")
    message = texts.API.get(code) or exc.description or texts.API["error"]
    response = _error_response(status, code, message, errors)
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if status == 405 and exc.get_response().headers.get("Allow"):
        response.headers["Allow"] = exc.get_response().headers["Allow"]
    return response


def handle_integrity_error(exc: IntegrityError) -> Response:
    # The services check first; a constraint that still fires is a race or a gap in
    # those checks. Never a 500, never the database's message (it may echo values).
    _rollback()
    log.warning("integrity error on %s %r: %s", request.method, request.path, type(exc.orig))
    if not is_api_request():
        return Response(texts.API["conflict"], status=409)
    return _error_response(409, "conflict", texts.API["conflict"])


def handle_unexpected(exc: Exception) -> Response:
    _rollback()
    if isinstance(exc, OperationalError):
        # The driver's class and SQLSTATE say what happened; its message may quote data.
        log.error(
            "database error %s (SQLSTATE %s) on %s %r",
            type(exc.orig).__name__,
            getattr(exc.orig, "sqlstate", None),
            request.method,
            request.path,
        )
        status, code = 503, "unavailable"
    else:
        # The path as repr: a %0A in it must not start a forged log line.
        log.exception("unexpected error on %s %r", request.method, request.path)
        status, code = 500, "internal_error"
    if not is_api_request():
        return Response(texts.API[code], status=status)
    return _error_response(status, code, texts.API[code])


def _no_store(response: Response) -> Response:
    """API answers carry personal data: no browser or proxy may keep a copy (tablets at
    the door are shared). The docs' static assets may be cached."""
    if is_api_request() and not request.path.startswith(DOCS_PATH + "/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _commit(response: Response) -> Response:
    """One commit per request, after the view succeeded."""
    if not is_api_request() or response.status_code >= 400:
        return response
    try:
        db.session.commit()
    except IntegrityError as exc:
        return handle_integrity_error(exc)
    return response


# --- wiring --------------------------------------------------------------------------------


def init_api(app: Flask) -> None:
    from belegung.facilities.api import blp as facilities_blp
    from belegung.persons.api import blp as persons_blp
    from belegung.stays.api import blp as stays_blp
    from belegung.winter.api import blp as winter_blp

    app.config.update(
        API_TITLE="belegung",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": texts.API["description"],
                "license": {"name": "EUPL-1.2"},
            },
            "servers": [{"url": "/"}],
            "security": [{"bearerAuth": []}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A token from `flask --app belegung tokens create NAME`",
                    }
                }
            },
        },
    )
    app.url_map.converters["id"] = IdConverter
    # Before any API route is added: their `<slug>`s take the default converter.
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
    api.init_app(app)
    api.register_converter(IdConverter, integerconverter2paramschema)
    api.register_converter(TextConverter, unicodeconverter2paramschema)
    for blp in (facilities_blp, stays_blp, persons_blp, winter_blp):
        api.register_blueprint(blp)
    # Swagger UI from the assets packaged in flask-swagger-ui: no CDN.
    app.register_blueprint(
        get_swaggerui_blueprint(DOCS_PATH, SPEC_PATH, config={"app_name": "belegung API"})
    )

    app.before_request(_authenticate)
    # After-request hooks run last-registered first: no-store also lands on the error
    # answer a failed commit gives.
    app.after_request(_no_store)
    app.after_request(_commit)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(Exception, handle_unexpected)
