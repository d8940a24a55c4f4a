"""Persons as the API reads and writes them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from belegung.limits import BIRTH_YEAR_MAX, BIRTH_YEAR_MIN, HOUSEHOLD_SIZE_MAX, NAME_MAX, SEARCH_MAX
from belegung.persons.models import Gender, HouseholdType, Nationality
from belegung.persons.operations import NewPerson
from belegung.schemas import PageQuerySchema, Text, enum


class PersonSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "As given; may be an alias"})
    birth_year = fields.Integer(allow_none=True)
    gender = enum(Gender, required=True)
    nationality = enum(Nationality, required=True)
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
    nationality = enum(Nationality)
    household_type = enum(HouseholdType)
    household_size = fields.Integer(
        strict=True, validate=validate.Range(min=1, max=HOUSEHOLD_SIZE_MAX)
    )


class PersonCreateSchema(PersonFieldsSchema):
    name = Text(required=True, validate=validate.Length(min=1, max=NAME_MAX))

    @ma.post_load
    def _as_new_person(self, data: dict[str, Any], **_: Any) -> NewPerson:
        return NewPerson(**data)


class PersonSearchSchema(PageQuerySchema):
    q = Text(
        required=True,
        validate=validate.Length(min=1, max=SEARCH_MAX),
        metadata={
            "description": "Words of the name and/or a year of birth",
            "example": "Müller 1971",
        },
    )
