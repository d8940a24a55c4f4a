"""Administration pages for facilities (including `standby` and their status), places and
out-of-service periods. Each view calls one operation of facilities.operations."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from belegung import texts
from belegung.context import Role
from belegung.errors import DomainError
from belegung.facilities import operations
from belegung.facilities.forms import (
    ActionForm,
    FacilityForm,
    NewFacilityForm,
    OutOfServiceForm,
    PlaceForm,
)
from belegung.http.context import service_ctx
from belegung.http.idempotency import idempotent
from belegung.http.pages import NavItem, page, refusal, register_nav
from belegung.limits import MAX_PAGE_SIZE

bp = Blueprint("facility_admin", __name__, url_prefix="/admin/einrichtungen")
ADMIN = Role.ADMIN


@bp.get("")
@page(ADMIN)
def index() -> str:
    found = operations.list_facilities(service_ctx(), page=1, page_size=MAX_PAGE_SIZE)
    return render_template("facilities/index.html", facilities=found.items)


@bp.route("/neu", methods=["GET", "POST"])
@page(ADMIN)
def new() -> Response | tuple[str, int]:
    form = NewFacilityForm()
    status = 200
    if form.validate_on_submit():
        try:
            facility = operations.create_facility(
                service_ctx(), (form.slug.data or "").strip(), form.fields_for_service()
            )
        except DomainError as exc:
            refused = refusal(exc)
            form.show(refused)
            status = refused.status
        else:
            flash(texts.ADMIN["created"])
            return redirect(url_for("facility_admin.edit", slug=facility.slug), code=303)
    elif form.is_submitted():
        status = 422
    return render_template("facilities/edit.html", form=form, facility=None), status


@bp.route("/<slug>", methods=["GET", "POST"])
@page(ADMIN)
def edit(slug: str) -> Response | tuple[str, int]:
    facility = operations.read_facility(service_ctx(), slug)
    form = FacilityForm(obj=None if request.method == "POST" else facility)
    if request.method == "GET":
        form.welfare_association.data = (
            facility.welfare_association.value if facility.welfare_association else ""
        )
    status = 200
    if form.validate_on_submit():
        try:
            operations.update_facility(service_ctx(), slug, form.fields_for_service())
        except DomainError as exc:
            refused = refusal(exc)
            form.show(refused)
            status = refused.status
            facility = operations.read_facility(service_ctx(), slug)
        else:
            flash(texts.ADMIN["saved"])
            return redirect(url_for("facility_admin.edit", slug=slug), code=303)
    elif form.is_submitted():
        status = 422
    return render_template("facilities/edit.html", form=form, facility=facility), status


def _places_page(
    slug: str,
    place_form: PlaceForm | None = None,
    period_form: OutOfServiceForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    ctx = service_ctx()
    facility = operations.read_facility(ctx, slug)
    places = operations.list_places(ctx, slug, page=1, page_size=MAX_PAGE_SIZE * 20)
    periods = operations.list_out_of_service(
        ctx, facility=slug, page=1, page_size=MAX_PAGE_SIZE
    ).items
    tonight = ctx.tonight()
    current = [p for p in periods if p.end_night is None or p.end_night > tonight]
    period_form = period_form or OutOfServiceForm(formdata=None)
    period_form.place.choices = [(p.label, p.label) for p in places.items]
    return (
        render_template(
            "facilities/places.html",
            facility=facility,
            places=places.items,
            periods=current,
            place_form=place_form or PlaceForm(formdata=None),
            period_form=period_form,
            action=ActionForm(),
        ),
        status,
    )


@bp.get("/<slug>/plaetze")
@page(ADMIN)
def places(slug: str) -> tuple[str, int]:
    return _places_page(slug)


@bp.post("/<slug>/plaetze")
@page(ADMIN)
@idempotent()
def add_place(slug: str) -> Response | tuple[str, int]:
    form = PlaceForm()
    if not form.validate():
        return _places_page(slug, place_form=form, status=422)
    try:
        operations.add_place(
            service_ctx(),
            slug,
            form.label.data or "",
            emergency=bool(form.emergency.data),
            unit_label=form.unit.data or None,
        )
    except DomainError as exc:
        refused = refusal(exc)
        form.show(refused)
        return _places_page(slug, place_form=form, status=refused.status)
    flash(texts.ADMIN["created"])
    return redirect(url_for("facility_admin.places", slug=slug), code=303)


@bp.post("/<slug>/ausser-betrieb")
@page(ADMIN)
@idempotent()
def take_out(slug: str) -> Response | tuple[str, int]:
    form = OutOfServiceForm()
    form.place.choices = [(request.form.get("place", ""), "")]
    if not form.validate():
        return _places_page(slug, period_form=form, status=422)
    try:
        operations.take_out_of_service(
            service_ctx(),
            slug,
            form.place.data or "",
            reason=form.reason.data or "",
            first_night=form.first_night.data,
            end_night=form.end_night.data,
        )
    except DomainError as exc:
        refused = refusal(exc)
        form.show(refused)
        return _places_page(slug, period_form=form, status=refused.status)
    flash(texts.ADMIN["saved"])
    return redirect(url_for("facility_admin.places", slug=slug), code=303)


@bp.post("/<slug>/ausser-betrieb/<id:period_id>/ende")
@page(ADMIN)
def return_to_service(slug: str, period_id: int) -> Response:
    operations.return_to_service(service_ctx(), period_id)
    flash(texts.ADMIN["saved"])
    return redirect(url_for("facility_admin.places", slug=slug), code=303)


def init_facility_pages(app: Flask) -> None:
    app.register_blueprint(bp)
    register_nav(
        app,
        NavItem(
            "facility_admin.index",
            texts.NAV["facilities"],
            frozenset({Role.ADMIN}),
            section="admin",
            order=10,
            description=texts.NAV["facilities_description"],
        ),
    )
