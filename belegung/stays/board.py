"""The night board of one shelter: every place with what holds it tonight (a guest, a hold,
an out-of-service period), read in one query whatever the number of places.

The board's figures are the availability's (stays.availability), so that the board, the
API and the crews' phones always show the same counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.db import overlap_arms
from belegung.facilities.models import Facility, OutOfService, Place, Unit
from belegung.persons.models import Person
from belegung.stays.availability import FacilityAvailability
from belegung.stays.models import Stay, StayStatus, live_claim


class BedState(StrEnum):
    FREE = "free"
    OCCUPIED = "occupied"  # the guest is checked in
    LEFT = "left"  # the guest slept here tonight and has checked out
    HELD = "held"
    OUT_OF_SERVICE = "out_of_service"


@dataclass(frozen=True)
class Bed:
    """A place as the board shows it tonight."""

    place_id: int
    label: str
    unit: str | None
    emergency: bool
    state: BedState
    stay_id: int | None = None
    person_id: int | None = None
    guest_name: str | None = None
    birth_year: int | None = None
    first_night: date | None = None
    end_night: date | None = None
    hold_note: str | None = None
    hold_expires_at: datetime | None = None
    out_of_service_reason: str | None = None

    @property
    def last_night(self) -> date | None:
        return None if self.end_night is None else self.end_night - timedelta(days=1)


@dataclass(frozen=True)
class Board:
    facility: Facility
    night: date
    as_of: datetime
    winter_emergency: bool
    figures: FacilityAvailability | None
    beds: Sequence[Bed] = field(default_factory=list)

    @property
    def emergency_offered(self) -> bool:
        """Emergency places are offered in a winter emergency, or once every regular
        place is taken (the rule of stays.claims.emergency_offered, read off the figures)."""
        return self.winter_emergency or (self.figures is not None and self.figures.free == 0)

    @property
    def incoming(self) -> list[Bed]:
        """Live holds: guests on their way, soonest expiry first."""
        held = [b for b in self.beds if b.state == BedState.HELD]
        return sorted(held, key=lambda b: (b.hold_expires_at or self.as_of, b.label))

    @property
    def present(self) -> list[Bed]:
        """Who is in the building now (the evacuation list)."""
        return [b for b in self.beds if b.state == BedState.OCCUPIED]

    @property
    def offered_free(self) -> list[Bed]:
        """Free beds a guest can be given tonight: emergency places only while offered."""
        return [
            b
            for b in self.beds
            if b.state == BedState.FREE and (not b.emergency or self.emergency_offered)
        ]

    def offered(self, bed: Bed) -> bool:
        """Whether a free bed can be given (an emergency place only while offered)."""
        return bed.state == BedState.FREE and (not bed.emergency or self.emergency_offered)

    def bed(self, stay_id: int | None) -> Bed | None:
        return next((b for b in self.beds if stay_id and b.stay_id == stay_id), None)

    def bed_for_hold(self, hold_id: int | None) -> Bed | None:
        bed = self.bed(hold_id)
        return bed if bed is not None and bed.state == BedState.HELD else None


def board_beds(session: Session, facility: Facility, night: date, now: datetime) -> list[Bed]:
    """Every place of the facility with its claim on `night` (live at `now`) and the
    out-of-service period covering it: one query, places in their order."""
    next_night = night + timedelta(days=1)
    claims = sa.union_all(
        *(
            sa.select(
                Stay.id.label("stay_id"),
                Stay.place_id.label("place_id"),
                Stay.status.label("status"),
                Stay.person_id.label("person_id"),
                Stay.first_night.label("first_night"),
                Stay.end_night.label("end_night"),
                Stay.hold_note.label("hold_note"),
                Stay.hold_expires_at.label("hold_expires_at"),
            ).where(Stay.facility_id == facility.id, arm, live_claim(now))
            for arm in overlap_arms(Stay.first_night, Stay.end_night, night, next_night)
        )
    ).subquery("claims")
    periods = sa.union(
        *(
            sa.select(OutOfService.place_id.label("place_id"), OutOfService.reason.label("reason"))
            .join(Place, Place.id == OutOfService.place_id)
            .where(Place.facility_id == facility.id, arm)
            for arm in overlap_arms(
                OutOfService.first_night, OutOfService.end_night, night, next_night
            )
        )
    ).subquery("periods")
    rows = session.execute(
        sa.select(
            Place.id,
            Place.label,
            Place.emergency,
            Unit.label.label("unit"),
            claims.c.stay_id,
            claims.c.status,
            claims.c.person_id,
            claims.c.first_night,
            claims.c.end_night,
            claims.c.hold_note,
            claims.c.hold_expires_at,
            Person.name,
            Person.birth_year,
            periods.c.reason,
        )
        .select_from(Place)
        .outerjoin(Unit, Unit.id == Place.unit_id)
        .outerjoin(claims, claims.c.place_id == Place.id)
        .outerjoin(Person, Person.id == claims.c.person_id)
        .outerjoin(periods, periods.c.place_id == Place.id)
        .where(Place.facility_id == facility.id)
        .order_by(Place.emergency, Place.position, Place.id)
    ).all()
    beds: dict[int, Bed] = {}
    for row in rows:
        if row.id in beds:
            continue  # a second out-of-service period over the same night
        state = BedState.FREE
        if row.reason is not None:
            state = BedState.OUT_OF_SERVICE
        elif row.stay_id is not None:
            state = {
                StayStatus.HELD: BedState.HELD,
                StayStatus.CHECKED_IN: BedState.OCCUPIED,
                StayStatus.CHECKED_OUT: BedState.LEFT,
            }[StayStatus(row.status)]
        expires = row.hold_expires_at
        beds[row.id] = Bed(
            place_id=row.id,
            label=row.label,
            unit=row.unit,
            emergency=row.emergency,
            state=state,
            stay_id=row.stay_id,
            person_id=row.person_id,
            guest_name=row.name,
            birth_year=row.birth_year,
            first_night=row.first_night,
            end_night=row.end_night,
            hold_note=row.hold_note,
            hold_expires_at=_aware(expires),
            out_of_service_reason=row.reason,
        )
    return list(beds.values())


def _aware(moment: datetime | None) -> datetime | None:
    """A UTC moment from a union subquery (the column type's conversion is lost there on
    SQLite, which returns it naive)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
