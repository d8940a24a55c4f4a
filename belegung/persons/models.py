"""Persons: only what the work needs (GDPR data minimisation), no health data."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from belegung.db import Base, enum_type, intpk, utcnow
from belegung.limits import BIRTH_YEAR_MAX, BIRTH_YEAR_MIN, NAME_KEY_MAX, NAME_MAX


class Gender(StrEnum):
    FEMALE = "f"
    MALE = "m"
    DIVERSE = "d"
    UNKNOWN = "unknown"


class Nationality(StrEnum):
    GERMAN = "german"
    EU = "eu"
    NON_EU = "non_eu"
    STATELESS = "stateless"
    # Ungeklärt: the nationality is in doubt (no papers, disputed); the federal statistic
    # keeps it apart from "keine Angabe" (unknown: not asked or not answered).
    UNCLEAR = "unclear"
    UNKNOWN = "unknown"


class HouseholdType(StrEnum):
    """Household types of the federal statistic of housed homeless people (WoBerichtsG),
    as DESIGN.md names them. `unknown`: not asked or not answered (never guessed)."""

    SINGLE = "single"
    COUPLE = "couple"
    COUPLE_WITH_CHILDREN = "couple_with_children"
    SINGLE_PARENT = "single_parent"
    OTHER_MULTI = "other_multi"
    UNKNOWN = "unknown"


class Person(Base):
    __tablename__ = "persons"
    __table_args__ = (
        sa.CheckConstraint(
            f"birth_year IS NULL OR (birth_year >= {BIRTH_YEAR_MIN} "
            f"AND birth_year <= {BIRTH_YEAR_MAX})",
            name="birth_year_plausible",
        ),
        sa.CheckConstraint("household_size >= 1", name="household_size_positive"),
        # ISO 3166-1 alpha-2, upper case (persons.countries checks the code itself).
        sa.CheckConstraint(
            "citizenship IS NULL OR length(citizenship) = 2", name="citizenship_alpha_2"
        ),
        sa.Index("ix_persons_name_key_birth_year", "name_key", "birth_year"),
    )

    id: Mapped[intpk]
    # The name as given, possibly an alias; NULL once the person is anonymised.
    name: Mapped[str | None] = mapped_column(sa.String(NAME_MAX))
    # Case- and accent-folded name for search (see persons.service.name_key).
    name_key: Mapped[str | None] = mapped_column(sa.String(NAME_KEY_MAX))
    birth_year: Mapped[int | None]
    gender: Mapped[Gender] = mapped_column(enum_type(Gender, "gender"), default=Gender.UNKNOWN)
    nationality: Mapped[Nationality] = mapped_column(
        enum_type(Nationality, "nationality"), default=Nationality.UNKNOWN
    )
    # The country of citizenship (ISO 3166-1 alpha-2), where known: the federal statistic
    # publishes nationality by country. When set, `nationality` is its group.
    citizenship: Mapped[str | None] = mapped_column(sa.String(2))
    household_type: Mapped[HouseholdType] = mapped_column(
        enum_type(HouseholdType, "household_type"), default=HouseholdType.SINGLE
    )
    household_size: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    anonymised_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<Person {self.id}>"
