"""House bans: imposing and lifting them, a manager's override, and how a check-in gets
past them (in a winter emergency `conduct` bans are suspended; `danger` bans hold)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.audit.service import record
from belegung.context import ServiceContext
from belegung.db import overlaps
from belegung.errors import (
    Banned,
    BannedBeyondTonight,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
)
from belegung.facilities.models import Facility
from belegung.limits import REASON_MAX
from belegung.persons.models import Person
from belegung.stays.checks import check_nights
from belegung.stays.claims import claims_changed
from belegung.stays.models import BanKind, BanOverride, HouseBan, Stay, StayStatus, Value
from belegung.winter.service import winter_state


def _ban_conditions(
    person_id: Value[int], facility_id: Value[int], first: Value[date], end: Value[date] | None
) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        HouseBan.person_id == person_id,
        HouseBan.facility_id == facility_id,
        HouseBan.lifted_at.is_(None),
        overlaps(HouseBan.first_night, HouseBan.end_night, first, end),
    )


def any_ban_clause(
    person_id: Value[int], facility_id: Value[int], first: Value[date], end: Value[date] | None
) -> sa.ColumnElement[bool]:
    """SQL for "the person has a ban at the facility on a night of [first, end)" (of any
    kind: whether it holds is clear_bans' question)."""
    return sa.exists().where(*_ban_conditions(person_id, facility_id, first, end))


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
    stmt = sa.select(HouseBan).where(*_ban_conditions(person.id, facility.id, first, end))
    if winter_active:
        stmt = stmt.where(HouseBan.kind == BanKind.DANGER)
    return session.scalars(stmt.order_by(HouseBan.id)).all()


def get_ban(session: Session, ban_id: int) -> HouseBan:
    ban = session.get(HouseBan, ban_id)
    if ban is None:
        raise NotFound(what="ban")
    return ban


def _reason_text(reason: str | None, *, field: str = "reason") -> str:
    """A reason as stored: blanks collapsed, cut to its column; none at all is refused."""
    text = " ".join((reason or "").split())
    if not text:
        raise InvalidInput(field=field, reason="reason_missing")
    return text[:REASON_MAX]


# --- getting past a ban at check-in ------------------------------------------------------


@dataclass
class BanClearance:
    """How a check-in gets past a person's bans: overrides granted ahead, and bans a
    manager overrides in the check-in itself."""

    granted: Sequence[BanOverride] = ()
    to_override: Sequence[HouseBan] = ()
    reason: str | None = None


def covering_override(
    session: Session, ban: HouseBan, first: date, end: date | None
) -> BanOverride | None:
    """A manager's override that lets the person in on every night of [first, end)."""
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


def _require_override_right(ctx: ServiceContext, reason: str, *, field: str) -> None:
    if not ctx.actor.is_manager:
        raise Forbidden(reason="override_needs_manager")
    if not reason.strip():
        raise InvalidInput(field=field, reason="override_needs_reason")


def emergency_nights(ctx: ServiceContext) -> tuple[date, date] | None:
    """The nights [first, end) for which a winter emergency suspends `conduct` bans: from
    the night it began up to and including tonight — never beyond, since nobody knows
    whether it still holds tomorrow. None when no emergency is active."""
    state = winter_state(ctx.session)
    if not state.active or state.since is None:
        return None
    return ctx.calendar.night_of(state.since), ctx.tonight() + timedelta(days=1)


def is_suspended(ban: HouseBan, first: date, end: date | None, nights: tuple[date, date]) -> bool:
    """Whether the emergency's `nights` suspend `ban` for every night of [first, end)."""
    return (
        ban.kind == BanKind.CONDUCT and end is not None and nights[0] <= first and end <= nights[1]
    )


def clear_bans(
    ctx: ServiceContext,
    facility: Facility,
    person: Person,
    first: date,
    end: date | None,
    winter_active: bool,
    override_reason: str | None,
    *,
    maybe_banned: bool = True,
) -> BanClearance:
    """Let a banned person in only past a manager's override; raise Banned otherwise.

    In a winter emergency a `conduct` ban is suspended for the emergency's nights only:
    a check-in or extension within them (in practice tonight, one night at a time) gets
    past it; one reaching beyond tonight needs an override like any other night.

    `maybe_banned` False: the caller asked any_ban_clause in this transaction and no
    ban was there (nothing to read)."""
    if not maybe_banned:
        return BanClearance(reason=override_reason)
    bans = active_bans(ctx.session, person, facility, first, end, winter_active=False)
    suspended = emergency_nights(ctx) if winter_active else None
    granted, unresolved = [], []
    for ban in bans:
        if suspended is not None and is_suspended(ban, first, end, suspended):
            continue
        override = covering_override(ctx.session, ban, first, end)
        if override is None:
            unresolved.append(ban)
        else:
            granted.append(override)
    if unresolved:
        if override_reason is None:
            refused = unresolved[0]
            if suspended is not None and refused.kind == BanKind.CONDUCT:
                raise BannedBeyondTonight(facility=facility.name, kind=refused.kind.value)
            raise Banned(facility=facility.name, kind=refused.kind.value)
        _require_override_right(ctx, override_reason, field="override_ban_reason")
    return BanClearance(granted, unresolved, override_reason)


def resume_conduct_bans(ctx: ServiceContext) -> int:
    """The winter emergency has ended: `conduct` bans hold again. A person with such a
    ban keeps the night under way (nobody is sent out into the cold at once), but their
    later nights at that facility are not kept unless a manager's override covers them:
    the stay ends after tonight (or is cancelled if it had not begun). Returns the number
    of stays shortened."""
    keep_until = ctx.tonight() + timedelta(days=1)
    candidates = ctx.session.execute(
        sa.select(Stay, HouseBan)
        .join(
            HouseBan,
            sa.and_(
                HouseBan.person_id == Stay.person_id,
                HouseBan.facility_id == Stay.facility_id,
            ),
        )
        .where(
            Stay.status == StayStatus.CHECKED_IN,
            Stay.end_night.is_not(None),
            Stay.end_night > keep_until,
            HouseBan.kind == BanKind.CONDUCT,
            HouseBan.lifted_at.is_(None),
            sa.or_(HouseBan.end_night.is_(None), HouseBan.end_night > keep_until),
            HouseBan.first_night < Stay.end_night,
        )
        .order_by(Stay.id, HouseBan.first_night)
    ).all()
    shortened: dict[int, Stay] = {}
    for stay, ban in candidates:
        if stay.status != StayStatus.CHECKED_IN or stay.end_night is None:
            continue  # cancelled by another of the person's bans just now
        start = max(keep_until, ban.first_night, stay.first_night)
        stop = stay.end_night if ban.end_night is None else min(stay.end_night, ban.end_night)
        if start >= stop or covering_override(ctx.session, ban, start, stop) is not None:
            continue
        if start <= stay.first_night:
            stay.status = StayStatus.CANCELLED
            stay.checked_out_at = ctx.now()
        else:
            stay.end_night = start
        shortened[stay.id] = stay
    if shortened:
        ctx.session.flush()
        for stay in shortened.values():
            claims_changed(ctx, stay.facility_id)
            record(
                ctx,
                "stay.ban_resumed",
                "stay",
                stay.id,
                facility_id=stay.facility_id,
                status=stay.status.value,
            )
    return len(shortened)


def apply_clearance(ctx: ServiceContext, clearance: BanClearance, stay: Stay) -> None:
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
        reason=" ".join(reason.split())[:REASON_MAX],
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


# --- imposing, overriding, lifting -------------------------------------------------------


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
    text = _reason_text(reason)
    first = first_night or ctx.tonight()
    if end_night is not None and end_night <= first:
        raise InvalidInput(field="end_night", reason="end_before_first")
    ban = HouseBan(
        person_id=person.id,
        facility_id=facility.id,
        first_night=first,
        end_night=end_night,
        kind=BanKind(kind),
        reason=text,
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
    check_nights(nights)
    first = first_night or ctx.tonight()
    return _add_override(
        ctx, ban, reason=reason, first=first, end=first + timedelta(days=nights), stay_id=None
    )


def lift_ban(ctx: ServiceContext, ban_id: int, *, reason: str) -> HouseBan:
    """End a ban for good, with a reason. A `danger` ban only a manager lifts: for staff
    it would be a way round the manager's override."""
    ban = get_ban(ctx.session, ban_id)
    if ban.kind == BanKind.DANGER and not ctx.actor.is_manager:
        raise Forbidden(reason="lift_needs_manager")
    text = _reason_text(reason)
    if ban.lifted_at is not None:
        raise InvalidState(reason="ban_lifted")
    ban.lifted_at = ctx.now()
    ban.lifted_by_id = ctx.actor.user_id
    ban.lift_reason = text
    ctx.session.flush()
    record(ctx, "ban.lift", "house_ban", ban.id, facility_id=ban.facility_id)
    return ban
