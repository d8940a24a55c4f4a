"""Facilities, places and out-of-service periods."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from belegung.audit.service import record
from belegung.context import ServiceContext
from belegung.db import exists_overlapping, lock_facility_claims, on_night
from belegung.errors import InvalidInput, InvalidState, NotFound, PlaceOccupied
from belegung.facilities.models import (
    Facility,
    FacilityKind,
    FacilityStatus,
    OperatorType,
    OutOfService,
    Place,
    Unit,
    UnitKind,
)
from belegung.stays.models import Stay, live_claim


def get_facility(session: Session, slug: str) -> Facility:
    facility = session.scalar(sa.select(Facility).where(Facility.slug == slug))
    if facility is None:
        raise NotFound(what="facility")
    return facility


def facilities_query() -> sa.Select[tuple[Facility]]:
    return sa.select(Facility).order_by(Facility.id)


def places_query(facility: Facility) -> sa.Select[tuple[Place]]:
    return (
        sa.select(Place)
        .options(selectinload(Place.unit))
        .where(Place.facility_id == facility.id)
        .order_by(Place.emergency, Place.position, Place.id)
    )


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


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FACILITY_FIELDS = (
    "name", "kind", "target_group", "status", "address", "operator_name", "operator_type",
    "welfare_association", "opened_on",
)  # fmt: skip


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Collapse blanks in the text fields; a name of only blanks is no name."""
    cleaned = dict(fields)
    for name in ("name", "address", "operator_name"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = " ".join(cleaned[name].split()) or None
    if "name" in cleaned and not cleaned["name"]:
        raise InvalidInput(field="name", reason="Der Name fehlt.")
    return cleaned


def _check_operator(facility: Facility) -> None:
    if (facility.operator_type == OperatorType.WELFARE_ASSOCIATION) != (
        facility.welfare_association is not None
    ):
        raise InvalidInput(field="welfare_association", reason="association_iff_welfare")


def create_facility(ctx: ServiceContext, slug: str, **fields: Any) -> Facility:
    if not SLUG.match(slug) or len(slug) > 60:
        raise InvalidInput(field="slug", reason="slug_format")
    if ctx.session.scalar(sa.select(Facility.id).where(Facility.slug == slug)) is not None:
        raise InvalidInput(field="slug", reason="taken")
    fields = _clean_fields(fields)
    if "name" not in fields:
        raise InvalidInput(field="name", reason="Der Name fehlt.")
    facility = Facility(slug=slug, created_at=ctx.now())
    for name in FACILITY_FIELDS:
        if name in fields:
            setattr(facility, name, fields[name])
    _check_operator(facility)
    ctx.session.add(facility)
    ctx.session.flush()
    record(ctx, "facility.create", "facility", facility.id, facility_id=facility.id)
    return facility


def update_facility(ctx: ServiceContext, facility: Facility, **fields: Any) -> Facility:
    fields = _clean_fields(fields)
    changed = sorted(name for name in FACILITY_FIELDS if name in fields)
    for name in changed:
        setattr(facility, name, fields[name])
    _check_operator(facility)
    ctx.session.flush()
    record(ctx, "facility.update", "facility", facility.id, facility_id=facility.id, fields=changed)
    return facility


def add_place(
    ctx: ServiceContext,
    facility: Facility,
    label: str,
    *,
    emergency: bool = False,
    unit_label: str | None = None,
) -> Place:
    label = label.strip()
    if not label or len(label) > 40:
        raise InvalidInput(field="label", reason="1 bis 40 Zeichen")
    exists = ctx.session.scalar(
        sa.select(Place.id).where(Place.facility_id == facility.id, Place.label == label)
    )
    if exists is not None:
        raise InvalidInput(field="label", reason="taken")
    unit = None
    if unit_label:
        unit = ctx.session.scalar(
            sa.select(Unit).where(Unit.facility_id == facility.id, Unit.label == unit_label)
        )
        if unit is None:
            kind = (
                UnitKind.APARTMENT
                if facility.kind == FacilityKind.HOUSING_PROGRAMME
                else UnitKind.ROOM
            )
            unit = Unit(facility_id=facility.id, label=unit_label[:60], kind=kind)
            ctx.session.add(unit)
    last = ctx.session.scalar(
        sa.select(sa.func.max(Place.position)).where(Place.facility_id == facility.id)
    )
    place = Place(
        facility_id=facility.id,
        unit=unit,
        label=label,
        emergency=emergency,
        position=(last or 0) + 1,
    )
    ctx.session.add(place)
    ctx.session.flush()
    record(ctx, "place.create", "place", place.id, facility_id=facility.id)
    return place


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
    return exists_overlapping(
        OutOfService.first_night,
        OutOfService.end_night,
        first,
        end,
        OutOfService.place_id == Place.id,
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
    # Take turns with check-ins, so that nobody is booked onto the place meanwhile.
    lock_facility_claims(ctx.session, place.facility_id)
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
        reason=reason,
        created_at=ctx.now(),
        created_by_id=ctx.actor.user_id,
    )
    ctx.session.add(period)
    ctx.session.flush()
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
