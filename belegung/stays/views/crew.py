"""The crews' phone page (outreach): free beds per shelter and target group with the time
of the figures, holding a bed for someone on the way, their own live holds. Made for one
thumb at 390×844."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from belegung import texts
from belegung.context import Role
from belegung.errors import DomainError
from belegung.facilities.models import FacilityKind
from belegung.http.context import service_ctx
from belegung.http.idempotency import idempotent
from belegung.http.pages import page, refusal
from belegung.stays import operations
from belegung.stays.models import StayStatus
from belegung.stays.views.forms import ActionForm, HoldForm

bp = Blueprint("crew", __name__, url_prefix="/unterwegs")
CREW_ROLES = (Role.OUTREACH, Role.ADMIN)


def _page(form: HoldForm | None = None, status: int = 200) -> tuple[str, int]:
    ctx = service_ctx()
    figures = operations.read_availability(ctx, kind=FacilityKind.NIGHT_SHELTER)
    holds = operations.list_holds(ctx, operations.ListFilter(page=1, page_size=50))
    live = [h for h in holds.items if h.status == StayStatus.HELD]
    form = form or HoldForm()
    form.facility.choices = [(f.slug, f.name) for f in figures.facilities]
    return (
        render_template(
            "stays/crew.html",
            figures=figures,
            holds=live,
            form=form,
            action=ActionForm(),
            refresh_seconds=current_app.config.get("BELEGUNG_REFRESH_SECONDS", 30),
        ),
        status,
    )


@bp.get("")
@page(*CREW_ROLES)
def index() -> tuple[str, int]:
    return _page()


@bp.post("/reservieren")
@page(*CREW_ROLES)
@idempotent()
def hold() -> Response | tuple[str, int]:
    form = HoldForm()
    figures = operations.read_availability(service_ctx(), kind=FacilityKind.NIGHT_SHELTER)
    form.facility.choices = [(f.slug, f.name) for f in figures.facilities]
    if not form.validate():
        return _page(form, 422)
    try:
        view = operations.create_hold(
            service_ctx(),
            operations.HoldRequest(
                facility=form.facility.data or "",
                note=form.note.data or None,
                minutes=form.minutes.data,
            ),
        )
    except DomainError as exc:
        refused = refusal(exc)
        form.show(refused)
        return _page(form, refused.status)
    tz = service_ctx().calendar.timezone
    expires = view.hold.hold_expires_at
    flash(
        texts.PHONE["held_notice"].format(
            place=view.hold.place.label,
            facility=view.hold.facility.name,
            time=expires.astimezone(tz).strftime("%H:%M") if expires else "–",
        )
    )
    return redirect(url_for("crew.index"), code=303)


@bp.post("/reservierung/<id:hold_id>/freigeben")
@page(*CREW_ROLES)
def cancel(hold_id: int) -> Response:
    operations.cancel_hold(service_ctx(), hold_id)
    flash(texts.PHONE["cancelled_notice"])
    return redirect(url_for("crew.index"), code=303)
