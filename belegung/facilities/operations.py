"""What callers ask of facilities, places and out-of-service periods, checked against
their rights: reading is for every role that works with beds, changing for admins."""

from __future__ import annotations

from datetime import date
from typing import Any

from belegung.auth.permissions import Action, authorize
from belegung.context import ServiceContext
from belegung.db import Page, paginate
from belegung.facilities import service
from belegung.facilities.models import Facility, OutOfService, Place
from belegung.stays import out_of_service


def list_facilities(ctx: ServiceContext, *, page: int, page_size: int) -> Page[Facility]:
    authorize(ctx.actor, Action.READ_FACILITIES)
    return paginate(ctx.session, service.facilities_query(), page, page_size)


def read_facility(ctx: ServiceContext, slug: str) -> Facility:
    authorize(ctx.actor, Action.READ_FACILITIES)
    return service.get_facility(ctx.session, slug)


def create_facility(ctx: ServiceContext, slug: str, fields: dict[str, Any]) -> Facility:
    authorize(ctx.actor, Action.MANAGE_FACILITIES)
    return service.create_facility(ctx, slug, **fields)


def update_facility(ctx: ServiceContext, slug: str, fields: dict[str, Any]) -> Facility:
    """Change the given fields of a facility (a partial update)."""
    authorize(ctx.actor, Action.MANAGE_FACILITIES)
    return service.update_facility(ctx, service.get_facility(ctx.session, slug), **fields)


def list_places(ctx: ServiceContext, slug: str, *, page: int, page_size: int) -> Page[Place]:
    authorize(ctx.actor, Action.READ_FACILITIES)
    facility = service.get_facility(ctx.session, slug)
    return paginate(ctx.session, service.places_query(facility), page, page_size)


def add_place(
    ctx: ServiceContext,
    slug: str,
    label: str,
    *,
    emergency: bool = False,
    unit_label: str | None = None,
) -> Place:
    authorize(ctx.actor, Action.MANAGE_FACILITIES)
    facility = service.get_facility(ctx.session, slug)
    return service.add_place(ctx, facility, label, emergency=emergency, unit_label=unit_label)


def list_out_of_service(
    ctx: ServiceContext,
    *,
    facility: str | None = None,
    night: date | None = None,
    page: int,
    page_size: int,
) -> Page[OutOfService]:
    authorize(ctx.actor, Action.READ_FACILITIES)
    found = service.get_facility(ctx.session, facility) if facility is not None else None
    return paginate(ctx.session, out_of_service.out_of_service_query(found, night), page, page_size)


def take_out_of_service(
    ctx: ServiceContext,
    slug: str,
    place_label: str,
    *,
    reason: str,
    first_night: date | None = None,
    end_night: date | None = None,
) -> OutOfService:
    authorize(ctx.actor, Action.MANAGE_FACILITIES)
    place = service.get_place(ctx.session, service.get_facility(ctx.session, slug), place_label)
    return out_of_service.take_out_of_service(
        ctx, place, reason=reason, first_night=first_night, end_night=end_night
    )


def return_to_service(
    ctx: ServiceContext, period_id: int, *, from_night: date | None = None
) -> OutOfService:
    authorize(ctx.actor, Action.MANAGE_FACILITIES)
    return out_of_service.return_to_service(ctx, period_id, from_night=from_night)
