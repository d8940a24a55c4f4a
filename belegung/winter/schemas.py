"""The winter emergency state as the API reads and writes it."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from belegung.limits import REASON_MAX
from belegung.schemas import Text, enum
from belegung.winter.models import WinterSource


class WinterStateSchema(ma.Schema):
    active = fields.Boolean(required=True)
    since = fields.AwareDateTime(allow_none=True)
    source = enum(WinterSource, allow_none=True)
    reason = fields.String(allow_none=True)


class WinterSwitchSchema(ma.Schema):
    active = fields.Boolean(required=True)
    reason = Text(
        required=True,
        validate=validate.Length(min=1, max=REASON_MAX),
        metadata={"description": "Why (shown to managers and crews)", "example": "-8 °C erwartet"},
    )
