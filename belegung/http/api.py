"""The JSON API's framework: the blueprint class every domain's `api.py` uses, strict
argument parsing, documented error responses, the OpenAPI document and its docs.

Authentication is the auth domain's (auth.bearer); errors are answered by http.errors;
the transaction is the request's unit of work (http.transactions).
"""

from __future__ import annotations

import http
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn, TypeVar, cast

import marshmallow as ma
from flask import Flask, Response, current_app, request
from flask_smorest import Api, Blueprint
from flask_smorest.spec.plugins import (
    integerconverter2paramschema,
    unicodeconverter2paramschema,
)
from flask_swagger_ui import get_swaggerui_blueprint
from marshmallow import fields
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request

from belegung import texts
from belegung.http.converters import IdConverter, TextConverter
from belegung.http.idempotency import HEADER_DOC, idempotent_request
from belegung.http.paths import DOCS_PATH, PREFIX, SPEC_PATH, is_api_request
from belegung.lru import Lru
from belegung.schemas import ErrorSchema

F = TypeVar("F", bound=Callable[..., Any])


class BelegungApi(Api):
    ERROR_SCHEMA = ErrorSchema
    # Every response an operation can give is documented explicitly (see `responds`):
    # no catch-all "default" response that would make any status code conform.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        # Errors are answered by http.errors for the API and the pages alike.
        pass


api = BelegungApi()


def responds(blp: Blueprint, *statuses: int) -> Callable[[F], F]:
    """Document the error responses an operation can give (401 is added to all)."""

    def decorate(func: F) -> F:
        for status in sorted({401, *statuses}):
            func = blp.alt_response(status, response=http.HTTPStatus(status).name)(func)
        return func

    return decorate


class Bodies:
    """The JSON bodies of answers that are the very object answered before (a cached
    value, such as a night's figures): serialised once, not on every request. The
    objects are kept with their bodies (at most `size`), so an id is never reused while
    its body is."""

    def __init__(self, size: int = 64) -> None:
        self._bodies: Lru[int, tuple[object, bytes]] = Lru(size)

    def response(self, value: object, schema: ma.Schema) -> Response:
        known = self._bodies.get(id(value))
        if known is None or known[0] is not value:
            body = cast(Response, current_app.json.response(schema.dump(value))).get_data()
            known = (value, body)
            self._bodies.put(id(value), known)
        return current_app.response_class(known[1], mimetype="application/json")


class DuplicateKey(Exception):
    """A JSON object names a key twice."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(key)
        found[key] = value
    return found


# One form of each: a date as 2026-12-03 (not 20261203, 2026-W49-4 or 2026-337), a moment
# beginning with one.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}.*", re.DOTALL)
_NUMERIC = (fields.Number, fields.Date, fields.DateTime, fields.Time, fields.TimeDelta)


def _strict_value(field: fields.Field, value: Any) -> Any:
    """Why a value for `field` is refused although marshmallow would read it: digits
    other than 0-9 in a number or date ("١٩٧١", "²"), a date or moment in another form
    than ISO 8601's extended one. Nested fields answer per nested field."""
    if isinstance(field, fields.Nested) and isinstance(field.schema, ma.Schema):
        if isinstance(value, list):
            found = {i: _strict_errors(field.schema, v) for i, v in enumerate(value)}
            return {i: e for i, e in found.items() if e} or None
        return _strict_errors(field.schema, value) or None
    if isinstance(field, fields.List) and isinstance(value, list):
        found = {i: _strict_value(field.inner, v) for i, v in enumerate(value)}
        return {i: e for i, e in found.items() if e} or None
    if not isinstance(value, str) or not isinstance(field, _NUMERIC):
        return None
    if any(c.isdigit() and not c.isascii() for c in value):
        return [texts.API["ascii_digits"]]
    if isinstance(field, fields.DateTime):
        return None if _DATETIME.fullmatch(value) else [texts.API["datetime_form"]]
    if isinstance(field, fields.Date) and not _DATE.fullmatch(value):
        return [texts.API["date_form"]]
    return None


def _strict_errors(schema: ma.Schema, data: Any) -> dict[str, Any]:
    """The refusals of _strict_value for every field of `data`, by the field's name."""
    if not isinstance(data, Mapping):
        return {}
    by_key = {field.data_key or name: field for name, field in schema.fields.items()}
    errors = {}
    for key, value in data.items():
        field = by_key.get(key)
        refused = None if field is None else _strict_value(field, value)
        if refused:
            errors[key] = refused
    return errors


class ArgumentsParser(FlaskParser):
    """webargs' parser, stricter: a key named twice in a JSON object and a query
    parameter given twice (unless its field is a list) are refused, not resolved to one of
    the values; so are digits other than 0-9 and dates in other forms than 2026-12-03.
    Each a 422 naming the field."""

    def _raw_load_json(self, req: Any) -> Any:
        if not is_json_request(req):
            return core.missing
        raw = req.get_data(cache=True)
        try:
            return json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_keys)
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError(exc.reason, "undecodable", exc.start) from exc
        except json.JSONDecodeError:
            raise  # webargs answers these (and treats an empty body as no body)
        except DuplicateKey as exc:
            abort(422, messages={"json": {exc.key: [texts.API["duplicate_key"]]}})
        except (RecursionError, ValueError) as exc:
            # Nested deeper than the parser's stack, or an integer with more digits than
            # Python converts (4,300): JSON no client of ours sends, refused as invalid.
            self._handle_invalid_json_error(exc, req)

    def load_json(self, req: Any, schema: ma.Schema) -> Any:
        data = super().load_json(req, schema)
        errors = _strict_errors(schema, data)
        if errors:
            abort(422, messages={"json": errors})
        return data

    def load_querystring(self, req: Any, schema: ma.Schema) -> Any:
        by_key = {field.data_key or name: field for name, field in schema.fields.items()}
        repeated = {
            key: [texts.API["repeated_parameter"]]
            for key, values in req.args.lists()
            if len(values) > 1 and not isinstance(by_key.get(key), fields.List)
        }
        errors = repeated or _strict_errors(schema, req.args.to_dict())
        if errors:
            abort(422, messages={"query": errors})
        return super().load_querystring(req, schema)

    def _handle_invalid_json_error(
        self, error: Exception, req: Any, *args: Any, **kwargs: Any
    ) -> NoReturn:
        # A body that is not JSON is invalid input like any other: 422, errors by field.
        abort(422, exc=error, messages={"json": {"_schema": [texts.API["invalid_json"]]}})


class ApiBlueprint(Blueprint):
    """A domain's API routes. Every POST operation takes an `Idempotency-Key` header
    (http.idempotency.idempotent_request) and documents it, with no code of its own; a
    POST that changes nothing (a search sent as POST) opts out with `idempotent=False`."""

    # Unknown fields are refused everywhere, query strings included: a mistyped
    # `?nigth=` must not silently answer for tonight.
    ARGUMENTS_PARSER = ArgumentsParser(unknown=ma.RAISE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(_document_idempotency)

    def arguments(self, schema: Any, **kwargs: Any) -> Callable[[F], F]:
        """flask-smorest's, with one schema instance per route instead of one per request
        (webargs instantiates a class on every call; loading keeps no state)."""
        if isinstance(schema, type) and issubclass(schema, ma.Schema):
            schema = schema()
        return cast(Callable[[F], F], super().arguments(schema, **kwargs))

    def route(
        self, rule: str, *, idempotent: bool | None = None, **options: Any
    ) -> Callable[[F], F]:
        methods = options.get("methods") or ("GET",)
        replayable = "POST" in methods if idempotent is None else idempotent
        register = super().route(rule, **options)

        def decorate(func: F) -> F:
            if not replayable:
                return register(func)
            # A key sent again with another request is refused: 422, documented.
            func = self.alt_response(422, response="UNPROCESSABLE_ENTITY")(func)
            wrapped = idempotent_request(func)
            wrapped._apidoc = {**getattr(func, "_apidoc", {}), "idempotent": True}  # type: ignore[attr-defined]
            register(wrapped)
            return wrapped

        return decorate


def _document_idempotency(
    doc: dict[str, Any], doc_info: dict[str, Any], **_: Any
) -> dict[str, Any]:
    """The `Idempotency-Key` header parameter on the operations that take it."""
    if doc_info.get("idempotent"):
        doc.setdefault("parameters", []).append(dict(HEADER_DOC))
    return doc


def _no_store(response: Response) -> Response:
    """API answers carry personal data: no browser or proxy may keep a copy (tablets at
    the door are shared). The docs' static assets may be cached."""
    if is_api_request() and not request.path.startswith(DOCS_PATH + "/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_api(app: Flask, blueprints: Iterable[Blueprint]) -> None:
    """Serve the API's blueprints under /api/v1 with their OpenAPI document and docs."""
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
    for blp in blueprints:
        api.register_blueprint(blp)
    # Swagger UI from the assets packaged in flask-swagger-ui: no CDN.
    app.register_blueprint(
        get_swaggerui_blueprint(DOCS_PATH, SPEC_PATH, config={"app_name": "belegung API"})
    )
    app.after_request(_no_store)
