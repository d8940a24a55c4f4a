"""Who occupies which apartment: read from the claims on the apartments' places, never
stored apart. One query per question for all apartments at once (the programme has ~600)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from belegung.facilities.models import Facility, Place, Unit
from belegung.housing.models import Apartment
from belegung.stays.claims import claims_clause, out_of_service_clause
from belegung.stays.models import CLAIMING, Stay


@dataclass
class ApartmentState:
    """An apartment's places as they stand for a range of nights."""

    apartment: Apartment
    places: list[Place]
    # Places claimed on some night of the range, and out of service on some night of it.
    claimed: set[int] = field(default_factory=set)
    out_of_service: set[int] = field(default_factory=set)
    # The night its last occupant left (None: nobody has left yet or nobody ever lived there).
    vacant_since: date | None = None

    @property
    def free_places(self) -> list[Place]:
        return [
            p for p in self.places if p.id not in self.claimed and p.id not in self.out_of_service
        ]

    @property
    def occupied(self) -> bool:
        return bool(self.claimed)


def apartments_query() -> sa.Select[tuple[Apartment]]:
    return (
        sa.select(Apartment)
        .join(Unit, Unit.id == Apartment.id)
        .options(selectinload(Apartment.unit).selectinload(Unit.places))
        .order_by(Apartment.number)
    )


def _place_ids(session: Session, facility: Facility, clause: sa.ColumnElement[bool]) -> set[int]:
    return set(
        session.scalars(
            sa.select(Place.id).where(
                Place.facility_id == facility.id, Place.unit_id.is_not(None), clause
            )
        )
    )


def apartment_states(
    session: Session,
    facility: Facility,
    first: date,
    end: date | None,
    apartments: Sequence[Apartment] | None = None,
) -> list[ApartmentState]:
    """Each apartment (all of the facility, or those given) with its places claimed and
    out of service on some night of [first, end), and since when it stands empty."""
    if apartments is None:
        apartments = session.scalars(apartments_query()).all()
    claimed = _place_ids(session, facility, claims_clause(first, end))
    out = _place_ids(session, facility, out_of_service_clause(first, end))
    last_left: dict[int | None, date | None] = {
        unit_id: left
        for unit_id, left in session.execute(
            sa.select(Place.unit_id, sa.func.max(Stay.end_night))
            .join(Stay, Stay.place_id == Place.id)
            .where(
                Place.facility_id == facility.id,
                Stay.status.in_(CLAIMING),
                Stay.end_night.is_not(None),
                Stay.end_night <= first,
            )
            .group_by(Place.unit_id)
        )
    }
    states = []
    for apartment in apartments:
        places = list(apartment.unit.places)
        ids = {p.id for p in places}
        states.append(
            ApartmentState(
                apartment=apartment,
                places=places,
                claimed=claimed & ids,
                out_of_service=out & ids,
                vacant_since=last_left.get(apartment.id),
            )
        )
    return states


def state_of(
    session: Session, facility: Facility, apartment: Apartment, first: date, end: date | None
) -> ApartmentState:
    (state,) = apartment_states(session, facility, first, end, [apartment])
    return state


def occupied_on(
    session: Session, facility: Facility, nights: Iterable[date]
) -> dict[date, set[int]]:
    """Per night, the ids of the apartments (units) with a place claimed that night."""
    result: dict[date, set[int]] = {}
    for night in nights:
        clause = claims_clause(night, night + timedelta(days=1))
        result[night] = set(
            session.scalars(
                sa.select(Place.unit_id)
                .where(Place.facility_id == facility.id, Place.unit_id.is_not(None), clause)
                .distinct()
            )
        )
    return result
