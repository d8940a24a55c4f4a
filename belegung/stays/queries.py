"""The lists of the occupancy domain: stays, holds, turn-aways and bans, by facility, night
or person; and which persons are known at which facilities."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from belegung.db import on_night
from belegung.stays.models import OCCUPYING, HouseBan, Stay, TurnAway


def _scoped(stmt: sa.Select[Any], column: Any, facility_ids: Iterable[int] | None) -> Any:
    return stmt if facility_ids is None else stmt.where(column.in_(list(facility_ids)))


def stays_query(
    *,
    facility_ids: Iterable[int] | None = None,
    night: date | None = None,
    person_id: int | None = None,
) -> sa.Select[tuple[Stay]]:
    """Stays of people (not holds), newest first; `facility_ids=None` means all."""
    stmt = (
        sa.select(Stay)
        .options(selectinload(Stay.facility), selectinload(Stay.place), selectinload(Stay.person))
        .where(Stay.status.in_(OCCUPYING))
        .order_by(Stay.first_night.desc(), Stay.id.desc())
    )
    if night is not None:
        stmt = stmt.where(on_night(Stay.first_night, Stay.end_night, night))
    if person_id is not None:
        stmt = stmt.where(Stay.person_id == person_id)
    return _scoped(stmt, Stay.facility_id, facility_ids)


def holds_query(
    *,
    facility_ids: Iterable[int] | None = None,
    night: date | None = None,
    created_by_id: int | None = None,
) -> sa.Select[tuple[Stay]]:
    """Holds (live or not), newest first."""
    stmt = (
        sa.select(Stay)
        .options(selectinload(Stay.facility), selectinload(Stay.place))
        .where(Stay.held_at.is_not(None))
        .order_by(Stay.held_at.desc(), Stay.id.desc())
    )
    if night is not None:
        stmt = stmt.where(Stay.first_night == night)
    if created_by_id is not None:
        stmt = stmt.where(Stay.created_by_id == created_by_id)
    return _scoped(stmt, Stay.facility_id, facility_ids)


def turn_aways_query(
    *, facility_ids: Iterable[int] | None = None, night: date | None = None
) -> sa.Select[tuple[TurnAway]]:
    stmt = (
        sa.select(TurnAway)
        .options(selectinload(TurnAway.facility))
        .order_by(TurnAway.occurred_at.desc(), TurnAway.id.desc())
    )
    if night is not None:
        stmt = stmt.where(TurnAway.night == night)
    return _scoped(stmt, TurnAway.facility_id, facility_ids)


def bans_query(
    *,
    facility_ids: Iterable[int] | None = None,
    person_id: int | None = None,
    active_on: date | None = None,
) -> sa.Select[tuple[HouseBan]]:
    stmt = (
        sa.select(HouseBan)
        .options(selectinload(HouseBan.facility))
        .order_by(HouseBan.first_night.desc(), HouseBan.id.desc())
    )
    if person_id is not None:
        stmt = stmt.where(HouseBan.person_id == person_id)
    if active_on is not None:
        stmt = stmt.where(
            HouseBan.lifted_at.is_(None),
            on_night(HouseBan.first_night, HouseBan.end_night, active_on),
        )
    return _scoped(stmt, HouseBan.facility_id, facility_ids)


def known_at(person_id: int, facility_ids: Iterable[int]) -> sa.ColumnElement[bool]:
    """SQL: the person has a stay (a converted hold included), a house ban or a
    turn-away at one of the facilities. Uncorrelated, so that each EXISTS looks the
    person up once through an index led by person_id (where there is one)."""
    ids = sorted(facility_ids)
    return sa.or_(
        sa.exists().where(Stay.person_id == person_id, Stay.facility_id.in_(ids)),
        sa.exists().where(HouseBan.person_id == person_id, HouseBan.facility_id.in_(ids)),
        sa.exists().where(TurnAway.person_id == person_id, TurnAway.facility_id.in_(ids)),
    )
