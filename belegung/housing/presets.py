"""The Dortmund preset's apartments: the housing office's record of each of the `wvp`
facility's 600 apartment units, invented but plausible and reproducible (no person data).

`seed dortmund` creates the units and places (facilities.presets); this adds an apartment
record to each unit that has none, so running it twice changes nothing.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from belegung.context import ServiceContext
from belegung.facilities.models import Facility, Unit, UnitKind
from belegung.housing.models import Apartment, ApartmentStatus

SEED = 44135

# Dortmund's twelve Stadtbezirke, with a few streets and the postcode of each.
DISTRICTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Innenstadt-West": ("44137", ("Lindemannstraße", "Kreuzstraße", "Rheinische Straße")),
    "Innenstadt-Nord": ("44147", ("Mallinckrodtstraße", "Schützenstraße", "Bornstraße")),
    "Innenstadt-Ost": ("44141", ("Körnebachstraße", "Saarlandstraße", "Kaiserstraße")),
    "Eving": ("44339", ("Evinger Straße", "Deutsche Straße", "Bergstraße")),
    "Scharnhorst": ("44328", ("Gleiwitzstraße", "Buschei", "Droote")),
    "Brackel": ("44309", ("Brackeler Hellweg", "Flughafenstraße", "Oesterstraße")),
    "Aplerbeck": ("44287", ("Köln-Berliner-Straße", "Rodenbergstraße", "Schweizer Allee")),
    "Hörde": ("44263", ("Hermannstraße", "Faßstraße", "Alfred-Trappen-Straße")),
    "Hombruch": ("44225", ("Harkortstraße", "Luisenglück", "Am Hombruchsfeld")),
    "Lütgendortmund": ("44388", ("Limbecker Straße", "Werner Straße", "Bockenfelder Straße")),
    "Huckarde": ("44369", ("Parsevalstraße", "Rahmer Straße", "Altfriedstraße")),
    "Mengede": ("44359", ("Siegburgstraße", "Strünkedestraße", "Williburgstraße")),
}
LANDLORDS = (
    "DOGEWO21",
    "Vonovia SE",
    "Spar- und Bauverein eG",
    "LEG Wohnen NRW GmbH",
    "Gemeinnützige Wohnungsgenossenschaft Hörde",
    "Privat",
)
# Rooms by places, as apartments of that size usually have.
ROOMS = {1: "1", 2: "2", 3: "2.5", 4: "3", 5: "4", 6: "4.5"}


def seed_apartments(ctx: ServiceContext, facility: Facility) -> int:
    """Add an apartment record to each apartment unit of the facility that lacks one."""
    units = ctx.session.scalars(
        sa.select(Unit)
        .outerjoin(Apartment, Apartment.id == Unit.id)
        .where(
            Unit.facility_id == facility.id,
            Unit.kind == UnitKind.APARTMENT,
            Apartment.id.is_(None),
        )
        .order_by(Unit.position)
        .options(selectinload(Unit.places))
    ).all()
    rows = []
    for unit in units:
        # Per unit, so that a missing record comes out the same whenever it is added.
        rng = random.Random(f"{SEED}-{unit.label}")  # noqa: S311  (invented sample data)
        district = rng.choice(sorted(DISTRICTS))
        postcode, streets = DISTRICTS[district]
        places = len(unit.places)
        rooms = Decimal(ROOMS.get(places, str(places - 1)))
        floor = rng.choice((0, 0, 1, 1, 2, 2, 3, 4, 5))
        address = f"{rng.choice(streets)} {rng.randint(1, 140)}, {postcode} Dortmund"
        start = date(rng.randint(2018, 2025), rng.randint(1, 12), 1)
        end = None if rng.random() < 0.7 else date(rng.randint(2027, 2032), start.month, 1)
        rows.append(
            {
                "id": unit.id,
                "number": unit.label,
                "address": address,
                "district": district,
                "landlord": rng.choice(LANDLORDS),
                "floor": floor,
                "rooms": rooms,
                "area_m2": (rooms * Decimal(rng.randint(22, 30))).quantize(Decimal("0.01")),
                "step_free": (floor == 0 and rng.random() < 0.6) or rng.random() < 0.08,
                "shared": places >= 3 and rng.random() < 0.1,
                "lease_start": start,
                "lease_end": end,
                "status": ApartmentStatus.AVAILABLE,
                "created_at": ctx.now(),
            }
        )
        if not unit.address:
            unit.address = address
    if rows:
        ctx.session.execute(sa.insert(Apartment), rows)
        ctx.session.flush()
    return len(rows)
