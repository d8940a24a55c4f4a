"""Fixtures shared by the occupancy tests: tonight's date, contexts acting in a role, the
availability figures of one facility, and the types of the factories (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from belegung.auth.models import Role
from belegung.context import Actor, ServiceContext
from belegung.facilities.models import Facility
from belegung.persons.models import Person
from belegung.stays.availability import FacilityAvailability, availability
from belegung.stays.models import HouseBan, Stay

# The factory fixtures of tests/conftest.py.
MakeFacility = Callable[..., Facility]
MakePerson = Callable[..., Person]
MakeStay = Callable[..., Stay]
MakeHold = Callable[..., Stay]
MakeBan = Callable[..., HouseBan]
# The fixtures below.
CtxAs = Callable[[Role], ServiceContext]
Figures = Callable[..., FacilityAvailability]


@pytest.fixture
def tonight(ctx: ServiceContext) -> date:
    """The night of the default clock (21:00 on 15 January 2026)."""
    return ctx.tonight()


@pytest.fixture
def ctx_as(make_ctx: Callable[..., ServiceContext]) -> CtxAs:
    """A context acting as a user of the given role."""

    def make(role: Role) -> ServiceContext:
        return make_ctx(Actor(user_id=None, label=f"ein {role.value}", role=role))

    return make


@pytest.fixture
def figures(ctx: ServiceContext) -> Figures:
    """The availability of one facility for a night (default: tonight as the clock reads
    now), as of now."""

    def read(facility: Facility, night: date | None = None) -> FacilityAvailability:
        report = availability(ctx.session, night or ctx.tonight(), ctx.now())
        (found,) = [f for f in report.facilities if f.slug == facility.slug]
        return found

    return read
