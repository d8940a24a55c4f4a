"""Alert rules, SMS recipients and the outbox as the API reads and writes them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from belegung import texts
from belegung.alerts.models import (
    CAUSE_MAX,
    RECIPIENT_NAME_MAX,
    OutboxStatus,
    RecipientRole,
    RuleMetric,
    RuleState,
)
from belegung.alerts.operations import OutboxFilter, RecipientRequest, RuleRequest
from belegung.facilities.models import TargetGroup
from belegung.limits import SLUG_MAX, USER_NAME_MAX
from belegung.schemas import PageQuerySchema, RequestSchema, Text, enum, id_field

THRESHOLD = validate.Range(min=0, max=10_000)
SLUG = Text(validate=validate.Length(min=1, max=SLUG_MAX), metadata={"example": "unionstrasse"})
PHONE = Text(
    validate=validate.Length(min=3, max=40),
    metadata={
        "description": "A mobile number as people write it (0151 23456789, +49 151 …); "
        "answered in E.164",
        "example": "+4915123456789",
    },
)

# --- alert rules ------------------------------------------------------------------------


class AlertRuleSchema(ma.Schema):
    id = fields.Integer(required=True)
    facility = fields.Function(
        lambda rule: rule.facility.slug if rule.facility else None,
        allow_none=True,
        metadata={"type": "string", "description": "The facility watched (or null)"},
    )
    target_group = enum(
        TargetGroup,
        allow_none=True,
        metadata={"description": "The target group whose night shelters are watched (or null)"},
    )
    metric = enum(
        RuleMetric,
        required=True,
        metadata={
            "description": "`occupancy`: guests per regular place in service, in per cent, at "
            "or over the threshold; `free`: places a guest could be given now (emergency "
            "places where offered), at or under the threshold"
        },
    )
    threshold = fields.Integer(required=True, metadata={"example": 90})
    margin = fields.Integer(
        required=True,
        metadata={
            "description": "Re-arms only once the figure fell back past the threshold by this "
            "much (percentage points or places)"
        },
    )
    enabled = fields.Boolean(required=True)
    state = enum(RuleState, required=True)
    fired_count = fields.Integer(required=True)
    fired_at = fields.AwareDateTime(allow_none=True)
    rearmed_at = fields.AwareDateTime(allow_none=True)
    last_value = fields.Float(allow_none=True)
    evaluated_at = fields.AwareDateTime(allow_none=True)


class AlertRuleCreateSchema(RequestSchema):
    MODEL = RuleRequest

    facility = SLUG
    target_group = enum(TargetGroup)
    metric = enum(RuleMetric, required=True)
    threshold = fields.Integer(required=True, strict=True, validate=THRESHOLD)
    margin = fields.Integer(strict=True, validate=THRESHOLD)
    enabled = fields.Boolean(load_default=True)

    @ma.validates_schema(skip_on_field_errors=False)
    def _facility_or_group(self, data: dict[str, Any], **_: Any) -> None:
        if ("facility" in data) == ("target_group" in data):
            raise ma.ValidationError(
                texts.REASONS["facility_or_target_group"], field_name="facility"
            )


class AlertRuleUpdateSchema(ma.Schema):
    threshold = fields.Integer(strict=True, validate=THRESHOLD)
    margin = fields.Integer(strict=True, validate=THRESHOLD)
    enabled = fields.Boolean()


# --- recipients -------------------------------------------------------------------------


class RecipientSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    phone = fields.String(required=True, metadata={"description": "E.164"})
    role = enum(
        RecipientRole,
        required=True,
        metadata={
            "description": "`manager`: capacity alerts, evening summary, winter emergency; "
            "`crew`: winter emergency; `admin`: notices about the service (weather source down)"
        },
    )
    facilities = fields.Function(
        lambda r: [f.slug for f in r.facilities],
        metadata={
            "type": "array",
            "items": {"type": "string"},
            "description": "Facilities whose capacity alerts reach this recipient; empty: all",
        },
    )
    sms_queries = fields.Boolean(
        required=True, metadata={"description": "May ask by SMS (FREI, HALTEN, HILFE)"}
    )
    opted_out = fields.Boolean(
        required=True, metadata={"description": "Texted STOP: gets nothing until START"}
    )
    opted_out_at = fields.AwareDateTime(allow_none=True)
    user = fields.Function(
        lambda r: r.user.name if r.user else None,
        allow_none=True,
        metadata={"type": "string", "description": "The user holds by SMS are made as"},
    )
    created_at = fields.AwareDateTime(required=True)


class RecipientFieldsSchema(ma.Schema):
    name = Text(validate=validate.Length(min=1, max=RECIPIENT_NAME_MAX))
    phone = PHONE
    role = enum(RecipientRole)
    facilities = fields.List(SLUG, validate=validate.Length(max=100))
    sms_queries = fields.Boolean()
    user = Text(
        allow_none=True,
        validate=validate.Length(min=1, max=USER_NAME_MAX),
        metadata={
            "description": "The user HALTEN holds beds as (its hold limit applies); default "
            "for a phone with sms_queries: a device user `sms-<number>` of role outreach"
        },
    )


class RecipientCreateSchema(RecipientFieldsSchema, RequestSchema):
    MODEL = RecipientRequest

    name = Text(required=True, validate=validate.Length(min=1, max=RECIPIENT_NAME_MAX))
    phone = Text(required=True, validate=validate.Length(min=3, max=40), metadata=PHONE.metadata)
    role = enum(RecipientRole, required=True)
    facilities = fields.List(SLUG, validate=validate.Length(max=100), load_default=list)
    sms_queries = fields.Boolean(load_default=False)


class RecipientUpdateSchema(RecipientFieldsSchema):
    opted_out = fields.Boolean(
        metadata={"description": "Set false again once the recipient texted START"}
    )


# --- the outbox -------------------------------------------------------------------------


class OutboxRecipientSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class OutboxMessageSchema(ma.Schema):
    id = fields.Integer(required=True)
    recipient = fields.Nested(OutboxRecipientSchema, allow_none=True)
    phone = fields.String(required=True)
    body = fields.String(required=True)
    cause = fields.String(
        required=True,
        metadata={
            "description": "What it is about: `rule:<id>:<firing>`, `winter:<period>:start|end`, "
            "`summary:<night>`, `weather-outage:<check>`, `test:…`",
            "example": "rule:3:1",
        },
    )
    status = enum(OutboxStatus, required=True)
    attempts = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    next_attempt_at = fields.AwareDateTime(required=True)
    final_at = fields.AwareDateTime(allow_none=True)
    provider_sid = fields.String(allow_none=True)
    provider_status = fields.String(allow_none=True)
    error_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)


class OutboxQuerySchema(PageQuerySchema):
    MODEL = OutboxFilter

    status = enum(OutboxStatus)
    cause = Text(validate=validate.Length(min=1, max=CAUSE_MAX), metadata={"example": "rule:"})
    recipient = id_field()
