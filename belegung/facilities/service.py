"""Facilities, places and out-of-service periods."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.audit.service import record
from belegung.context import ServiceContext
from belegung.db import overlaps
from belegung.errors import InvalidInput, InvalidState, NotFound, PlaceOccupied
from belegung.facilities.models import Facility, FacilityStatus, OutOfService, Place
from belegung.stays.models import CLAIMING, Stay


def get_facility(session: Session, slug: str) -> Facility:
    facility = session.scalar(sa.select(Facility).where(Facility.slug == slug))
    if facility is None:
        raise NotFound(what="facility")
    return facility


def list_facilities(session: Session) -> Sequence[Facility]:
    return session.scalars(sa.select(Facility).order_by(Facility.id)).all()


def get_place(session: Session, facility: Facility, label: str) -> Place:
    place = session.scalar(
        sa.select(Place).where(Place.facility_id == facility.id, Place.label == label)
    )
    if place is None:
        raise NotFound(what="place")
    return place


def offers_places(facility: Facility, winter_active: bool) -> bool:
    """Active facilities offer places; standby ones only in a winter emergency."""
    if facility.status == FacilityStatus.ACTIVE:
        return True
    return facility.status == FacilityStatus.STANDBY and winter_active


def out_of_service_clause(first: date, end: date | None) -> sa.ColumnElement[bool]:
    """True for a place (correlated on Place.id) out of service on any night of the range."""
    return sa.exists().where(
        OutOfService.place_id == Place.id,
        overlaps(OutOfService.first_night, OutOfService.end_night, first, end),
    )


def take_out_of_service(
    ctx: ServiceContext,
    place: Place,
    *,
    reason: str,
    first_night: date | None = None,
    end_night: date | None = None,
) -> OutOfService:
    """Take a place out of service for [first_night, end_night) (open-ended if no end).

    Refused while someone is booked on it in that period: move the guest first.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput(field="reason", reason="Bitte einen Grund angeben.")
    first = first_night or ctx.tonight()
    if end_night is not None and end_night <= first:
        raise InvalidInput(field="end_night", reason="muss nach der ersten Nacht liegen")
    claimed = ctx.session.scalar(
        sa.select(sa.func.count())
        .select_from(Stay)
        .where(
            Stay.place_id == place.id,
            Stay.status.in_(CLAIMING),
            overlaps(Stay.first_night, Stay.end_night, first, end_night),
        )
    )
    if claimed:
        raise PlaceOccupied(place=place.label)
    period = OutOfService(
        place_id=place.id,
        first_night=first,
        end_night=end_night,
        reason=reason,
        created_at=ctx.now(),
        created_by_id=ctx.actor.user_id,
    )
    ctx.session.add(period)
    ctx.session.flush()
    record(ctx, "place.out_of_service", "out_of_service", period.id, facility_id=place.facility_id)
    return period


def return_to_service(
    ctx: ServiceContext, period_id: int, *, from_night: date | None = None
) -> OutOfService:
    """End an out-of-service period: the place is in service again from `from_night`
    (default tonight)."""
    period = ctx.session.get(OutOfService, period_id)
    if period is None:
        raise NotFound(what="out_of_service")
    night = from_night or ctx.tonight()
    if period.end_night is not None and period.end_night <= night:
        raise InvalidState(reason="not_active")
    if night <= period.first_night:
        # Not begun yet: the whole period goes.
        ctx.session.delete(period)
    else:
        period.end_night = night
    ctx.session.flush()
    record(
        ctx,
        "place.return_to_service",
        "out_of_service",
        period_id,
        facility_id=period.place.facility_id,
    )
    return period
