"""What the dashboard asks, in one call per page: each part from its domain's operation
(which checks the caller's rights)."""

from __future__ import annotations

from dataclasses import dataclass

from belegung.context import ServiceContext
from belegung.facilities.models import FacilityKind
from belegung.stays import operations as stays
from belegung.stays.availability import Availability, FacilityAvailability
from belegung.stays.series import Series
from belegung.winter import operations as winter
from belegung.winter.service import WinterState

HOUSING_PROGRAMME = "wvp"


@dataclass(frozen=True)
class Dashboard:
    tonight: Availability
    month: Series
    year: Series
    refusals: Series
    winter: WinterState
    housing: FacilityAvailability | None

    @property
    def shelters(self) -> list[FacilityAvailability]:
        return [f for f in self.tonight.facilities if f.kind == FacilityKind.NIGHT_SHELTER]


def read_dashboard(ctx: ServiceContext) -> Dashboard:
    """Tonight per facility, occupancy over 30 and 365 nights (one aggregate query each),
    turn-aways and no-shows over 30 nights, the winter emergency, and the housing
    programme's places from today's availability of its facility (`wvp`)."""
    tonight = stays.read_availability(ctx)
    housing = next((f for f in tonight.facilities if f.slug == HOUSING_PROGRAMME), None)
    return Dashboard(
        tonight=tonight,
        month=stays.occupancy_over(ctx, 30),
        year=stays.occupancy_over(ctx, 365),
        refusals=stays.refusals_over(ctx, 30),
        winter=winter.read_winter_emergency(ctx),
        housing=housing,
    )
