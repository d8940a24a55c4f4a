"""Holds: a place kept for someone on the way, until it expires; on arrival it becomes
their stay, and a hold that runs out unused is a no-show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.audit.service import record
from belegung.context import ServiceContext
from belegung.errors import (
    FacilityNotOffering,
    HoldExpired,
    HoldLimitReached,
    InvalidInput,
    InvalidState,
    NotFound,
)
from belegung.facilities.models import Facility, Place
from belegung.facilities.service import offers_places
from belegung.limits import HOLD_NOTE_MAX
from belegung.persons.models import Person
from belegung.stays.bans import apply_clearance, clear_bans
from belegung.stays.checks import (
    check_nights,
    check_nights_per_call,
    check_person_free,
    check_target_group,
    require_offering,
)
from belegung.stays.claims import (
    check_place,
    claim,
    claims_changed,
    lock_facility_claims,
    write_claim,
)
from belegung.stays.models import IS_HELD, Stay, StayStatus


@dataclass(frozen=True)
class HoldView:
    """A hold as a caller sees it at a moment: past its expiry it reads as expired,
    even before housekeeping marks it."""

    hold: Stay
    status: StayStatus

    @classmethod
    def at(cls, hold: Stay, now: datetime) -> HoldView:
        return cls(hold, hold.status_at(now))


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


# Advisory-lock namespace for one user's holds ("hld" in ASCII).
HOLDS_LOCK_CLASS = 0x686C64


def lock_user_holds(session: Session, user_id: int) -> None:
    """Serialise one user's new holds until the transaction ends, so that the count of
    their live holds and the new hold are one step: without it, thirty simultaneous
    holds each count the same four and all pass the limit. Taken before the facility's
    claims lock (always in this order). SQLite needs nothing: every transaction already
    holds the database's write lock (see belegung.db)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:cls, :obj)"),
            {"cls": HOLDS_LOCK_CLASS, "obj": user_id},
        )


def _check_hold_limit(ctx: ServiceContext, user_id: int) -> None:
    lock_user_holds(ctx.session, user_id)
    live = ctx.session.scalar(
        sa.select(sa.func.count())
        .select_from(Stay)
        .where(IS_HELD, Stay.hold_expires_at > ctx.now(), Stay.created_by_id == user_id)
    )
    if (live or 0) >= ctx.holds_per_user:
        raise HoldLimitReached(limit=ctx.holds_per_user)


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
        raise InvalidInput(field="minutes", reason="between", low=1, high=ctx.hold_minutes_max)
    winter_active = require_offering(ctx.session, facility)
    now = ctx.now()
    expires_at = now + timedelta(minutes=minutes)
    night = ctx.calendar.night_of(expires_at)
    if ctx.actor.user_id is not None:
        _check_hold_limit(ctx, ctx.actor.user_id)
    note = " ".join(note.split())[:HOLD_NOTE_MAX] if note else None

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

    hold = claim(ctx, facility, night, night + timedelta(days=1), place_label, winter_active, make)
    record(ctx, "hold.create", "hold", hold.id, facility_id=facility.id, minutes=minutes)
    return hold


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
    check_nights(nights)
    facility, place = hold.facility, hold.place
    check_nights_per_call(ctx, facility, nights)
    first, end = hold.first_night, hold.first_night + timedelta(days=nights)
    winter_active = require_offering(ctx.session, facility, held=True)
    if nights > 1 and not offers_places(facility, winter_active):
        # After the emergency a standby shelter gives the held night, no more.
        raise FacilityNotOffering(facility=facility.name)
    check_target_group(facility, person, first)
    clearance = clear_bans(ctx, facility, person, first, end, winter_active, override_ban_reason)
    check_person_free(ctx.session, person, first, end)

    def take() -> Stay:
        hold.person_id = person.id
        hold.status = StayStatus.CHECKED_IN
        hold.checked_in_at = now
        hold.end_night = end
        return hold

    held_end = hold.first_night + timedelta(days=1)  # a hold is for one night
    if end > held_end:
        # The nights beyond the held one must be free like any others.
        check_place(ctx.session, place, held_end, end)
    write_claim(ctx, place, take)
    apply_clearance(ctx, clearance, hold)
    record(ctx, "hold.convert", "stay", hold.id, facility_id=facility.id, nights=nights)
    return hold


def cancel_hold(ctx: ServiceContext, hold_id: int) -> Stay:
    """Release a hold. Cancelling one already cancelled or expired changes nothing."""
    hold = get_hold(ctx.session, hold_id, lock=True)
    if hold.status_at(ctx.now()) == StayStatus.EXPIRED:
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
    claims_changed(ctx, hold.facility_id)
    record(ctx, "hold.cancel", "hold", hold.id, facility_id=hold.facility_id)
    return hold
