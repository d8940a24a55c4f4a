"""The winter emergency state: read it, switch it on and off by hand or from the forecast,
and its history.

A manual switch wins over the forecast until a manager releases it. Every change of
the state is noted in the unit of work (`changed("winter", (period_id, "start"|"end"))`),
which is how the alerts learn of it (start and end go to managers and crews) without
this domain knowing them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.audit.service import record
from belegung.context import ServiceContext
from belegung.errors import InvalidInput
from belegung.winter.models import WinterAction, WinterEmergency, WinterSource, WinterSwitch

# The topic under which a unit of work collects the winter emergency's starts and ends.
WINTER = "winter"
START = "start"
END = "end"


@dataclass(frozen=True)
class WinterState:
    active: bool
    since: datetime | None
    source: WinterSource | None
    reason: str | None
    # A manager's switch is in force: the forecast does not switch until it is released.
    manual: bool = False


INACTIVE = WinterState(active=False, since=None, source=None, reason=None)


@dataclass(frozen=True)
class Forecast:
    """The forecast figure behind a switch by the forecast: the night, the value that
    counted (°C) and its source."""

    night: date
    value: float | None
    source: str


def _open_period(session: Session) -> WinterEmergency | None:
    return session.scalar(sa.select(WinterEmergency).where(WinterEmergency.is_open.is_(True)))


def active_clause() -> sa.ColumnElement[bool]:
    """SQL for "a winter emergency is active" (winter_state().active), to be asked within
    another statement."""
    return sa.exists().where(WinterEmergency.is_open.is_(True))


def manual_control(session: Session) -> bool:
    """Whether a manager's switch is in force (the newest manual row is not a release)."""
    newest = session.scalar(
        sa.select(WinterSwitch.action)
        .where(WinterSwitch.source == WinterSource.MANUAL)
        .order_by(WinterSwitch.at.desc(), WinterSwitch.id.desc())
        .limit(1)
    )
    return newest is not None and newest != WinterAction.RELEASE


def winter_state(session: Session) -> WinterState:
    """Whether a winter emergency is active, since when and why (one query: availability
    and every check-in ask it)."""
    period = _open_period(session)
    if period is None:
        return INACTIVE
    return WinterState(True, period.started_at, period.source, period.reason)


def winter_status(session: Session) -> WinterState:
    """The state with whether a manager's switch is in force (as the API shows it)."""
    state = winter_state(session)
    return replace(state, manual=manual_control(session))


def _history(
    ctx: ServiceContext,
    action: WinterAction,
    source: WinterSource,
    *,
    changed: bool,
    period: WinterEmergency | None,
    reason: str | None,
    forecast: Forecast | None,
) -> WinterSwitch:
    row = WinterSwitch(
        at=ctx.now(),
        action=action,
        source=source,
        changed=changed,
        period_id=period.id if period is not None else None,
        actor_id=ctx.actor.user_id,
        actor_label=ctx.actor.label[:80],
        reason=reason,
        night=forecast.night if forecast else None,
        forecast_value=forecast.value if forecast else None,
        forecast_source=forecast.source[:60] if forecast else None,
    )
    ctx.session.add(row)
    return row


def _newest_reason(session: Session, period: WinterEmergency) -> str | None:
    """The reason last recorded for an emergency period (its start's, or a later one)."""
    newest = session.scalar(
        sa.select(WinterSwitch.reason)
        .where(WinterSwitch.period_id == period.id, WinterSwitch.action == WinterAction.ON)
        .order_by(WinterSwitch.at.desc(), WinterSwitch.id.desc())
        .limit(1)
    )
    return newest if newest is not None else period.reason


def switch_winter_emergency(
    ctx: ServiceContext,
    active: bool,
    *,
    reason: str | None = None,
    source: WinterSource = WinterSource.MANUAL,
    forecast: Forecast | None = None,
) -> tuple[WinterState, bool]:
    """Switch the winter emergency on or off; returns the new state and whether it changed.

    Switching to the state it already has changes nothing (a PUT may be repeated); a
    new reason for an active emergency is kept in its history. A manual switch is kept
    in the history even then: from it on the forecast leaves the
    state alone until a manager releases the switch (`release_manual_control`).
    """
    reason = " ".join(reason.split())[:500] if reason else None
    if reason == "":
        raise InvalidInput(field="reason", reason="reason_missing")
    period = _open_period(ctx.session)
    changed = False
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
        ctx.uow.changed(WINTER, (period.id, START))
        changed = True
    elif not active and period is not None:
        period.is_open = None
        period.ended_at = ctx.now()
        period.ended_by_id = ctx.actor.user_id
        period.end_reason = reason
        ctx.session.flush()
        record(ctx, "winter.end", "winter_emergency", period.id, source=source.value)
        ctx.uow.changed(WINTER, (period.id, END))
        changed = True
    # Switched on again while active (a colder forecast, a manager's new reason): the
    # state stays, but the new reason goes into the history — once, not at every check.
    new_reason = (
        active
        and not changed
        and period is not None
        and reason is not None
        and reason != _newest_reason(ctx.session, period)
    )
    if changed or source == WinterSource.MANUAL or new_reason:
        action = WinterAction.ON if active else WinterAction.OFF
        _history(
            ctx, action, source, changed=changed, period=period, reason=reason, forecast=forecast
        )
        ctx.session.flush()
    return winter_status(ctx.session), changed


def release_manual_control(ctx: ServiceContext, *, reason: str | None = None) -> WinterState:
    """Hand the switch back to the forecast; the state stays as it is until the next
    weather check. Releasing when no manual switch is in force changes nothing."""
    if manual_control(ctx.session):
        reason = " ".join(reason.split())[:500] if reason else None
        _history(
            ctx,
            WinterAction.RELEASE,
            WinterSource.MANUAL,
            changed=False,
            period=_open_period(ctx.session),
            reason=reason or None,
            forecast=None,
        )
        ctx.session.flush()
        record(ctx, "winter.release", "winter_emergency")
    return winter_status(ctx.session)


def switch_from_forecast(
    ctx: ServiceContext,
    cold: bool,
    *,
    may_end: bool,
    reason: str,
    forecast: Forecast,
) -> tuple[WinterState, bool]:
    """Apply the forecast: a cold night starts the winter emergency, a mild one ends it
    (only where `may_end`: never while a night is under way). A manual switch in force
    wins: then nothing changes."""
    if manual_control(ctx.session):
        return winter_status(ctx.session), False
    if not cold and not may_end:
        return winter_status(ctx.session), False
    return switch_winter_emergency(
        ctx, cold, reason=reason, source=WinterSource.FORECAST, forecast=forecast
    )


def history_query() -> sa.Select[tuple[WinterSwitch]]:
    """The winter emergency's switches, newest first."""
    return sa.select(WinterSwitch).order_by(WinterSwitch.at.desc(), WinterSwitch.id.desc())
