"""Availability, stays, holds, turn-aways and house bans as the API reads and writes them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from belegung import texts
from belegung.facilities.models import FacilityKind, TargetGroup
from belegung.limits import (
    HOLD_MINUTES_LIMIT,
    HOLD_NOTE_MAX,
    MAX_NIGHTS,
    PLACE_LABEL_MAX,
    REASON_MAX,
    SLUG_MAX,
    TURN_AWAY_NOTE_MAX,
)
from belegung.persons.operations import ExistingPerson, NewPerson
from belegung.persons.schemas import PersonFieldsSchema, PersonSchema
from belegung.schemas import PageQuerySchema, RequestSchema, Text, enum, id_field, night_date
from belegung.stays.models import BanKind, StayStatus, TurnAwayReason
from belegung.stays.operations import (
    BanFilter,
    BanRequest,
    CheckIn,
    Conversion,
    HoldRequest,
    ListFilter,
    StayFilter,
    TurnAwayRequest,
)

FACILITY = Text(
    required=True,
    validate=validate.Length(min=1, max=SLUG_MAX),
    metadata={"example": "unionstrasse"},
)
FACILITY_FILTER = Text(validate=validate.Length(min=1, max=SLUG_MAX))
NIGHTS = validate.Range(min=1, max=MAX_NIGHTS)
CONFIRM_NEW_PERSON = fields.Boolean(
    load_default=False,
    metadata={
        "description": "A new `person` with the name and year of birth of a guest "
        "checked in that night at the facility is refused (409 `possible_duplicate`, with "
        "that guest's `stay`) unless this says it is someone else"
    },
)
OVERRIDE = Text(
    validate=validate.Length(min=1, max=REASON_MAX),
    metadata={
        "description": "A reason to let a banned person in anyway; needs a caller who may "
        "both check in and override bans (admin). Managers grant overrides ahead with "
        "POST /bans/{id}/override, and staff then check the person in."
    },
)


def _facility_slug(obj: Any) -> str:
    return str(obj.facility.slug)


def _place_label(obj: Any) -> str:
    return str(obj.place.label)


def _hold_facility_slug(view: Any) -> str:
    return _facility_slug(view.hold)


def _hold_place_label(view: Any) -> str:
    return _place_label(view.hold)


# --- availability -----------------------------------------------------------------------


class AvailabilityQuerySchema(ma.Schema):
    night = night_date(metadata={"description": "Default: tonight"})
    target_group = enum(TargetGroup)
    kind = enum(FacilityKind)


class CountsSchema(ma.Schema):
    capacity = fields.Integer(required=True, metadata={"description": "Regular places in service"})
    emergency_capacity = fields.Integer(
        required=True, metadata={"description": "Emergency places in service"}
    )
    out_of_service = fields.Integer(required=True)
    occupied = fields.Integer(required=True)
    held = fields.Integer(required=True, metadata={"description": "Live holds"})
    free = fields.Integer(
        required=True,
        metadata={
            "description": "Free regular places a guest could be given that night (0 at a "
            "standby facility shown after a winter emergency for its remaining guests)"
        },
    )
    free_emergency = fields.Integer(
        required=True,
        metadata={
            "description": "Free emergency places a guest could be given that night: "
            "counted only while emergency places are offered (a winter emergency is "
            "active, or every regular place of the facility is taken); 0 otherwise, "
            "however many emergency places stand empty (see emergency_capacity)"
        },
    )


class FacilityIdentitySchema(ma.Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in FacilityKind]))
    target_group = fields.String(
        required=True, validate=validate.OneOf([t.value for t in TargetGroup])
    )


class FacilityAvailabilitySchema(CountsSchema, FacilityIdentitySchema):
    """Who the facility is, then its figures (marshmallow takes the last base's fields
    first)."""


class AvailabilitySchema(ma.Schema):
    night = fields.Date(required=True)
    as_of = fields.AwareDateTime(
        required=True, metadata={"description": "When the figures were read"}
    )
    winter_emergency = fields.Boolean(required=True)
    facilities = fields.List(fields.Nested(FacilityAvailabilitySchema), required=True)
    totals = fields.Nested(CountsSchema, required=True)


# --- stays --------------------------------------------------------------------------------


class PersonRefSchema(PersonFieldsSchema):
    """An existing person by `id`, or a new person by `name` (and optional fields)."""

    id = id_field(strict=True)

    @ma.post_load
    def _as_ref(self, data: dict[str, Any], **_: Any) -> ExistingPerson | NewPerson:
        return ExistingPerson(data["id"]) if "id" in data else NewPerson(**data)

    # Also when a field is bad, so that a 422 names every bad field at once.
    @ma.validates_schema(skip_on_field_errors=False, pass_original=True)
    def _id_or_new(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        if "id" in data:
            extra = sorted(set(data) - {"id"})
            if extra:
                raise ma.ValidationError(texts.VALIDATION["person_id_alone"], field_name=extra[0])
        elif not (isinstance(original, dict) and ("id" in original or "name" in original)):
            # A given but invalid id or name has its own message already.
            raise ma.ValidationError(texts.VALIDATION["person_id_or_name"], field_name="name")


class CheckInSchema(RequestSchema):
    MODEL = CheckIn

    facility = FACILITY
    person = fields.Nested(PersonRefSchema, required=True)
    place = Text(
        validate=validate.Length(min=1, max=PLACE_LABEL_MAX),
        metadata={"description": "A place label; default: the first free place"},
    )
    night = night_date(metadata={"description": "Default: tonight"})
    nights = fields.Integer(
        strict=True,
        validate=NIGHTS,
        metadata={
            "description": "Default: 1 in a night shelter, open-ended in the housing programme"
        },
    )
    override_ban_reason = OVERRIDE
    confirm_new_person = CONFIRM_NEW_PERSON


class StaySchema(ma.Schema):
    id = fields.Integer(required=True)
    facility = fields.Function(_facility_slug, required=True, metadata={"type": "string"})
    place = fields.Function(_place_label, required=True, metadata={"type": "string"})
    person = fields.Nested(PersonSchema, required=True)
    first_night = fields.Date(required=True)
    nights = fields.Integer(allow_none=True, metadata={"description": "Null: open-ended"})
    end_night = fields.Date(allow_none=True, metadata={"description": "The night after the last"})
    status = enum(StayStatus, required=True)
    checked_in_at = fields.AwareDateTime(allow_none=True)
    checked_out_at = fields.AwareDateTime(allow_none=True)


class StayQuerySchema(PageQuerySchema):
    MODEL = StayFilter

    facility = FACILITY_FILTER
    night = night_date(metadata={"description": "Only stays covering this night"})
    person = id_field()


class ExtendSchema(ma.Schema):
    nights = fields.Integer(strict=True, load_default=1, validate=NIGHTS)
    override_ban_reason = OVERRIDE
    override_emergency_reason = Text(
        validate=validate.Length(min=1, max=REASON_MAX),
        metadata={
            "description": "A manager's reason to keep a guest on an emergency place "
            "while regular places are free (after a winter emergency); without it such "
            "an extension is 409 `emergency_place_not_extended` and the guest is offered "
            "a regular place (a move on the night board). Managers and admins."
        },
    )


# --- holds --------------------------------------------------------------------------------


class HoldCreateSchema(RequestSchema):
    MODEL = HoldRequest

    facility = FACILITY
    note = Text(
        validate=validate.Length(max=HOLD_NOTE_MAX),
        metadata={"description": "Who is coming, from where", "example": "Mann, ca. 50, Hbf"},
    )
    minutes = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=HOLD_MINUTES_LIMIT),
        metadata={"description": "Default 60; at most the configured maximum (180)"},
    )
    place = Text(validate=validate.Length(min=1, max=PLACE_LABEL_MAX))


class HoldSchema(ma.Schema):
    """A hold as its caller sees it now (a stays.holds.HoldView)."""

    id = fields.Integer(attribute="hold.id", required=True)
    facility = fields.Function(_hold_facility_slug, required=True, metadata={"type": "string"})
    place = fields.Function(_hold_place_label, required=True, metadata={"type": "string"})
    night = fields.Date(attribute="hold.first_night", required=True)
    note = fields.String(attribute="hold.hold_note", allow_none=True)
    status = enum(StayStatus, required=True, metadata={"type": "string", "readOnly": True})
    created_at = fields.AwareDateTime(attribute="hold.held_at", required=True)
    expires_at = fields.AwareDateTime(attribute="hold.hold_expires_at", required=True)


class ConvertSchema(RequestSchema):
    MODEL = Conversion

    person = fields.Nested(PersonRefSchema, required=True)
    nights = fields.Integer(strict=True, load_default=1, validate=NIGHTS)
    override_ban_reason = OVERRIDE
    confirm_new_person = CONFIRM_NEW_PERSON


class HoldQuerySchema(PageQuerySchema):
    MODEL = ListFilter

    facility = FACILITY_FILTER
    night = night_date()


# --- turn-aways and house bans --------------------------------------------------------------


class TurnAwayCreateSchema(RequestSchema):
    MODEL = TurnAwayRequest

    facility = FACILITY
    reason = enum(TurnAwayReason, required=True)
    note = Text(validate=validate.Length(max=TURN_AWAY_NOTE_MAX))
    person = id_field(strict=True)


class TurnAwaySchema(ma.Schema):
    id = fields.Integer(required=True)
    facility = fields.Function(_facility_slug, required=True, metadata={"type": "string"})
    night = fields.Date(required=True)
    reason = enum(TurnAwayReason, required=True)
    note = fields.String(allow_none=True)
    person = fields.Integer(attribute="person_id", allow_none=True)
    occurred_at = fields.AwareDateTime(required=True)


class TurnAwayQuerySchema(PageQuerySchema):
    MODEL = ListFilter

    facility = FACILITY_FILTER
    night = night_date()


class BanCreateSchema(RequestSchema):
    MODEL = BanRequest

    facility = FACILITY
    person = id_field(strict=True, required=True)
    kind = enum(BanKind, required=True)
    reason = Text(required=True, validate=validate.Length(min=1, max=REASON_MAX))
    first_night = night_date(metadata={"description": "Default: tonight"})
    end_night = night_date(allow_none=True, metadata={"description": "Null: until lifted"})


class BanSchema(ma.Schema):
    id = fields.Integer(required=True)
    facility = fields.Function(_facility_slug, required=True, metadata={"type": "string"})
    person = fields.Integer(attribute="person_id", required=True)
    kind = enum(BanKind, required=True)
    reason = fields.String(required=True)
    first_night = fields.Date(required=True)
    end_night = fields.Date(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    lifted_at = fields.AwareDateTime(allow_none=True)
    lift_reason = fields.String(allow_none=True)


class BanQuerySchema(PageQuerySchema):
    MODEL = BanFilter

    facility = FACILITY_FILTER
    person = id_field()
    active_on = night_date(metadata={"description": "Only bans in force (not lifted) that night"})


class BanLiftSchema(ma.Schema):
    reason = Text(
        required=True,
        validate=validate.Length(min=1, max=REASON_MAX),
        metadata={"description": "Why the ban ends", "example": "Aussprache mit der Leitung"},
    )


class BanOverrideCreateSchema(ma.Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=REASON_MAX))
    first_night = night_date(metadata={"description": "Default: tonight"})
    nights = fields.Integer(strict=True, load_default=1, validate=NIGHTS)


class BanOverrideSchema(ma.Schema):
    id = fields.Integer(required=True)
    ban = fields.Integer(attribute="ban_id", required=True)
    first_night = fields.Date(required=True)
    end_night = fields.Date(required=True)
    reason = fields.String(required=True)
    stay = fields.Integer(attribute="stay_id", allow_none=True)
    created_at = fields.AwareDateTime(required=True)
