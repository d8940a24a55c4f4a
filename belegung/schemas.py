"""Schema pieces every domain's API shares: ids, text, nights, errors, pages of lists, enums."""

from __future__ import annotations

import re
from enum import Enum
from typing import Any, ClassVar

import marshmallow as ma
from marshmallow import fields, validate
from marshmallow.types import ErrorMessages

from belegung import texts
from belegung.limits import EARLIEST_NIGHT, LATEST_NIGHT, MAX_ID, MAX_PAGE, MAX_PAGE_SIZE

# What no text from a request may hold: control characters other than tab, line feed and
# carriage return (PostgreSQL refuses NUL outright), lone surrogates (they have no UTF-8
# form, so neither database can store them), and the bidi overrides and isolates that
# make a name or a note display as something it is not.
FORBIDDEN_RANGES = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069"
FORBIDDEN_CHARACTER = re.compile(f"[{FORBIDDEN_RANGES}]")


def id_field(**kwargs: Any) -> fields.Integer:
    """A database id in a body or query string: 1 to 2³¹−1."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def forbidden_character(value: str) -> str | None:
    """The first character of `value` that no stored text may hold, as "U+XXXX"; or None."""
    match = FORBIDDEN_CHARACTER.search(value)
    return f"U+{ord(match.group()):04X}" if match else None


class Text(fields.String):
    """A string from a request: refused (422) if it holds a control character other than
    tab and line breaks, a lone surrogate, or a bidi override or isolate."""

    # marshmallow merges the messages of each class in the MRO: a class attribute is its way.
    default_error_messages: ErrorMessages = {  # noqa: RUF012
        "forbidden_character": texts.API["forbidden_character"]
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        char = forbidden_character(text)
        if char is not None:
            raise self.make_error("forbidden_character", char=char)
        return text


def night_date(**kwargs: Any) -> fields.Date:
    """A date naming a night, in the range a request may name."""
    return fields.Date(validate=validate.Range(min=EARLIEST_NIGHT, max=LATEST_NIGHT), **kwargs)


def enum(cls: type[Enum], **kwargs: object) -> fields.Enum:
    """An enum field that reads and writes the members' values."""
    return fields.Enum(cls, by_value=True, **kwargs)  # type: ignore[arg-type]


class RequestSchema(ma.Schema):
    """An input schema that loads into the typed request its operation takes (`MODEL`, a
    dataclass whose fields are the schema's), so that no route passes a dict on."""

    MODEL: ClassVar[type[Any] | None] = None

    @ma.post_load
    def _into_model(self, data: dict[str, Any], **_: Any) -> Any:
        return data if self.MODEL is None else self.MODEL(**data)


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
    stay = fields.Dict(
        metadata={
            "description": "On 409 `possible_duplicate`: the stay of the guest already "
            "checked in that night under the same name and year of birth (as GET /stays/{id})"
        }
    )


class PageQuerySchema(RequestSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class PageSchema(ma.Schema):
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Number of all items"})


def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The schema of one page of a list: items plus page, page_size and total."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return type(name, (PageSchema,), {"items": fields.List(fields.Nested(item_schema))})
