"""The audit log page (managers and admins): who did or looked up what, and when,
filtered by user, action, record, person and period, a page at a time. It calls
audit.operations.read_audit_log, as GET /api/v1/audit does."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, request

from belegung import texts
from belegung.audit import operations
from belegung.audit.forms import AuditFilterForm
from belegung.audit.operations import AuditFilter
from belegung.context import Role
from belegung.http.context import service_ctx
from belegung.http.pages import NavItem, page, register_nav

bp = Blueprint("audit_pages", __name__, url_prefix="/protokoll")
MANAGERS = (Role.MANAGER, Role.ADMIN)
PAGE_SIZE = 50


def _page_number() -> int:
    value = request.args.get("seite", "1")
    return max(1, int(value)) if value.isdigit() and len(value) < 7 else 1


@bp.get("")
@page(*MANAGERS)
def index() -> tuple[str, int]:
    form = AuditFilterForm(request.args)
    if not form.validate():
        return render_template("audit/index.html", form=form, found=None), 422
    which = AuditFilter(
        page=_page_number(),
        page_size=PAGE_SIZE,
        person=form.person.data,
        user=(form.user.data or "").strip() or None,
        action=(form.action.data or "").strip() or None,
        since=form.since.data,
        until=form.until.data,
        object_type=form.object_type.data or None,
        object_id=form.object_id.data,
    )
    found = operations.read_audit_log(service_ctx(), which)
    return render_template("audit/index.html", form=form, found=found), 200


def init_audit_pages(app: Flask) -> None:
    app.register_blueprint(bp)
    register_nav(
        app, NavItem("audit_pages.index", texts.NAV["audit"], frozenset(MANAGERS), order=70)
    )
