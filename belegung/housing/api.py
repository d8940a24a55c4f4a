"""JSON routes of the housing programme under /api/v1/housing: apartments, the import,
vacancies, households, placements and the figures.

Each route parses its input, calls one function of housing.operations (which checks the
caller's rights and applies the rules) and serialises the answer.
"""

from __future__ import annotations

from typing import Any

from flask import request

from belegung.db import Page
from belegung.housing import operations
from belegung.housing.figures import Figures
from belegung.housing.imports import ImportResult
from belegung.housing.matching import Matches
from belegung.housing.models import Placement
from belegung.housing.operations import (
    ApartmentFilter,
    ApartmentView,
    BlockRequest,
    HouseholdRequest,
    HouseholdView,
    MemberRequest,
    MoveOutRequest,
    MoveRequest,
    PlacementRequest,
    VacancyQuery,
)
from belegung.housing.schemas import (
    ApartmentDetailSchema,
    ApartmentQuerySchema,
    ApartmentSchema,
    BlockSchema,
    HouseholdCreateSchema,
    HouseholdSchema,
    HousingFiguresQuerySchema,
    HousingFiguresSchema,
    ImportFileSchema,
    ImportQuerySchema,
    ImportResultSchema,
    MemberCreateSchema,
    MemberLeaveSchema,
    MoveOutSchema,
    MoveSchema,
    PlacementCreateSchema,
    PlacementSchema,
    UnblockSchema,
    VacanciesSchema,
    VacancyQuerySchema,
)
from belegung.http.api import ApiBlueprint, responds
from belegung.http.context import service_ctx
from belegung.limits import HOUSING_IMPORT_MAX_REQUEST_BYTES
from belegung.schemas import page_of

blp = ApiBlueprint(
    "housing",
    __name__,
    url_prefix="/api/v1/housing",
    description="Wohnraumvorhalteprogramm: Wohnungen, Haushalte, Ein- und Auszüge, Zahlen",
)

IMPORT_ENDPOINT = "housing.import_apartments"

HOUSEHOLD_EXAMPLE = {
    "type": "couple_with_children",
    "members": [
        {"name": "Sabine K.", "birth_year": 1988, "gender": "f"},
        {"name": "Marek K.", "birth_year": 1985, "gender": "m"},
        {"name": "Lea K.", "birth_year": 2015, "gender": "f"},
    ],
    "note": "Tel. 0231 5012345 (Frau K.)",
}


# --- apartments -----------------------------------------------------------------------------


@blp.get("/apartments")
@blp.arguments(ApartmentQuerySchema, location="query")
@blp.response(200, page_of(ApartmentSchema))
@responds(blp, 403, 422)
def list_apartments(which: ApartmentFilter) -> Page[ApartmentView]:
    """Apartments by number; filtered by `status`, `district` and a search `q` over
    number, address and landlord. `occupied`, `occupied_places` and `free_places` are
    read from today's claims on the places."""
    return operations.list_apartments(service_ctx(), which)


@blp.get("/apartments/<id:apartment_id>")
@blp.response(200, ApartmentDetailSchema)
@responds(blp, 403, 404)
def get_apartment(apartment_id: int) -> ApartmentView:
    """One apartment with its household today and every placement it had."""
    return operations.read_apartment(service_ctx(), apartment_id)


@blp.post("/apartments/import")
@blp.arguments(ImportQuerySchema, location="query")
@blp.arguments(ImportFileSchema, location="files")
@blp.response(200, ImportResultSchema)
@responds(blp, 403, 413, 422)
def import_apartments(query: dict[str, Any], files: dict[str, Any]) -> ImportResult:
    """Import the apartment list (multipart `file`, CSV or XLSX; docs/housing-import.md).

    All or nothing: a file with any error writes nothing and the answer names every bad
    row (`errors`: line, column, message). `?dry_run=true` checks and reports what would
    change without writing. An apartment missing from the file is listed in `missing`,
    never deleted. Files up to 5 MB.
    """
    upload = files.get("file")
    try:
        return operations.import_file(
            service_ctx(),
            None if upload is None else upload.stream,
            "" if upload is None else upload.filename or "",
            dry_run=query["dry_run"],
        )
    finally:
        if upload is not None:
            # A large upload is spooled to a temporary file: closed now, not by the GC.
            upload.close()


@blp.post("/apartments/<id:apartment_id>/block")
@blp.arguments(BlockSchema)
@blp.response(200, ApartmentDetailSchema)
@responds(blp, 403, 404, 409, 422)
def block_apartment(body: BlockRequest, apartment_id: int) -> ApartmentView:
    """Block an apartment (damage, renovation) with a reason, from a date (default today)
    until a date (open-ended if none). 409 `place_occupied` while someone lives there."""
    return operations.block(service_ctx(), apartment_id, body)


@blp.post("/apartments/<id:apartment_id>/unblock")
@blp.arguments(UnblockSchema)
@blp.response(200, ApartmentDetailSchema)
@responds(blp, 403, 404, 409, 422)
def unblock_apartment(body: dict[str, Any], apartment_id: int) -> ApartmentView:
    return operations.unblock(service_ctx(), apartment_id, body.get("date"))


# --- vacancies ------------------------------------------------------------------------------


@blp.get("/vacancies")
@blp.arguments(VacancyQuerySchema, location="query")
@blp.response(200, VacanciesSchema)
@responds(blp, 403, 422)
def vacancies(query: VacancyQuery) -> Matches:
    """Apartments that can take a household of `size` from `from` (default today), best
    fit first: fewest places left empty, then the longest vacant. `explain=true` adds
    every other apartment with the reason it was left out (`blocked`, `too_small`,
    `not_step_free`, `other_district`, `lease_ends_too_soon`, `taken`)."""
    return operations.search_vacancies(service_ctx(), query)


# --- households -----------------------------------------------------------------------------


@blp.post("/households")
@blp.arguments(HouseholdCreateSchema, example=HOUSEHOLD_EXAMPLE)
@blp.response(201, HouseholdSchema)
@responds(blp, 403, 404, 409, 422)
def create_household(body: HouseholdRequest) -> HouseholdView:
    """A household of the given type with its members (existing persons by id, or new)."""
    ctx = service_ctx()
    household = operations.create_household(ctx, body)
    return operations.read_household(ctx, household.id)


@blp.get("/households/<id:household_id>")
@blp.response(200, HouseholdSchema)
@responds(blp, 403, 404)
def get_household(household_id: int) -> HouseholdView:
    return operations.read_household(service_ctx(), household_id)


@blp.post("/households/<id:household_id>/members")
@blp.arguments(MemberCreateSchema)
@blp.response(201, HouseholdSchema)
@responds(blp, 403, 404, 409, 422)
def add_member(body: MemberRequest, household_id: int) -> HouseholdView:
    """A person joins the household; if it is housed, they get a free place of its
    apartment (409 `no_room` if none is free)."""
    return operations.add_member(service_ctx(), household_id, body)


@blp.post("/households/<id:household_id>/members/<id:person_id>/leave")
@blp.arguments(MemberLeaveSchema)
@blp.response(200, HouseholdSchema)
@responds(blp, 403, 404, 409, 422)
def remove_member(body: dict[str, Any], household_id: int, person_id: int) -> HouseholdView:
    """A member leaves the household; their place is free from that day."""
    return operations.remove_member(service_ctx(), household_id, person_id, body.get("date"))


# --- placements -----------------------------------------------------------------------------


@blp.post("/placements")
@blp.arguments(PlacementCreateSchema, example={"household": 12, "apartment": 345})
@blp.response(201, PlacementSchema)
@responds(blp, 403, 404, 409, 422)
def create_placement(body: PlacementRequest) -> Placement:
    """Move a household into an apartment from `from` (default today), each member on a
    place. 409 `apartment_taken` (another household lives there and it is not shared),
    `no_room` (too few free places), `apartment_blocked`; `invalid_state` if the
    household already lives in an apartment (move it instead)."""
    return operations.place_household(service_ctx(), body)


@blp.get("/placements/<id:placement_id>")
@blp.response(200, PlacementSchema)
@responds(blp, 403, 404)
def get_placement(placement_id: int) -> Placement:
    return operations.read_placement(service_ctx(), placement_id)


@blp.post("/placements/<id:placement_id>/move-out")
@blp.arguments(MoveOutSchema, example={"date": "2026-03-01", "outcome": "own_tenancy"})
@blp.response(200, PlacementSchema)
@responds(blp, 403, 404, 409, 422)
def move_out(body: MoveOutRequest, placement_id: int) -> Placement:
    """The household moves out on `date` (default today) with an `outcome`: own_tenancy,
    other_housing, supported_housing, shelter, institution, deceased, unknown."""
    return operations.move_out(service_ctx(), placement_id, body)


@blp.post("/placements/<id:placement_id>/move")
@blp.arguments(MoveSchema)
@blp.response(201, PlacementSchema)
@responds(blp, 403, 404, 409, 422)
def move(body: MoveRequest, placement_id: int) -> Placement:
    """The household moves to another apartment on `date`: the answer is the new
    placement (its `previous` is this one)."""
    return operations.move(service_ctx(), placement_id, body)


# --- figures --------------------------------------------------------------------------------


@blp.get("/figures")
@blp.arguments(HousingFiguresQuerySchema, location="query")
@blp.response(200, HousingFiguresSchema)
@responds(blp, 403, 422)
def figures(query: dict[str, Any]) -> Figures:
    """Apartments occupied / free / blocked, places occupied / free, persons and
    households housed, households by type, average and median length of stay (days in
    the programme per household, a move continuing the stay, an ongoing one counted to
    the date), and moves out per month and outcome over the last `months` months."""
    return operations.figures(service_ctx(), query.get("date"), query["months"])


def raise_upload_limit() -> None:
    """The import route takes files up to the import's limit; every other request keeps
    the application's (registered before the other hooks, which may read the form)."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = HOUSING_IMPORT_MAX_REQUEST_BYTES


# The routes that take an apartment list (this API's and the import page's).
UPLOAD_ENDPOINTS = {IMPORT_ENDPOINT, "housing_pages.upload"}
