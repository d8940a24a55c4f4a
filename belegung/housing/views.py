"""The housing officers' pages (German): the apartment list with filters, one apartment
with its household and history, the vacancy search, the household form with the
move-in, move-out, blocking, the import with its dry-run report, and a board of the
apartments against the coming weeks. Each view calls one operation of housing.operations."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO, cast

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from belegung import texts
from belegung.context import Role
from belegung.errors import DomainError
from belegung.housing import operations
from belegung.housing.exports import figures_workbook
from belegung.housing.models import ApartmentStatus, Outcome
from belegung.housing.operations import (
    ApartmentFilter,
    BlockRequest,
    HouseholdRequest,
    MoveOutRequest,
    MoveRequest,
    PlacementRequest,
    VacancyQuery,
)
from belegung.http.context import service_ctx
from belegung.http.idempotency import idempotent
from belegung.http.pages import NavItem, page, refusal, register_nav
from belegung.limits import BOARD_WEEKS_MAX, HOUSEHOLD_MEMBERS_MAX, MAX_PAGE_SIZE
from belegung.persons.models import Gender, HouseholdType
from belegung.persons.operations import NewPerson

bp = Blueprint("housing_pages", __name__, url_prefix="/wohnungen")
ROLES = (Role.HOUSING, Role.MANAGER, Role.ADMIN)
# Member rows the household form shows (more are added by sending it with "more").
MEMBER_ROWS = 6


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _key() -> str:
    return uuid.uuid4().hex


# --- the apartment list ---------------------------------------------------------------------


@bp.get("")
@page(*ROLES)
def index() -> str:
    args = request.args
    status = args.get("status") or None
    occupied = {"ja": True, "nein": False}.get(args.get("belegt", ""))
    which = ApartmentFilter(
        status=ApartmentStatus(status) if status in set(ApartmentStatus) else None,
        district=args.get("bezirk") or None,
        q=(args.get("q") or "").strip()[:100] or None,
        occupied=occupied,
        page=max(1, _int(args.get("seite"), 1) or 1),
        page_size=50,
    )
    ctx = service_ctx()
    found = operations.list_apartments(ctx, which)
    return render_template(
        "housing/index.html",
        found=found,
        which=which,
        districts=operations.districts(ctx),
        args=args,
        pages=(found.total + found.page_size - 1) // found.page_size,
    )


# --- one apartment ----------------------------------------------------------------------------


def _apartment_page(apartment_id: int, status: int = 200, **forms: Any) -> tuple[str, int]:
    ctx = service_ctx()
    view = operations.read_apartment(ctx, apartment_id)
    return (
        render_template(
            "housing/apartment.html",
            view=view,
            today=ctx.tonight(),
            outcomes=list(Outcome),
            errors=forms,
            key=_key(),
        ),
        status,
    )


@bp.get("/<id:apartment_id>")
@page(*ROLES)
def apartment(apartment_id: int) -> tuple[str, int]:
    return _apartment_page(apartment_id)


@bp.post("/<id:apartment_id>/sperren")
@page(*ROLES)
def block(apartment_id: int) -> Response | tuple[str, int]:
    form = request.form
    try:
        operations.block(
            service_ctx(),
            apartment_id,
            BlockRequest(
                reason=form.get("reason", ""),
                from_=_date(form.get("from")),
                until=_date(form.get("until")),
            ),
        )
    except DomainError as exc:
        refused = refusal(exc)
        return _apartment_page(apartment_id, refused.status, block=refused.message)
    flash(texts.HOUSING_PAGES["blocked"])
    return redirect(url_for("housing_pages.apartment", apartment_id=apartment_id), code=303)


@bp.post("/<id:apartment_id>/entsperren")
@page(*ROLES)
def unblock(apartment_id: int) -> Response | tuple[str, int]:
    try:
        operations.unblock(service_ctx(), apartment_id)
    except DomainError as exc:
        refused = refusal(exc)
        return _apartment_page(apartment_id, refused.status, block=refused.message)
    flash(texts.HOUSING_PAGES["unblocked"])
    return redirect(url_for("housing_pages.apartment", apartment_id=apartment_id), code=303)


@bp.post("/belegung/<id:placement_id>/auszug")
@page(*ROLES)
@idempotent()
def move_out(placement_id: int) -> Response | tuple[str, int]:
    form = request.form
    ctx = service_ctx()
    placement = operations.read_placement(ctx, placement_id)
    apartment_id = placement.apartment_id
    try:
        outcome = Outcome(form.get("outcome", ""))
    except ValueError:
        return _apartment_page(apartment_id, 422, move_out=texts.HOUSING_PAGES["outcome_missing"])
    try:
        operations.move_out(
            ctx, placement_id, MoveOutRequest(outcome=outcome, date=_date(form.get("date")))
        )
    except DomainError as exc:
        refused = refusal(exc)
        return _apartment_page(apartment_id, refused.status, move_out=refused.message)
    flash(texts.HOUSING_PAGES["moved_out"])
    return redirect(url_for("housing_pages.apartment", apartment_id=apartment_id), code=303)


@bp.post("/belegung/<id:placement_id>/umzug")
@page(*ROLES)
@idempotent()
def move(placement_id: int) -> Response | tuple[str, int]:
    form = request.form
    ctx = service_ctx()
    placement = operations.read_placement(ctx, placement_id)
    apartment_id = placement.apartment_id
    target = operations.apartment_by_number(ctx, form.get("number", ""))
    try:
        if target is None:
            return _apartment_page(apartment_id, 404, move=texts.HOUSING_PAGES["unknown_number"])
        new = operations.move(
            ctx, placement_id, MoveRequest(apartment=target, date=_date(form.get("date")))
        )
    except DomainError as exc:
        refused = refusal(exc)
        return _apartment_page(apartment_id, refused.status, move=refused.message)
    flash(texts.HOUSING_PAGES["moved"])
    return redirect(url_for("housing_pages.apartment", apartment_id=new.apartment_id), code=303)


# --- the vacancy search ---------------------------------------------------------------------


@bp.get("/suche")
@page(*ROLES)
def vacancies() -> tuple[str, int]:
    args = request.args
    size = _int(args.get("groesse"))
    matches = None
    error = None
    min_rooms: Decimal | None = None
    if args.get("zimmer"):
        try:
            min_rooms = Decimal(args["zimmer"].replace(",", "."))
        except InvalidOperation:
            error = texts.HOUSING_PAGES["bad_rooms"]
    if size is not None and error is None:
        if not 1 <= size <= HOUSEHOLD_MEMBERS_MAX:
            error = texts.HOUSING_PAGES["bad_size"].format(max=HOUSEHOLD_MEMBERS_MAX)
        else:
            matches = operations.search_vacancies(
                service_ctx(),
                VacancyQuery(
                    size=size,
                    from_=_date(args.get("ab")),
                    step_free=args.get("barrierefrei") == "ja",
                    district=args.get("bezirk") or None,
                    min_rooms=min_rooms,
                    explain=args.get("gruende") == "ja",
                ),
            )
    return (
        render_template(
            "housing/vacancies.html",
            matches=matches,
            args=args,
            error=error,
            districts=operations.districts(service_ctx()),
            today=service_ctx().tonight(),
        ),
        422 if error else 200,
    )


# --- households -----------------------------------------------------------------------------


def _members(form: Any) -> list[NewPerson]:
    members = []
    for i in range(HOUSEHOLD_MEMBERS_MAX):
        name = " ".join(form.get(f"name-{i}", "").split())
        if not name:
            continue
        gender = form.get(f"gender-{i}", "unknown")
        members.append(
            NewPerson(
                name=name,
                birth_year=_int(form.get(f"birth_year-{i}")),
                gender=Gender(gender) if gender in set(Gender) else Gender.UNKNOWN,
            )
        )
    return members


def _household_form(status: int = 200, error: str | None = None) -> tuple[str, int]:
    args = request.form if request.method == "POST" else request.args
    apartment_id = _int(args.get("apartment"))
    ctx = service_ctx()
    apartment = operations.read_apartment(ctx, apartment_id) if apartment_id else None
    size = _int(args.get("size"), 0) or 0
    rows = max(MEMBER_ROWS, size, sum(1 for k in args if k.startswith("name-") and args[k]))
    return (
        render_template(
            "housing/household_form.html",
            apartment=apartment,
            args=args,
            rows=min(rows, HOUSEHOLD_MEMBERS_MAX),
            types=list(HouseholdType),
            genders=list(Gender),
            error=error,
            key=args.get("idempotency_key") or _key(),
            today=ctx.tonight(),
        ),
        status,
    )


@bp.get("/haushalt/neu")
@page(*ROLES)
def household_new() -> tuple[str, int]:
    return _household_form()


@bp.post("/haushalt/neu")
@page(*ROLES)
@idempotent()
def household_create() -> Response | tuple[str, int]:
    form = request.form
    type_ = form.get("type", "")
    if type_ not in set(HouseholdType):
        return _household_form(422, texts.HOUSING_PAGES["type_missing"])
    members = _members(form)
    if not members:
        return _household_form(422, texts.HOUSING_PAGES["members_missing"])
    ctx = service_ctx()
    try:
        household = operations.create_household(
            ctx,
            HouseholdRequest(
                type=HouseholdType(type_),
                members=list(members),
                note=form.get("note") or None,
            ),
        )
        apartment_id = _int(form.get("apartment"))
        if apartment_id:
            operations.place_household(
                ctx,
                PlacementRequest(
                    household=household.id, apartment=apartment_id, from_=_date(form.get("from"))
                ),
            )
    except DomainError as exc:
        return _household_form(refusal(exc).status, refusal(exc).message)
    if apartment_id:
        flash(texts.HOUSING_PAGES["moved_in"])
        return redirect(url_for("housing_pages.apartment", apartment_id=apartment_id), code=303)
    flash(texts.HOUSING_PAGES["household_created"])
    return redirect(url_for("housing_pages.household", household_id=household.id), code=303)


@bp.get("/haushalte/<id:household_id>")
@page(*ROLES)
def household(household_id: int) -> str:
    ctx = service_ctx()
    return render_template(
        "housing/household.html",
        view=operations.read_household(ctx, household_id),
        today=ctx.tonight(),
        key=_key(),
    )


@bp.post("/haushalte/<id:household_id>/einzug")
@page(*ROLES)
@idempotent()
def household_move_in(household_id: int) -> Response:
    ctx = service_ctx()
    target = operations.apartment_by_number(ctx, request.form.get("number", ""))
    try:
        if target is None:
            flash(texts.HOUSING_PAGES["unknown_number"], "error")
            return redirect(url_for("housing_pages.household", household_id=household_id))
        operations.place_household(
            ctx,
            PlacementRequest(
                household=household_id, apartment=target, from_=_date(request.form.get("from"))
            ),
        )
    except DomainError as exc:
        flash(refusal(exc).message, "error")
        return redirect(url_for("housing_pages.household", household_id=household_id), code=303)
    flash(texts.HOUSING_PAGES["moved_in"])
    return redirect(url_for("housing_pages.apartment", apartment_id=target), code=303)


# --- the import -----------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@page(*ROLES)
@idempotent()
def upload() -> tuple[str, int]:
    result = None
    status = 200
    if request.method == "POST":
        file = request.files.get("file")
        dry_run = request.form.get("dry_run") == "ja"
        try:
            result = operations.import_file(
                service_ctx(),
                None if file is None or not file.filename else cast(BinaryIO, file.stream),
                file.filename or "" if file is not None else "",
                dry_run=dry_run,
            )
        except DomainError as exc:
            refused = refusal(exc)
            flash(refused.message, "error")
            status = refused.status
        finally:
            if file is not None:
                file.close()
        if result is not None and result.errors:
            status = 422
    return render_template("housing/import.html", result=result, key=_key()), status


# --- the figures ----------------------------------------------------------------------------


@bp.get("/zahlen")
@page(*ROLES)
def figures() -> str:
    months = min(max(_int(request.args.get("monate"), 12) or 12, 1), 120)
    return render_template(
        "housing/figures.html",
        figures=operations.figures(service_ctx(), _date(request.args.get("datum")), months),
        months=months,
    )


@bp.get("/zahlen.xlsx")
@page(*ROLES)
def figures_xlsx() -> Response:
    months = min(max(_int(request.args.get("monate"), 12) or 12, 1), 120)
    result = operations.figures(service_ctx(), _date(request.args.get("datum")), months)
    return Response(
        figures_workbook(result),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="wohnraum-{result.day.isoformat()}.xlsx"'
        },
    )


# --- the board ------------------------------------------------------------------------------


@bp.get("/plan")
@page(*ROLES)
def board() -> str:
    args = request.args
    weeks = min(max(_int(args.get("wochen"), 8) or 8, 1), BOARD_WEEKS_MAX)
    which = ApartmentFilter(
        district=args.get("bezirk") or None,
        q=(args.get("q") or "").strip()[:100] or None,
        page=1,
        page_size=MAX_PAGE_SIZE * 5,
    )
    ctx = service_ctx()
    return render_template(
        "housing/board.html",
        board=operations.board(ctx, weeks, which),
        args=args,
        weeks=weeks,
        districts=operations.districts(ctx),
    )


def init_housing_pages(app: Flask) -> None:
    app.register_blueprint(bp)
    register_nav(
        app,
        NavItem("housing_pages.index", texts.NAV["housing"], frozenset(ROLES), order=50),
    )
