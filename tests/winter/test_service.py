"""The winter emergency: switched on and off by hand, and switching to the state it already
has changes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from belegung.context import ServiceContext
from belegung.winter.models import WinterEmergency, WinterSource
from belegung.winter.service import (
    INACTIVE,
    switch_winter_emergency,
    winter_state,
    winter_status,
)
from tests.conftest import FakeClock


def periods(ctx: ServiceContext) -> list[WinterEmergency]:
    return list(ctx.session.scalars(sa.select(WinterEmergency).order_by(WinterEmergency.id)))


def test_winter_emergency_is_inactive_at_first(ctx: ServiceContext) -> None:
    assert winter_state(ctx.session) == INACTIVE


def test_switching_on_starts_a_winter_emergency(ctx: ServiceContext) -> None:
    state, changed = switch_winter_emergency(ctx, True, reason="-12 °C angesagt")

    assert changed is True
    assert (state.active, state.since, state.source, state.reason) == (
        True,
        ctx.now(),
        WinterSource.MANUAL,
        "-12 °C angesagt",
    )
    assert winter_status(ctx.session) == state
    assert state.manual is True


def test_switching_on_again_changes_nothing(ctx: ServiceContext, clock: FakeClock) -> None:
    first, _ = switch_winter_emergency(ctx, True, reason="Frost")
    clock.advance(hours=2)

    state, changed = switch_winter_emergency(ctx, True, reason="noch kälter")

    assert changed is False
    assert state == first
    assert len(periods(ctx)) == 1


def test_switching_off_ends_the_winter_emergency(ctx: ServiceContext, clock: FakeClock) -> None:
    switch_winter_emergency(ctx, True)
    clock.advance(days=3)

    state, changed = switch_winter_emergency(ctx, False, reason="Tauwetter")

    assert (state.active, changed) == (False, True)
    assert winter_state(ctx.session) == INACTIVE
    (period,) = periods(ctx)
    assert (period.ended_at, period.end_reason) == (ctx.now(), "Tauwetter")


def test_switching_off_when_inactive_changes_nothing(ctx: ServiceContext) -> None:
    state, changed = switch_winter_emergency(ctx, False)
    assert (state.active, changed) == (False, False)
    assert periods(ctx) == []


def test_a_new_winter_emergency_can_start_after_one_ended(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    switch_winter_emergency(ctx, True)
    switch_winter_emergency(ctx, False)
    clock.advance(days=10)

    state, changed = switch_winter_emergency(ctx, True, source=WinterSource.FORECAST)

    assert changed is True
    assert (state.since, state.source) == (ctx.now(), WinterSource.FORECAST)
    assert len(periods(ctx)) == 2
