"""What callers ask of the winter emergency: read it, or switch it by hand (managers)."""

from __future__ import annotations

from belegung.auth.permissions import Action, authorize
from belegung.context import ServiceContext
from belegung.winter.service import WinterState, switch_winter_emergency, winter_state


def read_winter_emergency(ctx: ServiceContext) -> WinterState:
    authorize(ctx.actor, Action.READ_WINTER)
    return winter_state(ctx.session)


def switch_by_hand(ctx: ServiceContext, active: bool, *, reason: str) -> WinterState:
    """Switch the winter emergency on or off; repeating a switch changes nothing."""
    authorize(ctx.actor, Action.SWITCH_WINTER)
    state, _changed = switch_winter_emergency(ctx, active, reason=reason)
    return state
