"""The winter emergency state and its history as the API reads and writes them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from belegung.limits import REASON_MAX
from belegung.schemas import Text, enum
from belegung.winter.models import WinterAction, WinterSource


class WinterStateSchema(ma.Schema):
    active = fields.Boolean(required=True)
    since = fields.AwareDateTime(allow_none=True)
    source = enum(WinterSource, allow_none=True)
    reason = fields.String(allow_none=True)
    manual = fields.Boolean(
        required=True,
        metadata={
            "description": "A manager's switch is in force: the forecast does not switch "
            "until it is released (POST /winter-emergency/release)"
        },
    )


class WinterSwitchSchema(ma.Schema):
    active = fields.Boolean(required=True)
    reason = Text(
        required=True,
        validate=validate.Length(min=1, max=REASON_MAX),
        metadata={"description": "Why (shown to managers and crews)", "example": "-8 °C erwartet"},
    )


class WinterReleaseSchema(ma.Schema):
    reason = Text(validate=validate.Length(min=1, max=REASON_MAX))


class WinterHistorySchema(ma.Schema):
    id = fields.Integer(required=True)
    at = fields.AwareDateTime(required=True)
    action = enum(WinterAction, required=True)
    source = enum(WinterSource, required=True)
    changed = fields.Boolean(
        required=True, metadata={"description": "Whether the state changed by this switch"}
    )
    by = fields.String(
        attribute="actor_label",
        required=True,
        metadata={"description": "Who or what switched: a user's name, or the scheduler"},
    )
    reason = fields.String(allow_none=True)
    night = fields.Date(allow_none=True, metadata={"description": "The night forecast"})
    forecast_value = fields.Float(
        allow_none=True, metadata={"description": "The forecast figure that counted (°C)"}
    )
    forecast_source = fields.String(allow_none=True)
