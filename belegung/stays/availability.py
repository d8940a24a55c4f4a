"""Availability of a night: capacity, occupied, held and free places per facility.

Two queries whatever the size of the system: the winter emergency state, and one
aggregate over places joined with the claims and out-of-service periods of that night.
The claims subquery reads through `ix_stays_end_night_first_night` only the stays that
reach past the night, not the whole history (and likewise for out-of-service periods).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.db import is_postgresql, overlap_arms
from belegung.facilities.models import (
    Facility,
    FacilityKind,
    FacilityStatus,
    OutOfService,
    Place,
    TargetGroup,
)
from belegung.limits import FEW_PLACES
from belegung.stays.models import OCCUPYING, Stay, live_claim
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
    """daterange(first, end, '[)'), as the GiST index ix_stays_nights has it (PostgreSQL)."""
    return sa.func.daterange(first_col, end_col, sa.literal_column("'[)'"))


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

    # Each subquery asks the two halves of "covers the night" separately (ends after it,
    # or open-ended), so each half is an index range on (end_night, …) and history is
    # never read (see db.overlap_arms).
    next_night = night + timedelta(days=1)
    out_of_service = sa.union(
        *(
            sa.select(OutOfService.place_id).where(arm)
            for arm in overlap_arms(
                OutOfService.first_night, OutOfService.end_night, night, next_night
            )
        )
    ).subquery("oos")
    occupying = sa.case((Stay.status.in_(OCCUPYING), 1), else_=0)
    # The facility filters reach the claims too: only the chosen facilities' are read.
    chosen: list[sa.ColumnElement[bool]] = []
    if target_group is not None or kind is not None:
        chosen_ids = sa.select(Facility.id)
        if target_group is not None:
            chosen_ids = chosen_ids.where(Facility.target_group == target_group)
        if kind is not None:
            chosen_ids = chosen_ids.where(Facility.kind == kind)
        chosen.append(Stay.facility_id.in_(chosen_ids.scalar_subquery()))
    if is_postgresql(session.get_bind()):
        # The GiST index ix_stays_nights bounds both ends of the range: a past night
        # reads only the stays covering it, as tonight does.
        covers = night_range(Stay.first_night, Stay.end_night).op("&&")(
            sa.func.daterange(night, next_night, "[)")
        )
        claim_rows = (
            sa.select(Stay.place_id.label("place_id"), occupying.label("occupying"))
            .where(covers, live_claim(as_of), *chosen)
            .subquery("claim_rows")
        )
    else:
        claim_rows = sa.union_all(
            *(
                sa.select(Stay.place_id.label("place_id"), occupying.label("occupying")).where(
                    arm, live_claim(as_of), *chosen
                )
                for arm in overlap_arms(Stay.first_night, Stay.end_night, night, next_night)
            )
        ).subquery("claim_rows")
    claims = (
        sa.select(
            claim_rows.c.place_id.label("place_id"),
            sa.func.max(claim_rows.c.occupying).label("occupied"),
        )
        .group_by(claim_rows.c.place_id)
        .subquery("claims")
    )

    in_service = out_of_service.c.place_id.is_(None)
    has_place = Place.id.is_not(None)
    regular = Place.emergency.is_(False)
    emergency = Place.emergency.is_(True)
    unclaimed = claims.c.place_id.is_(None)

    def count(*conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((sa.and_(*conditions), 1), else_=0)), 0)

    stmt = (
        sa.select(
            Facility.id,
            Facility.slug,
            Facility.name,
            Facility.kind,
            Facility.target_group,
            Facility.status,
            count(has_place, regular, in_service).label("capacity"),
            count(has_place, emergency, in_service).label("emergency_capacity"),
            count(has_place, ~in_service).label("out_of_service"),
            count(has_place, in_service, claims.c.occupied == 1).label("occupied"),
            count(has_place, in_service, claims.c.occupied == 0).label("held"),
            count(has_place, in_service, regular, unclaimed).label("free"),
            count(has_place, in_service, emergency, unclaimed).label("free_emergency"),
        )
        .select_from(Facility)
        .outerjoin(Place, Place.facility_id == Facility.id)
        .outerjoin(out_of_service, out_of_service.c.place_id == Place.id)
        .outerjoin(claims, claims.c.place_id == Place.id)
        .where(Facility.status != FacilityStatus.CLOSED)
        .group_by(
            Facility.id,
            Facility.slug,
            Facility.name,
            Facility.kind,
            Facility.target_group,
            Facility.status,
        )
        .order_by(Facility.id)
    )
    if target_group is not None:
        stmt = stmt.where(Facility.target_group == target_group)
    if kind is not None:
        stmt = stmt.where(Facility.kind == kind)

    rows = session.execute(stmt).all()
    facilities = []
    for row in rows:
        counts = {name: int(getattr(row, name)) for name in COUNTS}
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
