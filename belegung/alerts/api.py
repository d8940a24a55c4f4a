"""JSON routes for alert rules, SMS recipients and the outbox (managers and admins).

Each route parses its input, calls one function of alerts.operations and serialises the
answer. Twilio's webhooks are form posts, not API calls: alerts.webhooks.
"""

from __future__ import annotations

from typing import Any

from belegung.alerts import operations
from belegung.alerts.models import AlertRule, OutboxMessage, Recipient
from belegung.alerts.operations import OutboxFilter, RecipientRequest, RuleRequest
from belegung.alerts.schemas import (
    AlertRuleCreateSchema,
    AlertRuleSchema,
    AlertRuleUpdateSchema,
    OutboxMessageSchema,
    OutboxQuerySchema,
    RecipientCreateSchema,
    RecipientSchema,
    RecipientUpdateSchema,
)
from belegung.db import Page
from belegung.http.api import ApiBlueprint, responds
from belegung.http.context import service_ctx
from belegung.schemas import PageQuerySchema, page_of

blp = ApiBlueprint(
    "alerts",
    __name__,
    url_prefix="/api/v1",
    description="Alarmregeln, SMS-Empfänger und der SMS-Postausgang",
)


# --- alert rules ------------------------------------------------------------------------


@blp.get("/alert-rules")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, page_of(AlertRuleSchema))
@responds(blp, 403, 422)
def list_alert_rules(args: dict[str, Any]) -> Page[AlertRule]:
    """Capacity rules: per facility or target group, occupancy share or free places."""
    return operations.list_rules(service_ctx(), page=args["page"], page_size=args["page_size"])


@blp.post("/alert-rules")
@blp.arguments(AlertRuleCreateSchema)
@blp.response(201, AlertRuleSchema)
@responds(blp, 403, 404, 422)
def create_alert_rule(request: RuleRequest) -> AlertRule:
    """A new capacity rule (manager, admin). It starts armed: it fires once the figure
    crosses the threshold, and again only after it fell back past the margin."""
    return operations.create_rule(service_ctx(), request)


@blp.get("/alert-rules/<id:rule_id>")
@blp.response(200, AlertRuleSchema)
@responds(blp, 403, 404)
def get_alert_rule(rule_id: int) -> AlertRule:
    return operations.read_rule(service_ctx(), rule_id)


@blp.patch("/alert-rules/<id:rule_id>")
@blp.arguments(AlertRuleUpdateSchema)
@blp.response(200, AlertRuleSchema)
@responds(blp, 403, 404, 422)
def update_alert_rule(body: dict[str, Any], rule_id: int) -> AlertRule:
    """Change threshold, margin or `enabled` (manager, admin); the rule starts armed again."""
    return operations.update_rule(service_ctx(), rule_id, body)


@blp.delete("/alert-rules/<id:rule_id>")
@blp.response(204)
@responds(blp, 403, 404)
def delete_alert_rule(rule_id: int) -> None:
    operations.delete_rule(service_ctx(), rule_id)


# --- recipients -------------------------------------------------------------------------


@blp.get("/recipients")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, page_of(RecipientSchema))
@responds(blp, 403, 422)
def list_recipients(args: dict[str, Any]) -> Page[Recipient]:
    return operations.list_recipients(service_ctx(), page=args["page"], page_size=args["page_size"])


@blp.post("/recipients")
@blp.arguments(RecipientCreateSchema)
@blp.response(201, RecipientSchema)
@responds(blp, 403, 404, 422)
def create_recipient(request: RecipientRequest) -> Recipient:
    """A phone that gets alerts (manager, admin); with `sms_queries` a crew phone that may
    ask for free beds and hold one by SMS."""
    return operations.create_recipient(service_ctx(), request)


@blp.get("/recipients/<id:recipient_id>")
@blp.response(200, RecipientSchema)
@responds(blp, 403, 404)
def get_recipient(recipient_id: int) -> Recipient:
    return operations.read_recipient(service_ctx(), recipient_id)


@blp.patch("/recipients/<id:recipient_id>")
@blp.arguments(RecipientUpdateSchema)
@blp.response(200, RecipientSchema)
@responds(blp, 403, 404, 422)
def update_recipient(body: dict[str, Any], recipient_id: int) -> Recipient:
    return operations.update_recipient(service_ctx(), recipient_id, body)


@blp.delete("/recipients/<id:recipient_id>")
@blp.response(204)
@responds(blp, 403, 404)
def delete_recipient(recipient_id: int) -> None:
    """Remove a recipient; what waits for them in the outbox is not sent."""
    operations.delete_recipient(service_ctx(), recipient_id)


# --- the outbox -------------------------------------------------------------------------


@blp.get("/outbox")
@blp.arguments(OutboxQuerySchema, location="query")
@blp.response(200, page_of(OutboxMessageSchema))
@responds(blp, 403, 422)
def list_outbox(which: OutboxFilter) -> Page[OutboxMessage]:
    """Every SMS, newest first: queued, sent, delivered or failed, with its attempts."""
    return operations.list_outbox(service_ctx(), which)
