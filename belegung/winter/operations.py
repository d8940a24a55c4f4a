"""What callers ask of the winter emergency: read it and its history, switch it by hand or
hand the switch back to the forecast (managers)."""

from __future__ import annotations

from belegung.auth.permissions import Action, authorize
from belegung.context import ServiceContext
from belegung.db import Page, paginate
from belegung.winter.models import WinterSwitch
from belegung.winter.service import (
    WinterState,
    history_query,
    release_manual_control,
    switch_winter_emergency,
    winter_status,
)


def read_winter_emergency(ctx: ServiceContext) -> WinterState:
    authorize(ctx.actor, Action.READ_WINTER)
    return winter_status(ctx.session)


def switch_by_hand(ctx: ServiceContext, active: bool, *, reason: str) -> WinterState:
    """Switch the winter emergency on or off; repeating a switch changes nothing. The
    switch holds against the forecast until it is released."""
    authorize(ctx.actor, Action.SWITCH_WINTER)
    state, _changed = switch_winter_emergency(ctx, active, reason=reason)
    return state


def release_to_forecast(ctx: ServiceContext, *, reason: str | None = None) -> WinterState:
    """Let the forecast decide again (from its next check)."""
    authorize(ctx.actor, Action.SWITCH_WINTER)
    return release_manual_control(ctx, reason=reason)


def read_history(ctx: ServiceContext, *, page: int, page_size: int) -> Page[WinterSwitch]:
    authorize(ctx.actor, Action.READ_WINTER)
    return paginate(ctx.session, history_query(), page, page_size)
