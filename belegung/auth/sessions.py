"""Login sessions of the web pages (Flask-Login): who a session belongs to, for how long,
and the caller of every page request. The API keeps its bearer tokens (auth.bearer).

A session holds the user's id, a marker of their password (a new password ends every
session of the old one) and when they logged in: it lasts one night shift
(BELEGUNG_SESSION_HOURS, default 13), however busy the tablet is meanwhile.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app, request, session
from flask_login import UserMixin, current_user, login_user, logout_user
from sqlalchemy.orm import selectinload

from belegung.auth.models import User
from belegung.auth.service import actor_for, session_marker
from belegung.config import settings_of
from belegung.context import Actor
from belegung.extensions import login
from belegung.extensions import session as db_session
from belegung.http.context import clock, set_actor
from belegung.http.pages import LOGIN_VIEW
from belegung.http.paths import is_api_request

LOGIN_AT = "login_at"


class SessionUser(UserMixin):
    """The signed-in user as Flask-Login keeps them: an id with the password marker, and
    the Actor every operation is called with."""

    def __init__(self, user: User) -> None:
        self.id = f"{user.id}.{session_marker(user)}"
        self.actor: Actor = actor_for(user)


def start_session(user: User) -> None:
    """Log `user` in: a fresh session (nothing carried over from before the login)."""
    session.clear()
    session.permanent = True
    session[LOGIN_AT] = clock()().timestamp()
    login_user(SessionUser(user))


def end_session() -> None:
    logout_user()
    session.clear()


def _session_over(now: datetime) -> bool:
    started = session.get(LOGIN_AT)
    if not isinstance(started, int | float):
        return True
    hours = settings_of(current_app).session_hours
    return now.timestamp() - started > timedelta(hours=hours).total_seconds()


def _load_user(user_id: str) -> SessionUser | None:
    raw_id, _, marker = user_id.partition(".")
    if not raw_id.isdigit() or _session_over(clock()()):
        return None
    user = db_session().scalar(
        sa.select(User).options(selectinload(User.facilities)).where(User.id == int(raw_id))
    )
    if user is None or not user.active or session_marker(user) != marker:
        return None
    return SessionUser(user)


def _authenticate() -> None:
    """The caller of a page request, from its login session (if any)."""
    if is_api_request() or request.endpoint == "static":
        return
    if current_user.is_authenticated:
        set_actor(current_user.actor)
    elif session.get("_user_id"):
        # Over, or the user was deactivated or got a new password: start afresh.
        end_session()


def init_sessions(app: Flask) -> None:
    login.init_app(app)
    login.user_loader(_load_user)
    login.login_view = "auth.login"
    app.config[LOGIN_VIEW] = "auth.login"
    app.before_request(_authenticate)
