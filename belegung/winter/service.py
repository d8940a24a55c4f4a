"""The winter emergency state: read it, switch it on and off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.audit.service import record
from belegung.context import ServiceContext
from belegung.errors import InvalidInput
from belegung.winter.models import WinterEmergency, WinterSource


@dataclass(frozen=True)
class WinterState:
    active: bool
    since: datetime | None
    source: WinterSource | None
    reason: str | None


INACTIVE = WinterState(active=False, since=None, source=None, reason=None)


def _open_period(session: Session) -> WinterEmergency | None:
    return session.scalar(sa.select(WinterEmergency).where(WinterEmergency.is_open.is_(True)))


def winter_state(session: Session) -> WinterState:
    period = _open_period(session)
    if period is None:
        return INACTIVE
    return WinterState(True, period.started_at, period.source, period.reason)


def switch_winter_emergency(
    ctx: ServiceContext,
    active: bool,
    *,
    reason: str | None = None,
    source: WinterSource = WinterSource.MANUAL,
) -> tuple[WinterState, bool]:
    """Switch the winter emergency on or off; returns the new state and whether it changed.

    Switching to the state it already has changes nothing (a PUT may be repeated).
    """
    reason = " ".join(reason.split()) if reason else None
    if reason == "":
        raise InvalidInput(field="reason", reason="reason_missing")
    period = _open_period(ctx.session)
    if active and period is None:
        period = WinterEmergency(
            is_open=True,
            started_at=ctx.now(),
            source=source,
            reason=reason,
            started_by_id=ctx.actor.user_id,
        )
        ctx.session.add(period)
        ctx.session.flush()
        record(ctx, "winter.start", "winter_emergency", period.id, source=source.value)
        return winter_state(ctx.session), True
    if not active and period is not None:
        period.is_open = None
        period.ended_at = ctx.now()
        period.ended_by_id = ctx.actor.user_id
        period.end_reason = reason
        ctx.session.flush()
        record(ctx, "winter.end", "winter_emergency", period.id, source=source.value)
        return INACTIVE, True
    return winter_state(ctx.session), False
