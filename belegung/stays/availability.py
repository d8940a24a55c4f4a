"""Availability of a night: capacity, occupied, held and free places per facility.

Two queries whatever the size of the system: the winter emergency state, and one
aggregate that counts, per chosen facility, its places, those out of service that night,
and its places with a live claim that night. A filter (target group, kind) reaches both
sides: only the chosen facilities' places and claims are read. On PostgreSQL the claims
come facility by facility through the GiST index on (facility, nights), which bounds
both ends of the range, so a past night costs what tonight does; on SQLite through the
indexes led by end_night, which read the stays that reach past the night, not the whole
history (and likewise for out-of-service periods).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.db import UTCDateTime, is_postgresql, overlap_arms
from belegung.facilities.models import (
    Facility,
    FacilityKind,
    FacilityStatus,
    OutOfService,
    Place,
    TargetGroup,
)
from belegung.limits import FEW_PLACES
from belegung.stays.models import LONG_STAY, OCCUPYING, Stay, live_claim
from belegung.winter.service import winter_state

COUNTS = (
    "capacity",
    "emergency_capacity",
    "out_of_service",
    "occupied",
    "held",
    "free",
    "free_emergency",
)


@dataclass(frozen=True)
class FacilityAvailability:
    slug: str
    name: str
    kind: str
    target_group: str
    capacity: int
    emergency_capacity: int
    out_of_service: int
    occupied: int
    held: int
    free: int
    free_emergency: int

    def offered_free(self, winter_active: bool) -> int:
        """Places a guest can still get: the free regular ones, and the free emergency
        places (counted only while they are offered: winter emergency, or every regular
        place taken)."""
        return self.free + self.free_emergency


class Light(StrEnum):
    """The public page's traffic light for a target group."""

    NONE = "none"
    FEW = "few"
    FREE = "free"


def light_for(free: int) -> Light:
    if free <= 0:
        return Light.NONE
    return Light.FEW if free <= FEW_PLACES else Light.FREE


@dataclass(frozen=True)
class Availability:
    night: date
    as_of: datetime
    winter_emergency: bool
    facilities: list[FacilityAvailability] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(getattr(f, name) for f in self.facilities) for name in COUNTS}

    def as_dict(self) -> dict[str, Any]:
        return {
            "night": self.night.isoformat(),
            "as_of": self.as_of.isoformat(),
            "winter_emergency": self.winter_emergency,
            "facilities": [asdict(f) for f in self.facilities],
            "totals": self.totals,
        }


def night_range(first_col: Any, end_col: Any) -> sa.ColumnElement[Any]:
    """daterange(first, end, '[)'), as the GiST index ix_stays_facility_nights has it
    (PostgreSQL)."""
    return sa.func.daterange(first_col, end_col, sa.literal_column("'[)'"))


def _count(*conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.count().filter(sa.and_(*conditions))


# The statement's values, bound at execution: the statement itself is built once per
# backend and filter shape (building it cost more than SQLite's time to answer it).
NIGHT = sa.bindparam("night", type_=sa.Date())
NEXT_NIGHT = sa.bindparam("next_night", type_=sa.Date())
LONG_BEFORE = sa.bindparam("long_before", type_=sa.Date())
AS_OF = sa.bindparam("as_of", type_=UTCDateTime())
TARGET_GROUP = sa.bindparam("target_group", type_=Facility.__table__.c.target_group.type)
KIND = sa.bindparam("kind", type_=Facility.__table__.c.kind.type)

_statements: dict[tuple[str, bool, bool], sa.Select[Any]] = {}


def _statement(postgresql: bool, by_group: bool, by_kind: bool) -> sa.Select[Any]:
    key = ("postgresql" if postgresql else "sqlite", by_group, by_kind)
    stmt = _statements.get(key)
    if stmt is None:
        chosen: list[sa.ColumnElement[bool]] = [Facility.status != FacilityStatus.CLOSED]
        filters: list[sa.ColumnElement[bool]] = []
        if by_group:
            filters.append(Facility.target_group == TARGET_GROUP)
        if by_kind:
            filters.append(Facility.kind == KIND)
        build = _per_facility_lateral if postgresql else _per_facility_grouped
        stmt = _statements[key] = build([*chosen, *filters], filters)
    return stmt


def _out_of_service() -> sa.CompoundSelect:
    """The places out of service that night."""
    return sa.union(
        *(
            sa.select(OutOfService.place_id).where(arm)
            for arm in overlap_arms(
                OutOfService.first_night, OutOfService.end_night, NIGHT, NEXT_NIGHT
            )
        )
    )


FACILITY_COLUMNS = (
    Facility.id,
    Facility.slug,
    Facility.name,
    Facility.kind,
    Facility.target_group,
    Facility.status,
)
REGULAR, EMERGENCY = Place.emergency.is_(False), Place.emergency.is_(True)


def _place_counts(oos: sa.Subquery) -> tuple[sa.Label[int], ...]:
    # Joined to the places out of service (a hash table built once), not "IN (…)" per
    # place, which PostgreSQL may answer by walking the list for every place.
    taken_out = oos.c.place_id.is_not(None)
    return (
        _count(REGULAR).label("regular"),
        _count(EMERGENCY).label("emergency"),
        _count(REGULAR, taken_out).label("oos_regular"),
        _count(EMERGENCY, taken_out).label("oos_emergency"),
    )


def _per_facility_lateral(
    chosen: list[sa.ColumnElement[bool]], _filters: list[sa.ColumnElement[bool]]
) -> sa.Select[Any]:
    """PostgreSQL, facility by facility (LATERAL): its places through their index on
    facility_id, and its claims of the night through the GiST index
    ix_stays_facility_nights on (facility_id, nights), which bounds the facility and both
    ends of the range: a filter reads only the chosen facilities' claims, a past night
    only the stays covering it. No place is joined to a claim."""
    oos = _out_of_service().subquery("oos")
    places = (
        sa.select(
            *_place_counts(oos),
            sa.func.array_agg(Place.id).filter(EMERGENCY).label("emergency_ids"),
        )
        .select_from(Place)
        .outerjoin(oos, oos.c.place_id == Place.id)
        .where(Place.facility_id == Facility.id)
        .lateral("places")
    )
    claimed = sa.func.count(sa.distinct(Stay.place_id))
    covers = night_range(Stay.first_night, Stay.end_night).op("&&")(
        sa.func.daterange(NIGHT, NEXT_NIGHT, sa.literal_column("'[)'"))
    )
    claims = (
        sa.select(
            claimed.label("claimed"),
            claimed.filter(Stay.status.in_(OCCUPYING)).label("occupied"),
            claimed.filter(Stay.place_id == sa.any_(places.c.emergency_ids)).label(
                "claimed_emergency"
            ),
        )
        .where(
            Stay.facility_id == Facility.id,
            covers,
            live_claim(AS_OF),
            Stay.place_id.not_in(_out_of_service()),
        )
        .lateral("claims")
    )
    return (
        sa.select(*FACILITY_COLUMNS, *_count_columns(places, claims))
        .select_from(Facility)
        .join(places, sa.true())
        .join(claims, sa.true())
        .where(*chosen)
        .order_by(Facility.id)
    )


def _covering_arms() -> tuple[sa.ColumnElement[bool], ...]:
    """SQLite: "the stay covers the night" in three disjoint parts, each an index range
    bounded at both ends, so that a past night doesn't read every stay since it: the
    stays begun in the LONG_STAY nights up to the night and ending after it; the longer
    ones begun before (they are long stays: the partial index ix_stays_long_end_night
    holds only those, and its condition is spelled here as there, so that SQLite may use
    it); and the open-ended ones."""
    long_stay = Stay.end_night > sa.func.date(
        Stay.first_night, sa.literal_column(f"'+{LONG_STAY} days'")
    )
    return (
        sa.and_(
            Stay.first_night > LONG_BEFORE,
            Stay.first_night < NEXT_NIGHT,
            Stay.end_night > NIGHT,
        ),
        sa.and_(long_stay, Stay.end_night > NIGHT, Stay.first_night <= LONG_BEFORE),
        sa.and_(Stay.end_night.is_(None), Stay.first_night < NEXT_NIGHT),
    )


def _per_facility_grouped(
    chosen: list[sa.ColumnElement[bool]], filters: list[sa.ColumnElement[bool]]
) -> sa.Select[Any]:
    """SQLite: the same counts grouped per facility. The claims are read in three parts,
    each through an index bounded at both ends (see _covering_arms); a filter by target
    group or kind reaches them too."""
    oos = _out_of_service().subquery("oos")
    of_chosen_places: list[sa.ColumnElement[bool]] = []
    of_chosen_claims: list[sa.ColumnElement[bool]] = []
    if filters:
        chosen_ids = sa.select(Facility.id).where(*chosen)
        of_chosen_places.append(Place.facility_id.in_(chosen_ids))
        of_chosen_claims.append(Stay.facility_id.in_(chosen_ids))
    places = (
        sa.select(Place.facility_id.label("facility_id"), *_place_counts(oos))
        .outerjoin(oos, oos.c.place_id == Place.id)
        .where(*of_chosen_places)
        .group_by(Place.facility_id)
        .subquery("places")
    )
    recent, long, open_ended = _covering_arms()
    claim_rows = sa.union_all(
        *(
            sa.select(Stay.facility_id, Stay.place_id, Stay.status).where(
                arm,
                live_claim(AS_OF),
                Stay.place_id.not_in(_out_of_service()),
                *chosen_only,
            )
            # The long stays are few: read them all through their partial index (per
            # facility, SQLite would rather read each facility's stays since the night);
            # only the chosen facilities' claims are joined below.
            for arm, chosen_only in (
                (recent, of_chosen_claims),
                (long, []),
                (open_ended, of_chosen_claims),
            )
        )
    ).subquery("claim_rows")
    claimed = sa.func.count(sa.distinct(claim_rows.c.place_id))
    claims = (
        sa.select(
            claim_rows.c.facility_id,
            claimed.label("claimed"),
            claimed.filter(claim_rows.c.status.in_(OCCUPYING)).label("occupied"),
            claimed.filter(EMERGENCY).label("claimed_emergency"),
        )
        .join(Place, Place.id == claim_rows.c.place_id)
        .group_by(claim_rows.c.facility_id)
        .subquery("claims")
    )
    return (
        sa.select(
            *FACILITY_COLUMNS,
            *(
                sa.func.coalesce(column, 0).label(column.name)
                for column in _count_columns(places, claims)
            ),
        )
        .select_from(Facility)
        .outerjoin(places, places.c.facility_id == Facility.id)
        .outerjoin(claims, claims.c.facility_id == Facility.id)
        .where(*chosen)
        .order_by(Facility.id)
    )


def _count_columns(
    places: sa.FromClause, claims: sa.FromClause
) -> tuple[sa.ColumnElement[int], ...]:
    """A facility's counts, as `_counts` reads them: of its places, then of its claims."""
    return (
        places.c.regular,
        places.c.emergency,
        places.c.oos_regular,
        places.c.oos_emergency,
        claims.c.claimed,
        claims.c.occupied,
        claims.c.claimed_emergency,
    )


def _counts(row: sa.Row[Any]) -> dict[str, int]:
    """The figures of a facility from the counts of its places and claims."""
    capacity = row.regular - row.oos_regular
    emergency_capacity = row.emergency - row.oos_emergency
    return {
        "capacity": capacity,
        "emergency_capacity": emergency_capacity,
        "out_of_service": row.oos_regular + row.oos_emergency,
        "occupied": row.occupied,
        "held": row.claimed - row.occupied,
        "free": capacity - (row.claimed - row.claimed_emergency),
        "free_emergency": emergency_capacity - row.claimed_emergency,
    }


def availability(
    session: Session,
    night: date,
    as_of: datetime,
    *,
    target_group: TargetGroup | None = None,
    kind: FacilityKind | None = None,
) -> Availability:
    """Figures for `night` as they stand at `as_of` (holds count while not expired).

    `free` and `free_emergency` count only places a guest could be given that night:
    emergency places while they are offered (a winter emergency, or every regular place
    of the facility taken), else 0.

    Closed facilities are left out, and so are standby ones outside a winter emergency —
    unless someone still stays or holds a place there that night (after an emergency
    ended): then the facility is shown with its guests and holds, offering nothing
    (`free` and `free_emergency` 0), until the last of them is gone.
    """
    winter_active = winter_state(session).active
    stmt = _statement(is_postgresql(session.get_bind()), target_group is not None, kind is not None)
    values: dict[str, Any] = {
        "night": night,
        "next_night": night + timedelta(days=1),
        "long_before": night - timedelta(days=LONG_STAY),
        "as_of": as_of,
    }
    if target_group is not None:
        values["target_group"] = target_group
    if kind is not None:
        values["kind"] = kind
    rows = session.execute(stmt, values).all()
    facilities = []
    for row in rows:
        counts = _counts(row)
        offering = row.status == FacilityStatus.ACTIVE or winter_active
        if not offering:
            if counts["occupied"] + counts["held"] == 0:
                continue
            # A standby shelter winding down after the emergency: its guests and holds
            # count, but no place is given there any more.
            counts["free"] = counts["free_emergency"] = 0
        elif not (winter_active or counts["free"] == 0):
            # Emergency places are not offered while a regular place is free.
            counts["free_emergency"] = 0
        facilities.append(
            FacilityAvailability(
                slug=row.slug,
                name=row.name,
                kind=FacilityKind(row.kind).value,
                target_group=TargetGroup(row.target_group).value,
                **counts,
            )
        )
    return Availability(
        night=night, as_of=as_of, winter_emergency=winter_active, facilities=facilities
    )
