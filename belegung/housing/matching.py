"""Vacancy matching: which apartments can take a household of a given size and needs from
a date, best fit first — and, on request, why each other apartment was left out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy.orm import Session

from belegung.facilities.models import Facility
from belegung.housing.models import Apartment, ApartmentStatus
from belegung.housing.occupancy import ApartmentState, apartment_states
from belegung.limits import LEASE_REMAINING_MIN_DAYS


class Exclusion(StrEnum):
    """Why an apartment can't take the household, in the order they are judged: what the
    apartment is comes before who lives in it."""

    BLOCKED = "blocked"
    TOO_SMALL = "too_small"
    NOT_STEP_FREE = "not_step_free"
    OTHER_DISTRICT = "other_district"
    LEASE_ENDS_TOO_SOON = "lease_ends_too_soon"
    TAKEN = "taken"


@dataclass(frozen=True)
class Need:
    """A household looking for an apartment."""

    size: int
    first: date
    step_free: bool = False
    district: str | None = None
    min_rooms: Decimal | None = None


@dataclass(frozen=True)
class Vacancy:
    apartment: Apartment
    free_places: int
    # Places the household would leave empty (the fit: fewer is better).
    left_empty: int
    vacant_since: date | None


@dataclass(frozen=True)
class Excluded:
    apartment: Apartment
    reason: Exclusion
    free_places: int


@dataclass(frozen=True)
class Matches:
    need: Need
    vacancies: list[Vacancy]
    excluded: list[Excluded]


def _blocked(apartment: Apartment, first: date) -> bool:
    """Blocked on some night from `first` on (a block planned later counts too: a
    household would have to leave again)."""
    if apartment.status == ApartmentStatus.HANDED_BACK:
        return True
    if apartment.status != ApartmentStatus.BLOCKED:
        return False
    return apartment.blocked_until is None or apartment.blocked_until > first


def exclusion(state: ApartmentState, need: Need) -> Exclusion | None:
    """Why the apartment can't take the household from the date, or None if it can."""
    apartment = state.apartment
    if _blocked(apartment, need.first):
        return Exclusion.BLOCKED
    if len(state.places) < need.size or (
        need.min_rooms is not None and (apartment.rooms or 0) < need.min_rooms
    ):
        return Exclusion.TOO_SMALL
    if need.step_free and not apartment.step_free:
        return Exclusion.NOT_STEP_FREE
    if need.district is not None and (apartment.district or "").casefold() != (
        need.district.casefold()
    ):
        return Exclusion.OTHER_DISTRICT
    if apartment.lease_end is not None and apartment.lease_end < need.first + timedelta(
        days=LEASE_REMAINING_MIN_DAYS
    ):
        return Exclusion.LEASE_ENDS_TOO_SOON
    if state.claimed and (not apartment.shared or need.size > 1):
        return Exclusion.TAKEN
    if len(state.free_places) < need.size:
        return Exclusion.TAKEN
    return None


def find_vacancies(session: Session, facility: Facility, need: Need) -> Matches:
    """The apartments that can take the household from `need.first` (open-ended), best fit
    first: fewest places left empty, then the longest vacant (never occupied first), then
    the number; and every other apartment with the reason it was left out."""
    vacancies: list[Vacancy] = []
    excluded: list[Excluded] = []
    for state in apartment_states(session, facility, need.first, None):
        free = len(state.free_places)
        reason = exclusion(state, need)
        if reason is None:
            vacancies.append(Vacancy(state.apartment, free, free - need.size, state.vacant_since))
        else:
            excluded.append(Excluded(state.apartment, reason, free))
    vacancies.sort(key=lambda v: (v.left_empty, v.vacant_since or date.min, v.apartment.number))
    excluded.sort(key=lambda e: (list(Exclusion).index(e.reason), e.apartment.number))
    return Matches(need, vacancies, excluded)
