"""JSON routes for the winter emergency state and its history."""

from __future__ import annotations

from typing import Any

from belegung.db import Page
from belegung.http.api import ApiBlueprint, responds
from belegung.http.context import service_ctx
from belegung.http.transactions import read_only
from belegung.schemas import PageQuerySchema, page_of
from belegung.winter import operations
from belegung.winter.models import WinterSwitch
from belegung.winter.schemas import (
    WinterHistorySchema,
    WinterReleaseSchema,
    WinterStateSchema,
    WinterSwitchSchema,
)
from belegung.winter.service import WinterState

blp = ApiBlueprint(
    "winter", __name__, url_prefix="/api/v1", description="Winternothilfe (Kältealarm)"
)


@blp.get("/winter-emergency")
@read_only
@blp.response(200, WinterStateSchema)
@responds(blp, 403)
def get_winter_emergency() -> WinterState:
    return operations.read_winter_emergency(service_ctx())


@blp.put("/winter-emergency")
@blp.arguments(WinterSwitchSchema)
@blp.response(200, WinterStateSchema)
@responds(blp, 403, 422)
def put_winter_emergency(body: dict[str, Any]) -> WinterState:
    """Switch the winter emergency on or off by hand (manager). Emergency places and
    standby facilities are offered at once; managers and crews are alerted by SMS. The
    switch holds against the forecast until it is released; repeating it changes nothing."""
    return operations.switch_by_hand(service_ctx(), body["active"], reason=body["reason"])


@blp.post("/winter-emergency/release")
@blp.arguments(WinterReleaseSchema)
@blp.response(200, WinterStateSchema)
@responds(blp, 403, 422)
def release_winter_emergency(body: dict[str, Any]) -> WinterState:
    """Hand the switch back to the forecast (manager): from its next check the weather
    decides again. The state stays as it is until then."""
    return operations.release_to_forecast(service_ctx(), reason=body.get("reason"))


@blp.get("/winter-emergency/history")
@read_only
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, page_of(WinterHistorySchema))
@responds(blp, 403, 422)
def winter_history(args: dict[str, Any]) -> Page[WinterSwitch]:
    """Who or what switched the winter emergency, when, why, on which forecast; newest first."""
    return operations.read_history(service_ctx(), page=args["page"], page_size=args["page_size"])
