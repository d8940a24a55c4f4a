"""The managers' dashboard page, and its winter-emergency switch. Other capabilities add
their own sections (panels) and links (navigation) through http.pages' registries."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from belegung import texts
from belegung.context import Role
from belegung.dashboard.forms import WinterSwitchForm
from belegung.dashboard.operations import read_dashboard
from belegung.errors import DomainError
from belegung.http.context import service_ctx
from belegung.http.pages import NavItem, page, panels_for, refusal, register_nav, signed_in_actor
from belegung.winter import operations as winter

bp = Blueprint("dashboard", __name__, url_prefix="/leitung")
MANAGERS = (Role.MANAGER, Role.ADMIN)


def _page(form: WinterSwitchForm, status: int = 200) -> tuple[str, int]:
    ctx = service_ctx()
    dashboard = read_dashboard(ctx)
    actor = signed_in_actor()
    assert actor is not None  # noqa: S101  (a page only signed-in users reach)
    panels = [(p, p.load(ctx)) for p in panels_for(actor)]
    switched = request.args.get("winter")
    message = None
    if switched in ("an", "aus"):
        message = texts.DASHBOARD[
            "winter_switched_on" if switched == "an" else "winter_switched_off"
        ]
    return (
        render_template(
            "dashboard/index.html", d=dashboard, form=form, panels=panels, message=message
        ),
        status,
    )


@bp.get("")
@page(*MANAGERS)
def index() -> tuple[str, int]:
    return _page(WinterSwitchForm())


@bp.post("/winternothilfe")
@page(*MANAGERS)
def switch_winter() -> Response | tuple[str, int]:
    form = WinterSwitchForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    active = form.active.data == "1"
    try:
        winter.switch_by_hand(service_ctx(), active, reason=form.reason.data or "")
    except DomainError as exc:
        refused = refusal(exc)
        form.show(refused)
        return _page(form, refused.status)
    return redirect(url_for("dashboard.index", winter="an" if active else "aus"), code=303)


def init_dashboard_pages(app: Flask) -> None:
    app.register_blueprint(bp)
    register_nav(app, NavItem("dashboard.index", texts.NAV["dashboard"], frozenset(MANAGERS)))
