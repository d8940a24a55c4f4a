"""Turn-aways: someone a shelter could not take is recorded for tonight, as unmet demand."""

from __future__ import annotations

from datetime import date

from belegung.context import ServiceContext
from belegung.stays.models import TurnAwayReason
from belegung.stays.turn_aways import record_turn_away
from tests.conftest import FakeClock
from tests.stays.conftest import MakeFacility


def test_turn_away_is_recorded_for_tonight_with_its_reason(
    ctx: ServiceContext, make_facility: MakeFacility, tonight: date
) -> None:
    facility = make_facility()

    turn_away = record_turn_away(ctx, facility, TurnAwayReason.FULL, note="  alle Betten\n belegt ")

    assert (turn_away.facility_id, turn_away.night) == (facility.id, tonight)
    assert turn_away.reason == TurnAwayReason.FULL
    assert turn_away.note == "alle Betten belegt"
    assert turn_away.occurred_at == ctx.now()


def test_turn_away_after_midnight_counts_for_the_night_that_began_the_evening_before(
    ctx: ServiceContext, clock: FakeClock, make_facility: MakeFacility
) -> None:
    clock.set_local(2026, 1, 16, 3, 15)

    turn_away = record_turn_away(ctx, make_facility(), TurnAwayReason.WRONG_TARGET_GROUP)

    assert turn_away.night == date(2026, 1, 15)
