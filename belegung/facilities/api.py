"""JSON routes for facilities, places and out-of-service periods.

Each route parses its input, calls one function of facilities.operations and serialises
the answer.
"""

from __future__ import annotations

from typing import Any

from belegung.db import Page
from belegung.facilities import operations
from belegung.facilities.models import Facility, OutOfService, Place
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
from belegung.http.api import ApiBlueprint, responds
from belegung.http.context import service_ctx
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
def list_facilities(args: dict[str, Any]) -> Page[Facility]:
    """All facilities."""
    return operations.list_facilities(service_ctx(), page=args["page"], page_size=args["page_size"])


@blp.post("/facilities")
@blp.arguments(FacilityCreateSchema)
@blp.response(201, FacilitySchema)
@responds(blp, 403, 422)
def create_facility(body: dict[str, Any]) -> Facility:
    """Create a facility (admin)."""
    return operations.create_facility(service_ctx(), body.pop("slug"), body)


@blp.get("/facilities/<slug>")
@blp.response(200, FacilitySchema)
@responds(blp, 403, 404)
def get_facility(slug: str) -> Facility:
    return operations.read_facility(service_ctx(), slug)


@blp.patch("/facilities/<slug>")
@blp.arguments(FacilityUpdateSchema)
@blp.response(200, FacilitySchema)
@responds(blp, 403, 404, 422)
def update_facility(body: dict[str, Any], slug: str) -> Facility:
    """Change a facility's data or status, e.g. `standby` (admin)."""
    return operations.update_facility(service_ctx(), slug, body)


@blp.get("/facilities/<slug>/places")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, page_of(PlaceSchema))
@responds(blp, 403, 404, 422)
def list_places(args: dict[str, Any], slug: str) -> Page[Place]:
    return operations.list_places(
        service_ctx(), slug, page=args["page"], page_size=args["page_size"]
    )


@blp.post("/facilities/<slug>/places")
@blp.arguments(PlaceCreateSchema)
@blp.response(201, PlaceSchema)
@responds(blp, 403, 404, 422)
def add_place(body: dict[str, Any], slug: str) -> Place:
    """Add a place (admin)."""
    return operations.add_place(
        service_ctx(),
        slug,
        body["label"],
        emergency=body["emergency"],
        unit_label=body.get("unit"),
    )


@blp.get("/out-of-service")
@blp.arguments(OutOfServiceQuerySchema, location="query")
@blp.response(200, page_of(OutOfServiceSchema))
@responds(blp, 403, 404, 422)
def list_out_of_service(args: dict[str, Any]) -> Page[OutOfService]:
    """Out-of-service periods, optionally of one facility or touching one night."""
    return operations.list_out_of_service(
        service_ctx(),
        facility=args.get("facility"),
        night=args.get("night"),
        page=args["page"],
        page_size=args["page_size"],
    )


@blp.post("/out-of-service")
@blp.arguments(OutOfServiceCreateSchema)
@blp.response(201, OutOfServiceSchema)
@responds(blp, 403, 404, 409, 422)
def take_out_of_service(body: dict[str, Any]) -> OutOfService:
    """Take a place out of service (admin); refused while someone is booked on it."""
    return operations.take_out_of_service(
        service_ctx(),
        body["facility"],
        body["place"],
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
    return operations.return_to_service(service_ctx(), period_id, from_night=body.get("night"))
