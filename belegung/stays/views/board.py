"""The night board of one shelter, for staff on a tablet at the door: the bed grid with
its counts (refreshing itself), and the forms behind it — check in a returning guest in
three taps, a new guest, extend, check out, move, turn away, a hold's arrival — and the
evacuation list. Every form posts, redirects (303) and shows the board again; a refusal
is shown on the same form, with the message the API gives."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from belegung import texts
from belegung.auth.permissions import Action, allowed
from belegung.context import Role
from belegung.errors import DomainError, InvalidInput
from belegung.facilities import operations as facilities
from belegung.http.context import service_ctx
from belegung.http.idempotency import idempotent
from belegung.http.pages import Refusal, page, refusal, signed_in_actor
from belegung.limits import BACKFILL_DAYS, MAX_PAGE_SIZE
from belegung.persons import operations as persons
from belegung.persons.forms import nationality_for
from belegung.persons.models import Gender, Nationality
from belegung.persons.operations import ExistingPerson, NewPerson, PersonRef
from belegung.stays import operations
from belegung.stays.board import Board
from belegung.stays.models import Stay, TurnAwayReason
from belegung.stays.views.forms import (
    ActionForm,
    CheckInForm,
    ExtendForm,
    MoveForm,
    NewGuestForm,
    SearchForm,
    TurnAwayForm,
)

bp = Blueprint("board", __name__, url_prefix="/nacht")
BOARD_ROLES = (Role.STAFF, Role.MANAGER, Role.ADMIN)
WRITERS = (Role.STAFF, Role.ADMIN)
REFRESH_SECONDS = "BELEGUNG_REFRESH_SECONDS"


def _to_board(slug: str) -> Response:
    return redirect(url_for("board.board", slug=slug), code=303)


def _arg_int(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _can_write(facility_id: int) -> bool:
    actor = signed_in_actor()
    return actor is not None and allowed(actor, Action.WRITE_STAYS, facility_id)


# --- the board ----------------------------------------------------------------------------


@bp.get("")
@page(*BOARD_ROLES)
def index() -> Response | str:
    """Staff with one shelter go straight to its board; others pick one."""
    actor = signed_in_actor()
    assert actor is not None  # noqa: S101  (page() let only signed-in users in)
    found = facilities.list_facilities(service_ctx(), page=1, page_size=MAX_PAGE_SIZE)
    shelters = [f for f in found.items if f.kind.value == "night_shelter"]
    if actor.role == Role.STAFF:
        shelters = [f for f in shelters if f.id in actor.facility_ids]
        if len(shelters) == 1:
            return redirect(url_for("board.board", slug=shelters[0].slug))
    return render_template("stays/choose.html", shelters=shelters)


def _board_page(template: str, board: Board, **context: Any) -> str:
    return render_template(
        template,
        board=board,
        can_write=_can_write(board.facility.id),
        refresh_seconds=current_app.config.get(REFRESH_SECONDS, 30),
        **context,
    )


@bp.get("/<slug>")
@page(*BOARD_ROLES)
def board(slug: str) -> str:
    return _board_page(
        "stays/board.html",
        operations.read_board(service_ctx(), slug),
        search=SearchForm(formdata=None),
        turn_away=TurnAwayForm(),
    )


@bp.get("/<slug>/evakuierung")
@page(*BOARD_ROLES)
def evacuation(slug: str) -> str:
    return _board_page("stays/evacuation.html", operations.read_board(service_ctx(), slug))


# --- check-in: search → pick → confirm ----------------------------------------------------


def _nationality(citizenship: str | None, chosen: str | None) -> Nationality | None:
    """The group to register: none with a country (it follows from it), unless another
    group was chosen as well (the operation then checks that they agree)."""
    group = nationality_for(citizenship or "", chosen or Nationality.UNKNOWN.value)
    return Nationality(group) if group is not None else None


def _flow_args() -> dict[str, Any]:
    """What the check-in flow carries from step to step: a tapped place, a hold."""
    args: dict[str, Any] = {}
    if place := request.args.get("platz"):
        args["platz"] = place[:40]
    if (hold := _arg_int("reservierung")) is not None:
        args["reservierung"] = hold
    return args


@bp.route("/<slug>/aufnahme", methods=["GET", "POST"])
@page(*WRITERS)
def search(slug: str) -> tuple[str, int]:
    """Find a returning guest by name and year of birth (tap 1: search).

    The forms post the search: a name in a URL would be written to every access log on
    the way (and kept in the browser's history). `?q=` still works for old links."""
    ctx = service_ctx()
    board = operations.read_board(ctx, slug)
    posted = request.method == "POST"
    form = SearchForm(request.form if posted else request.args)
    found = None
    status = 200
    if (posted or request.args.get("q") is not None) and form.validate():
        try:
            found = persons.search_persons(ctx, form.q.data or "", page=1, page_size=20).items
        except DomainError as exc:
            refused = refusal(exc)
            form.show(refused)
            status = refused.status
    hold = board.bed_for_hold(_flow_args().get("reservierung"))
    return (
        _board_page(
            "stays/search.html", board, form=form, found=found, flow=_flow_args(), hold=hold
        ),
        status,
    )


def _check_in_form(form: CheckInForm, preview: operations.CheckInPreview) -> None:
    tonight = service_ctx().tonight()
    form.place.choices = [("", texts.CHECK_IN["place_any"])] + [
        (p.label, p.label) for p in preview.free_places
    ]
    form.night.render_kw = {
        "min": (tonight - timedelta(days=BACKFILL_DAYS)).isoformat(),
        "max": tonight.isoformat(),
    }
    if request.method == "GET":
        form.night.data = preview.night
        form.place.data = request.args.get("platz", "")


def _checked_in(stay: Stay, converted: bool) -> Response:
    name = stay.person.name if stay.person is not None else ""
    key = "converted_notice" if converted else "checked_in_notice"
    flash(texts.BOARD[key].format(name=name, place=stay.place.label), "success")
    return _to_board(stay.facility.slug)


def _do_check_in(
    slug: str,
    person: PersonRef,
    form: CheckInForm,
    hold_id: int | None,
    confirm_new_person: bool = False,
) -> Stay:
    ctx = service_ctx()
    override = form.override_ban_reason.data or None
    if hold_id is not None:
        return operations.convert_hold(
            ctx,
            hold_id,
            operations.Conversion(
                person=person,
                nights=form.nights.data or 1,
                override_ban_reason=override,
                confirm_new_person=confirm_new_person,
            ),
        )
    return operations.check_in(
        ctx,
        operations.CheckIn(
            facility=slug,
            person=person,
            place=form.place.data or None,
            night=form.night.data,
            nights=form.nights.data,
            override_ban_reason=override,
            confirm_new_person=confirm_new_person,
        ),
    )


def _offer_next_free(form: CheckInForm, refused: Refusal, free: list[str]) -> str | None:
    """After a conflict on the asked-for place: the next free one, selected in the form
    (one more tap confirms it)."""
    if refused.code not in ("place_taken", "place_out_of_service", "emergency_place_not_offered"):
        return None
    offer = next((label for label in free if label != form.place.data), None)
    if offer is not None:
        form.place.data = offer
    return offer


@bp.route("/<slug>/aufnahme/<id:person_id>", methods=["GET", "POST"])
@page(*WRITERS)
@idempotent()
def confirm(slug: str, person_id: int) -> Response | tuple[str, int]:
    """The person's bans first, the place they get, the night; one tap checks them in
    (tap 3). A double tap or a resent form replays the first answer (idempotency key)."""
    flow = _flow_args()
    hold_id = flow.get("reservierung")
    form = CheckInForm()
    status = 200
    offer = None
    if request.method == "POST":
        if form.validate():
            try:
                stay = _do_check_in(slug, ExistingPerson(person_id), form, hold_id)
            except DomainError as exc:
                refused = refusal(exc)
                form.show(refused)
                status = refused.status
                preview = _preview(slug, person_id, flow)
                offer = _offer_next_free(form, refused, [p.label for p in preview.free_places])
                _check_in_form(form, preview)
                return _confirm_page(preview, form, offer, flow), status
            return _checked_in(stay, hold_id is not None)
        status = 422
    preview = _preview(slug, person_id, flow, night=form.night.data if status == 422 else None)
    _check_in_form(form, preview)
    return _confirm_page(preview, form, offer, flow), status


def _preview(
    slug: str, person_id: int, flow: dict[str, Any], night: date | None = None
) -> operations.CheckInPreview:
    return operations.preview_check_in(
        service_ctx(),
        slug,
        person_id,
        night=night,
        place=flow.get("platz"),
        hold_id=flow.get("reservierung"),
    )


def _confirm_page(
    preview: operations.CheckInPreview,
    form: CheckInForm,
    offer: str | None,
    flow: dict[str, Any],
) -> str:
    actor = signed_in_actor()
    return render_template(
        "stays/confirm.html",
        preview=preview,
        form=form,
        offer=offer,
        flow=flow,
        may_override=actor is not None and actor.is_manager,
        backfill_days=BACKFILL_DAYS,
    )


@bp.route("/<slug>/neu", methods=["GET", "POST"])
@page(*WRITERS)
@idempotent()
def new_guest(slug: str) -> Response | tuple[str, int]:
    """A new guest with the few fields the work needs (a name is enough)."""
    ctx = service_ctx()
    flow = _flow_args()
    hold_id = flow.get("reservierung")
    form = NewGuestForm()
    status = 200
    offer = None
    # Refused as a possible duplicate: the same form again, with the question whether it
    # is another person of the same name.
    ask_namesake = False
    if request.method == "POST":
        if form.validate():
            person = NewPerson(
                name=form.name.data or "",
                birth_year=form.birth_year.data,
                gender=Gender(form.gender.data),
                citizenship=form.citizenship.data or None,
                nationality=_nationality(form.citizenship.data, form.nationality.data),
            )
            try:
                stay = _do_check_in(slug, person, form, hold_id, bool(form.confirm_new_person.data))
            except DomainError as exc:
                refused = refusal(exc)
                form.show(refused)
                status = refused.status
                ask_namesake = refused.code == "possible_duplicate"
            else:
                return _checked_in(stay, hold_id is not None)
        else:
            status = 422
    board = operations.read_board(ctx, slug)
    free = [b.label for b in board.offered_free]
    tonight = ctx.tonight()
    form.place.choices = [("", texts.CHECK_IN["place_any"])] + [(label, label) for label in free]
    form.night.render_kw = {
        "min": (tonight - timedelta(days=BACKFILL_DAYS)).isoformat(),
        "max": tonight.isoformat(),
    }
    if request.method == "GET":
        form.night.data = tonight
        form.place.data = flow.get("platz", "")
    elif status == 409 and form.place.data:
        offer = next((label for label in free if label != form.place.data), None)
        if offer:
            form.place.data = offer
    return (
        _board_page(
            "stays/new_guest.html",
            board,
            form=form,
            flow=flow,
            offer=offer,
            ask_namesake=ask_namesake or bool(form.confirm_new_person.data),
            hold=board.bed_for_hold(hold_id),
            backfill_days=BACKFILL_DAYS,
        ),
        status,
    )


# --- a guest's stay: extend, move, check out ------------------------------------------------


def _stay_page(stay_id: int, status: int = 200, **forms: Any) -> tuple[str, int]:
    detail = operations.read_stay_detail(service_ctx(), stay_id)
    move = forms.pop("move", None) or MoveForm(formdata=None)
    move.place.choices = [(p.label, p.label) for p in detail.free_places]
    return (
        render_template(
            "stays/stay.html",
            detail=detail,
            stay=detail.stay,
            extend=forms.pop("extend", None) or ExtendForm(formdata=None),
            move=move,
            action=ActionForm(),
            error=forms.pop("error", None),
            can_write=_can_write(detail.stay.facility_id),
        ),
        status,
    )


@bp.get("/<slug>/aufenthalt/<id:stay_id>")
@page(*BOARD_ROLES)
def stay(slug: str, stay_id: int) -> tuple[str, int]:
    return _stay_page(stay_id)


@bp.post("/<slug>/aufenthalt/<id:stay_id>/verlaengern")
@page(*WRITERS)
@idempotent()
def extend(slug: str, stay_id: int) -> Response | tuple[str, int]:
    form = ExtendForm()
    if not form.validate():
        return _stay_page(stay_id, 422, extend=form)
    try:
        stay = operations.extend_stay(service_ctx(), stay_id, nights=form.nights.data or 1)
    except DomainError as exc:
        refused = refusal(exc)
        form.show(refused)
        return _stay_page(stay_id, refused.status, extend=form)
    last = (stay.end_night or stay.first_night) - timedelta(days=1)
    name = stay.person.name if stay.person else ""
    flash(texts.BOARD["extended_notice"].format(name=name, night=last.strftime("%d.%m.%Y")))
    return _to_board(slug)


@bp.post("/<slug>/aufenthalt/<id:stay_id>/verlegen")
@page(*WRITERS)
def move(slug: str, stay_id: int) -> Response | tuple[str, int]:
    form = MoveForm()
    try:
        if not form.place.data:
            raise InvalidInput(field="place", reason="reason_missing")
        stay = operations.move_stay(service_ctx(), stay_id, form.place.data)
    except DomainError as exc:
        refused = refusal(exc)
        form.show(refused)
        return _stay_page(stay_id, refused.status, move=form)
    name = stay.person.name if stay.person else ""
    flash(texts.BOARD["moved_notice"].format(name=name, place=stay.place.label))
    return _to_board(slug)


@bp.post("/<slug>/aufenthalt/<id:stay_id>/abmelden")
@page(*WRITERS)
def check_out(slug: str, stay_id: int) -> Response | tuple[str, int]:
    try:
        stay = operations.check_out(service_ctx(), stay_id)
    except DomainError as exc:
        return _stay_page(stay_id, (refused := refusal(exc)).status, error=refused.message)
    name = stay.person.name if stay.person else ""
    flash(texts.BOARD["checked_out_notice"].format(name=name, place=stay.place.label))
    return _to_board(slug)


# --- holds: the guest arrived, or the hold is released ---------------------------------------


@bp.get("/<slug>/reservierung/<id:hold_id>")
@page(*BOARD_ROLES)
def hold(slug: str, hold_id: int) -> str:
    view = operations.read_hold(service_ctx(), hold_id)
    return render_template(
        "stays/hold.html",
        view=view,
        hold=view.hold,
        slug=slug,
        action=ActionForm(),
        search=SearchForm(formdata=None),
        can_write=_can_write(view.hold.facility_id),
    )


@bp.post("/<slug>/reservierung/<id:hold_id>/freigeben")
@page(*WRITERS)
def cancel_hold(slug: str, hold_id: int) -> Response:
    view = operations.cancel_hold(service_ctx(), hold_id)
    flash(texts.BOARD["hold_cancelled_notice"].format(place=view.hold.place.label))
    return _to_board(slug)


# --- turn-aways ------------------------------------------------------------------------------


@bp.post("/<slug>/abweisung")
@page(*WRITERS)
@idempotent()
def turn_away(slug: str) -> Response | tuple[str, int]:
    form = TurnAwayForm()
    if form.validate():
        try:
            operations.record_turn_away(
                service_ctx(),
                operations.TurnAwayRequest(
                    facility=slug,
                    reason=TurnAwayReason(form.reason.data),
                    note=form.note.data or None,
                ),
            )
        except DomainError as exc:
            form.show(refusal(exc))
        else:
            flash(
                texts.BOARD["turned_away_notice"].format(
                    reason=texts.TURN_AWAY_REASONS[form.reason.data or "other"]
                )
            )
            return _to_board(slug)
    return (
        _board_page(
            "stays/board.html",
            operations.read_board(service_ctx(), slug),
            search=SearchForm(formdata=None),
            turn_away=form,
        ),
        422,
    )
