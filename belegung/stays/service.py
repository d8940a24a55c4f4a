"""Stays: checking a person in, extending the stay, checking them out.

Each rule checks first (for a precise error) and claims places through stays.claims,
whose database constraint is the guarantee. Services only flush; the caller's unit of
work commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from belegung.audit.service import record
from belegung.context import ServiceContext
from belegung.errors import (
    AlreadyCheckedIn,
    EmergencyPlaceNotExtended,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
)
from belegung.facilities.models import Facility, FacilityKind, Place
from belegung.facilities.service import get_place
from belegung.persons.models import Person
from belegung.stays.bans import BanClearance, any_ban_clause, apply_clearance, clear_bans
from belegung.stays.checks import (
    check_nights,
    check_nights_per_call,
    check_target_group,
    nights_range,
    require_offering,
)
from belegung.stays.claims import (
    END,
    FIRST,
    check_place,
    claim,
    claim_place,
    claims_changed,
    emergency_offered,
    expire_stale_holds,
    lock_facility_claims,
    nights_params,
    stale_holds_clause,
    write_claim,
)
from belegung.stays.models import Stay, StayStatus, person_elsewhere_clause
from belegung.winter.service import active_clause as winter_active_clause

# A stay is read with what its answer names (facility, place, guest), in one statement.
_WITH_NAMES = (
    joinedload(Stay.facility, innerjoin=True),
    joinedload(Stay.place, innerjoin=True),
    joinedload(Stay.person),
)


def get_stay(session: Session, stay_id: int, *, lock: bool = False) -> Stay:
    """A stay of a person: checked in, checked out, or left before its first night.

    `lock`: read anew with the stay's row locked until the transaction ends (only the
    stay's row: its facility, place and person are read along, unlocked)."""
    stay = session.get(
        Stay,
        stay_id,
        options=_WITH_NAMES,
        with_for_update={"of": Stay} if lock else None,
        populate_existing=lock,
    )
    if stay is None or stay.checked_in_at is None:
        raise NotFound(what="stay")
    return stay


def _locked(ctx: ServiceContext, stay: int | Stay) -> Stay:
    """The stay by id, its row locked; or the stay itself, which the caller read with
    get_stay(lock=True) in this transaction."""
    return stay if isinstance(stay, Stay) else get_stay(ctx.session, stay, lock=True)


@dataclass(frozen=True)
class Standing:
    """What a claim of a person asks of the database before it is made: whether a winter
    emergency is active, whether the person has any ban at the facility on the nights,
    whether they sleep elsewhere on one of them, and whether the facility has stale holds
    to expire first — one statement, not four (the checks are for precise errors; the
    constraints are the guarantee)."""

    winter_active: bool
    maybe_banned: bool
    elsewhere: bool
    stale_holds: bool


def _standing(
    ctx: ServiceContext,
    facility: Facility,
    person: Person,
    first: date,
    end: date | None,
    *,
    besides: int | None = None,
) -> Standing:
    params: dict[str, object] = {
        "person_id": person.id,
        "facility_id": facility.id,
        "now": ctx.now(),
        **nights_params(first, end),
    }
    if besides is not None:
        params["besides"] = besides
    row = ctx.session.execute(_standing_query(end is None, besides is not None), params).one()
    return Standing(*(bool(flag) for flag in row))


def _cleared(
    ctx: ServiceContext,
    facility: Facility,
    person: Person,
    nights: tuple[date, date | None],
    standing: Standing,
    winter_active: bool,
    override_ban_reason: str | None,
) -> BanClearance:
    """The bans a claim clears (or the refusal), then the refusal of a person who sleeps
    elsewhere on one of the nights: the same checks, in the same order, for a check-in
    and an extension."""
    first, end = nights
    clearance = clear_bans(
        ctx,
        facility,
        person,
        first,
        end,
        winter_active,
        override_ban_reason,
        maybe_banned=standing.maybe_banned,
    )
    if standing.elsewhere:
        raise AlreadyCheckedIn()
    return clearance


@cache
def _standing_query(open_ended: bool, besides: bool) -> sa.Select[tuple[bool, bool, bool, bool]]:
    """Built once per shape (see stays.claims, "statements built once")."""
    person_id: sa.BindParameter[int] = sa.bindparam("person_id")
    facility_id: sa.BindParameter[int] = sa.bindparam("facility_id")
    end = None if open_ended else END
    return sa.select(
        winter_active_clause(),
        any_ban_clause(person_id, facility_id, FIRST, end),
        person_elsewhere_clause(
            person_id, FIRST, end, besides=sa.bindparam("besides") if besides else None
        ),
        stale_holds_clause(facility_id, sa.bindparam("now")),
    )


def _flush_now(ctx: ServiceContext) -> None:
    """Send what the rule wrote (its audit entry too) before the unit of work commits: the
    commit's hooks take the figures' version row, on which every write queues, and it
    should be held for no round trip that could have come before."""
    ctx.session.flush()


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
    first, end = nights_range(ctx, facility, night, nights)
    standing = _standing(ctx, facility, person, first, end)
    winter_active = require_offering(ctx.session, facility, winter_active=standing.winter_active)
    check_target_group(facility, person, first)
    clearance = _cleared(
        ctx, facility, person, (first, end), standing, winter_active, override_ban_reason
    )
    now = ctx.now()

    def make(place: Place) -> Stay:
        # The objects themselves, not only their ids: the answer names them without
        # loading them again.
        return Stay(
            facility_id=facility.id,
            facility=facility,
            place_id=place.id,
            place=place,
            person_id=person.id,
            person=person,
            first_night=first,
            end_night=end,
            status=StayStatus.CHECKED_IN,
            created_at=now,
            created_by_id=ctx.actor.user_id,
            checked_in_at=now,
        )

    stay = claim(
        ctx,
        facility,
        first,
        end,
        place_label,
        winter_active,
        make,
        stale_holds=standing.stale_holds,
    )
    apply_clearance(ctx, clearance, stay)
    record(
        ctx,
        "stay.check_in",
        "stay",
        stay.id,
        facility_id=facility.id,
        place_id=stay.place_id,
        nights=stay.nights,
    )
    _flush_now(ctx)
    return stay


def extend_stay(
    ctx: ServiceContext,
    stay_id: int | Stay,
    *,
    nights: int = 1,
    override_ban_reason: str | None = None,
    override_emergency_reason: str | None = None,
) -> Stay:
    """Add nights to a current stay on the same place (its row locked, then the place's:
    see claims.lock_place).

    A stay on an emergency place is extended only while emergency places are offered
    (a winter emergency, or every regular place taken on the first added night): after
    an emergency, while regular places are free, the guest is offered one of them
    (move_stay) — or a manager overrides, with a reason (audited).

    `stay_id`: the stay's id, or the stay as get_stay(lock=True) read it."""
    stay = _locked(ctx, stay_id)
    if stay.status != StayStatus.CHECKED_IN:
        raise InvalidState(reason="not_checked_in")
    if stay.end_night is None:
        raise InvalidState(reason="open_ended")
    if stay.end_night < ctx.tonight():
        # It ended before tonight: extending would book nights already past. The
        # returning guest is checked in anew.
        raise InvalidState(reason="stay_ended")
    check_nights(nights)
    first, end = stay.end_night, stay.end_night + timedelta(days=nights)
    # An occupying stay always has a person (ck_stays_occupant_has_person).
    facility, place, person = stay.facility, stay.place, cast(Person, stay.person)
    check_nights_per_call(ctx, facility, nights)
    standing = _standing(ctx, facility, person, first, end, besides=stay.id)
    winter_active = require_offering(ctx.session, facility, winter_active=standing.winter_active)
    emergency_override = _emergency_place_kept(
        ctx, facility, place, first, winter_active, override_emergency_reason
    )
    clearance = _cleared(
        ctx, facility, person, (first, end), standing, winter_active, override_ban_reason
    )
    if standing.stale_holds:
        expire_stale_holds(ctx, facility.id)

    def lengthen() -> Stay:
        stay.end_night = end
        return stay

    claim_place(ctx, place, first, end, lengthen)
    apply_clearance(ctx, clearance, stay)
    record(ctx, "stay.extend", "stay", stay.id, facility_id=facility.id, nights=nights)
    if emergency_override:
        record(
            ctx,
            "stay.emergency_place_override",
            "stay",
            stay.id,
            facility_id=facility.id,
            place_id=place.id,
            nights=nights,
        )
    _flush_now(ctx)
    return stay


def _emergency_place_kept(
    ctx: ServiceContext,
    facility: Facility,
    place: Place,
    first: date,
    winter_active: bool,
    override_reason: str | None,
) -> bool:
    """Whether a guest may stay on `place` from `first` on: any regular place, an
    emergency place while emergency places are offered, else only past a manager's
    override (returns True then, to be audited). Raise EmergencyPlaceNotExtended
    otherwise."""
    if not place.emergency or emergency_offered(ctx.session, facility, first, winter_active):
        return False
    if override_reason is None:
        raise EmergencyPlaceNotExtended(place=place.label)
    if not ctx.actor.is_manager:
        raise Forbidden(reason="emergency_override_needs_manager")
    if not override_reason.strip():
        raise InvalidInput(field="override_emergency_reason", reason="override_needs_reason")
    return True


def check_out(ctx: ServiceContext, stay_id: int | Stay) -> Stay:
    """End a stay with the night the guest leaves in.

    From midnight to the day boundary the current night is being slept: the stay ends
    after it. From the day boundary to midnight the current night has not been slept
    yet: the place (and the person) is free for it at once. A guest who leaves in the
    evening of their first night used no night at all: the stay is cancelled. So is one
    who arrived before the day boundary for the coming night (a hold converted in the
    late morning) and leaves again before it.

    `stay_id`: the stay's id, or the stay as get_stay(lock=True) read it.
    """
    stay = _locked(ctx, stay_id)
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
    claims_changed(ctx, stay.facility_id)
    record(
        ctx,
        "stay.check_out",
        "stay",
        stay.id,
        facility_id=stay.facility_id,
        status=stay.status.value,
    )
    _flush_now(ctx)
    return stay


def move_stay(ctx: ServiceContext, stay_id: int, place_label: str) -> Stay:
    """Move a guest to another place of the same facility, from tonight on.

    A stay that begins tonight or later moves whole. One that began before keeps the
    nights already slept on its place and ends with them; from tonight on a new stay on
    the new place takes over (the statistics keep where each night was slept). The new
    place is claimed like any other (stays.claims): checked first for a precise error,
    with the exclusion constraint as the guarantee; an emergency place only when offered.
    """
    stay = get_stay(ctx.session, stay_id)
    lock_facility_claims(ctx.session, stay.facility_id)
    stay = get_stay(ctx.session, stay_id, lock=True)
    if stay.status != StayStatus.CHECKED_IN:
        raise InvalidState(reason="not_checked_in")
    tonight = ctx.tonight()
    if stay.end_night is not None and stay.end_night <= tonight:
        raise InvalidState(reason="stay_ended")
    facility = stay.facility
    target = get_place(ctx.session, facility, place_label)
    if target.id == stay.place_id:
        raise InvalidInput(field="place", reason="same_place")
    winter_active = require_offering(ctx.session, facility)
    expire_stale_holds(ctx, facility.id)
    start, end = max(stay.first_night, tonight), stay.end_night
    from_place_id = stay.place_id

    def offered() -> bool:
        return emergency_offered(ctx.session, facility, start, winter_active)

    if start == stay.first_night:

        def shift() -> Stay:
            stay.place_id = target.id
            stay.place = target
            return stay

        moved = claim_place(ctx, target, start, end, shift, offered=offered)
    else:
        check_place(ctx.session, target, start, end, offered=offered)
        # The nights slept stay where they were slept; the person is free from tonight.
        stay.end_night = start
        ctx.session.flush()
        successor = Stay(
            facility_id=facility.id,
            place_id=target.id,
            place=target,
            person_id=stay.person_id,
            first_night=start,
            end_night=end,
            status=StayStatus.CHECKED_IN,
            created_at=ctx.now(),
            created_by_id=ctx.actor.user_id,
            checked_in_at=stay.checked_in_at,
        )
        moved = write_claim(ctx, target, lambda: successor)
    claims_changed(ctx, facility.id)
    record(
        ctx,
        "stay.move",
        "stay",
        moved.id,
        facility_id=facility.id,
        from_place_id=from_place_id,
        to_place_id=target.id,
        previous_stay_id=stay.id if moved.id != stay.id else None,
    )
    return moved


def end_past_shelter_stays(ctx: ServiceContext) -> int:
    """Mark shelter stays whose last night is over as checked out (housekeeping: nobody
    checked them out at the door). A stay that ended this morning stays checked in until
    the next day boundary, so that staff can still extend it into tonight for a guest
    who returns (extend_stay); past that it can't be extended anyway. The nights stay
    counted as occupied."""
    shelters = sa.select(Facility.id).where(Facility.kind == FacilityKind.NIGHT_SHELTER)
    result = ctx.session.execute(
        sa.update(Stay)
        .where(
            Stay.status == StayStatus.CHECKED_IN,
            Stay.end_night.is_not(None),
            Stay.end_night < ctx.tonight(),
            Stay.facility_id.in_(shelters),
        )
        .values(status=StayStatus.CHECKED_OUT, checked_out_at=ctx.now()),
        execution_options={"synchronize_session": "fetch"},
    )
    ended = int(getattr(result, "rowcount", 0) or 0)
    if ended:
        record(ctx, "stay.end_past", "stay", None, count=ended)
    return ended
