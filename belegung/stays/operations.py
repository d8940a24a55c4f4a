"""What callers ask of the occupancy domain, by reference and checked against their rights.

Each function resolves slugs and ids, checks the caller's rights on the records
(auth.permissions), applies the rule (stays.service, holds, bans, turn_aways) and audits
look-ups of a person. A page, an API route, an SMS command and a job call the same one
function and get the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from belegung.audit.service import record
from belegung.auth.permissions import (
    Action,
    authorize,
    authorize_ban_lift,
    authorize_hold,
    authorize_record,
    own_holds_only,
    visible_facility_ids,
)
from belegung.context import ServiceContext
from belegung.db import Page, paginate
from belegung.errors import Forbidden
from belegung.facilities.models import Facility, FacilityKind, Place, TargetGroup
from belegung.facilities.service import facilities_query, get_facility, offers_places
from belegung.nights import NightCalendar
from belegung.persons.models import Person
from belegung.persons.operations import NewPerson, PersonRef, person_for, person_from_ref
from belegung.stays import (
    bans,
    board,
    checks,
    claims,
    holds,
    queries,
    series,
    service,
    turn_aways,
)
from belegung.stays.availability import Availability, Light, availability, light_for
from belegung.stays.figures_cache import cached_availability
from belegung.stays.holds import HoldView
from belegung.stays.models import BanKind, BanOverride, HouseBan, Stay, TurnAway, TurnAwayReason
from belegung.winter.service import winter_state

# --- requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    facility: str
    person: PersonRef
    place: str | None = None
    night: date | None = None
    nights: int | None = None
    override_ban_reason: str | None = None
    # A new person who shares name and year of birth with a guest checked in that night
    # is refused (possible_duplicate) unless this confirms it is someone else.
    confirm_new_person: bool = False


@dataclass(frozen=True)
class Conversion:
    """A held place's person has arrived."""

    person: PersonRef
    nights: int = 1
    override_ban_reason: str | None = None
    confirm_new_person: bool = False


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


def _stay(ctx: ServiceContext, stay_id: int, action: Action, *, lock: bool = False) -> Stay:
    """The stay, if the caller may act on it. `lock`: its row locked (service.get_stay)
    for a change — read once for both the rights and the rule."""
    stay = service.get_stay(ctx.session, stay_id, lock=lock)
    authorize_record(ctx.actor, action, stay.facility_id, "stay")
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
    """Free places per facility for a night (default tonight), as of now (from the cache
    while nothing changed: `as_of` is when the figures were read)."""
    authorize(ctx.actor, Action.READ_AVAILABILITY)
    return cached_availability(
        ctx.session,
        night or ctx.tonight(),
        ctx.now().astimezone(ctx.calendar.timezone),
        target_group=target_group,
        kind=kind,
    )


def public_availability(session: Session, calendar: NightCalendar, now: datetime) -> Availability:
    """Tonight's figures for everyone (the public status page): no rights needed, as they
    hold no personal data."""
    return cached_availability(session, calendar.night_of(now), now.astimezone(calendar.timezone))


@dataclass(frozen=True)
class GroupLight:
    target_group: str
    free: int
    light: Light


@dataclass(frozen=True)
class PublicStatus:
    """The public page: tonight's lights per target group and the shelters' addresses."""

    figures: Availability
    lights: list[GroupLight]
    shelters: list[tuple[str, str, str | None]]  # target group, name, address


def read_public_status(session: Session, calendar: NightCalendar, now: datetime) -> PublicStatus:
    """Tonight per target group of the night shelters, for everyone (no personal data)."""
    figures = cached_availability(
        session,
        calendar.night_of(now),
        now.astimezone(calendar.timezone),
        kind=FacilityKind.NIGHT_SHELTER,
    )
    free: dict[str, int] = {}
    for f in figures.facilities:
        free[f.target_group] = free.get(f.target_group, 0) + f.offered_free(
            figures.winter_emergency
        )
    lights = [GroupLight(group, n, light_for(n)) for group, n in free.items()]
    shown = {f.slug for f in figures.facilities}
    # A standby shelter winding down after an emergency is shown for its last guests,
    # but takes nobody: the public page does not send anyone there.
    shelters = [
        (f.target_group.value, f.name, f.address)
        for f in session.scalars(facilities_query())
        if f.slug in shown and offers_places(f, figures.winter_emergency)
    ]
    return PublicStatus(figures, lights, shelters)


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
    if isinstance(request.person, NewPerson) and not request.confirm_new_person:
        checks.refuse_possible_duplicate(
            ctx.session,
            facility,
            request.person.name,
            request.person.birth_year,
            request.night or ctx.tonight(),
        )
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
    ctx: ServiceContext,
    stay_id: int,
    *,
    nights: int,
    override_ban_reason: str | None = None,
    override_emergency_reason: str | None = None,
) -> Stay:
    """Add nights to a stay (staff). A manager may extend too, but only to override the
    rule that keeps nobody on an emergency place while regular ones are free."""
    manager_override = override_emergency_reason is not None and ctx.actor.is_manager
    stay = _stay(
        ctx, stay_id, Action.READ_STAYS if manager_override else Action.WRITE_STAYS, lock=True
    )
    return service.extend_stay(
        ctx,
        stay,
        nights=nights,
        override_ban_reason=override_ban_reason,
        override_emergency_reason=override_emergency_reason,
    )


def check_out(ctx: ServiceContext, stay_id: int) -> Stay:
    return service.check_out(ctx, _stay(ctx, stay_id, Action.WRITE_STAYS, lock=True))


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
    hold = _hold(ctx, hold_id, Action.WRITE_STAYS)
    if isinstance(request.person, NewPerson) and not request.confirm_new_person:
        checks.refuse_possible_duplicate(
            ctx.session,
            hold.facility,
            request.person.name,
            request.person.birth_year,
            hold.first_night,
        )
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


# --- the night board and its forms ----------------------------------------------------------


def read_board(ctx: ServiceContext, slug: str, night: date | None = None) -> board.Board:
    """One shelter's night: every place with its guest, hold or out-of-service reason,
    and the figures (the same as the API's availability). A fixed number of queries,
    whatever the number of places."""
    facility = _facility(ctx, slug, Action.READ_STAYS)
    night = night or ctx.tonight()
    now = ctx.now()
    figures = availability(ctx.session, night, now.astimezone(ctx.calendar.timezone))
    mine = next((f for f in figures.facilities if f.slug == facility.slug), None)
    return board.Board(
        facility=facility,
        night=night,
        as_of=figures.as_of,
        winter_emergency=figures.winter_emergency,
        figures=mine,
        beds=board.board_beds(ctx.session, facility, night, now),
    )


@dataclass(frozen=True)
class BanNotice:
    """A ban as staff see it before a check-in: whether it holds tonight."""

    ban: HouseBan
    suspended: bool  # a conduct ban during a winter emergency
    overridden: bool  # a manager let the person in for these nights


@dataclass(frozen=True)
class CheckInPreview:
    """What a check-in would do: the person, their bans at the facility, the place they
    would get (the one asked for, else the first free one) and the places free."""

    facility: Facility
    person: Person
    night: date
    bans: list[BanNotice]
    place: Place | None
    free_places: list[Place]
    hold: Stay | None = None

    @property
    def blocked(self) -> bool:
        return any(not (b.suspended or b.overridden) for b in self.bans)


def preview_check_in(
    ctx: ServiceContext,
    slug: str,
    person_id: int,
    *,
    night: date | None = None,
    place: str | None = None,
    hold_id: int | None = None,
) -> CheckInPreview:
    """Before a check-in (or a hold's conversion): the person's bans at the facility are
    shown first (a look-up of the person, audited), and the place they would get."""
    facility = _facility(ctx, slug, Action.WRITE_STAYS)
    authorize(ctx.actor, Action.READ_PERSONS)
    person = person_for(ctx, person_id)
    hold = _hold(ctx, hold_id, Action.WRITE_STAYS) if hold_id is not None else None
    first = hold.first_night if hold is not None else night or ctx.tonight()
    end = first + timedelta(days=1)
    winter = winter_state(ctx.session).active
    emergency = bans.emergency_nights(ctx)
    notices = []
    for ban in bans.active_bans(ctx.session, person, facility, first, end, winter_active=False):
        notices.append(
            BanNotice(
                ban=ban,
                suspended=emergency is not None and bans.is_suspended(ban, first, end, emergency),
                overridden=bans.covering_override(ctx.session, ban, first, end) is not None,
            )
        )
    record(ctx, "person.bans_read", "person", person.id, ids=[n.ban.id for n in notices])
    free = (
        [] if hold is not None else claims.offered_places(ctx.session, facility, first, end, winter)
    )
    chosen: Place | None = hold.place if hold is not None else None
    if hold is None and place is not None:
        chosen = next((p for p in free if p.label == place), None)
    elif hold is None and free:
        chosen = free[0]
    return CheckInPreview(facility, person, first, notices, chosen, free, hold)


@dataclass(frozen=True)
class StayDetail:
    """A guest's stay on the board, with the places they could be moved to tonight."""

    stay: Stay
    free_places: list[Place]


def read_stay_detail(ctx: ServiceContext, stay_id: int) -> StayDetail:
    stay = read_stay(ctx, stay_id)
    tonight = ctx.tonight()
    first = max(stay.first_night, tonight)
    free: list[Place] = []
    if stay.end_night is None or stay.end_night > first:
        winter = winter_state(ctx.session).active
        free = claims.offered_places(ctx.session, stay.facility, first, stay.end_night, winter)
    return StayDetail(stay, free)


def move_stay(ctx: ServiceContext, stay_id: int, place: str) -> Stay:
    """Move a guest to another place from tonight on (stays.service.move_stay)."""
    _stay(ctx, stay_id, Action.WRITE_STAYS)
    return service.move_stay(ctx, stay_id, place)


# --- figures over many nights (the managers' charts) ------------------------------------------


def _all_facilities(ctx: ServiceContext, action: Action) -> None:
    """Figures over every facility are for those who read every facility's records."""
    authorize(ctx.actor, action)
    if visible_facility_ids(ctx.actor, action) is not None:
        raise Forbidden()


def occupancy_over(ctx: ServiceContext, nights: int) -> series.Series:
    """Occupied places per night and shelter over the last `nights` nights (tonight
    included): one aggregate query."""
    _all_facilities(ctx, Action.READ_STAYS)
    end = ctx.tonight() + timedelta(days=1)
    return series.occupancy_series(ctx.session, end - timedelta(days=nights), end)


def refusals_over(ctx: ServiceContext, nights: int) -> series.Series:
    """Turn-aways by reason and no-shows per night over the last `nights` nights."""
    _all_facilities(ctx, Action.READ_TURN_AWAYS)
    end = ctx.tonight() + timedelta(days=1)
    return series.refusal_series(ctx.session, end - timedelta(days=nights), end, ctx.now())
