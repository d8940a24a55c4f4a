"""The public page /frei: per target group a traffic light for tonight (no, few or free
places), the time of the figures, the winter-emergency notice and the shelters'
addresses. No login, no personal data; caches may keep it for 60 seconds."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template
from werkzeug.wrappers import Response

from belegung.config import settings_of
from belegung.extensions import session
from belegung.http.context import clock
from belegung.http.pages import public
from belegung.http.transactions import read_only
from belegung.stays import operations

bp = Blueprint("public", __name__)
MAX_AGE = 60


@bp.get("/frei")
@read_only
@public
def free() -> Response:
    calendar = settings_of(current_app).calendar
    status = operations.read_public_status(session(), calendar, clock()())
    response = make_response(render_template("stays/public.html", status=status))
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response
