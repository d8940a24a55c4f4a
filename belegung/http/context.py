"""The request's side of a service call: who calls, the clock, and the request's unit of
work (see http.transactions). Views call exactly one service function with
`service_ctx()`."""

from __future__ import annotations

from flask import current_app, g

from belegung.config import settings_of
from belegung.context import Actor, ServiceContext, service_context
from belegung.extensions import db, session
from belegung.nights import Clock, system_clock
from belegung.transaction import UnitOfWork


def current_actor() -> Actor:
    """The caller, as authenticated for this request (bearer token or login session)."""
    actor: Actor = g.actor
    return actor


def set_actor(actor: Actor) -> None:
    g.actor = actor


def clock() -> Clock:
    """The app's clock: the system clock, or the one a test set in BELEGUNG_CLOCK."""
    configured: Clock = current_app.config.get("BELEGUNG_CLOCK") or system_clock
    return configured


def current_uow() -> UnitOfWork:
    uow: UnitOfWork = g.uow
    return uow


def service_ctx() -> ServiceContext:
    """The context for a service call in this request: its session, caller, clock and
    unit of work."""
    return service_context(
        session(), current_actor(), settings_of(current_app), clock(), uow=current_uow()
    )


def rollback_request() -> None:
    """Undo the request's work at once (an error answer is being built)."""
    uow: UnitOfWork | None = g.get("uow")
    if uow is not None and uow.active:
        uow.rollback()
    else:
        db.session.rollback()
