"""Moving a guest to another bed (stays.service.move_stay): from tonight on, through the
same claims as every check-in, so no bed is ever given twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.context import ServiceContext
from belegung.errors import EmergencyPlaceNotOffered, InvalidInput, InvalidState, PlaceTaken
from belegung.stays.models import Stay, StayStatus
from belegung.stays.service import check_out, move_stay


def test_a_stay_beginning_tonight_moves_whole(ctx: ServiceContext, make_stay) -> None:
    stay = make_stay(place_label="1", nights=3)

    moved = move_stay(ctx, stay.id, "4")

    assert moved.id == stay.id
    assert moved.place.label == "4"
    assert moved.nights == 3


def test_a_stay_begun_earlier_keeps_its_slept_nights_where_they_were(
    ctx: ServiceContext, make_stay, session: Session
) -> None:
    tonight = ctx.tonight()
    stay = make_stay(place_label="1", night=tonight - timedelta(days=2), nights=4)

    moved = move_stay(ctx, stay.id, "2")

    assert moved.id != stay.id
    assert (stay.first_night, stay.end_night, stay.place.label) == (
        tonight - timedelta(days=2), tonight, "1",
    )  # fmt: skip
    assert (moved.first_night, moved.end_night, moved.place.label) == (
        tonight, tonight + timedelta(days=2), "2",
    )  # fmt: skip
    assert moved.status == StayStatus.CHECKED_IN
    assert moved.person_id == stay.person_id


def test_a_taken_bed_is_refused(ctx: ServiceContext, make_facility, make_stay) -> None:
    shelter = make_facility(places=3)
    stay = make_stay(shelter, place_label="1")
    make_stay(shelter, place_label="2")

    with pytest.raises(PlaceTaken):
        move_stay(ctx, stay.id, "2")


def test_a_bed_taken_on_a_later_night_is_refused(
    ctx: ServiceContext, make_facility, make_stay
) -> None:
    shelter = make_facility(places=3)
    stay = make_stay(shelter, place_label="1", nights=3)
    make_stay(shelter, place_label="2", night=ctx.tonight() + timedelta(days=2))

    with pytest.raises(PlaceTaken):
        move_stay(ctx, stay.id, "2")


def test_an_emergency_place_only_when_offered(
    ctx: ServiceContext, make_facility, make_stay
) -> None:
    shelter = make_facility(places=2, emergency=1)
    stay = make_stay(shelter, place_label="1")

    with pytest.raises(EmergencyPlaceNotOffered):
        move_stay(ctx, stay.id, "N1")


def test_the_same_bed_or_a_finished_stay_is_refused(ctx: ServiceContext, make_stay) -> None:
    stay = make_stay(place_label="1")
    with pytest.raises(InvalidInput):
        move_stay(ctx, stay.id, "1")
    check_out(ctx, stay.id)
    with pytest.raises(InvalidState):
        move_stay(ctx, stay.id, "2")


def test_a_move_is_audited(ctx: ServiceContext, make_stay, session: Session) -> None:
    from belegung.audit.models import AuditEntry

    stay = make_stay(place_label="1")
    move_stay(ctx, stay.id, "3")

    actions = session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-1] == "stay.move"
    assert session.scalar(sa.select(sa.func.count()).select_from(Stay)) == 1
