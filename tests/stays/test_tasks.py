"""The occupancy domain's scheduler jobs: holds run out, past shelter stays are checked out
(the nights stay counted), and a stay that ended this morning can still be extended."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.ctx import AppContext
from sqlalchemy.orm import Session

from belegung.context import ServiceContext
from belegung.facilities.models import FacilityKind
from belegung.stays import tasks
from belegung.stays.availability import availability
from belegung.stays.models import StayStatus
from belegung.stays.service import extend_stay
from tests.conftest import FakeClock
from tests.stays.conftest import MakeFacility, MakeHold, MakeStay


@pytest.fixture
def job_clock(app: Flask, app_context: AppContext, clock: FakeClock) -> FakeClock:
    app.config["BELEGUNG_CLOCK"] = clock
    yield clock  # type: ignore[misc]
    app.config.pop("BELEGUNG_CLOCK", None)


def test_past_shelter_stays_are_checked_out_and_last_nights_stay_extendable(
    ctx: ServiceContext,
    session: Session,
    job_clock: FakeClock,
    make_facility: MakeFacility,
    make_stay: MakeStay,
) -> None:
    shelter = make_facility()
    tonight = ctx.tonight()
    two_nights_ago = make_stay(shelter, night=tonight - timedelta(days=2))
    last_night = make_stay(shelter, night=tonight - timedelta(days=1))
    tonights = make_stay(make_facility(), night=tonight)
    housing = make_stay(make_facility(kind=FacilityKind.HOUSING_PROGRAMME),
                        night=tonight - timedelta(days=5))  # fmt: skip

    tasks.end_past_stays()
    tasks.end_past_stays()

    for stay in (two_nights_ago, last_night, tonights, housing):
        session.refresh(stay)
    assert two_nights_ago.status == StayStatus.CHECKED_OUT
    assert two_nights_ago.checked_out_at == job_clock()
    assert (last_night.status, tonights.status, housing.status) == (StayStatus.CHECKED_IN,) * 3
    # The nights stay counted.
    figures = availability(session, tonight - timedelta(days=2), ctx.now())
    assert [f.occupied for f in figures.facilities if f.slug == shelter.slug] == [1]
    # A guest of last night who comes back tonight keeps the bed.
    assert extend_stay(ctx, last_night.id, nights=1).end_night == tonight + timedelta(days=1)


def test_holds_past_their_expiry_become_no_shows(
    session: Session, job_clock: FakeClock, make_hold: MakeHold
) -> None:
    hold = make_hold(minutes=30)
    tasks.expire_holds()
    session.refresh(hold)
    assert hold.status == StayStatus.HELD

    job_clock.advance(minutes=31)
    tasks.expire_holds()
    session.refresh(hold)
    assert hold.status == StayStatus.EXPIRED
