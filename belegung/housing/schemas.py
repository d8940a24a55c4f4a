"""The housing programme's API schemas: input (loading into the operations' requests) and
output kept apart."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from belegung.housing.models import ApartmentStatus, Outcome
from belegung.housing.operations import (
    ApartmentFilter,
    BlockRequest,
    HouseholdRequest,
    MemberRequest,
    MoveOutRequest,
    MoveRequest,
    PlacementRequest,
    VacancyQuery,
)
from belegung.limits import (
    APARTMENT_DISTRICT_MAX,
    HOUSEHOLD_MEMBERS_MAX,
    HOUSEHOLD_NOTE_MAX,
    REASON_MAX,
    SEARCH_MAX,
)
from belegung.persons.models import HouseholdType
from belegung.persons.schemas import PersonSchema
from belegung.schemas import PageQuerySchema, RequestSchema, Text, enum, id_field, night_date
from belegung.stays.schemas import PersonRefSchema

# --- apartments ---------------------------------------------------------------------------


class ApartmentQuerySchema(PageQuerySchema):
    MODEL = ApartmentFilter

    status = enum(ApartmentStatus)
    district = Text(validate=validate.Length(min=1, max=APARTMENT_DISTRICT_MAX))
    q = Text(
        validate=validate.Length(min=1, max=SEARCH_MAX),
        metadata={"description": "Words of the number, address or landlord"},
    )
    occupied = fields.Boolean(metadata={"description": "Only apartments with/without a household"})


class HouseholdBriefSchema(ma.Schema):
    id = fields.Integer(required=True)
    type = enum(HouseholdType, required=True)
    size = fields.Integer(required=True)


class PlacementBriefSchema(ma.Schema):
    id = fields.Integer(required=True)
    household = fields.Nested(HouseholdBriefSchema, required=True)
    apartment = fields.Integer(attribute="apartment_id", required=True)
    first_night = fields.Date(required=True, data_key="from")
    end_night = fields.Date(
        allow_none=True, data_key="moved_out", metadata={"description": "The move-out date"}
    )
    outcome = enum(Outcome, allow_none=True)
    previous = fields.Integer(attribute="previous_id", allow_none=True)


class ApartmentFieldsSchema(ma.Schema):
    """An apartment's own fields (with its number of places)."""

    id = fields.Integer(required=True)
    number = fields.String(required=True, metadata={"description": "The housing office's number"})
    address = fields.String(required=True)
    district = fields.String(allow_none=True, metadata={"description": "Stadtbezirk"})
    landlord = fields.String(allow_none=True)
    floor = fields.Integer(allow_none=True)
    rooms = fields.Float(allow_none=True)
    area_m2 = fields.Float(allow_none=True)
    places = fields.Integer(required=True)
    step_free = fields.Boolean(required=True)
    shared = fields.Boolean(
        required=True, metadata={"description": "May house several single adults"}
    )
    lease_start = fields.Date(allow_none=True)
    lease_end = fields.Date(allow_none=True)
    status = enum(ApartmentStatus, required=True)
    blocked_reason = fields.String(allow_none=True)
    blocked_from = fields.Date(allow_none=True)
    blocked_until = fields.Date(allow_none=True)


class ApartmentSchema(ApartmentFieldsSchema):
    occupied = fields.Boolean(required=True, metadata={"description": "Someone lives there today"})
    occupied_places = fields.Integer(required=True)
    free_places = fields.Integer(
        required=True, metadata={"description": "Places neither occupied nor out of service"}
    )
    household = fields.Nested(HouseholdBriefSchema, allow_none=True)
    placement = fields.Nested(PlacementBriefSchema, allow_none=True)


class ApartmentDetailSchema(ApartmentSchema):
    history = fields.List(
        fields.Nested(PlacementBriefSchema),
        metadata={"description": "Every placement, newest first"},
    )


class BlockSchema(RequestSchema):
    MODEL = BlockRequest

    reason = Text(required=True, validate=validate.Length(min=1, max=REASON_MAX))
    from_ = night_date(data_key="from", metadata={"description": "Default: today"})
    until = night_date(metadata={"description": "The first day it is offered again; open-ended"})


class UnblockSchema(ma.Schema):
    date = night_date(metadata={"description": "Offered again from (default today)"})


class ImportQuerySchema(ma.Schema):
    dry_run = fields.Boolean(load_default=False)


class ImportFileSchema(ma.Schema):
    file = fields.Raw(
        metadata={"type": "string", "format": "binary", "description": "CSV or XLSX"},
    )


class ImportIssueSchema(ma.Schema):
    line = fields.Integer(allow_none=True)
    column = fields.String(allow_none=True)
    code = fields.String(required=True)
    message = fields.String(required=True)


class ImportResultSchema(ma.Schema):
    rows = fields.Integer(required=True)
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    missing = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Numbers of apartments not in the file (not deleted)"},
    )
    errors = fields.List(fields.Nested(ImportIssueSchema), required=True)
    warnings = fields.List(fields.Nested(ImportIssueSchema), required=True)
    dry_run = fields.Boolean(required=True)
    written = fields.Boolean(required=True)


# --- vacancies ----------------------------------------------------------------------------


class VacancyQuerySchema(RequestSchema):
    MODEL = VacancyQuery

    size = fields.Integer(required=True, validate=validate.Range(min=1, max=HOUSEHOLD_MEMBERS_MAX))
    from_ = night_date(data_key="from", metadata={"description": "Move-in date; default today"})
    step_free = fields.Boolean(load_default=False)
    district = Text(validate=validate.Length(min=1, max=APARTMENT_DISTRICT_MAX))
    min_rooms = fields.Float(validate=validate.Range(min=0, max=20))
    explain = fields.Boolean(
        load_default=False, metadata={"description": "Add the apartments left out, with a reason"}
    )


class VacancySchema(ma.Schema):
    apartment = fields.Nested(ApartmentFieldsSchema, required=True)
    free_places = fields.Integer(required=True)
    left_empty = fields.Integer(
        required=True, metadata={"description": "Places the household would leave empty"}
    )
    vacant_since = fields.Date(allow_none=True)


class ExcludedSchema(ma.Schema):
    apartment = fields.Function(lambda e: e.apartment.id, required=True)
    number = fields.Function(lambda e: e.apartment.number, required=True)
    reason = fields.String(
        required=True,
        metadata={
            "description": "too_small, taken, blocked, not_step_free, other_district, "
            "lease_ends_too_soon"
        },
    )
    free_places = fields.Integer(required=True)


class VacanciesSchema(ma.Schema):
    size = fields.Integer(attribute="need.size", required=True)
    from_ = fields.Date(attribute="need.first", data_key="from", required=True)
    vacancies = fields.List(fields.Nested(VacancySchema), required=True)
    excluded = fields.List(fields.Nested(ExcludedSchema), metadata={"description": "explain=true"})


# --- households and placements --------------------------------------------------------------


class HouseholdCreateSchema(RequestSchema):
    MODEL = HouseholdRequest

    type = enum(HouseholdType, required=True)
    members = fields.List(
        fields.Nested(PersonRefSchema),
        required=True,
        validate=validate.Length(min=1, max=HOUSEHOLD_MEMBERS_MAX),
        metadata={"description": 'Persons: `{"id": …}` or a new person `{"name", …}`'},
    )
    note = Text(
        validate=validate.Length(max=HOUSEHOLD_NOTE_MAX),
        metadata={"description": "How to reach the household (phone, caseworker)"},
    )


class PlacementSchema(ma.Schema):
    id = fields.Integer(required=True)
    household = fields.Integer(attribute="household_id", required=True)
    apartment = fields.Integer(attribute="apartment_id", required=True)
    number = fields.Function(lambda p: p.apartment.number, required=True)
    first_night = fields.Date(required=True, data_key="from")
    end_night = fields.Date(allow_none=True, data_key="moved_out")
    outcome = enum(Outcome, allow_none=True)
    previous = fields.Integer(attribute="previous_id", allow_none=True)
    places = fields.Function(
        lambda p: [s.place.label for s in p.stays if s.status.value != "cancelled"],
        metadata={"type": "array", "items": {"type": "string"}},
    )


class HouseholdSchema(ma.Schema):
    id = fields.Integer(required=True)
    type = enum(HouseholdType, required=True)
    size = fields.Integer(required=True)
    note = fields.String(allow_none=True)
    members = fields.List(fields.Nested(PersonSchema), required=True)
    placement = fields.Nested(
        PlacementSchema, allow_none=True, metadata={"description": "Where it lives now"}
    )
    placements = fields.List(fields.Nested(PlacementSchema))


class PlacementCreateSchema(RequestSchema):
    MODEL = PlacementRequest

    household = id_field(required=True, strict=True)
    apartment = id_field(required=True, strict=True)
    from_ = night_date(data_key="from", metadata={"description": "Move-in date; default today"})


class MoveOutSchema(RequestSchema):
    MODEL = MoveOutRequest

    date = night_date(metadata={"description": "Move-out date; default today"})
    outcome = enum(Outcome, required=True)


class MoveSchema(RequestSchema):
    MODEL = MoveRequest

    apartment = id_field(required=True, strict=True)
    date = night_date(metadata={"description": "Moving day; default today"})


class MemberCreateSchema(RequestSchema):
    MODEL = MemberRequest

    person = fields.Nested(PersonRefSchema, required=True)
    date = night_date(metadata={"description": "Joins on; default today"})


class MemberLeaveSchema(ma.Schema):
    date = night_date(metadata={"description": "Leaves on; default today"})


# --- figures ----------------------------------------------------------------------------


class HousingFiguresQuerySchema(ma.Schema):
    date = night_date(metadata={"description": "Default: today"})
    months = fields.Integer(load_default=12, validate=validate.Range(min=1, max=120))


class OutcomeCountSchema(ma.Schema):
    month = fields.String(required=True, metadata={"example": "2026-01"})
    outcome = enum(Outcome, required=True)
    households = fields.Integer(required=True)


class MonthMovesSchema(ma.Schema):
    month = fields.String(required=True, metadata={"example": "2026-01"})
    moved_in = fields.Integer(
        required=True, metadata={"description": "Households that came into the programme"}
    )
    moved_out = fields.Integer(
        required=True, metadata={"description": "Households that left it (with an outcome)"}
    )


class HousingFiguresSchema(ma.Schema):
    date = fields.Date(attribute="day", required=True)
    apartments = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    places = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    persons_housed = fields.Integer(required=True)
    households_housed = fields.Integer(required=True)
    households_by_type = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    average_stay_days = fields.Float(allow_none=True)
    median_stay_days = fields.Float(allow_none=True)
    outcomes = fields.List(
        fields.Nested(OutcomeCountSchema),
        required=True,
        metadata={"description": "Households moved out per month and outcome"},
    )
    moves = fields.List(
        fields.Nested(MonthMovesSchema),
        required=True,
        metadata={"description": "Per month of the period: households in and out"},
    )
