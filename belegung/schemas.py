"""Schema pieces every domain's API shares: ids, nights, errors, pages of lists, enums."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

MAX_PAGE_SIZE = 200
# Ids are integer columns: anything beyond would fail in the database (on PostgreSQL as
# an error, not as "not found").
MAX_ID = 2**31 - 1
# Nights a request may name. Far beyond them, date arithmetic ("the night after") would
# overflow; nothing in a shelter's work needs them.
EARLIEST_NIGHT = date(2000, 1, 1)
LATEST_NIGHT = date(2099, 12, 31)


def id_field(**kwargs: Any) -> fields.Integer:
    """A database id in a body or query string: 1 to 2³¹−1."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def night_date(**kwargs: Any) -> fields.Date:
    """A date naming a night, in the range a request may name."""
    return fields.Date(validate=validate.Range(min=EARLIEST_NIGHT, max=LATEST_NIGHT), **kwargs)


def enum(cls: type[Enum], **kwargs: object) -> fields.Enum:
    """An enum field that reads and writes the members' values."""
    return fields.Enum(cls, by_value=True, **kwargs)  # type: ignore[arg-type]


class ErrorSchema(ma.Schema):
    code = fields.String(
        required=True,
        metadata={"description": "Machine-readable error code", "example": "no_free_place"},
    )
    message = fields.String(required=True, metadata={"description": "What went wrong, in German"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        metadata={
            "description": "On 422: per location (json, query, path) each bad field "
            "with its messages",
            "example": {"json": {"nights": ["Must be greater than or equal to 1."]}},
        },
    )


class PageQuerySchema(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class PageSchema(ma.Schema):
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Number of all items"})


def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The schema of one page of a list: items plus page, page_size and total."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return type(name, (PageSchema,), {"items": fields.List(fields.Nested(item_schema))})
