"""JSON routes for availability, stays, holds, turn-aways and house bans."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app

from belegung import settings_of
from belegung.api import ApiBlueprint, current_actor, paginate, require, responds, service_ctx
from belegung.audit.service import record
from belegung.auth.models import Role
from belegung.auth.permissions import Action, allowed, visible_facility_ids
from belegung.context import ServiceContext
from belegung.errors import Forbidden
from belegung.extensions import session
from belegung.facilities.models import Facility
from belegung.facilities.service import get_facility
from belegung.persons.models import Person
from belegung.persons.service import create_person, person_for
from belegung.schemas import page_of
from belegung.stays import service
from belegung.stays.availability import availability
from belegung.stays.models import BanOverride, HouseBan, Stay, TurnAway
from belegung.stays.schemas import (
    AvailabilityQuerySchema,
    AvailabilitySchema,
    BanCreateSchema,
    BanLiftSchema,
    BanOverrideCreateSchema,
    BanOverrideSchema,
    BanQuerySchema,
    BanSchema,
    CheckInSchema,
    ConvertSchema,
    ExtendSchema,
    HoldCreateSchema,
    HoldQuerySchema,
    HoldSchema,
    StayQuerySchema,
    StaySchema,
    TurnAwayCreateSchema,
    TurnAwayQuerySchema,
    TurnAwaySchema,
)

blp = ApiBlueprint(
    "stays",
    __name__,
    url_prefix="/api/v1",
    description="Freie Plätze, Aufnahmen, Reservierungen, Abweisungen und Hausverbote",
)

AVAILABILITY_EXAMPLE = {
    "night": "2026-01-15",
    "as_of": "2026-01-15T22:41:07+01:00",
    "winter_emergency": False,
    "facilities": [
        {
            "slug": "nortkirchenstrasse",
            "name": "Frauenübernachtungsstelle Nortkirchenstraße",
            "kind": "night_shelter",
            "target_group": "women",
            "capacity": 50,
            "emergency_capacity": 4,
            "out_of_service": 0,
            "occupied": 47,
            "held": 1,
            "free": 2,
            "free_emergency": 4,
        }
    ],
    "totals": {
        "capacity": 50,
        "emergency_capacity": 4,
        "out_of_service": 0,
        "occupied": 47,
        "held": 1,
        "free": 2,
        "free_emergency": 4,
    },
}
CHECK_IN_EXAMPLE = {
    "facility": "unionstrasse",
    "person": {"name": "Thomas K.", "birth_year": 1971, "gender": "m", "nationality": "german"},
}
STAY_EXAMPLE = {
    "id": 4711,
    "facility": "unionstrasse",
    "place": "17",
    "person": {
        "id": 815,
        "name": "Thomas K.",
        "birth_year": 1971,
        "gender": "m",
        "nationality": "german",
        "household_type": "single",
        "household_size": 1,
    },
    "first_night": "2026-01-15",
    "nights": 1,
    "end_night": "2026-01-16",
    "status": "checked_in",
    "checked_in_at": "2026-01-15T21:12:40+00:00",
    "checked_out_at": None,
}


# --- helpers ----------------------------------------------------------------------------


def _facility(slug: str, action: Action) -> Facility:
    facility = get_facility(session(), slug)
    require(action, facility.id)
    return facility


def _scope(args: dict[str, Any], action: Action) -> Iterable[int] | None:
    """The facilities a list may show: the one asked for (if allowed), else all the
    caller may see."""
    require(action)
    if "facility" in args:
        return [_facility(args["facility"], action).id]
    return visible_facility_ids(current_actor(), action)


def _person(ctx: ServiceContext, ref: dict[str, Any]) -> Person:
    """An existing person by id, or a new one (which needs the right to create persons)."""
    if "id" in ref:
        require(Action.READ_PERSONS)
        return person_for(ctx, ref["id"])
    require(Action.WRITE_PERSONS)
    return create_person(ctx, **ref)


def _stay(stay_id: int, action: Action) -> Stay:
    stay = service.get_stay(session(), stay_id)
    require(action, stay.facility_id)
    return stay


def _hold(hold_id: int, action: Action) -> Stay:
    hold = service.get_hold(session(), hold_id)
    actor = require(action, hold.facility_id)
    # Outreach crews see and cancel the holds they made themselves.
    if actor.role == Role.OUTREACH and hold.created_by_id != actor.user_id:
        raise Forbidden()
    return hold


def _audit_person_lookup(page: dict[str, Any], args: dict[str, Any], action: str) -> Any:
    """A list asked for one person's records is a look-up of that person: audited with
    the records shown (DESIGN.md, Audit). Lists of a night or facility are the shelter's
    daily work and are not."""
    if "person" in args:
        ids = [item.id for item in page["items"]]
        record(service_ctx(), action, "person", args["person"], ids=ids)
    return page


def _with_status(ctx: ServiceContext, holds: Iterable[Stay]) -> None:
    now = ctx.now()
    for hold in holds:
        hold.effective_status = service.hold_status(hold, now)  # type: ignore[attr-defined]


# --- availability -----------------------------------------------------------------------


@blp.get("/availability")
@blp.arguments(AvailabilityQuerySchema, location="query")
@blp.response(200, AvailabilitySchema, example=AVAILABILITY_EXAMPLE)
@responds(blp, 403, 422)
def get_availability(args: dict[str, Any]) -> Any:
    """Free places per facility for a night (default tonight), with totals.

    Emergency places (`free_emergency`) are given once a facility's regular places are
    taken, or at once while a winter emergency is active. Standby facilities appear only
    during a winter emergency.
    """
    require(Action.READ_AVAILABILITY)
    ctx = service_ctx()
    return availability(
        session(),
        args.get("night") or ctx.tonight(),
        ctx.now().astimezone(settings_of(current_app).timezone),
        target_group=args.get("target_group"),
        kind=args.get("kind"),
    )


# --- stays --------------------------------------------------------------------------------


@blp.get("/stays")
@blp.arguments(StayQuerySchema, location="query")
@blp.response(200, page_of(StaySchema))
@responds(blp, 403, 404, 422)
def list_stays(args: dict[str, Any]) -> dict[str, Any]:
    """Stays, newest first; by facility, night (stays covering it) or person."""
    facility_ids = _scope(args, Action.READ_STAYS)
    stmt = service.stays_query(
        facility_ids=facility_ids, night=args.get("night"), person_id=args.get("person")
    )
    return _audit_person_lookup(paginate(stmt, args), args, "person.stays_read")


@blp.post("/stays")
@blp.arguments(CheckInSchema, example=CHECK_IN_EXAMPLE)
@blp.response(201, StaySchema, example=STAY_EXAMPLE)
@responds(blp, 403, 404, 409, 422)
def check_in(body: dict[str, Any]) -> Stay:
    """Check a person in (`person` is `{"id": …}` or a new person).

    Errors: 409 `no_free_place`, `place_taken`, `place_out_of_service`,
    `emergency_place_not_offered`, `already_checked_in`, `facility_not_offering`;
    403 `banned` (let in only past a manager's override: POST /bans/{id}/override);
    422 `wrong_target_group`.
    """
    facility = _facility(body["facility"], Action.WRITE_STAYS)
    ctx = service_ctx()
    person = _person(ctx, body["person"])
    return service.check_in(
        ctx,
        facility,
        person,
        place_label=body.get("place"),
        night=body.get("night"),
        nights=body.get("nights"),
        override_ban_reason=body.get("override_ban_reason"),
    )


@blp.get("/stays/<id:stay_id>")
@blp.response(200, StaySchema)
@responds(blp, 403, 404)
def get_stay(stay_id: int) -> Stay:
    stay = _stay(stay_id, Action.READ_STAYS)
    record(service_ctx(), "stay.read", "stay", stay.id, facility_id=stay.facility_id)
    return stay


@blp.post("/stays/<id:stay_id>/extend")
@blp.arguments(ExtendSchema)
@blp.response(200, StaySchema)
@responds(blp, 403, 404, 409, 422)
def extend_stay(body: dict[str, Any], stay_id: int) -> Stay:
    """Add nights on the same place (409 `place_taken` if it is booked later;
    409 `invalid_state` if the stay ended before tonight: check the guest in anew)."""
    _stay(stay_id, Action.WRITE_STAYS)
    return service.extend_stay(
        service_ctx(),
        stay_id,
        nights=body["nights"],
        override_ban_reason=body.get("override_ban_reason"),
    )


@blp.post("/stays/<id:stay_id>/checkout")
@blp.response(200, StaySchema)
@responds(blp, 403, 404, 409)
def check_out(stay_id: int) -> Stay:
    """End the stay with the night the guest leaves in.

    From midnight to the day boundary (12:00) the current night counts as slept; from
    the day boundary to midnight it does not, and the place is free tonight. A guest who
    leaves in the evening of their first night used no night: the stay is `cancelled`.
    409 `invalid_state` if the stay is not checked in or has not begun.
    """
    _stay(stay_id, Action.WRITE_STAYS)
    return service.check_out(service_ctx(), stay_id)


# --- holds --------------------------------------------------------------------------------


@blp.get("/holds")
@blp.arguments(HoldQuerySchema, location="query")
@blp.response(200, page_of(HoldSchema))
@responds(blp, 403, 404, 422)
def list_holds(args: dict[str, Any]) -> dict[str, Any]:
    """Holds, newest first (outreach crews see their own)."""
    facility_ids = _scope(args, Action.READ_HOLDS)
    actor = current_actor()
    own = actor.user_id if actor.role == Role.OUTREACH else None
    page = paginate(
        service.holds_query(facility_ids=facility_ids, night=args.get("night"), created_by_id=own),
        args,
    )
    _with_status(service_ctx(), page["items"])
    return page


@blp.post("/holds")
@blp.arguments(HoldCreateSchema)
@blp.response(201, HoldSchema)
@responds(blp, 403, 404, 409, 422)
def create_hold(body: dict[str, Any]) -> Stay:
    """Hold a place for someone on the way (default 60 minutes, at most 180).

    The hold is for the night in which it runs out. One caller holds at most
    `BELEGUNG_HOLDS_PER_USER` places at once (default 5): 409 `hold_limit`.
    """
    facility = _facility(body["facility"], Action.WRITE_HOLDS)
    ctx = service_ctx()
    hold = service.create_hold(
        ctx,
        facility,
        note=body.get("note"),
        minutes=body.get("minutes"),
        place_label=body.get("place"),
    )
    _with_status(ctx, [hold])
    return hold


@blp.get("/holds/<id:hold_id>")
@blp.response(200, HoldSchema)
@responds(blp, 403, 404)
def get_hold(hold_id: int) -> Stay:
    hold = _hold(hold_id, Action.READ_HOLDS)
    _with_status(service_ctx(), [hold])
    return hold


@blp.post("/holds/<id:hold_id>/convert")
@blp.arguments(ConvertSchema)
@blp.response(201, StaySchema)
@responds(blp, 403, 404, 409, 422)
def convert_hold(body: dict[str, Any], hold_id: int) -> Stay:
    """The person arrived: the hold becomes their stay (409 `hold_expired` if too late)."""
    _hold(hold_id, Action.WRITE_STAYS)
    ctx = service_ctx()
    return service.convert_hold(
        ctx,
        hold_id,
        _person(ctx, body["person"]),
        nights=body["nights"],
        override_ban_reason=body.get("override_ban_reason"),
    )


@blp.delete("/holds/<id:hold_id>")
@blp.response(200, HoldSchema)
@responds(blp, 403, 404, 409)
def cancel_hold(hold_id: int) -> Stay:
    """Release a hold; its place is free again."""
    _hold(hold_id, Action.WRITE_HOLDS)
    ctx = service_ctx()
    hold = service.cancel_hold(ctx, hold_id)
    _with_status(ctx, [hold])
    return hold


# --- turn-aways ---------------------------------------------------------------------------


@blp.get("/turnaways")
@blp.arguments(TurnAwayQuerySchema, location="query")
@blp.response(200, page_of(TurnAwaySchema))
@responds(blp, 403, 404, 422)
def list_turn_aways(args: dict[str, Any]) -> dict[str, Any]:
    facility_ids = _scope(args, Action.READ_TURN_AWAYS)
    return paginate(
        service.turn_aways_query(facility_ids=facility_ids, night=args.get("night")), args
    )


@blp.post("/turnaways")
@blp.arguments(TurnAwayCreateSchema)
@blp.response(201, TurnAwaySchema)
@responds(blp, 403, 404, 422)
def record_turn_away(body: dict[str, Any]) -> TurnAway:
    """Record that someone could not be taken in tonight, and why."""
    facility = _facility(body["facility"], Action.WRITE_TURN_AWAYS)
    ctx = service_ctx()
    person = person_for(ctx, body["person"]) if "person" in body else None
    return service.record_turn_away(
        ctx, facility, body["reason"], note=body.get("note"), person=person
    )


# --- house bans ---------------------------------------------------------------------------


@blp.get("/bans")
@blp.arguments(BanQuerySchema, location="query")
@blp.response(200, page_of(BanSchema))
@responds(blp, 403, 404, 422)
def list_bans(args: dict[str, Any]) -> dict[str, Any]:
    """House bans; to check a person before check-in: `?person=…&facility=…&active_on=…`."""
    facility_ids = _scope(args, Action.READ_BANS)
    stmt = service.bans_query(
        facility_ids=facility_ids, person_id=args.get("person"), active_on=args.get("active_on")
    )
    return _audit_person_lookup(paginate(stmt, args), args, "person.bans_read")


@blp.post("/bans")
@blp.arguments(BanCreateSchema)
@blp.response(201, BanSchema)
@responds(blp, 403, 404, 422)
def impose_ban(body: dict[str, Any]) -> HouseBan:
    facility = _facility(body["facility"], Action.WRITE_BANS)
    ctx = service_ctx()
    return service.impose_ban(
        ctx,
        person_for(ctx, body["person"]),
        facility,
        kind=body["kind"],
        reason=body["reason"],
        first_night=body.get("first_night"),
        end_night=body.get("end_night"),
    )


@blp.post("/bans/<id:ban_id>/lift")
@blp.arguments(BanLiftSchema)
@blp.response(200, BanSchema)
@responds(blp, 403, 404, 409)
def lift_ban(body: dict[str, Any], ban_id: int) -> HouseBan:
    """End a ban for good, with a reason. Staff lift the `conduct` bans of their shelter;
    a `danger` ban only a manager lifts (403 `forbidden`)."""
    ban = service.get_ban(session(), ban_id)
    if not allowed(current_actor(), Action.OVERRIDE_BANS):
        require(Action.WRITE_BANS, ban.facility_id)
    return service.lift_ban(service_ctx(), ban_id, reason=body["reason"])


@blp.post("/bans/<id:ban_id>/override")
@blp.arguments(BanOverrideCreateSchema)
@blp.response(201, BanOverrideSchema)
@responds(blp, 403, 404, 409, 422)
def override_ban(body: dict[str, Any], ban_id: int) -> BanOverride:
    """A manager lets a banned person in for some nights; staff then check them in."""
    require(Action.OVERRIDE_BANS)
    return service.override_ban(
        service_ctx(),
        ban_id,
        reason=body["reason"],
        first_night=body.get("first_night"),
        nights=body["nights"],
    )
