"""The `dortmund` preset: Dortmund's four night shelters and the housing-reserve programme.

Seeding is idempotent: what exists is left as it is, what is missing is created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from belegung.audit.service import record
from belegung.context import ServiceContext
from belegung.facilities.models import (
    Facility,
    FacilityKind,
    OperatorType,
    Place,
    TargetGroup,
    Unit,
    UnitKind,
    WelfareAssociation,
)


@dataclass(frozen=True)
class RoomPlan:
    """A shelter's rooms by number of beds; beds are numbered 1, 2, … through the rooms."""

    room_sizes: tuple[int, ...]
    emergency_places: int = 0


@dataclass(frozen=True)
class FacilitySpec:
    slug: str
    name: str
    kind: FacilityKind
    target_group: TargetGroup
    address: str | None
    operator_name: str
    operator_type: OperatorType
    welfare_association: WelfareAssociation | None = None
    opened_on: date | None = None
    rooms: RoomPlan | None = None


# The housing programme's 600 apartments by number of places: 2,000 places in all.
APARTMENT_SIZES: dict[int, int] = {1: 60, 2: 120, 3: 150, 4: 150, 5: 70, 6: 50}
# A stride coprime with 600 and close to 600 / golden ratio spreads the sizes evenly
# over the apartment numbers, reproducibly.
APARTMENT_STRIDE = 371

DORTMUND: tuple[FacilitySpec, ...] = (
    FacilitySpec(
        slug="unionstrasse",
        name="Männerübernachtungsstelle Unionstraße",
        kind=FacilityKind.NIGHT_SHELTER,
        target_group=TargetGroup.MEN,
        address="Unionstraße 33, 44137 Dortmund",
        operator_name="European Homecare GmbH (im Auftrag der Stadt Dortmund)",
        operator_type=OperatorType.COMMERCIAL,
        opened_on=date(2019, 1, 17),
        # Four-, two- and single rooms: 14 × 4 + 6 × 2 + 2 × 1 = 70 beds.
        rooms=RoomPlan((4,) * 14 + (2,) * 6 + (1,) * 2),
    ),
    FacilitySpec(
        slug="nortkirchenstrasse",
        name="Frauenübernachtungsstelle Nortkirchenstraße",
        kind=FacilityKind.NIGHT_SHELTER,
        target_group=TargetGroup.WOMEN,
        address="Nortkirchenstraße 15, 44263 Dortmund",
        operator_name="Diakonisches Werk Dortmund und Lünen",
        operator_type=OperatorType.WELFARE_ASSOCIATION,
        welfare_association=WelfareAssociation.DIAKONIE,
        opened_on=date(2020, 2, 3),
        # 25 double rooms and four emergency places (Notschlafplätze).
        rooms=RoomPlan((2,) * 25, emergency_places=4),
    ),
    FacilitySpec(
        slug="junge-erwachsene",
        name="Notschlafstelle für junge Erwachsene",
        kind=FacilityKind.NIGHT_SHELTER,
        target_group=TargetGroup.YOUNG_ADULTS,
        address="Am Beilstück, 44225 Dortmund",
        operator_name="European Homecare GmbH (im Auftrag der Stadt Dortmund)",
        operator_type=OperatorType.COMMERCIAL,
        opened_on=date(2021, 5, 21),
        rooms=RoomPlan((3,) * 6 + (2,)),
    ),
    FacilitySpec(
        slug="drogenhilfe",
        name="Notschlafstelle für drogenabhängige Menschen",
        kind=FacilityKind.NIGHT_SHELTER,
        target_group=TargetGroup.DRUG_USERS,
        address="Schwanenwall 42, 44135 Dortmund",
        operator_name="Soziales Zentrum Dortmund e. V. (im Auftrag der Stadt Dortmund)",
        operator_type=OperatorType.WELFARE_ASSOCIATION,
        welfare_association=WelfareAssociation.OTHER,
        opened_on=date(2022, 11, 2),
        rooms=RoomPlan((1, 2, 2, 3, 3, 3, 3, 3)),
    ),
    FacilitySpec(
        slug="wvp",
        name="Wohnraumvorhalteprogramm",
        kind=FacilityKind.HOUSING_PROGRAMME,
        target_group=TargetGroup.ANY,
        address=None,
        operator_name="Stadt Dortmund, Sozialamt",
        operator_type=OperatorType.MUNICIPALITY,
    ),
)


def apartment_plan() -> list[int]:
    """Places per apartment, apartment 1 to 600: a fixed, reproducible distribution."""
    by_size = [size for size, count in sorted(APARTMENT_SIZES.items()) for _ in range(count)]
    n = len(by_size)
    return [by_size[(i * APARTMENT_STRIDE) % n] for i in range(n)]


@dataclass
class SeedResult:
    facilities: int = 0
    units: int = 0
    places: int = 0
    created_slugs: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.facilities or self.units or self.places)


def _layout(spec: FacilitySpec) -> list[tuple[str, UnitKind, list[tuple[str, bool]]]]:
    """Units of a facility with their places: (unit label, kind, [(place label, emergency)])."""
    units: list[tuple[str, UnitKind, list[tuple[str, bool]]]] = []
    if spec.rooms is not None:
        bed = 0
        for number, size in enumerate(spec.rooms.room_sizes, start=1):
            beds = [(str(bed + i), False) for i in range(1, size + 1)]
            bed += size
            units.append((f"Zimmer {number}", UnitKind.ROOM, beds))
        if spec.rooms.emergency_places:
            emergency = [(f"N{i}", True) for i in range(1, spec.rooms.emergency_places + 1)]
            units.append(("Notschlafplätze", UnitKind.ROOM, emergency))
    else:
        for number, size in enumerate(apartment_plan(), start=1):
            label = f"W{number:03d}"
            places = [(f"{label}-{i}", False) for i in range(1, size + 1)]
            units.append((label, UnitKind.APARTMENT, places))
    return units


def seed(ctx: ServiceContext, specs: tuple[FacilitySpec, ...] = DORTMUND) -> SeedResult:
    session = ctx.session
    result = SeedResult()
    for spec in specs:
        facility = session.scalar(sa.select(Facility).where(Facility.slug == spec.slug))
        if facility is None:
            facility = Facility(
                slug=spec.slug,
                name=spec.name,
                kind=spec.kind,
                target_group=spec.target_group,
                address=spec.address,
                operator_name=spec.operator_name,
                operator_type=spec.operator_type,
                welfare_association=spec.welfare_association,
                opened_on=spec.opened_on,
                created_at=ctx.now(),
            )
            session.add(facility)
            session.flush()
            result.facilities += 1
            result.created_slugs.append(spec.slug)
            record(ctx, "facility.create", "facility", facility.id, facility_id=facility.id)
        # Bulk inserts: the housing programme alone has 600 apartments and 2,000 places.
        unit_ids = {
            label: unit_id
            for label, unit_id in session.execute(
                sa.select(Unit.label, Unit.id).where(Unit.facility_id == facility.id)
            )
        }
        place_labels = set(
            session.scalars(sa.select(Place.label).where(Place.facility_id == facility.id))
        )
        layout = _layout(spec)
        new_units = [
            {"facility_id": facility.id, "label": label, "kind": kind, "position": position}
            for position, (label, kind, _) in enumerate(layout)
            if label not in unit_ids
        ]
        if new_units:
            created = session.execute(
                sa.insert(Unit).returning(Unit.label, Unit.id, sort_by_parameter_order=True),
                new_units,
            )
            unit_ids.update({label: unit_id for label, unit_id in created})
            result.units += len(new_units)
        new_places = []
        position = 0
        for unit_label, _, places in layout:
            for label, emergency in places:
                position += 1
                if label not in place_labels:
                    new_places.append(
                        {
                            "facility_id": facility.id,
                            "unit_id": unit_ids[unit_label],
                            "label": label,
                            "emergency": emergency,
                            "position": position,
                        }
                    )
        if new_places:
            session.execute(sa.insert(Place), new_places)
            result.places += len(new_places)
    session.flush()
    return result
