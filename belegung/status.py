"""A plain status page: the service runs, and tonight's free places."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from belegung.config import settings_of
from belegung.extensions import session
from belegung.http.context import clock
from belegung.http.pages import public
from belegung.http.transactions import read_only
from belegung.stays.operations import public_availability

bp = Blueprint("status", __name__)


@bp.get("/status")
@read_only
@public
def index() -> str:
    settings = settings_of(current_app)
    figures = public_availability(session(), settings.calendar, clock()())
    return render_template("status/index.html", figures=figures)
