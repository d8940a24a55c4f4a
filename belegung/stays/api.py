"""JSON routes for availability, stays, holds, turn-aways and house bans.

Each route parses its input, calls one function of stays.operations (which checks the
caller's rights and applies the rules) and serialises the answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Response

from belegung.db import Page
from belegung.errors import PossibleDuplicate
from belegung.http.api import ApiBlueprint, Bodies, responds
from belegung.http.context import service_ctx
from belegung.http.transactions import read_only
from belegung.schemas import page_of
from belegung.stays import operations
from belegung.stays.holds import HoldView
from belegung.stays.models import BanOverride, HouseBan, Stay, TurnAway
from belegung.stays.operations import (
    BanFilter,
    BanRequest,
    CheckIn,
    Conversion,
    HoldRequest,
    ListFilter,
    StayFilter,
    TurnAwayRequest,
)
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


@contextmanager
def _duplicate_shown() -> Iterator[None]:
    """A possible duplicate is answered with the stay of the guest already checked in."""
    try:
        yield
    except PossibleDuplicate as exc:
        exc.details = {"stay": StaySchema().dump(exc.stay)}
        raise


# --- availability -----------------------------------------------------------------------

_AVAILABILITY_BODIES = Bodies()
_AVAILABILITY_SCHEMA = AvailabilitySchema()


@blp.get("/availability")
@read_only
@blp.arguments(AvailabilityQuerySchema, location="query")
@blp.response(200, AvailabilitySchema, example=AVAILABILITY_EXAMPLE)
@responds(blp, 403, 422)
def get_availability(args: dict[str, Any]) -> Response:
    """Free places per facility for a night (default tonight), with totals.

    Emergency places (`free_emergency`) are given once a facility's regular places are
    taken, or at once while a winter emergency is active; `free_emergency` counts them
    only then (else 0). Standby facilities appear during a winter emergency, and after it
    only while someone still stays or holds a place there (offering none: `free` 0).
    """
    figures = operations.read_availability(
        service_ctx(),
        args.get("night"),
        target_group=args.get("target_group"),
        kind=args.get("kind"),
    )
    # The same figures (from the cache) give the same body: serialised once.
    return _AVAILABILITY_BODIES.response(figures, _AVAILABILITY_SCHEMA)


# --- stays --------------------------------------------------------------------------------


@blp.get("/stays")
@blp.arguments(StayQuerySchema, location="query")
@blp.response(200, page_of(StaySchema))
@responds(blp, 403, 404, 422)
def list_stays(which: StayFilter) -> Page[Stay]:
    """Stays, newest first; by facility, night (stays covering it) or person."""
    return operations.list_stays(service_ctx(), which)


@blp.post("/stays")
@blp.arguments(CheckInSchema, example=CHECK_IN_EXAMPLE)
@blp.response(201, StaySchema, example=STAY_EXAMPLE)
@responds(blp, 403, 404, 409, 422)
def check_in(request: CheckIn) -> Stay:
    """Check a person in (`person` is `{"id": …}` or a new person).

    Errors: 409 `no_free_place`, `place_taken`, `place_out_of_service`,
    `emergency_place_not_offered`, `already_checked_in`, `facility_not_offering`;
    403 `banned` (let in only past a manager's override: POST /bans/{id}/override);
    422 `wrong_target_group`; 422 `invalid` on `nights` beyond `BELEGUNG_NIGHTS_PER_CALL`
    (default 14) in a night shelter (book more later with /extend; the housing programme
    is open-ended).

    409 `possible_duplicate` with the existing `stay`: a new person of the same name and
    year of birth is already checked in that night at the facility (most likely the same
    guest, sent twice). Send `"confirm_new_person": true` if it is someone else.
    """
    with _duplicate_shown():
        return operations.check_in(service_ctx(), request)


@blp.get("/stays/<id:stay_id>")
@blp.response(200, StaySchema)
@responds(blp, 403, 404)
def get_stay(stay_id: int) -> Stay:
    return operations.read_stay(service_ctx(), stay_id)


@blp.post("/stays/<id:stay_id>/extend")
@blp.arguments(ExtendSchema)
@blp.response(200, StaySchema)
@responds(blp, 403, 404, 409, 422)
def extend_stay(body: dict[str, Any], stay_id: int) -> Stay:
    """Add nights on the same place (409 `place_taken` if it is booked later;
    409 `invalid_state` if the stay ended before tonight: check the guest in anew). A
    night shelter adds at most `BELEGUNG_NIGHTS_PER_CALL` nights (default 14) at once.

    An emergency place is extended only while emergency places are offered: after a
    winter emergency, while regular places are free, 409 `emergency_place_not_extended`
    (offer the guest a regular place, or a manager gives `override_emergency_reason`).
    During a winter emergency a person with a `conduct` ban is extended one night at a
    time (into tonight); beyond tonight only with a manager's override (403 `banned`)."""
    return operations.extend_stay(
        service_ctx(),
        stay_id,
        nights=body["nights"],
        override_ban_reason=body.get("override_ban_reason"),
        override_emergency_reason=body.get("override_emergency_reason"),
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
    return operations.check_out(service_ctx(), stay_id)


# --- holds --------------------------------------------------------------------------------


@blp.get("/holds")
@blp.arguments(HoldQuerySchema, location="query")
@blp.response(200, page_of(HoldSchema))
@responds(blp, 403, 404, 422)
def list_holds(which: ListFilter) -> Page[HoldView]:
    """Holds, newest first (outreach crews see their own)."""
    return operations.list_holds(service_ctx(), which)


@blp.post("/holds")
@blp.arguments(HoldCreateSchema)
@blp.response(201, HoldSchema)
@responds(blp, 403, 404, 409, 422)
def create_hold(request: HoldRequest) -> HoldView:
    """Hold a place for someone on the way (default 60 minutes, at most 180).

    The hold is for the night in which it runs out. One caller holds at most
    `BELEGUNG_HOLDS_PER_USER` places at once (default 5): 409 `hold_limit`.
    """
    return operations.create_hold(service_ctx(), request)


@blp.get("/holds/<id:hold_id>")
@blp.response(200, HoldSchema)
@responds(blp, 403, 404)
def get_hold(hold_id: int) -> HoldView:
    return operations.read_hold(service_ctx(), hold_id)


@blp.post("/holds/<id:hold_id>/convert")
@blp.arguments(ConvertSchema)
@blp.response(201, StaySchema)
@responds(blp, 403, 404, 409, 422)
def convert_hold(request: Conversion, hold_id: int) -> Stay:
    """The person arrived: the hold becomes their stay (409 `hold_expired` if too late;
    409 `possible_duplicate` as for POST /stays)."""
    with _duplicate_shown():
        return operations.convert_hold(service_ctx(), hold_id, request)


@blp.delete("/holds/<id:hold_id>")
@blp.response(200, HoldSchema)
@responds(blp, 403, 404, 409)
def cancel_hold(hold_id: int) -> HoldView:
    """Release a hold; its place is free again."""
    return operations.cancel_hold(service_ctx(), hold_id)


# --- turn-aways ---------------------------------------------------------------------------


@blp.get("/turnaways")
@blp.arguments(TurnAwayQuerySchema, location="query")
@blp.response(200, page_of(TurnAwaySchema))
@responds(blp, 403, 404, 422)
def list_turn_aways(which: ListFilter) -> Page[TurnAway]:
    return operations.list_turn_aways(service_ctx(), which)


@blp.post("/turnaways")
@blp.arguments(TurnAwayCreateSchema)
@blp.response(201, TurnAwaySchema)
@responds(blp, 403, 404, 422)
def record_turn_away(request: TurnAwayRequest) -> TurnAway:
    """Record that someone could not be taken in tonight, and why."""
    return operations.record_turn_away(service_ctx(), request)


# --- house bans ---------------------------------------------------------------------------


@blp.get("/bans")
@blp.arguments(BanQuerySchema, location="query")
@blp.response(200, page_of(BanSchema))
@responds(blp, 403, 404, 422)
def list_bans(which: BanFilter) -> Page[HouseBan]:
    """House bans; to check a person before check-in: `?person=…&facility=…&active_on=…`."""
    return operations.list_bans(service_ctx(), which)


@blp.post("/bans")
@blp.arguments(BanCreateSchema)
@blp.response(201, BanSchema)
@responds(blp, 403, 404, 422)
def impose_ban(request: BanRequest) -> HouseBan:
    return operations.impose_ban(service_ctx(), request)


@blp.post("/bans/<id:ban_id>/lift")
@blp.arguments(BanLiftSchema)
@blp.response(200, BanSchema)
@responds(blp, 403, 404, 409)
def lift_ban(body: dict[str, Any], ban_id: int) -> HouseBan:
    """End a ban for good, with a reason. Staff lift the `conduct` bans of their shelter;
    a `danger` ban only a manager lifts (403 `forbidden`)."""
    return operations.lift_ban(service_ctx(), ban_id, reason=body["reason"])


@blp.post("/bans/<id:ban_id>/override")
@blp.arguments(BanOverrideCreateSchema)
@blp.response(201, BanOverrideSchema)
@responds(blp, 403, 404, 409, 422)
def override_ban(body: dict[str, Any], ban_id: int) -> BanOverride:
    """A manager lets a banned person in for some nights; staff then check them in."""
    return operations.override_ban(
        service_ctx(),
        ban_id,
        reason=body["reason"],
        first_night=body.get("first_night"),
        nights=body["nights"],
    )
