"""Apartments of the housing programme, households and their placements.

An apartment is a unit of the `wvp` facility (its places are the unit's places); a
placement puts a household into an apartment from a date, each member on a place through
a stay (stays.claims: the exclusion constraint keeps a place from being given twice).
What is occupied is read from those stays, never stored here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from belegung.db import Base, enum_type, intpk, utcnow
from belegung.facilities.models import Unit
from belegung.limits import (
    APARTMENT_ADDRESS_MAX,
    APARTMENT_DISTRICT_MAX,
    APARTMENT_LANDLORD_MAX,
    APARTMENT_NUMBER_MAX,
    HOUSEHOLD_NOTE_MAX,
    REASON_MAX,
)
from belegung.persons.models import HouseholdType, Person
from belegung.stays.models import Stay


class ApartmentStatus(StrEnum):
    AVAILABLE = "available"
    # Not offered for a period (damage, renovation): `blocked_reason`, `blocked_from`,
    # `blocked_until` (NULL: until further notice).
    BLOCKED = "blocked"
    # Returned to the landlord: kept for the history, never offered again.
    HANDED_BACK = "handed_back"


class Outcome(StrEnum):
    """Where a household went when it moved out (own tenancy is the programme's goal)."""

    OWN_TENANCY = "own_tenancy"
    OTHER_HOUSING = "other_housing"
    SUPPORTED_HOUSING = "supported_housing"
    SHELTER = "shelter"
    INSTITUTION = "institution"
    DECEASED = "deceased"
    UNKNOWN = "unknown"


class ScaledDecimal(sa.types.TypeDecorator[Decimal]):
    """An exact decimal with a fixed number of places, stored as a scaled integer: SQLite
    has no decimal type (and SQLAlchemy warns on Decimal there), PostgreSQL doesn't mind."""

    impl = sa.Integer
    cache_ok = True

    def __init__(self, places: int) -> None:
        super().__init__()
        self.places = places

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int((Decimal(value) * (10**self.places)).to_integral_value())

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(value) / (10**self.places)).quantize(Decimal(1).scaleb(-self.places))


class Apartment(Base):
    """An apartment of the programme; its id is its unit's id, its places the unit's."""

    __tablename__ = "apartments"
    __table_args__ = (
        sa.CheckConstraint(
            "lease_end IS NULL OR lease_start IS NULL OR lease_end >= lease_start",
            name="lease_ordered",
        ),
        sa.CheckConstraint(
            "status <> 'blocked' OR (blocked_reason IS NOT NULL AND blocked_from IS NOT NULL)",
            name="blocked_has_reason",
        ),
        sa.CheckConstraint(
            "blocked_until IS NULL OR blocked_from IS NULL OR blocked_until > blocked_from",
            name="block_ordered",
        ),
        sa.Index("ix_apartments_district", "district"),
    )

    id: Mapped[int] = mapped_column(
        sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    # The housing office's apartment number.
    number: Mapped[str] = mapped_column(sa.String(APARTMENT_NUMBER_MAX), unique=True)
    address: Mapped[str] = mapped_column(sa.String(APARTMENT_ADDRESS_MAX))
    # Stadtbezirk.
    district: Mapped[str | None] = mapped_column(sa.String(APARTMENT_DISTRICT_MAX))
    landlord: Mapped[str | None] = mapped_column(sa.String(APARTMENT_LANDLORD_MAX))
    floor: Mapped[int | None]
    rooms: Mapped[Decimal | None] = mapped_column(ScaledDecimal(1))
    area_m2: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2))
    step_free: Mapped[bool] = mapped_column(default=False)
    # May house several single adults (each a household of one); otherwise one household.
    shared: Mapped[bool] = mapped_column(default=False)
    lease_start: Mapped[date | None]
    lease_end: Mapped[date | None]
    status: Mapped[ApartmentStatus] = mapped_column(
        enum_type(ApartmentStatus, "status"), default=ApartmentStatus.AVAILABLE
    )
    blocked_reason: Mapped[str | None] = mapped_column(sa.String(REASON_MAX))
    blocked_from: Mapped[date | None]
    blocked_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship()

    def blocked_on(self, day: date) -> bool:
        """Blocked (or handed back) on `day`: not to be offered then."""
        if self.status == ApartmentStatus.HANDED_BACK:
            return True
        if self.status != ApartmentStatus.BLOCKED or self.blocked_from is None:
            return False
        return self.blocked_from <= day and (self.blocked_until is None or day < self.blocked_until)

    def __repr__(self) -> str:
        return f"<Apartment {self.number}>"


class Household(Base):
    """People who live together and are housed together: type (the federal statistic's)
    and members; its size is the number of its present members."""

    __tablename__ = "households"

    id: Mapped[intpk]
    type: Mapped[HouseholdType] = mapped_column(enum_type(HouseholdType, "type"))
    # How to reach the household (a phone number, a caseworker): the officers' note.
    note: Mapped[str | None] = mapped_column(sa.String(HOUSEHOLD_NOTE_MAX))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    memberships: Mapped[list[HouseholdMember]] = relationship(
        back_populates="household", order_by="HouseholdMember.id"
    )

    @property
    def members(self) -> list[Person]:
        return [m.person for m in self.memberships if m.left_on is None]

    @property
    def size(self) -> int:
        return sum(1 for m in self.memberships if m.left_on is None)


class HouseholdMember(Base):
    """A person in a household from `joined_on` until `left_on` (NULL: still a member)."""

    __tablename__ = "household_members"
    __table_args__ = (
        # A person belongs to one household at a time.
        sa.Index(
            "ix_household_members_present_person",
            "person_id",
            unique=True,
            sqlite_where=sa.text("left_on IS NULL"),
            postgresql_where=sa.text("left_on IS NULL"),
        ),
    )

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(
        sa.ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"))
    joined_on: Mapped[date]
    left_on: Mapped[date | None]

    household: Mapped[Household] = relationship(back_populates="memberships")
    person: Mapped[Person] = relationship()


class Placement(Base):
    """A household in an apartment for the nights [first_night, end_night); end_night is
    the move-out date (NULL: living there). A move to another apartment ends this one
    without an outcome and begins the next (`previous_id`)."""

    __tablename__ = "placements"
    __table_args__ = (
        sa.CheckConstraint("end_night IS NULL OR end_night > first_night", name="nights_ordered"),
        sa.CheckConstraint("outcome IS NULL OR end_night IS NOT NULL", name="outcome_at_end"),
        # A household lives in one apartment at a time.
        sa.Index(
            "ix_placements_open_household",
            "household_id",
            unique=True,
            sqlite_where=sa.text("end_night IS NULL"),
            postgresql_where=sa.text("end_night IS NULL"),
        ),
        sa.Index("ix_placements_apartment_id_first_night", "apartment_id", "first_night"),
        sa.Index("ix_placements_end_night", "end_night"),
    )

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(sa.ForeignKey("households.id"))
    apartment_id: Mapped[int] = mapped_column(sa.ForeignKey("apartments.id"))
    first_night: Mapped[date]
    end_night: Mapped[date | None]
    outcome: Mapped[Outcome | None] = mapped_column(enum_type(Outcome, "outcome"))
    previous_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placements.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    moved_out_at: Mapped[datetime | None]

    household: Mapped[Household] = relationship()
    apartment: Mapped[Apartment] = relationship()
    stays: Mapped[list[Stay]] = relationship(
        secondary="placement_stays", order_by="Stay.id", viewonly=True
    )


class PlacementStay(Base):
    """Which stays (one per member and place) a placement consists of."""

    __tablename__ = "placement_stays"

    stay_id: Mapped[int] = mapped_column(
        sa.ForeignKey("stays.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    placement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("placements.id", ondelete="CASCADE"), index=True
    )
