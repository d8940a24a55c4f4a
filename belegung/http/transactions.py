"""One unit of work per request, for the API and the pages alike.

Begun before the view; finished after the response is built (so that serialising reads
the objects as the view left them): committed when the answer is a success (status below
400), rolled back otherwise, or when the view raised (the error handlers roll back; the
teardown is the safety net). A commit the database refuses becomes the error answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, g, request

from belegung.db import reading_only
from belegung.extensions import session
from belegung.http.errors import error_response
from belegung.transaction import UnitOfWork

F = TypeVar("F", bound=Callable[..., object])


def read_only(view: F) -> F:
    """Mark a view that only reads (right below its route): on SQLite its transaction
    takes no write lock (a deferred BEGIN; see db.reading_only), so that many readers
    run beside a writer. A read-only view that writes fails rather than wait."""
    view.read_only = True  # type: ignore[attr-defined]
    return view


def _begin() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "read_only", False):
        g.reading_only = reading_only.set(True)
    g.uow = UnitOfWork.begin(session())


def _end_reading() -> None:
    token = g.pop("reading_only", None)
    if token is not None:
        reading_only.reset(token)


def _finish(response: Response) -> Response:
    try:
        return _finish_work(response)
    finally:
        _end_reading()


def _finish_work(response: Response) -> Response:
    uow: UnitOfWork | None = g.pop("uow", None)
    if uow is None or not uow.active:
        return response
    if response.status_code >= 400:
        uow.rollback()
        return response
    try:
        uow.commit()
    except Exception as exc:
        uow.rollback()
        return error_response(exc)
    return response


def _teardown(_exc: BaseException | None) -> None:
    uow: UnitOfWork | None = g.pop("uow", None)
    try:
        if uow is not None and uow.active:
            uow.rollback()
    finally:
        _end_reading()


def init_request_transactions(app: Flask) -> None:
    """Wire the hooks; call this after every other request hook is registered.

    The unit of work begins before any other before-request hook (authentication notes
    the token's use in it). It finishes in the after-request hook registered last, which
    Flask runs first, so that the other hooks (headers) also dress the answer a failed
    commit gives.
    """
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request(_finish)
    app.teardown_request(_teardown)
