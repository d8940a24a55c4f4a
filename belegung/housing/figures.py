"""The housing programme's figures on a day: apartments and places occupied, free and
blocked, who is housed, how long households stay, and where they went."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.facilities.models import Facility
from belegung.housing.models import ApartmentStatus, Household, Outcome, Placement
from belegung.housing.occupancy import apartment_states
from belegung.persons.models import HouseholdType
from belegung.stays.models import OCCUPYING, Stay


@dataclass(frozen=True)
class OutcomeCount:
    month: str  # YYYY-MM
    outcome: Outcome
    households: int


@dataclass(frozen=True)
class MonthMoves:
    month: str  # YYYY-MM
    # Households that came into the programme (a move between apartments is neither).
    moved_in: int
    # Households that left it (with an outcome).
    moved_out: int


@dataclass
class Figures:
    day: date
    apartments: dict[str, int]
    places: dict[str, int]
    persons_housed: int
    households_housed: int
    households_by_type: dict[str, int]
    average_stay_days: float | None
    median_stay_days: float | None
    outcomes: list[OutcomeCount] = field(default_factory=list)
    moves: list[MonthMoves] = field(default_factory=list)


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def first_month(day: date, months: int) -> date:
    """The first day of the month `months - 1` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def stay_lengths(placements: list[Placement], day: date) -> list[int]:
    """Days each household spent in the programme per continuous run: a move to another
    apartment continues the run (`previous_id`); an ongoing run counts up to `day`."""
    by_id = {p.id: p for p in placements}
    followed = {p.previous_id for p in placements if p.previous_id is not None}
    lengths = []
    for placement in placements:
        if placement.id in followed or placement.first_night > day:
            continue  # not the last of its run, or not begun
        start = placement
        while start.previous_id is not None and start.previous_id in by_id:
            start = by_id[start.previous_id]
        end = placement.end_night if placement.end_night is not None else day
        lengths.append((min(end, day) - start.first_night).days)
    return lengths


def housing_figures(session: Session, facility: Facility, day: date, months: int = 12) -> Figures:
    night_after = day + timedelta(days=1)
    states = apartment_states(session, facility, day, night_after)
    apartments = Counter[str]()
    places = Counter[str]()
    for state in states:
        apartment = state.apartment
        if apartment.status == ApartmentStatus.HANDED_BACK and not state.occupied:
            apartments["handed_back"] += 1
            continue
        if state.occupied:
            apartments["occupied"] += 1
        elif state.out_of_service or apartment.blocked_on(day):
            apartments["blocked"] += 1
        else:
            apartments["free"] += 1
        places["occupied"] += len(state.claimed)
        places["blocked"] += len(state.out_of_service - state.claimed)
        places["free"] += len(state.free_places)

    persons = session.scalar(
        sa.select(sa.func.count(sa.distinct(Stay.person_id))).where(
            Stay.facility_id == facility.id,
            Stay.status.in_(OCCUPYING),
            Stay.first_night <= day,
            sa.or_(Stay.end_night.is_(None), Stay.end_night > day),
        )
    )
    housed = session.execute(
        sa.select(Household.type, sa.func.count())
        .join(Placement, Placement.household_id == Household.id)
        .where(
            Placement.first_night <= day,
            sa.or_(Placement.end_night.is_(None), Placement.end_night > day),
        )
        .group_by(Household.type)
    ).all()
    by_type = {t.value: 0 for t in HouseholdType}
    for household_type, count in housed:
        by_type[household_type.value] = count

    placements = list(session.scalars(sa.select(Placement).where(Placement.first_night <= day)))
    lengths = stay_lengths(placements, day)

    since = first_month(day, months)
    counts = Counter(
        (_month(p.end_night), p.outcome)
        for p in placements
        if p.outcome is not None and p.end_night is not None and since <= p.end_night <= day
    )
    outcomes = [
        OutcomeCount(month, outcome, n)
        for (month, outcome), n in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1]))
    ]
    months_shown = []
    cursor = since
    while cursor <= day:
        months_shown.append(_month(cursor))
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    ins = Counter(
        _month(p.first_night)
        for p in placements
        if p.previous_id is None and since <= p.first_night
    )
    outs = Counter(
        _month(p.end_night)
        for p in placements
        if p.outcome is not None and p.end_night is not None and since <= p.end_night <= day
    )
    moves = [MonthMoves(m, ins[m], outs[m]) for m in months_shown]
    return Figures(
        day=day,
        apartments={
            "occupied": apartments["occupied"],
            "free": apartments["free"],
            "blocked": apartments["blocked"],
            "handed_back": apartments["handed_back"],
        },
        places={
            "occupied": places["occupied"],
            "free": places["free"],
            "blocked": places["blocked"],
        },
        persons_housed=int(persons or 0),
        households_housed=sum(count for _, count in housed),
        households_by_type=by_type,
        average_stay_days=round(statistics.fmean(lengths), 1) if lengths else None,
        median_stay_days=float(statistics.median(lengths)) if lengths else None,
        outcomes=outcomes,
        moves=moves,
    )
