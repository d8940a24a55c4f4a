"""Facilities, their units (rooms, apartments), places and out-of-service periods."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from belegung.db import Base, enum_type, intpk, utcnow


class FacilityKind(StrEnum):
    NIGHT_SHELTER = "night_shelter"
    HOUSING_PROGRAMME = "housing_programme"


class TargetGroup(StrEnum):
    MEN = "men"
    WOMEN = "women"
    YOUNG_ADULTS = "young_adults"
    DRUG_USERS = "drug_users"
    FAMILIES = "families"
    ANY = "any"


class FacilityStatus(StrEnum):
    ACTIVE = "active"
    # Has places but offers them only while a winter emergency is active.
    STANDBY = "standby"
    CLOSED = "closed"


class OperatorType(StrEnum):
    """Operator types as the federal statistic of housed homeless people asks for them."""

    MUNICIPALITY = "municipality"
    WELFARE_ASSOCIATION = "welfare_association"
    COMMERCIAL = "commercial"
    OTHER = "other"


class WelfareAssociation(StrEnum):
    """The umbrella associations of the Freie Wohlfahrtspflege."""

    AWO = "awo"
    CARITAS = "caritas"
    DIAKONIE = "diakonie"
    DRK = "drk"
    PARITAETISCHER = "paritaetischer"
    ZWST = "zwst"
    OTHER = "other"


class UnitKind(StrEnum):
    ROOM = "room"
    APARTMENT = "apartment"


class Facility(Base):
    __tablename__ = "facilities"
    __table_args__ = (
        sa.CheckConstraint(
            "(operator_type = 'welfare_association') = (welfare_association IS NOT NULL)",
            name="association_iff_welfare",
        ),
    )

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[FacilityKind] = mapped_column(enum_type(FacilityKind, "kind"))
    target_group: Mapped[TargetGroup] = mapped_column(enum_type(TargetGroup, "target_group"))
    status: Mapped[FacilityStatus] = mapped_column(
        enum_type(FacilityStatus, "status"), default=FacilityStatus.ACTIVE
    )
    address: Mapped[str | None] = mapped_column(sa.String(300))
    operator_name: Mapped[str | None] = mapped_column(sa.String(200))
    operator_type: Mapped[OperatorType] = mapped_column(
        enum_type(OperatorType, "operator_type"), default=OperatorType.MUNICIPALITY
    )
    welfare_association: Mapped[WelfareAssociation | None] = mapped_column(
        enum_type(WelfareAssociation, "welfare_association")
    )
    opened_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    units: Mapped[list[Unit]] = relationship(back_populates="facility", order_by="Unit.position")
    places: Mapped[list[Place]] = relationship(back_populates="facility", order_by="Place.position")

    def __repr__(self) -> str:
        return f"<Facility {self.slug}>"


class Unit(Base):
    """A room of a shelter or an apartment of the housing programme."""

    __tablename__ = "units"
    __table_args__ = (sa.UniqueConstraint("facility_id", "label"),)

    id: Mapped[intpk]
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(sa.String(60))
    kind: Mapped[UnitKind] = mapped_column(enum_type(UnitKind, "kind"))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    position: Mapped[int] = mapped_column(default=0)

    facility: Mapped[Facility] = relationship(back_populates="units")
    places: Mapped[list[Place]] = relationship(back_populates="unit", order_by="Place.position")


class Place(Base):
    """A bed in a shelter or a place in an apartment."""

    __tablename__ = "places"
    __table_args__ = (
        sa.UniqueConstraint("facility_id", "label"),
        sa.Index("ix_places_facility_order", "facility_id", "emergency", "position"),
    )

    id: Mapped[intpk]
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("units.id", ondelete="SET NULL"), index=True
    )
    label: Mapped[str] = mapped_column(sa.String(40))
    # Notschlafplatz: offered only when every regular place is taken, or in a winter
    # emergency.
    emergency: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    facility: Mapped[Facility] = relationship(back_populates="places")
    unit: Mapped[Unit | None] = relationship(back_populates="places")

    def __repr__(self) -> str:
        return f"<Place {self.facility_id}/{self.label}>"


class OutOfService(Base):
    """A place taken out of service for the nights [first_night, end_night)."""

    __tablename__ = "out_of_service"
    __table_args__ = (
        sa.CheckConstraint("end_night IS NULL OR end_night > first_night", name="nights_ordered"),
        # As for stays (see overlap_arms): led by end_night, per night and per place.
        sa.Index("ix_out_of_service_end_night_first_night", "end_night", "first_night"),
        sa.Index("ix_out_of_service_place_id_end_night", "place_id", "end_night", "first_night"),
    )

    id: Mapped[intpk]
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("places.id", ondelete="CASCADE"))
    first_night: Mapped[date]
    # NULL: until further notice.
    end_night: Mapped[date | None]
    reason: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    place: Mapped[Place] = relationship()
