"""Places out of service (damage, cleaning, renovation): neither free nor capacity for the
nights of the period. Taking a place out waits its turn with the facility's claims and is
refused while someone is booked on it."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from belegung.audit.service import record
from belegung.context import ServiceContext
from belegung.db import exists_overlapping, on_night
from belegung.errors import InvalidInput, InvalidState, NotFound, PlaceOccupied
from belegung.facilities.models import Facility, OutOfService, Place
from belegung.limits import OUT_OF_SERVICE_REASON_MAX
from belegung.stays.claims import claims_changed, lock_facility_claims, lock_place
from belegung.stays.models import Stay, live_claim


def out_of_service_query(
    facility: Facility | None = None, night: date | None = None
) -> sa.Select[tuple[OutOfService]]:
    stmt = (
        sa.select(OutOfService)
        .join(Place, OutOfService.place_id == Place.id)
        .options(selectinload(OutOfService.place).selectinload(Place.facility))
        .order_by(OutOfService.first_night.desc(), OutOfService.id.desc())
    )
    if facility is not None:
        stmt = stmt.where(Place.facility_id == facility.id)
    if night is not None:
        stmt = stmt.where(on_night(OutOfService.first_night, OutOfService.end_night, night))
    return stmt


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
        raise InvalidInput(field="reason", reason="reason_missing")
    first = first_night or ctx.tonight()
    if end_night is not None and end_night <= first:
        raise InvalidInput(field="end_night", reason="end_before_first")
    # Take turns with check-ins, so that nobody is booked onto the place meanwhile.
    lock_facility_claims(ctx.session, place.facility_id)
    lock_place(ctx.session, place)
    claimed = ctx.session.scalar(
        sa.select(
            exists_overlapping(
                Stay.first_night,
                Stay.end_night,
                first,
                end_night,
                Stay.place_id == place.id,
                live_claim(ctx.now()),
            )
        )
    )
    if claimed:
        raise PlaceOccupied(place=place.label)
    period = OutOfService(
        place_id=place.id,
        first_night=first,
        end_night=end_night,
        reason=reason[:OUT_OF_SERVICE_REASON_MAX],
        created_at=ctx.now(),
        created_by_id=ctx.actor.user_id,
    )
    ctx.session.add(period)
    ctx.session.flush()
    claims_changed(ctx, place.facility_id)
    record(ctx, "place.out_of_service", "out_of_service", period.id, facility_id=place.facility_id)
    return period


def get_out_of_service(session: Session, period_id: int) -> OutOfService:
    period = session.get(OutOfService, period_id)
    if period is None:
        raise NotFound(what="out_of_service")
    return period


def return_to_service(
    ctx: ServiceContext, period_id: int, *, from_night: date | None = None
) -> OutOfService:
    """End an out-of-service period: the place is in service again from `from_night`
    (default tonight)."""
    period = get_out_of_service(ctx.session, period_id)
    night = from_night or ctx.tonight()
    if period.end_night is not None and period.end_night <= night:
        raise InvalidState(reason="period_over")
    facility_id = period.place.facility_id
    if night <= period.first_night:
        # Not begun yet: the whole period goes.
        ctx.session.delete(period)
    else:
        period.end_night = night
    ctx.session.flush()
    claims_changed(ctx, facility_id)
    record(ctx, "place.return_to_service", "out_of_service", period_id, facility_id=facility_id)
    return period
