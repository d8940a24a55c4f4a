"""JSON routes for facilities, places and out-of-service periods."""

from __future__ import annotations

from typing import Any

from belegung.api import ApiBlueprint, paginate, require, responds, service_ctx
from belegung.auth.permissions import Action
from belegung.extensions import session
from belegung.facilities import service
from belegung.facilities.models import Facility, OutOfService
from belegung.facilities.schemas import (
    FacilityCreateSchema,
    FacilitySchema,
    FacilityUpdateSchema,
    OutOfServiceCreateSchema,
    OutOfServiceEndSchema,
    OutOfServiceQuerySchema,
    OutOfServiceSchema,
    PlaceCreateSchema,
    PlaceSchema,
)
from belegung.schemas import PageQuerySchema, page_of

blp = ApiBlueprint(
    "facilities",
    __name__,
    url_prefix="/api/v1",
    description="Einrichtungen, Plätze und Außerbetriebnahmen",
)


@blp.get("/facilities")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, page_of(FacilitySchema))
@responds(blp, 403, 422)
def list_facilities(args: dict[str, Any]) -> dict[str, Any]:
    """All facilities."""
    require(Action.READ_FACILITIES)
    return paginate(service.facilities_query(), args)


@blp.post("/facilities")
@blp.arguments(FacilityCreateSchema)
@blp.response(201, FacilitySchema)
@responds(blp, 403, 422)
def create_facility(body: dict[str, Any]) -> Facility:
    """Create a facility (admin)."""
    require(Action.MANAGE_FACILITIES)
    return service.create_facility(service_ctx(), body.pop("slug"), **body)


@blp.get("/facilities/<slug>")
@blp.response(200, FacilitySchema)
@responds(blp, 403, 404)
def get_facility(slug: str) -> Facility:
    require(Action.READ_FACILITIES)
    return service.get_facility(session(), slug)


@blp.patch("/facilities/<slug>")
@blp.arguments(FacilityUpdateSchema)
@blp.response(200, FacilitySchema)
@responds(blp, 403, 404, 422)
def update_facility(body: dict[str, Any], slug: str) -> Facility:
    """Change a facility's data or status, e.g. `standby` (admin)."""
    require(Action.MANAGE_FACILITIES)
    return service.update_facility(service_ctx(), service.get_facility(session(), slug), **body)


@blp.get("/facilities/<slug>/places")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, page_of(PlaceSchema))
@responds(blp, 403, 404, 422)
def list_places(args: dict[str, Any], slug: str) -> dict[str, Any]:
    require(Action.READ_FACILITIES)
    return paginate(service.places_query(service.get_facility(session(), slug)), args)


@blp.post("/facilities/<slug>/places")
@blp.arguments(PlaceCreateSchema)
@blp.response(201, PlaceSchema)
@responds(blp, 403, 404, 422)
def add_place(body: dict[str, Any], slug: str) -> Any:
    """Add a place (admin)."""
    require(Action.MANAGE_FACILITIES)
    facility = service.get_facility(session(), slug)
    return service.add_place(
        service_ctx(),
        facility,
        body["label"],
        emergency=body["emergency"],
        unit_label=body.get("unit"),
    )


@blp.get("/out-of-service")
@blp.arguments(OutOfServiceQuerySchema, location="query")
@blp.response(200, page_of(OutOfServiceSchema))
@responds(blp, 403, 404, 422)
def list_out_of_service(args: dict[str, Any]) -> dict[str, Any]:
    """Out-of-service periods, optionally of one facility or touching one night."""
    require(Action.READ_FACILITIES)
    facility = service.get_facility(session(), args["facility"]) if "facility" in args else None
    return paginate(service.out_of_service_query(facility, args.get("night")), args)


@blp.post("/out-of-service")
@blp.arguments(OutOfServiceCreateSchema)
@blp.response(201, OutOfServiceSchema)
@responds(blp, 403, 404, 409, 422)
def take_out_of_service(body: dict[str, Any]) -> OutOfService:
    """Take a place out of service (admin); refused while someone is booked on it."""
    require(Action.MANAGE_FACILITIES)
    facility = service.get_facility(session(), body["facility"])
    place = service.get_place(session(), facility, body["place"])
    return service.take_out_of_service(
        service_ctx(),
        place,
        reason=body["reason"],
        first_night=body.get("first_night"),
        end_night=body.get("end_night"),
    )


@blp.post("/out-of-service/<id:period_id>/end")
@blp.arguments(OutOfServiceEndSchema)
@blp.response(200, OutOfServiceSchema)
@responds(blp, 403, 404, 409, 422)
def end_out_of_service(body: dict[str, Any], period_id: int) -> OutOfService:
    """Put the place back in service from a night (default tonight) (admin)."""
    require(Action.MANAGE_FACILITIES)
    return service.return_to_service(service_ctx(), period_id, from_night=body.get("night"))
