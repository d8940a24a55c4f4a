"""The winter emergency page (managers and admins): its state, the switch by hand (with
a reason), handing it back to the forecast, its history and the standby facilities it
opens. Each form calls one operation of winter.operations."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from belegung import texts
from belegung.context import Role
from belegung.errors import DomainError
from belegung.facilities import operations as facilities
from belegung.facilities.models import FacilityStatus
from belegung.http.context import service_ctx
from belegung.http.pages import NavItem, page, refusal, register_nav
from belegung.limits import MAX_PAGE_SIZE
from belegung.stays import operations as stays
from belegung.winter import operations
from belegung.winter.forms import ReleaseForm, SwitchForm

bp = Blueprint("winter_pages", __name__, url_prefix="/winternothilfe")
MANAGERS = (Role.MANAGER, Role.ADMIN)
HISTORY_PAGE_SIZE = 25


def _page_number() -> int:
    value = request.args.get("seite", "1")
    return max(1, int(value)) if value.isdigit() and len(value) < 7 else 1


def _page(
    switch: SwitchForm | None = None, release: ReleaseForm | None = None, status: int = 200
) -> tuple[str, int]:
    ctx = service_ctx()
    state = operations.read_winter_emergency(ctx)
    history = operations.read_history(ctx, page=_page_number(), page_size=HISTORY_PAGE_SIZE)
    standby = [
        f
        for f in facilities.list_facilities(ctx, page=1, page_size=MAX_PAGE_SIZE).items
        if f.status == FacilityStatus.STANDBY
    ]
    # Tonight's figures list a standby facility only while it is offered.
    offered = {row.slug: row for row in stays.read_availability(ctx).facilities}
    return (
        render_template(
            "winter/index.html",
            state=state,
            history=history,
            standby=standby,
            offered=offered,
            switch=switch or SwitchForm(formdata=None),
            release=release or ReleaseForm(formdata=None),
        ),
        status,
    )


@bp.get("")
@page(*MANAGERS)
def index() -> tuple[str, int]:
    return _page()


@bp.post("/schalten")
@page(*MANAGERS)
def switch() -> Response | tuple[str, int]:
    form = SwitchForm()
    if not form.validate_on_submit():
        return _page(switch=form, status=422)
    active = form.active.data == "1"
    try:
        operations.switch_by_hand(service_ctx(), active, reason=form.reason.data or "")
    except DomainError as exc:
        refused = refusal(exc)
        form.show(refused)
        return _page(switch=form, status=refused.status)
    flash(texts.WINTER_PAGE["switched_on" if active else "switched_off"])
    return redirect(url_for("winter_pages.index"), code=303)


@bp.post("/freigeben")
@page(*MANAGERS)
def release() -> Response | tuple[str, int]:
    form = ReleaseForm()
    if not form.validate_on_submit():
        return _page(release=form, status=422)
    try:
        operations.release_to_forecast(service_ctx(), reason=form.release_reason.data or None)
    except DomainError as exc:
        refused = refusal(exc)
        form.show(refused)
        return _page(release=form, status=refused.status)
    flash(texts.WINTER_PAGE["released"])
    return redirect(url_for("winter_pages.index"), code=303)


def init_winter_pages(app: Flask) -> None:
    app.register_blueprint(bp)
    register_nav(
        app, NavItem("winter_pages.index", texts.NAV["winter"], frozenset(MANAGERS), order=45)
    )
