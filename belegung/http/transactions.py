"""One unit of work per request, for the API and the pages alike.

Begun before the view; finished after the response is built (so that serialising reads
the objects as the view left them): committed when the answer is a success (status below
400), rolled back otherwise, or when the view raised (the error handlers roll back; the
teardown is the safety net). A commit the database refuses becomes the error answer.
"""

from __future__ import annotations

from flask import Flask, Response, g

from belegung.extensions import session
from belegung.http.errors import error_response
from belegung.transaction import UnitOfWork


def _begin() -> None:
    g.uow = UnitOfWork.begin(session())


def _finish(response: Response) -> Response:
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
    if uow is not None and uow.active:
        uow.rollback()


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
