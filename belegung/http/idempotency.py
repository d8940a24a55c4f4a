"""Idempotent requests over HTTP: a view marked `@idempotent()` answers a request whose
key it has seen before (from the same user) with the first answer, instead of running
again. Pages carry the key as a hidden form field (`idempotency_key`, a new one each
time the form is shown); the store and its guarantees are belegung.idempotency."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, make_response, request

from belegung import idempotency
from belegung.errors import InvalidInput
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
