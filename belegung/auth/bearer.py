"""Bearer-token authentication of API requests: the caller of every /api/v1 route
except the OpenAPI document and its docs.

A token once authenticated is kept in this process (by its hash, never the token) with
the change feed's stamp of the `auth` topic (`belegung.changes`): while no user or
token was written anywhere since, the next request with it needs no statement. Any such
write — a revocation, a deactivation, a new role or shelter — moves the stamp on, and
the token is looked up again; without a feed (SQLite) it is looked up every time. An
entry lasts at most `TOKEN_CACHE_MAX_AGE`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import Flask, Response, current_app, request

from belegung import texts
from belegung.auth.service import AUTH, actor_for, authenticate, hash_token, note_use, token_of
from belegung.changes import Stamp, stamp_of
from belegung.context import Actor
from belegung.extensions import session
from belegung.http.context import clock, set_actor
from belegung.http.errors import ErrorAnswer, json_error
from belegung.http.paths import is_api_request, is_public_api_request
from belegung.limits import TOKEN_CACHE_ENTRIES, TOKEN_CACHE_MAX_AGE
from belegung.lru import Lru

_EXTENSION = "belegung.tokens"


@dataclass(frozen=True)
class Known:
    actor: Actor
    token_id: int
    noted: datetime | None
    stamp: Stamp
    until: datetime


class TokenCache:
    """Authenticated tokens by hash (thread-safe, least recently used dropped)."""

    def __init__(self, size: int = TOKEN_CACHE_ENTRIES) -> None:
        self._known: Lru[str, Known] = Lru(size)

    def get(self, digest: str, stamp: Stamp, now: datetime) -> Known | None:
        known = self._known.get(digest)
        if known is None or known.stamp != stamp or now >= known.until:
            return None
        return known

    def put(self, digest: str, known: Known) -> None:
        self._known.put(digest, known)


def _cache() -> TokenCache:
    cache = current_app.extensions.get(_EXTENSION)
    if cache is None:
        cache = current_app.extensions.setdefault(_EXTENSION, TokenCache())
    return cache


def _actor(raw: str, now: datetime) -> Actor | None:
    db = session()
    stamp = stamp_of(db, AUTH)
    if stamp is None:
        user = authenticate(db, raw, now)
        return None if user is None else actor_for(user)
    cache = _cache()
    digest = hash_token(raw)
    known = cache.get(digest, stamp, now)
    if known is None:
        token = token_of(db, raw)
        if token is None:
            return None
        known = Known(
            actor_for(token.user),
            token.id,
            token.last_used_at,
            stamp,
            now + timedelta(seconds=TOKEN_CACHE_MAX_AGE),
        )
        cache.put(digest, known)
    if note_use(db, known.token_id, known.noted, now):
        cache.put(digest, replace(known, noted=now))
    return known.actor


def _authenticate() -> Response | None:
    if not is_api_request() or is_public_api_request():
        return None
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    actor = None
    if scheme.lower() == "bearer" and raw.strip():
        actor = _actor(raw.strip(), clock()())
    if actor is None:
        return json_error(ErrorAnswer(401, "unauthorized", texts.API["unauthorized"]))
    set_actor(actor)
    return None


def init_bearer_auth(app: Flask) -> None:
    app.before_request(_authenticate)
