"""Idempotent requests over HTTP: a view marked `@idempotent()` answers a request whose
key it has seen before (from the same user) with the first answer, instead of running
again. Pages carry the key as a hidden form field (`idempotency_key`, a new one each
time the form is shown); the API's POST operations take it as the `Idempotency-Key`
header (`idempotent_request`, applied by http.api.ApiBlueprint to every POST), as the
IETF httpapi draft "The Idempotency-Key HTTP Header Field" and Stripe's API do. The
store and its guarantees are belegung.idempotency."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, make_response, request
from webargs.flaskparser import abort

from belegung import idempotency, texts
from belegung.errors import IdempotencyKeyReused, InvalidInput
from belegung.extensions import session
from belegung.http.context import clock, current_actor

F = TypeVar("F", bound=Callable[..., Any])

FORM_FIELD = "idempotency_key"
# Fields that differ between two sends of the same form, or vouch for nothing.
_IGNORED = frozenset({FORM_FIELD, "csrf_token"})


def replay(outcome: idempotency.Outcome) -> Response:
    response = Response(
        outcome.body or "", status=outcome.status, content_type=outcome.content_type
    )
    if outcome.location:
        response.headers["Location"] = outcome.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(form_field: str = FORM_FIELD) -> Callable[[F], F]:
    """Run the view once per key: a request with a key already answered (by this user,
    within a day) gets that answer again. Answers of 400 and above are not kept (the
    request's work is rolled back, so the key is free for a corrected retry)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            # A prefixed form (several on one page) names it "<prefix>-idempotency_key".
            key = next(
                (
                    value
                    for name, value in request.form.items()
                    if name == form_field or name.endswith("-" + form_field)
                ),
                "",
            )
            user_id = current_actor().user_id
            if not key or user_id is None:
                return view(*args, **kwargs)
            fields = [
                (name, value)
                for name, value in request.form.items(multi=True)
                if name.rpartition("-")[2] not in _IGNORED
            ]
            print_ = idempotency.fingerprint(request.method, request.path, fields)
            try:
                found = idempotency.begin(session(), user_id, key, print_, clock()())
            except idempotency.KeyReused:
                raise InvalidInput(field=form_field, reason="form_sent_changed") from None
            except idempotency.KeyInvalid:
                raise InvalidInput(field=form_field, reason="form_key_invalid") from None
            if isinstance(found, idempotency.Outcome):
                return replay(found)
            response = make_response(view(*args, **kwargs))
            if response.status_code < 400:
                redirect = 300 <= response.status_code < 400
                idempotency.finish(
                    session(),
                    found,
                    idempotency.Outcome(
                        status=response.status_code,
                        location=response.headers.get("Location"),
                        body=None if redirect else response.get_data(as_text=True),
                        content_type=response.content_type,
                    ),
                )
            return response

        return wrapper  # type: ignore[return-value]

    return decorate


# --- the API's header ---------------------------------------------------------------------

HEADER = "Idempotency-Key"
# Visible ASCII, as a UUID or Stripe's keys are: nothing a log or a header could misread.
_KEY = re.compile(rf"[\x21-\x7e]{{1,{idempotency.KEY_MAX}}}")
HEADER_DOC = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": idempotency.KEY_MAX,
        "pattern": "^[!-~]+$",
    },
    "description": (
        'Makes a retry safe (IETF draft "The Idempotency-Key HTTP Header Field"): a '
        "unique value per request, e.g. a UUID. Sent again by the same user with the same "
        "request (method, path, query and body) within 24 hours, the first answer is "
        "replayed (status and body, with `Idempotent-Replayed: true`) and nothing is done "
        "twice, also when both arrive at the same moment. The same key with another "
        "request is refused: 422 `idempotency_key_reused`. Answers of 400 and above are "
        "not kept: the key may be sent again with a corrected request."
    ),
}


def _body_field() -> str:
    """The body as the key vouches for it: JSON in a canonical form (the order of keys
    and the spacing do not matter), anything else as sent."""
    raw = request.get_data(cache=True)
    try:
        return "json:" + json.dumps(
            json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=True
        )
    except (ValueError, RecursionError):
        return "raw:" + raw.decode("utf-8", "backslashreplace")


def idempotent_request(view: F) -> F:
    """Run an API operation once per `Idempotency-Key` and user: the first answer below
    400 is kept for a day, in the same transaction as the work, and replayed to the same
    request sent again. Without the header the operation simply runs."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        user_id = current_actor().user_id
        if key is None or user_id is None:
            return view(*args, **kwargs)
        if not _KEY.fullmatch(key):
            message = texts.API["idempotency_key_invalid"].format(max=idempotency.KEY_MAX)
            abort(422, messages={"headers": {HEADER: [message]}})
        fields = [("query", f"{k}={v}") for k, v in request.args.items(multi=True)]
        fields.append(("body", _body_field()))
        print_ = idempotency.fingerprint(request.method, request.path, fields)
        try:
            found = idempotency.begin(session(), user_id, key, print_, clock()())
        except idempotency.KeyReused:
            raise IdempotencyKeyReused() from None
        if isinstance(found, idempotency.Outcome):
            return replay(found)
        response = make_response(view(*args, **kwargs))
        if response.status_code < 400:
            idempotency.finish(
                session(),
                found,
                idempotency.Outcome(
                    status=response.status_code,
                    location=response.headers.get("Location"),
                    body=response.get_data(as_text=True),
                    content_type=response.content_type,
                ),
            )
        return response

    return wrapper  # type: ignore[return-value]
