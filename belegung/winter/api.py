"""JSON routes for the winter emergency state."""

from __future__ import annotations

from typing import Any

from belegung.api import ApiBlueprint, require, responds, service_ctx
from belegung.auth.permissions import Action
from belegung.extensions import session
from belegung.winter.schemas import WinterStateSchema, WinterSwitchSchema
from belegung.winter.service import WinterState, switch_winter_emergency, winter_state

blp = ApiBlueprint(
    "winter", __name__, url_prefix="/api/v1", description="Winternothilfe (Kältealarm)"
)


@blp.get("/winter-emergency")
@blp.response(200, WinterStateSchema)
@responds(blp, 403)
def get_winter_emergency() -> WinterState:
    require(Action.READ_WINTER)
    return winter_state(session())


@blp.put("/winter-emergency")
@blp.arguments(WinterSwitchSchema)
@blp.response(200, WinterStateSchema)
@responds(blp, 403, 422)
def put_winter_emergency(body: dict[str, Any]) -> WinterState:
    """Switch the winter emergency on or off by hand (manager). Emergency places and
    standby facilities are offered at once; repeating a switch changes nothing."""
    require(Action.SWITCH_WINTER)
    state, _changed = switch_winter_emergency(service_ctx(), body["active"], reason=body["reason"])
    return state
