"""A plain status page: the service runs, and tonight's free places."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from belegung import settings_of, texts
from belegung.extensions import session
from belegung.nights import NightCalendar, system_clock
from belegung.stays.availability import availability

bp = Blueprint("status", __name__)


@bp.get("/")
def index() -> str:
    settings = settings_of(current_app)
    now = system_clock()
    night = NightCalendar(settings.timezone, settings.day_boundary).night_of(now)
    figures = availability(session(), night, now)
    return render_template(
        "status/index.html",
        figures=figures,
        texts=texts,
        as_of=now.astimezone(settings.timezone),
    )
