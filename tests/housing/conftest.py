"""Factories of the housing programme: apartments in the preset's `wvp` facility (their
own, next to the preset's units without apartment records) and households of new persons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from belegung.context import ServiceContext
from belegung.facilities.models import Facility
from belegung.facilities.service import get_facility
from belegung.housing.models import Apartment, Household
from belegung.housing.service import ApartmentFields, create_apartment, create_household
from belegung.persons.models import Gender, HouseholdType, Person


@pytest.fixture
def wvp(dortmund: dict[str, Facility]) -> Facility:
    return dortmund["wvp"]


@pytest.fixture
def make_apartment(ctx: ServiceContext, wvp: Facility) -> Callable[..., Apartment]:
    """`make_apartment("A-1", places=3, step_free=True, district="Hörde", rooms="2.5")`."""

    slug = wvp.slug

    def make(number: str, places: int = 2, **fields: Any) -> Apartment:
        if "rooms" in fields and fields["rooms"] is not None:
            fields["rooms"] = Decimal(str(fields["rooms"]))
        fields.setdefault("address", f"Teststraße {number}, 44137 Dortmund")
        fields.setdefault("district", "Innenstadt-West")
        # By slug: a request in between ends the objects of the test's session.
        facility = get_facility(ctx.session, slug)
        return create_apartment(ctx, facility, ApartmentFields(number=number, **fields), places)

    return make


@pytest.fixture
def make_household(
    ctx: ServiceContext, make_person: Callable[..., Person]
) -> Callable[..., Household]:
    """`make_household(5)`: a household of new persons (type by size unless given)."""

    def make(size: int = 1, household_type: HouseholdType | None = None) -> Household:
        if household_type is None:
            household_type = (
                HouseholdType.SINGLE if size == 1 else HouseholdType.COUPLE_WITH_CHILDREN
            )
        members = [make_person(gender=Gender.FEMALE, birth_year=1990) for _ in range(size)]
        return create_household(ctx, household_type, members)

    return make


TODAY = date(2026, 1, 15)
