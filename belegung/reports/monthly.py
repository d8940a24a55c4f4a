"""The monthly figures per facility and in total, from a fixed number of aggregate
queries (ten, however many nights, stays or persons the month holds).

Definitions (docs in README and the API):
- A month's nights are the nights named by its dates (the night of 31 January belongs to
  January). For the running month, only nights up to tonight count.
- `capacity_nights`: regular places (not emergency places) times nights, less the
  nights a regular place was out of service.
- `occupied_nights`: nights slept (stays checked in or out), emergency places included;
  so `occupancy_rate` (occupied / capacity) can exceed 1 when emergency places are used.
- `persons`: distinct persons with a night in the month; in the totals each person once.
- `new_persons`: persons whose first night ever at the facility is in the month; in the
  totals, whose first night anywhere is.
- `turn_aways`: by reason, with their `total`.
- `holds`: holds for a night of the month; `no_shows`: those that ran out unused.
- `average_run_nights`, `median_run_nights`: the length of the unbroken runs of nights
  (consecutive stays of one person at one facility joined) that ended in the month.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.facilities.models import Facility, OutOfService, Place
from belegung.reports.sql import day, days_between, nights_within
from belegung.stays.models import OCCUPYING, Stay, StayStatus, TurnAway, TurnAwayReason

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# An open-ended stay's run has not ended: it reaches past every month.
OPEN_END = date(9999, 12, 31)


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """`YYYY-MM`; ValueError otherwise."""
        match = MONTH.match(text)
        if match is None:
            raise ValueError(f"not a month: {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, night: date) -> Month:
        return cls(night.year, night.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        """The first night after the month."""
        return date(self.year + self.month // 12, self.month % 12 + 1, 1)

    def previous(self) -> Month:
        return Month.of(self.first - timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


TURN_AWAY_REASONS = tuple(r.value for r in TurnAwayReason)


@dataclass
class Figures:
    """The figures of one facility, or the totals."""

    capacity_nights: int = 0
    occupied_nights: int = 0
    persons: int = 0
    new_persons: int = 0
    turn_aways: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys((*TURN_AWAY_REASONS, "total"), 0)
    )
    holds: int = 0
    no_shows: int = 0
    # Run length (nights) -> number of runs of that length that ended in the month.
    runs: Counter[int] = field(default_factory=Counter)

    @property
    def occupancy_rate(self) -> float | None:
        if not self.capacity_nights:
            return None
        return round(self.occupied_nights / self.capacity_nights, 4)

    @property
    def average_run_nights(self) -> float | None:
        count = sum(self.runs.values())
        if not count:
            return None
        return round(sum(n * c for n, c in self.runs.items()) / count, 2)

    @property
    def median_run_nights(self) -> float | None:
        return median_of(self.runs)


def median_of(histogram: Mapping[int, int]) -> float | None:
    """The median of values given as value -> count (the mean of the middle two for an
    even count)."""
    count = sum(histogram.values())
    if not count:
        return None
    middle = ((count - 1) // 2, count // 2)
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        for position in middle:
            if seen <= position < seen + histogram[value]:
                found.append(value)
        seen += histogram[value]
    return sum(found) / 2


@dataclass(frozen=True)
class HousingMonth:
    """The housing programme's own figures of a month, as its page /wohnungen/zahlen
    counts them (housing.figures): households that came into the programme, households
    that left it, and where they went (every outcome, 0 where none)."""

    moved_in: int
    moved_out: int
    outcomes: dict[str, int]


@dataclass
class FacilityFigures(Figures):
    slug: str = ""
    name: str = ""
    kind: str = ""
    target_group: str = ""
    # The housing programme's own figures (moves in and out, outcomes), added by
    # reports.operations from the housing domain's; None for the shelters.
    housing: HousingMonth | None = None


@dataclass(frozen=True)
class MonthlyReport:
    month: Month
    # The nights counted: the month's, up to tonight for the running month.
    first_night: date
    end_night: date
    facilities: Sequence[FacilityFigures]
    totals: Figures
    generated_at: datetime


# --- the queries ----------------------------------------------------------------------


def _scoped(stmt: Any, column: Any, facility_ids: Sequence[int] | None) -> Any:
    return stmt if facility_ids is None else stmt.where(column.in_(facility_ids))


def _overlapping(first_col: Any, end_col: Any, first: date, end: date) -> Any:
    return sa.and_(first_col < end, sa.or_(end_col.is_(None), end_col > first))


def monthly_figures(
    session: Session,
    month: Month,
    *,
    tonight: date,
    now: datetime,
    facility_ids: Sequence[int] | None = None,
) -> MonthlyReport:
    """The month's figures per facility (all, or those given) and in total."""
    first = month.first
    end = max(first, min(month.end, tonight + timedelta(days=1)))
    nights = (end - first).days

    facilities = session.scalars(
        _scoped(sa.select(Facility), Facility.id, facility_ids).order_by(Facility.id)
    ).all()
    ids = [f.id for f in facilities]
    rows = {
        f.id: FacilityFigures(
            slug=f.slug, name=f.name, kind=f.kind.value, target_group=f.target_group.value
        )
        for f in facilities
    }
    totals = Figures()
    occupying = Stay.status.in_(OCCUPYING)

    # 1. Regular places per facility.
    for facility_id, places in session.execute(
        sa.select(Place.facility_id, sa.func.count())
        .where(Place.facility_id.in_(ids), Place.emergency.is_(False))
        .group_by(Place.facility_id)
    ):
        rows[facility_id].capacity_nights += places * nights
    # 2. Nights regular places were out of service.
    if nights:
        for facility_id, lost in session.execute(
            sa.select(
                Place.facility_id,
                sa.func.sum(
                    nights_within(OutOfService.first_night, OutOfService.end_night, first, end)
                ),
            )
            .join(Place, Place.id == OutOfService.place_id)
            .where(
                Place.facility_id.in_(ids),
                Place.emergency.is_(False),
                _overlapping(OutOfService.first_night, OutOfService.end_night, first, end),
            )
            .group_by(Place.facility_id)
        ):
            rows[facility_id].capacity_nights -= int(lost or 0)
    # 3. Nights slept and persons, per facility; 4. persons in total.
    slept = sa.and_(occupying, _overlapping(Stay.first_night, Stay.end_night, first, end))
    if nights:
        for facility_id, occupied, persons in session.execute(
            sa.select(
                Stay.facility_id,
                sa.func.sum(nights_within(Stay.first_night, Stay.end_night, first, end)),
                sa.func.count(sa.distinct(Stay.person_id)),
            )
            .where(slept, Stay.facility_id.in_(ids))
            .group_by(Stay.facility_id)
        ):
            rows[facility_id].occupied_nights = int(occupied or 0)
            rows[facility_id].persons = persons
        totals.persons = (
            session.scalar(
                sa.select(sa.func.count(sa.distinct(Stay.person_id))).where(
                    slept, Stay.facility_id.in_(ids)
                )
            )
            or 0
        )
    # 5. New persons: first night at the facility (6. anywhere) in the month; only
    # persons who began a stay in the month can be new.
    began = (
        sa.select(Stay.person_id)
        .where(
            occupying, Stay.first_night >= first, Stay.first_night < end, Stay.facility_id.in_(ids)
        )
        .correlate(None)
    )
    firsts_here = (
        sa.select(Stay.facility_id, sa.func.min(Stay.first_night).label("first_night"))
        .where(occupying, Stay.person_id.in_(began), Stay.facility_id.in_(ids))
        .group_by(Stay.facility_id, Stay.person_id)
        .subquery()
    )
    for facility_id, new in session.execute(
        sa.select(firsts_here.c.facility_id, sa.func.count())
        .where(firsts_here.c.first_night >= first, firsts_here.c.first_night < end)
        .group_by(firsts_here.c.facility_id)
    ):
        rows[facility_id].new_persons = new
    firsts_anywhere = (
        sa.select(sa.func.min(Stay.first_night).label("first_night"))
        .where(occupying, Stay.person_id.in_(began))
        .group_by(Stay.person_id)
        .subquery()
    )
    totals.new_persons = (
        session.scalar(
            sa.select(sa.func.count()).where(
                firsts_anywhere.c.first_night >= first, firsts_anywhere.c.first_night < end
            )
        )
        or 0
    )
    # 7. Turn-aways by reason.
    for facility_id, reason, count in session.execute(
        sa.select(TurnAway.facility_id, TurnAway.reason, sa.func.count())
        .where(TurnAway.facility_id.in_(ids), TurnAway.night >= first, TurnAway.night < end)
        .group_by(TurnAway.facility_id, TurnAway.reason)
    ):
        rows[facility_id].turn_aways[TurnAwayReason(reason).value] += count
        rows[facility_id].turn_aways["total"] += count
    # 8. Holds and no-shows (ran out unused, marked by housekeeping or not yet).
    no_show = sa.or_(
        Stay.status == StayStatus.EXPIRED,
        sa.and_(Stay.status == StayStatus.HELD, Stay.hold_expires_at <= now),
    )
    for facility_id, holds, no_shows in session.execute(
        sa.select(
            Stay.facility_id,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((no_show, 1), else_=0)), 0),
        )
        .where(
            Stay.held_at.is_not(None),
            Stay.facility_id.in_(ids),
            Stay.first_night >= first,
            Stay.first_night < end,
        )
        .group_by(Stay.facility_id)
    ):
        rows[facility_id].holds = holds
        rows[facility_id].no_shows = int(no_shows)
    # 9. Runs that ended in the month, by length.
    for facility_id, length, count in session.execute(_runs_ending(ids, first, end)):
        rows[facility_id].runs[int(length)] += count

    for row in rows.values():
        _add(totals, row)
    return MonthlyReport(
        month=month,
        first_night=first,
        end_night=end,
        facilities=list(rows.values()),
        totals=totals,
        generated_at=now,
    )


def _add(totals: Figures, row: Figures) -> None:
    """Sum a facility into the totals (persons and new persons are counted apart)."""
    totals.capacity_nights += row.capacity_nights
    totals.occupied_nights += row.occupied_nights
    for reason, count in row.turn_aways.items():
        totals.turn_aways[reason] += count
    totals.holds += row.holds
    totals.no_shows += row.no_shows
    totals.runs.update(row.runs)


def _runs_ending(ids: Iterable[int], first: date, end: date) -> sa.Select[Any]:
    """(facility, length in nights, number of runs) for the unbroken runs of nights that
    ended in [first, end): a person's consecutive stays at a facility (one ending the
    night another begins) joined. Gaps and islands: a stay begins a new run unless the
    one before it ended exactly when it begins."""
    ids = list(ids)
    occupying = Stay.status.in_(OCCUPYING)
    # Who ended a stay in the month: only their runs can have ended then. (By person
    # alone, which the person index answers; a run elsewhere that did not end in the
    # month is left out by the last condition.)
    ending = (
        sa.select(Stay.person_id)
        .where(occupying, Stay.facility_id.in_(ids), Stay.end_night > first, Stay.end_night <= end)
        .correlate(None)
    )
    stop = sa.func.coalesce(Stay.end_night, day(OPEN_END))
    by_person = (Stay.facility_id, Stay.person_id)
    previous_end = sa.func.lag(stop).over(partition_by=by_person, order_by=Stay.first_night)
    stays = (
        sa.select(
            Stay.facility_id,
            Stay.person_id,
            Stay.first_night,
            stop.label("stop"),
            sa.case(
                (sa.or_(previous_end.is_(None), previous_end < Stay.first_night), 1), else_=0
            ).label("begins"),
        )
        .where(
            occupying,
            Stay.facility_id.in_(ids),
            Stay.person_id.in_(ending),
            # A stay beginning the night a run's last one ends continues it: a run that
            # goes on into the next month has not ended in this one.
            Stay.first_night <= end,
        )
        .subquery()
    )
    numbered = sa.select(
        stays,
        sa.func.sum(stays.c.begins)
        .over(
            partition_by=(stays.c.facility_id, stays.c.person_id),
            order_by=stays.c.first_night,
            rows=(None, 0),
        )
        .label("run"),
    ).subquery()
    runs = (
        sa.select(
            numbered.c.facility_id,
            sa.func.min(numbered.c.first_night).label("start"),
            sa.func.max(numbered.c.stop).label("stop"),
        )
        .group_by(numbered.c.facility_id, numbered.c.person_id, numbered.c.run)
        .subquery()
    )
    length = days_between(runs.c.stop, runs.c.start)
    return (
        sa.select(runs.c.facility_id, length, sa.func.count())
        .where(runs.c.stop > first, runs.c.stop <= end)
        .group_by(runs.c.facility_id, length)
    )
