"""Facilities and their places (whether a place is free or out of service is the
occupancy domain's: stays.claims, stays.out_of_service)."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from belegung.audit.service import record
from belegung.context import ServiceContext
from belegung.errors import InvalidInput, NotFound
from belegung.facilities.models import (
    Facility,
    FacilityKind,
    FacilityStatus,
    OperatorType,
    Place,
    Unit,
    UnitKind,
)
from belegung.limits import PLACE_LABEL_MAX, SLUG_MAX, UNIT_LABEL_MAX


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
        raise InvalidInput(field="name", reason="name_missing")
    return cleaned


def _check_operator(facility: Facility) -> None:
    if (facility.operator_type == OperatorType.WELFARE_ASSOCIATION) != (
        facility.welfare_association is not None
    ):
        raise InvalidInput(field="welfare_association", reason="association_iff_welfare")


def create_facility(ctx: ServiceContext, slug: str, **fields: Any) -> Facility:
    if not SLUG.match(slug) or len(slug) > SLUG_MAX:
        raise InvalidInput(field="slug", reason="slug_format")
    if ctx.session.scalar(sa.select(Facility.id).where(Facility.slug == slug)) is not None:
        raise InvalidInput(field="slug", reason="taken")
    fields = _clean_fields(fields)
    if "name" not in fields:
        raise InvalidInput(field="name", reason="name_missing")
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
    if not label or len(label) > PLACE_LABEL_MAX:
        raise InvalidInput(field="label", reason="length_between", low=1, high=PLACE_LABEL_MAX)
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
            unit = Unit(facility_id=facility.id, label=unit_label[:UNIT_LABEL_MAX], kind=kind)
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
