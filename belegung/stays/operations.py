"""What callers ask of the occupancy domain, by reference and checked against their rights.

Each function resolves slugs and ids, checks the caller's rights on the records
(auth.permissions), applies the rule (stays.service, holds, bans, turn_aways) and audits
look-ups of a person. A page, an API route, an SMS command and a job call the same one
function and get the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from belegung.audit.service import record
from belegung.auth.permissions import (
    Action,
    authorize,
    authorize_ban_lift,
    authorize_hold,
    own_holds_only,
    visible_facility_ids,
)
from belegung.context import ServiceContext
from belegung.db import Page, paginate
from belegung.facilities.models import Facility, FacilityKind, TargetGroup
from belegung.facilities.service import get_facility
from belegung.nights import NightCalendar
from belegung.persons.operations import PersonRef, person_for, person_from_ref
from belegung.stays import bans, holds, queries, service, turn_aways
from belegung.stays.availability import Availability, availability
from belegung.stays.holds import HoldView
from belegung.stays.models import BanKind, BanOverride, HouseBan, Stay, TurnAway, TurnAwayReason

# --- requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    facility: str
    person: PersonRef
    place: str | None = None
    night: date | None = None
    nights: int | None = None
    override_ban_reason: str | None = None


@dataclass(frozen=True)
class Conversion:
    """A held place's person has arrived."""

    person: PersonRef
    nights: int = 1
    override_ban_reason: str | None = None


@dataclass(frozen=True)
class HoldRequest:
    facility: str
    note: str | None = None
    minutes: int | None = None
    place: str | None = None


@dataclass(frozen=True)
class TurnAwayRequest:
    facility: str
    reason: TurnAwayReason
    note: str | None = None
    person: int | None = None


@dataclass(frozen=True)
class BanRequest:
    facility: str
    person: int
    kind: BanKind
    reason: str
    first_night: date | None = None
    end_night: date | None = None


@dataclass(frozen=True)
class ListFilter:
    """Which records of a list: one facility (by slug) or all the caller may see, and
    optionally one night; a page of them."""

    page: int = 1
    page_size: int = 50
    facility: str | None = None
    night: date | None = None


@dataclass(frozen=True)
class StayFilter(ListFilter):
    person: int | None = None


@dataclass(frozen=True)
class BanFilter(ListFilter):
    person: int | None = None
    active_on: date | None = None


# --- helpers ----------------------------------------------------------------------------


def _facility(ctx: ServiceContext, slug: str, action: Action) -> Facility:
    facility = get_facility(ctx.session, slug)
    authorize(ctx.actor, action, facility.id)
    return facility


def _scope(ctx: ServiceContext, facility: str | None, action: Action) -> Iterable[int] | None:
    """The facilities a list may show: the one asked for (if allowed), else all the
    caller may see."""
    authorize(ctx.actor, action)
    if facility is not None:
        return [_facility(ctx, facility, action).id]
    return visible_facility_ids(ctx.actor, action)


def _stay(ctx: ServiceContext, stay_id: int, action: Action) -> Stay:
    stay = service.get_stay(ctx.session, stay_id)
    authorize(ctx.actor, action, stay.facility_id)
    return stay


def _hold(ctx: ServiceContext, hold_id: int, action: Action) -> Stay:
    hold = holds.get_hold(ctx.session, hold_id)
    authorize_hold(ctx.actor, action, hold.facility_id, hold.created_by_id)
    return hold


def _audit_person_lookup(
    ctx: ServiceContext, page: Page[Any], person_id: int | None, action: str
) -> None:
    """A list asked for one person's records is a look-up of that person: audited with
    the records shown (DESIGN.md, Audit). Lists of a night or facility are the shelter's
    daily work and are not."""
    if person_id is not None:
        record(ctx, action, "person", person_id, ids=[item.id for item in page.items])


# --- availability -----------------------------------------------------------------------


def read_availability(
    ctx: ServiceContext,
    night: date | None = None,
    *,
    target_group: TargetGroup | None = None,
    kind: FacilityKind | None = None,
) -> Availability:
    """Free places per facility for a night (default tonight), as of now."""
    authorize(ctx.actor, Action.READ_AVAILABILITY)
    return availability(
        ctx.session,
        night or ctx.tonight(),
        ctx.now().astimezone(ctx.calendar.timezone),
        target_group=target_group,
        kind=kind,
    )


def public_availability(session: Session, calendar: NightCalendar, now: datetime) -> Availability:
    """Tonight's figures for everyone (the public status page): no rights needed, as they
    hold no personal data."""
    return availability(session, calendar.night_of(now), now.astimezone(calendar.timezone))


# --- stays --------------------------------------------------------------------------------


def list_stays(ctx: ServiceContext, which: StayFilter) -> Page[Stay]:
    """Stays, newest first; by facility, night (stays covering it) or person."""
    facility_ids = _scope(ctx, which.facility, Action.READ_STAYS)
    stmt = queries.stays_query(facility_ids=facility_ids, night=which.night, person_id=which.person)
    page = paginate(ctx.session, stmt, which.page, which.page_size)
    _audit_person_lookup(ctx, page, which.person, "person.stays_read")
    return page


def check_in(ctx: ServiceContext, request: CheckIn) -> Stay:
    facility = _facility(ctx, request.facility, Action.WRITE_STAYS)
    person = person_from_ref(ctx, request.person)
    return service.check_in(
        ctx,
        facility,
        person,
        place_label=request.place,
        night=request.night,
        nights=request.nights,
        override_ban_reason=request.override_ban_reason,
    )


def read_stay(ctx: ServiceContext, stay_id: int) -> Stay:
    stay = _stay(ctx, stay_id, Action.READ_STAYS)
    record(ctx, "stay.read", "stay", stay.id, facility_id=stay.facility_id)
    return stay


def extend_stay(
    ctx: ServiceContext, stay_id: int, *, nights: int, override_ban_reason: str | None = None
) -> Stay:
    _stay(ctx, stay_id, Action.WRITE_STAYS)
    return service.extend_stay(ctx, stay_id, nights=nights, override_ban_reason=override_ban_reason)


def check_out(ctx: ServiceContext, stay_id: int) -> Stay:
    _stay(ctx, stay_id, Action.WRITE_STAYS)
    return service.check_out(ctx, stay_id)


# --- holds --------------------------------------------------------------------------------


def list_holds(ctx: ServiceContext, which: ListFilter) -> Page[HoldView]:
    """Holds, newest first (outreach crews see their own)."""
    facility_ids = _scope(ctx, which.facility, Action.READ_HOLDS)
    stmt = queries.holds_query(
        facility_ids=facility_ids, night=which.night, created_by_id=own_holds_only(ctx.actor)
    )
    page = paginate(ctx.session, stmt, which.page, which.page_size)
    now = ctx.now()
    return Page(
        items=[HoldView.at(hold, now) for hold in page.items],
        page=page.page,
        page_size=page.page_size,
        total=page.total,
    )


def create_hold(ctx: ServiceContext, request: HoldRequest) -> HoldView:
    facility = _facility(ctx, request.facility, Action.WRITE_HOLDS)
    hold = holds.create_hold(
        ctx, facility, note=request.note, minutes=request.minutes, place_label=request.place
    )
    return HoldView.at(hold, ctx.now())


def read_hold(ctx: ServiceContext, hold_id: int) -> HoldView:
    return HoldView.at(_hold(ctx, hold_id, Action.READ_HOLDS), ctx.now())


def convert_hold(ctx: ServiceContext, hold_id: int, request: Conversion) -> Stay:
    _hold(ctx, hold_id, Action.WRITE_STAYS)
    return holds.convert_hold(
        ctx,
        hold_id,
        person_from_ref(ctx, request.person),
        nights=request.nights,
        override_ban_reason=request.override_ban_reason,
    )


def cancel_hold(ctx: ServiceContext, hold_id: int) -> HoldView:
    _hold(ctx, hold_id, Action.WRITE_HOLDS)
    return HoldView.at(holds.cancel_hold(ctx, hold_id), ctx.now())


# --- turn-aways ---------------------------------------------------------------------------


def list_turn_aways(ctx: ServiceContext, which: ListFilter) -> Page[TurnAway]:
    facility_ids = _scope(ctx, which.facility, Action.READ_TURN_AWAYS)
    stmt = queries.turn_aways_query(facility_ids=facility_ids, night=which.night)
    return paginate(ctx.session, stmt, which.page, which.page_size)


def record_turn_away(ctx: ServiceContext, request: TurnAwayRequest) -> TurnAway:
    facility = _facility(ctx, request.facility, Action.WRITE_TURN_AWAYS)
    person = person_for(ctx, request.person) if request.person is not None else None
    return turn_aways.record_turn_away(
        ctx, facility, request.reason, note=request.note, person=person
    )


# --- house bans ---------------------------------------------------------------------------


def list_bans(ctx: ServiceContext, which: BanFilter) -> Page[HouseBan]:
    facility_ids = _scope(ctx, which.facility, Action.READ_BANS)
    stmt = queries.bans_query(
        facility_ids=facility_ids, person_id=which.person, active_on=which.active_on
    )
    page = paginate(ctx.session, stmt, which.page, which.page_size)
    _audit_person_lookup(ctx, page, which.person, "person.bans_read")
    return page


def impose_ban(ctx: ServiceContext, request: BanRequest) -> HouseBan:
    facility = _facility(ctx, request.facility, Action.WRITE_BANS)
    return bans.impose_ban(
        ctx,
        person_for(ctx, request.person),
        facility,
        kind=request.kind,
        reason=request.reason,
        first_night=request.first_night,
        end_night=request.end_night,
    )


def lift_ban(ctx: ServiceContext, ban_id: int, *, reason: str) -> HouseBan:
    authorize_ban_lift(ctx.actor, bans.get_ban(ctx.session, ban_id).facility_id)
    return bans.lift_ban(ctx, ban_id, reason=reason)


def override_ban(
    ctx: ServiceContext,
    ban_id: int,
    *,
    reason: str,
    first_night: date | None = None,
    nights: int = 1,
) -> BanOverride:
    authorize(ctx.actor, Action.OVERRIDE_BANS)
    return bans.override_ban(ctx, ban_id, reason=reason, first_night=first_night, nights=nights)
