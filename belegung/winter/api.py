"""JSON routes for the winter emergency state."""

from __future__ import annotations

from typing import Any

from belegung.http.api import ApiBlueprint, responds
from belegung.http.context import service_ctx
from belegung.winter import operations
from belegung.winter.schemas import WinterStateSchema, WinterSwitchSchema
from belegung.winter.service import WinterState

blp = ApiBlueprint(
    "winter", __name__, url_prefix="/api/v1", description="Winternothilfe (Kältealarm)"
)


@blp.get("/winter-emergency")
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
    standby facilities are offered at once; repeating a switch changes nothing."""
    return operations.switch_by_hand(service_ctx(), body["active"], reason=body["reason"])
