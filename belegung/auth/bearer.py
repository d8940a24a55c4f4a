"""Bearer-token authentication of API requests: the caller of every /api/v1 route
except the OpenAPI document and its docs."""

from __future__ import annotations

from flask import Flask, Response, request

from belegung import texts
from belegung.auth.service import actor_for, authenticate
from belegung.extensions import session
from belegung.http.context import clock, set_actor
from belegung.http.errors import ErrorAnswer, json_error
from belegung.http.paths import is_api_request, is_public_api_request


def _authenticate() -> Response | None:
    if not is_api_request() or is_public_api_request():
        return None
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    user = None
    if scheme.lower() == "bearer" and raw.strip():
        user = authenticate(session(), raw.strip(), clock()())
    if user is None:
        return json_error(ErrorAnswer(401, "unauthorized", texts.API["unauthorized"]))
    set_actor(actor_for(user))
    return None


def init_bearer_auth(app: Flask) -> None:
    app.before_request(_authenticate)
