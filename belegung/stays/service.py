"""The occupancy rules: check-in, extension, check-out, holds, turn-aways and house bans.

Every claim on a place goes through `_claim`/`_flush_claim`: the service checks first
(for a precise error), and the database is the guarantee — on PostgreSQL the exclusion
constraint `ex_stays_place_nights`, on SQLite the write lock that every transaction
takes before it reads (see belegung.db). Services only flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload

from belegung.audit.service import record
from belegung.context import ServiceContext
from belegung.db import exists_overlapping, lock_facility_claims, on_night, overlaps
from belegung.errors import (
    AlreadyCheckedIn,
    Banned,
    EmergencyPlaceNotOffered,
    FacilityNotOffering,
    Forbidden,
    HoldExpired,
    HoldLimitReached,
    InvalidInput,
    InvalidState,
    NoFreePlace,
    NotFound,
    PlaceOutOfService,
    PlaceTaken,
    WrongTargetGroup,
)
from belegung.facilities.models import Facility, FacilityKind, Place, TargetGroup
from belegung.facilities.service import get_place, offers_places, out_of_service_clause
from belegung.persons.models import Gender, Person
from belegung.stays.models import (
    CLAIMING,
    IS_HELD,
    OCCUPYING,
    BanKind,
    BanOverride,
    HouseBan,
    Stay,
    StayStatus,
    TurnAway,
    TurnAwayReason,
)
from belegung.winter.service import winter_state

MAX_NIGHTS = 366
# How far back a check-in may be recorded (a guest recorded late, after the day boundary).
BACKFILL_DAYS = 7
YOUNG_ADULT_AGES = (18, 27)  # from 18 to under 27


class _PlaceConflict(Exception):
    """The exclusion constraint refused a claim: someone else got the place first."""


# --- queries -------------------------------------------------------------------------


def claims_clause(first: date, end: date | None) -> sa.ColumnElement[bool]:
    """True for a place (correlated on Place.id) claimed on any night of [first, end)."""
    return exists_overlapping(
        Stay.first_night,
        Stay.end_night,
        first,
        end,
        Stay.place_id == Place.id,
        Stay.status.in_(CLAIMING),
    )


def free_places(
    session: Session, facility: Facility, first: date, end: date | None
) -> Sequence[Place]:
    """Places of a facility free on every night of [first, end): regular ones first."""
    return session.scalars(
        sa.select(Place)
        .where(
            Place.facility_id == facility.id,
            ~claims_clause(first, end),
            ~out_of_service_clause(first, end),
        )
        .order_by(Place.emergency, Place.position, Place.id)
    ).all()


def _emergency_offered(
    session: Session, facility: Facility, night: date, winter_active: bool
) -> bool:
    """Emergency places are offered in a winter emergency, or once every regular place
    of the facility is taken on the night the guest arrives."""
    return winter_active or not _regular_place_free(session, facility, night)


def _regular_place_free(session: Session, facility: Facility, night: date) -> bool:
    first, end = night, night + timedelta(days=1)
    return bool(
        session.scalar(
            sa.select(
                sa.exists().where(
                    Place.facility_id == facility.id,
                    Place.emergency.is_(False),
                    ~claims_clause(first, end),
                    ~out_of_service_clause(first, end),
                )
            )
        )
    )


def _place_has(session: Session, place: Place, clause: sa.ColumnElement[bool]) -> bool:
    """Evaluate a clause correlated on Place.id (claims_clause, out_of_service_clause)
    for one place."""
    return bool(session.scalar(sa.select(clause).where(Place.id == place.id)))


def _place_free(session: Session, place: Place, first: date, end: date | None) -> bool:
    return not _place_has(session, place, claims_clause(first, end))


def _place_out_of_service(session: Session, place: Place, first: date, end: date | None) -> bool:
    return _place_has(session, place, out_of_service_clause(first, end))


def _scoped(stmt: sa.Select[Any], column: Any, facility_ids: Iterable[int] | None) -> Any:
    return stmt if facility_ids is None else stmt.where(column.in_(list(facility_ids)))


def stays_query(
    *,
    facility_ids: Iterable[int] | None = None,
    night: date | None = None,
    person_id: int | None = None,
) -> sa.Select[tuple[Stay]]:
    """Stays of people (not holds), newest first; `facility_ids=None` means all."""
    stmt = (
        sa.select(Stay)
        .options(selectinload(Stay.facility), selectinload(Stay.place), selectinload(Stay.person))
        .where(Stay.status.in_(OCCUPYING))
        .order_by(Stay.first_night.desc(), Stay.id.desc())
    )
    if night is not None:
        stmt = stmt.where(on_night(Stay.first_night, Stay.end_night, night))
    if person_id is not None:
        stmt = stmt.where(Stay.person_id == person_id)
    return _scoped(stmt, Stay.facility_id, facility_ids)


def holds_query(
    *,
    facility_ids: Iterable[int] | None = None,
    night: date | None = None,
    created_by_id: int | None = None,
) -> sa.Select[tuple[Stay]]:
    """Holds (live or not), newest first."""
    stmt = (
        sa.select(Stay)
        .options(selectinload(Stay.facility), selectinload(Stay.place))
        .where(Stay.held_at.is_not(None))
        .order_by(Stay.held_at.desc(), Stay.id.desc())
    )
    if night is not None:
        stmt = stmt.where(Stay.first_night == night)
    if created_by_id is not None:
        stmt = stmt.where(Stay.created_by_id == created_by_id)
    return _scoped(stmt, Stay.facility_id, facility_ids)


def turn_aways_query(
    *, facility_ids: Iterable[int] | None = None, night: date | None = None
) -> sa.Select[tuple[TurnAway]]:
    stmt = (
        sa.select(TurnAway)
        .options(selectinload(TurnAway.facility))
        .order_by(TurnAway.occurred_at.desc(), TurnAway.id.desc())
    )
    if night is not None:
        stmt = stmt.where(TurnAway.night == night)
    return _scoped(stmt, TurnAway.facility_id, facility_ids)


def bans_query(
    *,
    facility_ids: Iterable[int] | None = None,
    person_id: int | None = None,
    active_on: date | None = None,
) -> sa.Select[tuple[HouseBan]]:
    stmt = (
        sa.select(HouseBan)
        .options(selectinload(HouseBan.facility))
        .order_by(HouseBan.first_night.desc(), HouseBan.id.desc())
    )
    if person_id is not None:
        stmt = stmt.where(HouseBan.person_id == person_id)
    if active_on is not None:
        stmt = stmt.where(
            HouseBan.lifted_at.is_(None),
            on_night(HouseBan.first_night, HouseBan.end_night, active_on),
        )
    return _scoped(stmt, HouseBan.facility_id, facility_ids)


def hold_status(hold: Stay, now: datetime) -> StayStatus:
    """A hold past its expiry reads as expired, even before housekeeping marks it."""
    if hold.status == StayStatus.HELD and hold.hold_expires_at and hold.hold_expires_at <= now:
        return StayStatus.EXPIRED
    return hold.status


def active_bans(
    session: Session,
    person: Person,
    facility: Facility,
    first: date,
    end: date | None,
    *,
    winter_active: bool,
) -> Sequence[HouseBan]:
    """Bans of a person at a facility on any night of [first, end). In a winter emergency
    `conduct` bans are suspended; `danger` bans hold."""
    stmt = sa.select(HouseBan).where(
        HouseBan.person_id == person.id,
        HouseBan.facility_id == facility.id,
        HouseBan.lifted_at.is_(None),
        overlaps(HouseBan.first_night, HouseBan.end_night, first, end),
    )
    if winter_active:
        stmt = stmt.where(HouseBan.kind == BanKind.DANGER)
    return session.scalars(stmt.order_by(HouseBan.id)).all()


# --- checks --------------------------------------------------------------------------


def _nights_range(
    ctx: ServiceContext, facility: Facility, night: date | None, nights: int | None
) -> tuple[date, date | None]:
    tonight = ctx.tonight()
    first = night or tonight
    if first < tonight - timedelta(days=BACKFILL_DAYS):
        raise InvalidInput(field="night", reason=f"höchstens {BACKFILL_DAYS} Nächte zurück")
    if first > tonight + timedelta(days=MAX_NIGHTS):
        raise InvalidInput(field="night", reason="höchstens ein Jahr im Voraus")
    if nights is None:
        # A shelter takes someone in for tonight; a housing-programme stay lasts until
        # move-out.
        if facility.kind == FacilityKind.HOUSING_PROGRAMME:
            return first, None
        nights = 1
    if not 1 <= nights <= MAX_NIGHTS:
        raise InvalidInput(field="nights", reason=f"zwischen 1 und {MAX_NIGHTS}")
    return first, first + timedelta(days=nights)


def check_target_group(facility: Facility, person: Person, night: date) -> None:
    """Refuse only what is clearly wrong; an unknown gender or birth year is staff's call.

    No check for the drug-user shelter: belegung keeps no health data.
    """
    group = facility.target_group
    if group == TargetGroup.MEN and person.gender == Gender.FEMALE:
        raise WrongTargetGroup(facility=facility.name, reason="men_only")
    if group == TargetGroup.WOMEN and person.gender == Gender.MALE:
        raise WrongTargetGroup(facility=facility.name, reason="women_only")
    if group == TargetGroup.YOUNG_ADULTS and person.birth_year is not None:
        # With only the year of birth, the age on `night` is one of two values.
        oldest = night.year - person.birth_year
        youngest = oldest - 1
        low, high = YOUNG_ADULT_AGES
        if oldest < low or youngest >= high:
            raise WrongTargetGroup(facility=facility.name, reason="age")


@dataclass
class _BanClearance:
    """How a check-in gets past a person's bans: overrides granted ahead, and bans a
    manager overrides in the check-in itself."""

    granted: Sequence[BanOverride] = ()
    to_override: Sequence[HouseBan] = ()
    reason: str | None = None


def _covering_override(
    session: Session, ban: HouseBan, first: date, end: date | None
) -> BanOverride | None:
    last_end = end or first + timedelta(days=1)
    return session.scalar(
        sa.select(BanOverride)
        .where(
            BanOverride.ban_id == ban.id,
            BanOverride.first_night <= first,
            BanOverride.end_night >= last_end,
        )
        .order_by(BanOverride.id)
        .limit(1)
    )


def _check_bans(
    ctx: ServiceContext,
    facility: Facility,
    person: Person,
    first: date,
    end: date | None,
    winter_active: bool,
    override_reason: str | None,
) -> _BanClearance:
    """Let a banned person in only past a manager's override; raise Banned otherwise."""
    bans = active_bans(ctx.session, person, facility, first, end, winter_active=winter_active)
    granted, unresolved = [], []
    for ban in bans:
        override = _covering_override(ctx.session, ban, first, end)
        if override is None:
            unresolved.append(ban)
        else:
            granted.append(override)
    if unresolved:
        if override_reason is None:
            raise Banned(facility=facility.name, kind=unresolved[0].kind.value)
        _require_override_right(ctx, override_reason, field="override_ban_reason")
    return _BanClearance(granted, unresolved, override_reason)


def _require_override_right(ctx: ServiceContext, reason: str, *, field: str) -> None:
    if not ctx.actor.is_manager:
        raise Forbidden(reason="override_needs_manager")
    if not reason.strip():
        raise InvalidInput(field=field, reason="override_needs_reason")


def _check_person_free(
    session: Session, person: Person, first: date, end: date | None, *, besides: int | None = None
) -> None:
    stmt = sa.select(
        exists_overlapping(
            Stay.first_night,
            Stay.end_night,
            first,
            end,
            Stay.person_id == person.id,
            Stay.status.in_(OCCUPYING),
            Stay.id != besides if besides is not None else sa.true(),
        )
    )
    if session.scalar(stmt):
        raise AlreadyCheckedIn()


def _apply_clearance(ctx: ServiceContext, clearance: _BanClearance, stay: Stay) -> None:
    """Log the overrides that let this stay in."""
    for override in clearance.granted:
        if override.stay_id is None:
            override.stay_id = stay.id
    for ban in clearance.to_override:
        _add_override(
            ctx,
            ban,
            reason=clearance.reason or "",
            first=stay.first_night,
            end=stay.end_night or stay.first_night + timedelta(days=1),
            stay_id=stay.id,
        )
    if clearance.granted:
        ctx.session.flush()


def _add_override(
    ctx: ServiceContext,
    ban: HouseBan,
    *,
    reason: str,
    first: date,
    end: date,
    stay_id: int | None,
) -> BanOverride:
    override = BanOverride(
        ban_id=ban.id,
        first_night=first,
        end_night=end,
        stay_id=stay_id,
        reason=" ".join(reason.split())[:500],
        overridden_by_id=ctx.actor.user_id,
        created_at=ctx.now(),
    )
    ctx.session.add(override)
    ctx.session.flush()
    record(
        ctx,
        "ban.override",
        "house_ban",
        ban.id,
        facility_id=ban.facility_id,
        override_id=override.id,
        stay_id=stay_id,
        nights=(end - first).days,
    )
    return override


# --- claiming a place ----------------------------------------------------------------


DEADLOCK_DETECTED = "40P01"


def _sqlstate(exc: OperationalError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def _constraint_name(exc: IntegrityError) -> str | None:
    diag = getattr(exc.orig, "diag", None)
    return getattr(diag, "constraint_name", None)


def _flush_claim(session: Session, stay: Stay) -> None:
    """Write a new or changed claim inside a savepoint, so that a refusal by the exclusion
    constraint leaves the surrounding transaction usable."""
    try:
        with session.begin_nested():
            session.add(stay)
            session.flush()
    except IntegrityError as exc:
        name = _constraint_name(exc)
        if name == "ex_stays_place_nights":
            raise _PlaceConflict() from exc
        if name == "ex_stays_person_nights":
            raise AlreadyCheckedIn() from exc
        raise
    except OperationalError as exc:
        # Claims on one facility take turns (lock_facility_claims), so the only deadlock
        # left is the same person checked in at two facilities at the same moment.
        if _sqlstate(exc) == DEADLOCK_DETECTED:
            raise AlreadyCheckedIn() from exc
        raise


def expire_stale_holds(ctx: ServiceContext, facility_id: int | None = None) -> int:
    """Mark holds past their expiry as expired (no-shows); their places are free again."""
    stmt = (
        sa.update(Stay)
        .where(IS_HELD, Stay.hold_expires_at <= ctx.now())
        .values(status=StayStatus.EXPIRED)
    )
    if facility_id is not None:
        stmt = stmt.where(Stay.facility_id == facility_id)
    result = ctx.session.execute(stmt, execution_options={"synchronize_session": "fetch"})
    return int(getattr(result, "rowcount", 0) or 0)


def _claim(
    ctx: ServiceContext,
    facility: Facility,
    first: date,
    end: date | None,
    place_label: str | None,
    winter_active: bool,
    make: Callable[[Place], Stay],
) -> Stay:
    """Put a new claim on the asked-for place, or on the first free one."""
    session = ctx.session
    lock_facility_claims(session, facility.id)
    expire_stale_holds(ctx, facility.id)
    if place_label is not None:
        place = get_place(session, facility, place_label)
        if _place_out_of_service(session, place, first, end):
            raise PlaceOutOfService(place=place.label)
        if place.emergency and not _emergency_offered(session, facility, first, winter_active):
            raise EmergencyPlaceNotOffered(place=place.label)
        if not _place_free(session, place, first, end):
            raise PlaceTaken(place=place.label)
        stay = make(place)
        try:
            _flush_claim(session, stay)
        except _PlaceConflict:
            raise PlaceTaken(place=place.label) from None
        return stay

    # Regular places come first. An emergency place free for the whole range is reached
    # when no regular one is, yet it is offered only if the regular places are all
    # taken on the first night (not merely on a later one).
    offered: bool | None = None
    for place in free_places(session, facility, first, end):
        if place.emergency:
            if offered is None:
                offered = _emergency_offered(session, facility, first, winter_active)
            if not offered:
                break
        stay = make(place)
        try:
            _flush_claim(session, stay)
        except _PlaceConflict:
            # A concurrent check-in won this place (PostgreSQL); try the next.
            continue
        return stay
    raise NoFreePlace(facility=facility.name)


def _require_offering(session: Session, facility: Facility) -> bool:
    winter_active = winter_state(session).active
    if not offers_places(facility, winter_active):
        raise FacilityNotOffering(facility=facility.name)
    return winter_active


# --- check-in, extension, check-out ---------------------------------------------------


def check_in(
    ctx: ServiceContext,
    facility: Facility,
    person: Person,
    *,
    place_label: str | None = None,
    night: date | None = None,
    nights: int | None = None,
    override_ban_reason: str | None = None,
) -> Stay:
    """Give a person a place from `night` (default tonight) for `nights` nights (default:
    one in a shelter, open-ended in the housing programme)."""
    first, end = _nights_range(ctx, facility, night, nights)
    winter_active = _require_offering(ctx.session, facility)
    check_target_group(facility, person, first)
    clearance = _check_bans(ctx, facility, person, first, end, winter_active, override_ban_reason)
    _check_person_free(ctx.session, person, first, end)
    now = ctx.now()

    def make(place: Place) -> Stay:
        return Stay(
            facility_id=facility.id,
            place_id=place.id,
            place=place,
            person_id=person.id,
            first_night=first,
            end_night=end,
            status=StayStatus.CHECKED_IN,
            created_at=now,
            created_by_id=ctx.actor.user_id,
            checked_in_at=now,
        )

    stay = _claim(ctx, facility, first, end, place_label, winter_active, make)
    _apply_clearance(ctx, clearance, stay)
    record(
        ctx,
        "stay.check_in",
        "stay",
        stay.id,
        facility_id=facility.id,
        place_id=stay.place_id,
        nights=stay.nights,
    )
    return stay


def get_stay(session: Session, stay_id: int, *, lock: bool = False) -> Stay:
    """A stay of a person: checked in, checked out, or left before its first night."""
    stay = session.get(Stay, stay_id, with_for_update=lock, populate_existing=lock)
    if stay is None or stay.checked_in_at is None:
        raise NotFound(what="stay")
    return stay


def extend_stay(
    ctx: ServiceContext,
    stay_id: int,
    *,
    nights: int = 1,
    override_ban_reason: str | None = None,
) -> Stay:
    """Add nights to a current stay on the same place."""
    stay = get_stay(ctx.session, stay_id)
    lock_facility_claims(ctx.session, stay.facility_id)
    stay = get_stay(ctx.session, stay_id, lock=True)
    if stay.status != StayStatus.CHECKED_IN:
        raise InvalidState(reason="not_checked_in")
    if stay.end_night is None:
        raise InvalidState(reason="open_ended")
    if stay.end_night < ctx.tonight():
        # It ended before tonight: extending would book nights already past. The
        # returning guest is checked in anew.
        raise InvalidState(reason="stay_ended")
    if not 1 <= nights <= MAX_NIGHTS:
        raise InvalidInput(field="nights", reason=f"zwischen 1 und {MAX_NIGHTS}")
    first, end = stay.end_night, stay.end_night + timedelta(days=nights)
    # An occupying stay always has a person (ck_stays_occupant_has_person).
    facility, place, person = stay.facility, stay.place, cast(Person, stay.person)
    winter_active = _require_offering(ctx.session, facility)
    clearance = _check_bans(ctx, facility, person, first, end, winter_active, override_ban_reason)
    _check_person_free(ctx.session, person, first, end, besides=stay.id)
    if _place_out_of_service(ctx.session, place, first, end):
        raise PlaceOutOfService(place=place.label)
    expire_stale_holds(ctx, facility.id)
    if not _place_free(ctx.session, place, first, end):
        raise PlaceTaken(place=place.label)
    stay.end_night = end
    try:
        _flush_claim(ctx.session, stay)
    except _PlaceConflict:
        raise PlaceTaken(place=place.label) from None
    _apply_clearance(ctx, clearance, stay)
    record(ctx, "stay.extend", "stay", stay.id, facility_id=facility.id, nights=nights)
    return stay


def check_out(ctx: ServiceContext, stay_id: int) -> Stay:
    """End a stay with the night the guest leaves in.

    From midnight to the day boundary the current night is being slept: the stay ends
    after it. From the day boundary to midnight the current night has not been slept
    yet: the place (and the person) is free for it at once. A guest who leaves in the
    evening of their first night used no night at all: the stay is cancelled. So is one
    who arrived before the day boundary for the coming night (a hold converted in the
    late morning) and leaves again before it.
    """
    stay = get_stay(ctx.session, stay_id, lock=True)
    if stay.status != StayStatus.CHECKED_IN:
        raise InvalidState(reason="not_checked_in")
    now = ctx.now()
    tonight = ctx.calendar.night_of(now)
    # In the morning the coming night is today's: a stay for it may be left already.
    if stay.first_night > now.astimezone(ctx.calendar.timezone).date():
        raise InvalidState(reason="not_started")
    end = tonight if ctx.calendar.before_midnight(now) else tonight + timedelta(days=1)
    stay.checked_out_at = now
    if end <= stay.first_night:
        stay.status = StayStatus.CANCELLED
    else:
        if stay.end_night is None or stay.end_night > end:
            stay.end_night = end
        stay.status = StayStatus.CHECKED_OUT
    ctx.session.flush()
    record(
        ctx,
        "stay.check_out",
        "stay",
        stay.id,
        facility_id=stay.facility_id,
        status=stay.status.value,
    )
    return stay


# --- holds ---------------------------------------------------------------------------


def create_hold(
    ctx: ServiceContext,
    facility: Facility,
    *,
    note: str | None = None,
    minutes: int | None = None,
    place_label: str | None = None,
) -> Stay:
    """Hold a place for someone on the way; it expires after `minutes`.

    The hold is for the night in which it runs out: the person arrives before then. (A
    hold made at 11:40 for an hour is for the coming night, not for the one ending at
    the day boundary.)
    """
    minutes = ctx.hold_minutes_default if minutes is None else minutes
    if not 1 <= minutes <= ctx.hold_minutes_max:
        raise InvalidInput(field="minutes", reason=f"zwischen 1 und {ctx.hold_minutes_max}")
    winter_active = _require_offering(ctx.session, facility)
    now = ctx.now()
    expires_at = now + timedelta(minutes=minutes)
    night = ctx.calendar.night_of(expires_at)
    if ctx.actor.user_id is not None:
        _check_hold_limit(ctx, ctx.actor.user_id)
    note = " ".join(note.split())[:300] if note else None

    def make(place: Place) -> Stay:
        return Stay(
            facility_id=facility.id,
            place_id=place.id,
            place=place,
            person_id=None,
            first_night=night,
            end_night=night + timedelta(days=1),
            status=StayStatus.HELD,
            created_at=now,
            created_by_id=ctx.actor.user_id,
            held_at=now,
            hold_expires_at=expires_at,
            hold_note=note,
        )

    hold = _claim(ctx, facility, night, night + timedelta(days=1), place_label, winter_active, make)
    record(ctx, "hold.create", "hold", hold.id, facility_id=facility.id, minutes=minutes)
    return hold


def _check_hold_limit(ctx: ServiceContext, user_id: int) -> None:
    live = ctx.session.scalar(
        sa.select(sa.func.count())
        .select_from(Stay)
        .where(IS_HELD, Stay.hold_expires_at > ctx.now(), Stay.created_by_id == user_id)
    )
    if (live or 0) >= ctx.holds_per_user:
        raise HoldLimitReached(limit=ctx.holds_per_user)


def get_hold(session: Session, hold_id: int, *, lock: bool = False) -> Stay:
    hold = session.get(Stay, hold_id, with_for_update=lock, populate_existing=lock)
    if hold is None or hold.held_at is None:
        raise NotFound(what="hold")
    return hold


def holds_for(session: Session, facility: Facility, night: date, now: datetime) -> Sequence[Stay]:
    """Live holds of a facility for a night (the night board's incoming guests)."""
    return session.scalars(
        sa.select(Stay)
        .where(
            Stay.facility_id == facility.id,
            IS_HELD,
            Stay.hold_expires_at > now,
            Stay.first_night == night,
        )
        .order_by(Stay.hold_expires_at)
    ).all()


def convert_hold(
    ctx: ServiceContext,
    hold_id: int,
    person: Person,
    *,
    nights: int = 1,
    override_ban_reason: str | None = None,
) -> Stay:
    """The person arrived: the hold becomes their stay on the held place."""
    # The facility's claims lock first, then the row: the same order as every claim.
    lock_facility_claims(ctx.session, get_hold(ctx.session, hold_id).facility_id)
    hold = get_hold(ctx.session, hold_id, lock=True)
    now = ctx.now()
    if hold.status == StayStatus.HELD and hold.hold_expires_at is not None:
        if hold.hold_expires_at <= now or hold.first_night < ctx.calendar.night_of(now):
            hold.status = StayStatus.EXPIRED
            ctx.session.flush()
            raise HoldExpired()
    elif hold.status == StayStatus.EXPIRED:
        raise HoldExpired()
    else:
        raise InvalidState(reason="hold_not_active")
    if not 1 <= nights <= MAX_NIGHTS:
        raise InvalidInput(field="nights", reason=f"zwischen 1 und {MAX_NIGHTS}")
    facility, place = hold.facility, hold.place
    first, end = hold.first_night, hold.first_night + timedelta(days=nights)
    winter_active = _require_offering(ctx.session, facility)
    check_target_group(facility, person, first)
    clearance = _check_bans(ctx, facility, person, first, end, winter_active, override_ban_reason)
    _check_person_free(ctx.session, person, first, end)
    held_end = hold.first_night + timedelta(days=1)  # a hold is for one night
    if end > held_end:
        more = (held_end, end)
        if _place_out_of_service(ctx.session, place, *more):
            raise PlaceOutOfService(place=place.label)
        if not _place_free(ctx.session, place, *more):
            raise PlaceTaken(place=place.label)
    hold.person_id = person.id
    hold.status = StayStatus.CHECKED_IN
    hold.checked_in_at = now
    hold.end_night = end
    try:
        _flush_claim(ctx.session, hold)
    except _PlaceConflict:
        raise PlaceTaken(place=place.label) from None
    _apply_clearance(ctx, clearance, hold)
    record(ctx, "hold.convert", "stay", hold.id, facility_id=facility.id, nights=nights)
    return hold


def cancel_hold(ctx: ServiceContext, hold_id: int) -> Stay:
    """Release a hold. Cancelling one already cancelled or expired changes nothing."""
    hold = get_hold(ctx.session, hold_id, lock=True)
    if hold_status(hold, ctx.now()) == StayStatus.EXPIRED:
        # Ran out before anyone cancelled it: it stays a no-show.
        hold.status = StayStatus.EXPIRED
        ctx.session.flush()
        return hold
    if hold.status == StayStatus.CANCELLED:
        return hold
    if hold.status != StayStatus.HELD:
        raise InvalidState(reason="hold_not_active")
    hold.status = StayStatus.CANCELLED
    ctx.session.flush()
    record(ctx, "hold.cancel", "hold", hold.id, facility_id=hold.facility_id)
    return hold


# --- turn-aways and house bans ---------------------------------------------------------


def record_turn_away(
    ctx: ServiceContext,
    facility: Facility,
    reason: TurnAwayReason,
    *,
    note: str | None = None,
    person: Person | None = None,
) -> TurnAway:
    turn_away = TurnAway(
        facility_id=facility.id,
        night=ctx.tonight(),
        occurred_at=ctx.now(),
        reason=TurnAwayReason(reason),
        note=" ".join(note.split())[:500] if note else None,
        person_id=person.id if person else None,
        created_by_id=ctx.actor.user_id,
    )
    ctx.session.add(turn_away)
    ctx.session.flush()
    record(
        ctx,
        "turn_away.create",
        "turn_away",
        turn_away.id,
        facility_id=facility.id,
        reason=turn_away.reason.value,
    )
    return turn_away


def impose_ban(
    ctx: ServiceContext,
    person: Person,
    facility: Facility,
    *,
    kind: BanKind,
    reason: str,
    first_night: date | None = None,
    end_night: date | None = None,
) -> HouseBan:
    """Ban a person from a facility for [first_night, end_night) (open-ended if no end)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput(field="reason", reason="Bitte einen Grund angeben.")
    first = first_night or ctx.tonight()
    if end_night is not None and end_night <= first:
        raise InvalidInput(field="end_night", reason="muss nach der ersten Nacht liegen")
    ban = HouseBan(
        person_id=person.id,
        facility_id=facility.id,
        first_night=first,
        end_night=end_night,
        kind=BanKind(kind),
        reason=reason[:500],
        created_at=ctx.now(),
        created_by_id=ctx.actor.user_id,
    )
    ctx.session.add(ban)
    ctx.session.flush()
    record(ctx, "ban.create", "house_ban", ban.id, facility_id=facility.id, kind=ban.kind.value)
    return ban


def override_ban(
    ctx: ServiceContext,
    ban_id: int,
    *,
    reason: str,
    first_night: date | None = None,
    nights: int = 1,
) -> BanOverride:
    """A manager lets a banned person in for `nights` nights from `first_night` (default
    tonight); staff can then check them in."""
    _require_override_right(ctx, reason, field="reason")
    ban = get_ban(ctx.session, ban_id)
    if ban.lifted_at is not None:
        raise InvalidState(reason="ban_lifted")
    if not 1 <= nights <= MAX_NIGHTS:
        raise InvalidInput(field="nights", reason=f"zwischen 1 und {MAX_NIGHTS}")
    first = first_night or ctx.tonight()
    return _add_override(
        ctx, ban, reason=reason, first=first, end=first + timedelta(days=nights), stay_id=None
    )


def get_ban(session: Session, ban_id: int) -> HouseBan:
    ban = session.get(HouseBan, ban_id)
    if ban is None:
        raise NotFound(what="ban")
    return ban


def lift_ban(ctx: ServiceContext, ban_id: int, *, reason: str) -> HouseBan:
    """End a ban for good, with a reason. A `danger` ban only a manager lifts: for staff
    it would be a way round the manager's override."""
    ban = get_ban(ctx.session, ban_id)
    if ban.kind == BanKind.DANGER and not ctx.actor.is_manager:
        raise Forbidden(reason="lift_needs_manager")
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput(field="reason", reason="Bitte einen Grund angeben.")
    if ban.lifted_at is not None:
        raise InvalidState(reason="ban_lifted")
    ban.lifted_at = ctx.now()
    ban.lifted_by_id = ctx.actor.user_id
    ban.lift_reason = reason[:500]
    ctx.session.flush()
    record(ctx, "ban.lift", "house_ban", ban.id, facility_id=ban.facility_id)
    return ban
