"""The audit log as the API reads it."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from belegung import texts
from belegung.audit.operations import AuditFilter
from belegung.limits import EARLIEST_NIGHT, LATEST_NIGHT, USER_NAME_MAX
from belegung.schemas import PageQuerySchema, Text, id_field

DAY = validate.Range(min=EARLIEST_NIGHT, max=LATEST_NIGHT)


class AuditQuerySchema(PageQuerySchema):
    MODEL = AuditFilter

    person = id_field(metadata={"description": "Entries about this person and their records"})
    user = Text(
        validate=validate.Length(min=1, max=USER_NAME_MAX),
        metadata={"description": "Entries of this user (by name)"},
    )
    action = Text(
        validate=validate.Length(min=1, max=60),
        metadata={
            "description": "An action (`person.read`), or all beginning so (`person.`)",
            "example": "person.",
        },
    )
    since = fields.Date(
        data_key="from", validate=DAY, metadata={"description": "From this day (local time)"}
    )
    until = fields.Date(
        data_key="to", validate=DAY, metadata={"description": "To this day, included"}
    )

    @ma.validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        since, until = data.get("since"), data.get("until")
        if since is not None and until is not None and until < since:
            raise ma.ValidationError(texts.VALIDATION["to_before_from"], field_name="to")


class AuditEntrySchema(ma.Schema):
    id = fields.Integer(required=True)
    at = fields.AwareDateTime(required=True)
    user = fields.Integer(attribute="actor_id", allow_none=True, metadata={"description": "Id"})
    actor = fields.String(
        attribute="actor_label",
        required=True,
        metadata={"description": "The user's name, or cli, scheduler, seed"},
    )
    action = fields.String(required=True, metadata={"example": "person.read"})
    object_type = fields.String(required=True, metadata={"example": "person"})
    object_id = fields.Integer(allow_none=True)
    facility = fields.Integer(attribute="facility_id", allow_none=True)
    details = fields.Dict(
        required=True, metadata={"description": "Ids and codes; never names or free text"}
    )
