"""The managers' dashboard: tonight, occupancy over 30 and 365 nights (one aggregate query
per chart), turn-aways and no-shows, the winter switch, the housing figures, and the
panels other capabilities add."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from belegung.context import ServiceContext
from belegung.facilities.models import Facility
from belegung.stays import operations
from belegung.stays.models import TurnAwayReason
from belegung.stays.turn_aways import record_turn_away
from belegung.winter.models import WinterEmergency
from tests.pageclient import PageClient


def test_the_dashboard_shows_tonight_the_charts_tables_and_housing(
    pages: PageClient, dortmund: dict[str, Facility], make_stay
) -> None:
    make_stay(dortmund["unionstrasse"])

    page = pages.as_("manager").get("/leitung")

    assert page.status_code == 200
    for heading in (
        "Heute Nacht",
        "Belegung der letzten 30 Nächte",
        "Belegung der letzten 365 Nächte",
        "Abweisungen nach Grund",
        "Wohnraumvorhalteprogramm",
        "Winternothilfe",
    ):
        assert heading in page.text
    assert page.text.count('data-chart-table="') == 3
    assert page.text.count("<table id=") == 3
    assert "2000" in page.text  # the housing programme's places


def test_occupancy_per_night_comes_from_one_query(
    ctx: ServiceContext, make_facility, make_stay, make_person, session: Session
) -> None:
    shelter = make_facility(places=5)
    tonight = ctx.tonight()
    make_stay(shelter, make_person(), night=tonight - timedelta(days=3), nights=2)
    make_stay(shelter, make_person(), night=tonight - timedelta(days=2), nights=3)
    make_stay(shelter, make_person(), night=tonight)
    session.flush()
    statements: list[str] = []
    engine = session.get_bind().engine

    def count(*args):  # type: ignore[no-untyped-def]
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        series = operations.occupancy_over(ctx, 30)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert len(statements) == 1
    values = dict(zip(series.nights, series.lines[shelter.slug], strict=True))
    assert values[tonight - timedelta(days=4)] == 0
    assert values[tonight - timedelta(days=3)] == 1
    assert values[tonight - timedelta(days=2)] == 2
    assert values[tonight - timedelta(days=1)] == 1
    assert values[tonight] == 2
    assert len(series.nights) == 30


def test_refusals_count_turn_aways_by_reason_and_no_shows(
    ctx: ServiceContext, make_facility, make_hold, clock
) -> None:
    shelter = make_facility(places=3)
    record_turn_away(ctx, shelter, TurnAwayReason.FULL)
    record_turn_away(ctx, shelter, TurnAwayReason.FULL)
    record_turn_away(ctx, shelter, TurnAwayReason.BANNED)
    make_hold(shelter, minutes=30)
    clock.advance(minutes=31)

    series = operations.refusals_over(ctx, 30)

    last = {kind: values[-1] for kind, values in series.lines.items()}
    assert last == {"full": 2, "banned": 1, "wrong_target_group": 0, "other": 0, "no_show": 1}


def test_a_manager_switches_the_winter_emergency_with_a_reason(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    page = pages.as_("manager").get("/leitung")

    missing = pages.submit(page, {"reason": ""}, action="/winternothilfe")
    assert missing.status_code == 422
    assert "Bitte ausfüllen." in missing.text

    on = pages.submit(page, {"reason": "-8 °C erwartet"}, action="/winternothilfe")
    assert on.status_code == 303
    page = pages.get(on.location)
    assert "Die Winternothilfe ist eingeschaltet." in page.text
    assert "Winternothilfe aktiv" in page.text
    assert session.scalar(sa.select(WinterEmergency.reason)) == "-8 °C erwartet"
    assert "Winternothilfe beenden" in page.text


def test_the_dashboard_is_for_managers(pages: PageClient, dortmund: dict[str, Facility]) -> None:
    assert pages.as_("staff").get("/leitung").status_code == 403
    assert pages.as_("outreach").get("/leitung").status_code == 403
    assert pages.as_("admin").get("/leitung").status_code == 200


def test_figures_over_every_facility_are_not_for_staff(
    make_ctx, dortmund: dict[str, Facility]
) -> None:
    from belegung.context import Actor, Role
    from belegung.errors import Forbidden

    staff = make_ctx(Actor(1, "s", Role.STAFF, frozenset({dortmund["unionstrasse"].id})))
    try:
        operations.occupancy_over(staff, 30)
    except Forbidden:
        pass
    else:  # pragma: no cover
        raise AssertionError("staff read every facility's figures")
    assert date.today()  # noqa: DTZ011
