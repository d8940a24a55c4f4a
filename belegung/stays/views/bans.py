"""House bans for managers: the active bans per shelter, and letting a banned person in
for a night or more (an override, logged with its reason), so that staff can then check
them in."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from belegung import texts
from belegung.context import Role
from belegung.errors import DomainError
from belegung.facilities import operations as facilities
from belegung.facilities.models import FacilityKind
from belegung.http.context import service_ctx
from belegung.http.idempotency import idempotent
from belegung.http.pages import page, refusal
from belegung.limits import MAX_PAGE_SIZE
from belegung.stays import operations
from belegung.stays.views.forms import OverrideForm

bp = Blueprint("bans", __name__, url_prefix="/hausverbote")
BAN_ROLES = (Role.MANAGER, Role.ADMIN)


def _form(ban_id: int, formdata: bool = True) -> OverrideForm:
    # One form per ban on the page: prefixed, so that labels and ids stay unique.
    if formdata:
        return OverrideForm(prefix=f"ban{ban_id}")
    return OverrideForm(prefix=f"ban{ban_id}", formdata=None)


def _page(failed: OverrideForm | None = None, status: int = 200) -> tuple[str, int]:
    ctx = service_ctx()
    shelters = [
        f
        for f in facilities.list_facilities(ctx, page=1, page_size=MAX_PAGE_SIZE).items
        if f.kind == FacilityKind.NIGHT_SHELTER
    ]
    slug = request.args.get("einrichtung") or (shelters[0].slug if shelters else None)
    found = (
        operations.list_bans(
            ctx,
            operations.BanFilter(
                page=1, page_size=MAX_PAGE_SIZE, facility=slug, active_on=ctx.tonight()
            ),
        ).items
        if slug
        else []
    )
    return (
        render_template(
            "stays/bans.html",
            shelters=shelters,
            slug=slug,
            bans=[
                (
                    ban,
                    failed
                    if failed and failed._prefix == f"ban{ban.id}-"
                    else _form(ban.id, False),
                )
                for ban in found
            ],
        ),
        status,
    )


@bp.get("")
@page(*BAN_ROLES)
def index() -> tuple[str, int]:
    return _page()


@bp.post("/<id:ban_id>/freigabe")
@page(*BAN_ROLES)
@idempotent()
def override(ban_id: int) -> Response | tuple[str, int]:
    form = _form(ban_id)
    if not form.validate():
        return _page(form, 422)
    try:
        operations.override_ban(
            service_ctx(), ban_id, reason=form.reason.data or "", nights=form.nights.data or 1
        )
    except DomainError as exc:
        refused = refusal(exc)
        form.show(refused)
        return _page(form, refused.status)
    flash(texts.BANS_PAGE["overridden_notice"].format(nights=form.nights.data))
    return redirect(url_for("bans.index", einrichtung=request.args.get("einrichtung")), code=303)
