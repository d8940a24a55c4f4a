"""Figures over many nights for the managers' charts: occupied places per night and
facility, turn-aways by reason and no-shows per night. One aggregate query per chart,
whatever the number of nights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.db import overlaps
from belegung.facilities.models import Facility, FacilityKind
from belegung.stays.models import IS_HELD, OCCUPYING, Stay, StayStatus, TurnAway, TurnAwayReason

NO_SHOW = "no_show"


@dataclass(frozen=True)
class Series:
    """Values per night for each of a few lines (facilities, or reasons)."""

    nights: list[date]
    lines: dict[str, list[int]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def rows(self) -> list[tuple[date, list[int]]]:
        """Per night, the value of each line (in the lines' order): a table's rows."""
        keys = list(self.lines)
        return [(night, [self.lines[k][i] for k in keys]) for i, night in enumerate(self.nights)]

    def totals(self) -> list[int]:
        return [sum(values) for values in self.lines.values()]


def _nights(first: date, end: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((end - first).days)]


def occupancy_series(
    session: Session, first: date, end: date, *, kind: FacilityKind = FacilityKind.NIGHT_SHELTER
) -> Series:
    """Occupied places per night of [first, end) and facility of a kind.

    One query: each stay adds one on its first night in the range and takes it away on
    its end night; a running sum per facility (a window over the changes) gives the
    occupancy on each night with a change, carried forward over the nights without.
    """
    start = sa.case((Stay.first_night < first, sa.literal(first)), else_=Stay.first_night)
    in_range = sa.and_(
        Stay.status.in_(OCCUPYING), overlaps(Stay.first_night, Stay.end_night, first, end)
    )
    arrivals = sa.select(
        Stay.facility_id.label("facility_id"), start.label("night"), sa.literal(1).label("delta")
    ).where(in_range)
    departures = sa.select(
        Stay.facility_id.label("facility_id"),
        Stay.end_night.label("night"),
        sa.literal(-1).label("delta"),
    ).where(in_range, Stay.end_night < end)
    changes = sa.union_all(arrivals, departures).subquery("changes")
    per_night = (
        sa.select(
            changes.c.facility_id,
            changes.c.night,
            sa.func.sum(changes.c.delta).label("change"),
        )
        .group_by(changes.c.facility_id, changes.c.night)
        .subquery("per_night")
    )
    running = sa.func.sum(per_night.c.change).over(
        partition_by=per_night.c.facility_id, order_by=per_night.c.night
    )
    rows = session.execute(
        sa.select(
            Facility.slug,
            Facility.name,
            per_night.c.night,
            running.label("occupied"),
        )
        .select_from(Facility)
        .outerjoin(per_night, per_night.c.facility_id == Facility.id)
        .where(Facility.kind == kind)
        .order_by(Facility.id, per_night.c.night)
    ).all()
    nights = _nights(first, end)
    series = Series(nights=nights)
    changed: dict[str, dict[date, int]] = {}
    for row in rows:
        series.labels.setdefault(row.slug, row.name)
        at = changed.setdefault(row.slug, {})
        if row.night is not None:
            at[_as_date(row.night)] = int(row.occupied)
    for slug, at in changed.items():
        value, values = 0, []
        for night in nights:
            value = at.get(night, value)
            values.append(value)
        series.lines[slug] = values
    return series


def refusal_series(session: Session, first: date, end: date, now: datetime) -> Series:
    """Turn-aways by reason and no-shows (holds that ran out unused) per night of
    [first, end): one query over both."""
    turned_away = sa.select(
        TurnAway.night.label("night"),
        # As text: the union adds a kind of its own (no_show) that is no turn-away reason.
        sa.type_coerce(TurnAway.reason, sa.String).label("kind"),
        sa.func.count().label("n"),
    ).where(TurnAway.night >= first, TurnAway.night < end)
    turned_away = turned_away.group_by(TurnAway.night, TurnAway.reason)
    expired = sa.or_(
        Stay.status == StayStatus.EXPIRED, sa.and_(IS_HELD, Stay.hold_expires_at <= now)
    )
    no_shows = (
        sa.select(
            Stay.first_night.label("night"),
            sa.literal(NO_SHOW).label("kind"),
            sa.func.count().label("n"),
        )
        .where(Stay.held_at.is_not(None), Stay.first_night >= first, Stay.first_night < end)
        .where(expired)
        .group_by(Stay.first_night)
    )
    rows: Sequence[Any] = session.execute(sa.union_all(turned_away, no_shows)).all()
    nights = _nights(first, end)
    index = {night: i for i, night in enumerate(nights)}
    kinds = [r.value for r in TurnAwayReason] + [NO_SHOW]
    series = Series(nights=nights, lines={k: [0] * len(nights) for k in kinds})
    for row in rows:
        series.lines[str(row.kind)][index[_as_date(row.night)]] += int(row.n)
    return series


def _as_date(value: date | str) -> date:
    """A date from a union or window query (SQLite may hand back the ISO string)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
