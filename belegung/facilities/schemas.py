"""Facilities, places and out-of-service periods as the API reads and writes them."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from marshmallow import fields, validate

from belegung import texts
from belegung.facilities.models import (
    FacilityKind,
    FacilityStatus,
    OperatorType,
    TargetGroup,
    WelfareAssociation,
)
from belegung.limits import (
    ADDRESS_MAX,
    FACILITY_NAME_MAX,
    LATEST_NIGHT,
    OUT_OF_SERVICE_REASON_MAX,
    PLACE_LABEL_MAX,
    SLUG_MAX,
    UNIT_LABEL_MAX,
)
from belegung.schemas import PageQuerySchema, Text, enum, night_date

SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error=texts.VALIDATION["slug_format"])


# --- output ---------------------------------------------------------------------------


class FacilitySchema(ma.Schema):
    slug = fields.String(required=True, metadata={"example": "unionstrasse"})
    name = fields.String(required=True)
    kind = enum(FacilityKind, required=True)
    target_group = enum(TargetGroup, required=True)
    status = enum(FacilityStatus, required=True)
    address = fields.String(allow_none=True)
    operator_name = fields.String(allow_none=True)
    operator_type = enum(OperatorType, required=True)
    welfare_association = enum(WelfareAssociation, allow_none=True)
    opened_on = fields.Date(allow_none=True)


class PlaceSchema(ma.Schema):
    label = fields.String(required=True, metadata={"example": "17"})
    emergency = fields.Boolean(required=True)
    unit = fields.Function(
        lambda place: place.unit.label if place.unit else None,
        allow_none=True,
        metadata={"description": "Room or apartment", "type": "string"},
    )
    position = fields.Integer(required=True)


class OutOfServiceSchema(ma.Schema):
    id = fields.Integer(required=True)
    facility = fields.Function(lambda o: o.place.facility.slug, metadata={"type": "string"})
    place = fields.Function(lambda o: o.place.label, metadata={"type": "string"})
    reason = fields.String(required=True)
    first_night = fields.Date(required=True)
    end_night = fields.Date(
        allow_none=True, metadata={"description": "First night back in service; null: open"}
    )
    created_at = fields.AwareDateTime(required=True)


# --- input ----------------------------------------------------------------------------


class FacilityUpdateSchema(ma.Schema):
    name = Text(validate=validate.Length(min=1, max=FACILITY_NAME_MAX))
    kind = enum(FacilityKind)
    target_group = enum(TargetGroup)
    status = enum(FacilityStatus)
    address = Text(allow_none=True, validate=validate.Length(max=ADDRESS_MAX))
    operator_name = Text(allow_none=True, validate=validate.Length(max=FACILITY_NAME_MAX))
    operator_type = enum(OperatorType)
    welfare_association = enum(WelfareAssociation, allow_none=True)
    opened_on = fields.Date(
        allow_none=True, validate=validate.Range(min=date(1800, 1, 1), max=LATEST_NIGHT)
    )


class FacilityCreateSchema(FacilityUpdateSchema):
    slug = Text(required=True, validate=[validate.Length(min=2, max=SLUG_MAX), SLUG])
    name = Text(required=True, validate=validate.Length(min=1, max=FACILITY_NAME_MAX))
    kind = enum(FacilityKind, required=True)
    target_group = enum(TargetGroup, required=True)


class PlaceCreateSchema(ma.Schema):
    label = Text(required=True, validate=validate.Length(min=1, max=PLACE_LABEL_MAX))
    emergency = fields.Boolean(load_default=False)
    unit = Text(validate=validate.Length(min=1, max=UNIT_LABEL_MAX))


class OutOfServiceCreateSchema(ma.Schema):
    facility = Text(required=True, validate=validate.Length(min=1, max=SLUG_MAX))
    place = Text(required=True, validate=validate.Length(min=1, max=PLACE_LABEL_MAX))
    reason = Text(required=True, validate=validate.Length(min=1, max=OUT_OF_SERVICE_REASON_MAX))
    first_night = night_date(metadata={"description": "Default: tonight"})
    end_night = night_date(allow_none=True, metadata={"description": "Null: until further notice"})


class OutOfServiceEndSchema(ma.Schema):
    night = night_date(metadata={"description": "First night back in service (default tonight)"})


class OutOfServiceQuerySchema(PageQuerySchema):
    facility = Text(validate=validate.Length(min=1, max=SLUG_MAX))
    night = night_date()
