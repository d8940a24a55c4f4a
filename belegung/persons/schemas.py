"""Persons as the API reads and writes them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from belegung import texts
from belegung.limits import (
    BIRTH_YEAR_MAX,
    BIRTH_YEAR_MIN,
    HOUSEHOLD_SIZE_MAX,
    NAME_MAX,
    REASON_MAX,
    SEARCH_MAX,
)
from belegung.persons.countries import normalise_citizenship
from belegung.persons.models import Gender, HouseholdType, Nationality
from belegung.persons.operations import NewPerson, PersonUpdate
from belegung.schemas import PageQuerySchema, Text, enum


class PersonSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "As given; may be an alias. Null once anonymised"},
    )
    birth_year = fields.Integer(allow_none=True)
    gender = enum(Gender, required=True)
    nationality = enum(Nationality, required=True)
    citizenship = fields.String(
        allow_none=True,
        metadata={"description": "ISO 3166-1 alpha-2 code of the country of citizenship"},
    )
    household_type = enum(HouseholdType, required=True)
    household_size = fields.Integer(required=True)


class PersonFieldsSchema(ma.Schema):
    """The fields of a new person; only `name` is required (where this is used alone)."""

    name = Text(validate=validate.Length(min=1, max=NAME_MAX))
    birth_year = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=BIRTH_YEAR_MIN, max=BIRTH_YEAR_MAX),
    )
    gender = enum(Gender)
    nationality = enum(
        Nationality,
        metadata={"description": "Default: the citizenship's group where one is given"},
    )
    citizenship = Text(
        allow_none=True,
        validate=validate.Length(equal=2),
        metadata={
            "description": "ISO 3166-1 alpha-2 code (e.g. PL; XK for Kosovo); the "
            "nationality group follows from it (DE german, EU members eu, others non_eu)",
            "example": "PL",
        },
    )
    household_type = enum(HouseholdType)
    household_size = fields.Integer(
        strict=True, validate=validate.Range(min=1, max=HOUSEHOLD_SIZE_MAX)
    )

    @ma.validates("citizenship")
    def _known_country(self, value: str | None, **_: Any) -> None:
        if value is not None and len(value) == 2 and normalise_citizenship(value) is None:
            raise ma.ValidationError(texts.VALIDATION["unknown_country"])


class PersonCreateSchema(PersonFieldsSchema):
    name = Text(required=True, validate=validate.Length(min=1, max=NAME_MAX))

    @ma.post_load
    def _as_new_person(self, data: dict[str, Any], **_: Any) -> NewPerson:
        return NewPerson(**data)


class PersonUpdateSchema(PersonFieldsSchema):
    """The fields to change; those left out stay as they are (`null` clears the year of
    birth or the citizenship)."""

    @ma.post_load
    def _as_update(self, data: dict[str, Any], **_: Any) -> PersonUpdate:
        return PersonUpdate(changes=data)


class PersonSearchSchema(PageQuerySchema):
    q = Text(
        required=True,
        validate=validate.Length(min=1, max=SEARCH_MAX),
        metadata={
            "description": "Words of the name and/or a year of birth",
            "example": "Müller 1971",
        },
    )


class EraseSchema(ma.Schema):
    reason = Text(
        required=True,
        validate=validate.Length(min=1, max=REASON_MAX),
        metadata={
            "description": "Why (the request and its date); kept in the audit log",
            "example": "Antrag auf Löschung vom 2. Februar 2026 (Art. 17 DSGVO)",
        },
    )


def _slug(obj: Any) -> str:
    return str(obj.facility.slug)


def _place(obj: Any) -> str:
    return str(obj.place.label)


class ExportedPersonSchema(PersonSchema):
    created_at = fields.AwareDateTime(required=True)
    anonymised_at = fields.AwareDateTime(allow_none=True)


class ExportedStaySchema(ma.Schema):
    id = fields.Integer(required=True)
    facility = fields.Function(_slug, required=True, metadata={"type": "string"})
    place = fields.Function(_place, required=True, metadata={"type": "string"})
    first_night = fields.Date(required=True)
    end_night = fields.Date(allow_none=True)
    status = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    checked_in_at = fields.AwareDateTime(allow_none=True)
    checked_out_at = fields.AwareDateTime(allow_none=True)


class ExportedHoldSchema(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "The stay it became"})
    facility = fields.Function(_slug, required=True, metadata={"type": "string"})
    night = fields.Date(attribute="first_night", required=True)
    held_at = fields.AwareDateTime(required=True)
    expires_at = fields.AwareDateTime(attribute="hold_expires_at", allow_none=True)
    note = fields.String(attribute="hold_note", allow_none=True)


class ExportedOverrideSchema(ma.Schema):
    ban = fields.Integer(attribute="ban_id", required=True)
    first_night = fields.Date(required=True)
    end_night = fields.Date(required=True)
    reason = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)


class ExportedBanSchema(ma.Schema):
    id = fields.Integer(required=True)
    facility = fields.Function(_slug, required=True, metadata={"type": "string"})
    kind = fields.String(required=True)
    reason = fields.String(required=True)
    first_night = fields.Date(required=True)
    end_night = fields.Date(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    lifted_at = fields.AwareDateTime(allow_none=True)
    lift_reason = fields.String(allow_none=True)


class ExportedTurnAwaySchema(ma.Schema):
    id = fields.Integer(required=True)
    facility = fields.Function(_slug, required=True, metadata={"type": "string"})
    night = fields.Date(required=True)
    reason = fields.String(required=True)
    note = fields.String(allow_none=True)
    occurred_at = fields.AwareDateTime(required=True)


class ExportedAuditSchema(ma.Schema):
    at = fields.AwareDateTime(required=True)
    actor = fields.String(attribute="actor_label", required=True)
    action = fields.String(required=True)
    object_type = fields.String(required=True)
    object_id = fields.Integer(allow_none=True)


class PersonExportSchema(ma.Schema):
    """Everything stored about a person (operations.PersonExport)."""

    generated_at = fields.AwareDateTime(required=True)
    person = fields.Nested(ExportedPersonSchema, required=True)
    stays = fields.List(fields.Nested(ExportedStaySchema), attribute="records.stays")
    holds = fields.List(fields.Nested(ExportedHoldSchema), attribute="records.holds")
    bans = fields.List(fields.Nested(ExportedBanSchema), attribute="records.bans")
    ban_overrides = fields.List(
        fields.Nested(ExportedOverrideSchema), attribute="records.overrides"
    )
    turn_aways = fields.List(fields.Nested(ExportedTurnAwaySchema), attribute="records.turn_aways")
    audit = fields.List(
        fields.Nested(ExportedAuditSchema),
        metadata={"description": "Who created, changed or looked up the person's data, when"},
    )
