"""Claims on places: whether a place is free, out of service or locked, and the one way to
put a claim on it.

A claim is a stay (a person on a place for some nights) or a live hold. Every claim goes
through `claim_place` or `claim_first_free`: the service checks first (for a precise
error), and the database is the guarantee — on PostgreSQL the exclusion constraint
`ex_stays_place_nights`, on SQLite the write lock every transaction takes before it reads
(see belegung.db). Claims on one place take turns (`lock_place`: its row lock; a
check-in takes the first free place nobody else holds, with SKIP LOCKED), and rarer
changes of a facility's claims (extend, move, a hold's conversion, out of service) also
take turns per facility (`lock_facility_claims`). Each claim
notes the facility in the unit of work (`changed("claims", facility_id)`), which is how
whatever depends on the figures (capacity alerts, caches) learns of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from functools import cache
from typing import cast

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, make_transient_to_detached

from belegung.context import ServiceContext
from belegung.db import exists_overlapping
from belegung.errors import (
    AlreadyCheckedIn,
    EmergencyPlaceNotOffered,
    NoFreePlace,
    PlaceOutOfService,
    PlaceTaken,
)
from belegung.facilities.models import Facility, OutOfService, Place
from belegung.facilities.service import get_place
from belegung.stays.models import (
    CLAIMING,
    IS_HELD,
    Stay,
    StayStatus,
    Value,
    person_elsewhere_clause,
)

# The topic under which a unit of work collects the facilities whose claims changed.
CLAIMS = "claims"

# Advisory-lock namespace for claims on a facility's places ("bel" in ASCII).
CLAIMS_LOCK_CLASS = 0x62656C
DEADLOCK_DETECTED = "40P01"


# --- statements built once -----------------------------------------------------------
# The statements of a check-in's and an extension's path are built once per shape (an
# open-ended range or not), with bound parameters: building one anew and computing its
# cache key cost more Python per request than its round trip to the database.

FIRST: sa.BindParameter[date] = sa.bindparam("first")
END: sa.BindParameter[date] = sa.bindparam("end")


def nights_params(first: date, end: date | None) -> dict[str, date]:
    """The parameters FIRST and END of a statement built for [first, end)."""
    return {"first": first} if end is None else {"first": first, "end": end}


class PlaceConflict(Exception):
    """The exclusion constraint refused a claim: someone else got the place first."""


# --- is a place free? ----------------------------------------------------------------


def claims_clause(first: Value[date], end: Value[date] | None) -> sa.ColumnElement[bool]:
    """True for a place (correlated on Place.id) claimed on any night of [first, end)."""
    return exists_overlapping(
        Stay.first_night,
        Stay.end_night,
        first,
        end,
        Stay.place_id == Place.id,
        Stay.status.in_(CLAIMING),
    )


def out_of_service_clause(first: Value[date], end: Value[date] | None) -> sa.ColumnElement[bool]:
    """True for a place (correlated on Place.id) out of service on any night of the range."""
    return exists_overlapping(
        OutOfService.first_night,
        OutOfService.end_night,
        first,
        end,
        OutOfService.place_id == Place.id,
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


def _place_has(session: Session, place: Place, clause: sa.ColumnElement[bool]) -> bool:
    """Evaluate a clause correlated on Place.id (claims_clause, out_of_service_clause)
    for one place."""
    return bool(session.scalar(sa.select(clause).where(Place.id == place.id)))


def place_out_of_service(session: Session, place: Place, first: date, end: date | None) -> bool:
    return _place_has(session, place, out_of_service_clause(first, end))


def regular_place_free(session: Session, facility: Facility, night: date) -> bool:
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


def emergency_offered(
    session: Session, facility: Facility, night: date, winter_active: bool
) -> bool:
    """Emergency places are offered in a winter emergency, or once every regular place
    of the facility is taken on the night the guest arrives."""
    return winter_active or not regular_place_free(session, facility, night)


def offered_places(
    session: Session, facility: Facility, first: date, end: date | None, winter_active: bool
) -> list[Place]:
    """The places a guest could be given for [first, end): the free ones, emergency
    places only while they are offered (regular ones first)."""
    free = free_places(session, facility, first, end)
    if any(p.emergency for p in free) and not emergency_offered(
        session, facility, first, winter_active
    ):
        return [p for p in free if not p.emergency]
    return list(free)


# --- taking turns --------------------------------------------------------------------


def lock_facility_claims(session: Session, facility_id: int) -> None:
    """Serialise claims on one facility's places until the transaction ends.

    On PostgreSQL two transactions inserting a claim on the same place at once can each
    wait for the other's tentative entry in the exclusion constraint's index, and one is
    aborted as a deadlock. Taking this lock before reading which places are free makes
    claims in a facility take turns: the free-place query then sees every committed
    claim, and the exclusion constraint remains the guarantee. SQLite needs nothing:
    every transaction already holds the database's write lock (see belegung.db).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:cls, :obj)"),
            {"cls": CLAIMS_LOCK_CLASS, "obj": facility_id},
        )


def lock_place(session: Session, place: Place) -> None:
    """Take the row lock of a place until the transaction ends (PostgreSQL): every claim
    written on a place holds it, so two claims on one place never meet in the exclusion
    constraint's index at once (where each would wait for the other: a deadlock), and a
    check of the place made after it sees every claim committed before. SQLite needs
    nothing: every transaction already holds the database's write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(Place.id).where(Place.id == place.id).with_for_update())


def stale_holds_clause(facility_id: Value[int], now: Value[datetime]) -> sa.ColumnElement[bool]:
    """SQL for "the facility has holds past their expiry not yet marked expired" (read
    through the partial index of live holds): whether expire_stale_holds has work."""
    return sa.exists().where(IS_HELD, Stay.hold_expires_at <= now, Stay.facility_id == facility_id)


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


# --- claiming ------------------------------------------------------------------------


def _sqlstate(exc: OperationalError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def _constraint_name(exc: IntegrityError) -> str | None:
    diag = getattr(exc.orig, "diag", None)
    return getattr(diag, "constraint_name", None)


def flush_claim(ctx: ServiceContext, stay: Stay) -> None:
    """Write a new or changed claim inside a savepoint, so that a refusal by the exclusion
    constraint leaves the surrounding transaction usable."""
    try:
        with ctx.session.begin_nested():
            ctx.session.add(stay)
            ctx.session.flush()
    except IntegrityError as exc:
        name = _constraint_name(exc)
        if name == "ex_stays_place_nights":
            raise PlaceConflict() from exc
        if name == "ex_stays_person_nights":
            raise AlreadyCheckedIn() from exc
        raise
    except OperationalError as exc:
        # Claims on one place take turns (lock_place), so the only deadlock left is the
        # same person checked in at two facilities at the same moment.
        if _sqlstate(exc) == DEADLOCK_DETECTED:
            raise AlreadyCheckedIn() from exc
        raise
    claims_changed(ctx, stay.facility_id)


def _insert_claim(ctx: ServiceContext, stay: Stay, first: date, end: date | None) -> bool:
    """PostgreSQL: insert a new claim on a place whose row this transaction has locked, in
    one statement, unless the place is out of service on one of the nights or the
    exclusion constraints refuse it; True if it was inserted.

    Out of service is asked in the INSERT itself: its snapshot is taken past the place's
    lock, so it sees a period committed between the read that chose the place and the
    lock (no constraint guards that). A refusal by the exclusion constraints is `ON
    CONFLICT DO NOTHING` — no error, so no savepoint is needed to keep the transaction
    usable for the next place. The stay is then in the session as if flushed (with its
    facility, place and person as `make` set them, so that the answer loads nothing).
    """
    session = ctx.session
    values: dict[str, object] = {}
    for attr in sa.inspect(Stay).column_attrs:
        if attr.key == "id":
            continue
        value = stay.__dict__.get(attr.key)
        column = attr.columns[0]
        if value is None and column.default is not None and column.default.is_callable:
            value = column.default.arg(None)
        values[attr.key] = value
    insert = _insert_unless_refused(end is None)
    params = {f"v_{key}": value for key, value in values.items()}
    try:
        new_id = session.scalar(insert, {**params, **nights_params(first, end)})
    except OperationalError as exc:
        # The only deadlock left: the same person at two facilities at the same moment
        # (see flush_claim).
        if _sqlstate(exc) == DEADLOCK_DETECTED:
            raise AlreadyCheckedIn() from exc
        raise
    if new_id is None:
        # Out of service, the place claimed meanwhile (try the next one) — or the person
        # checked in elsewhere meanwhile, which no other place mends.
        person_id = values["person_id"]
        if isinstance(person_id, int) and session.scalar(
            sa.select(person_elsewhere_clause(person_id, first, end))
        ):
            raise AlreadyCheckedIn()
        return False
    for key, value in values.items():
        setattr(stay, key, value)
    stay.id = new_id
    make_transient_to_detached(stay)
    session.add(stay)
    claims_changed(ctx, stay.facility_id)
    return True


@cache
def _insert_unless_refused(open_ended: bool) -> sa.Insert:
    """INSERT … SELECT … WHERE NOT EXISTS (out of service) ON CONFLICT DO NOTHING
    RETURNING id, with a parameter `v_<column>` per column of a stay but its id."""
    table = cast(sa.Table, Stay.__table__)
    names = [column.key for column in table.c if column.key != "id"]
    end = None if open_ended else END
    row = (
        sa.select(*(sa.bindparam(f"v_{name}", type_=table.c[name].type) for name in names))
        .where(
            ~exists_overlapping(
                OutOfService.first_night,
                OutOfService.end_night,
                FIRST,
                end,
                OutOfService.place_id == sa.bindparam("v_place_id"),
            )
        )
        # Spelled as the SELECT's suffix rather than with the dialect's insert(), whose
        # statements SQLAlchemy 2.0 does not cache (it would compile this one anew on
        # every check-in).
        .suffix_with("ON CONFLICT DO NOTHING", dialect="postgresql")
    )
    return sa.insert(table).from_select(names, row).returning(table.c.id)


def claims_changed(ctx: ServiceContext, facility_id: int) -> None:
    """Note in the unit of work that the claims (and so the figures) of a facility moved."""
    ctx.uow.changed(CLAIMS, facility_id)


def check_place(
    session: Session,
    place: Place,
    first: date,
    end: date | None,
    *,
    offered: Callable[[], bool] | None = None,
) -> None:
    """Raise why `place` can't be claimed for [first, end): PlaceOutOfService,
    EmergencyPlaceNotOffered (when `offered`, for an emergency place, says emergency
    places are not offered) or PlaceTaken. Out of service and taken are asked in one
    statement."""
    out, taken = session.execute(
        _place_state(end is None), {"place_id": place.id, **nights_params(first, end)}
    ).one()
    if out:
        raise PlaceOutOfService(place=place.label)
    if place.emergency and offered is not None and not offered():
        raise EmergencyPlaceNotOffered(place=place.label)
    if taken:
        raise PlaceTaken(place=place.label)


@cache
def _place_state(open_ended: bool) -> sa.Select[tuple[bool, bool]]:
    """Whether a place is out of service, and whether it is claimed, on [first, end)."""
    end = None if open_ended else END
    return sa.select(out_of_service_clause(FIRST, end), claims_clause(FIRST, end)).where(
        Place.id == sa.bindparam("place_id")
    )


def write_claim(ctx: ServiceContext, place: Place, write: Callable[[], Stay]) -> Stay:
    """Write a claim on a checked place (`write` makes a new one or changes an existing
    one: an extension, a converted hold); PlaceTaken if a concurrent claim won the place
    between the check and the write."""
    lock_place(ctx.session, place)
    return _write_claim(ctx, place, write)


def _write_claim(ctx: ServiceContext, place: Place, write: Callable[[], Stay]) -> Stay:
    stay = write()
    try:
        flush_claim(ctx, stay)
    except PlaceConflict:
        raise PlaceTaken(place=place.label) from None
    return stay


def claim_place(
    ctx: ServiceContext,
    place: Place,
    first: date,
    end: date | None,
    write: Callable[[], Stay],
    *,
    offered: Callable[[], bool] | None = None,
) -> Stay:
    """Claim one place for [first, end), or raise why not (see check_place): its row
    locked first, so that the check sees every claim committed before."""
    lock_place(ctx.session, place)
    check_place(ctx.session, place, first, end, offered=offered)
    return _write_claim(ctx, place, write)


def _first_free_unlocked(
    session: Session, facility: Facility, first: date, end: date | None, tried: list[int]
) -> Place | None:
    """The first place of the facility free for [first, end) whose row no other
    transaction holds, now locked by this one (PostgreSQL: FOR UPDATE SKIP LOCKED)."""
    params = {"facility_id": facility.id, "tried": tried, **nights_params(first, end)}
    return session.scalars(_first_free(end is None), params).first()


@cache
def _first_free(open_ended: bool) -> sa.Select[tuple[Place]]:
    end = None if open_ended else END
    return (
        sa.select(Place)
        .where(
            Place.facility_id == sa.bindparam("facility_id"),
            Place.id.not_in(sa.bindparam("tried", expanding=True)),
            ~claims_clause(FIRST, end),
            ~out_of_service_clause(FIRST, end),
        )
        .order_by(Place.emergency, Place.position, Place.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=Place)
    )


def claim_first_free(
    ctx: ServiceContext,
    facility: Facility,
    first: date,
    end: date | None,
    winter_active: bool,
    make: Callable[[Place], Stay],
) -> Stay:
    """Claim the first place of a facility free for [first, end), or raise NoFreePlace.

    Regular places come first. An emergency place free for the whole range is reached
    when no regular one is, yet it is offered only if the regular places are all taken
    on the first night (not merely on a later one).

    On PostgreSQL, check-ins at one facility don't wait for each other: each takes the
    first free place whose row nobody else holds (SKIP LOCKED), so concurrent ones get
    different places; a claim committed between the read and the lock is refused by the
    exclusion constraint, and the next place is tried.
    """
    offered: bool | None = None

    def acceptable(place: Place) -> bool:
        nonlocal offered
        if place.emergency:
            if offered is None:
                offered = emergency_offered(ctx.session, facility, first, winter_active)
            return offered
        return True

    if ctx.session.get_bind().dialect.name == "postgresql":
        tried: list[int] = []
        while (place := _first_free_unlocked(ctx.session, facility, first, end, tried)) is not None:
            if not acceptable(place):
                break
            tried.append(place.id)
            stay = make(place)
            if ctx.uow.active:
                if _insert_claim(ctx, stay, first, end):
                    return stay
                continue
            # A session that runs no unit of work (a test's or a script's): the claim goes
            # through a flush, which is how the figures' cache learns of it at once
            # (stays.figures_cache). Out of service is asked anew past the lock.
            if place_out_of_service(ctx.session, place, first, end):
                continue
            try:
                flush_claim(ctx, stay)
            except PlaceConflict:
                continue
            return stay
        raise NoFreePlace(facility=facility.name)

    for place in free_places(ctx.session, facility, first, end):
        if not acceptable(place):
            break
        stay = make(place)
        try:
            flush_claim(ctx, stay)
        except PlaceConflict:
            continue
        return stay
    raise NoFreePlace(facility=facility.name)


def claim(
    ctx: ServiceContext,
    facility: Facility,
    first: date,
    end: date | None,
    place_label: str | None,
    winter_active: bool,
    make: Callable[[Place], Stay],
    *,
    stale_holds: bool = True,
) -> Stay:
    """Put a new claim on the asked-for place, or on the first free one; the place's row
    is locked before it is checked (see lock_place), not the whole facility.

    `stale_holds` False: the caller asked stale_holds_clause in this transaction and
    there were none to expire first."""
    if stale_holds:
        expire_stale_holds(ctx, facility.id)
    if place_label is None:
        return claim_first_free(ctx, facility, first, end, winter_active, make)
    place = get_place(ctx.session, facility, place_label)
    return claim_place(
        ctx,
        place,
        first,
        end,
        lambda: make(place),
        offered=lambda: emergency_offered(ctx.session, facility, first, winter_active),
    )
