"""Stays (and holds, which are stays not yet begun), turn-aways, house bans."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeAlias, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from belegung.db import Base, enum_type, exists_overlapping, intpk, utcnow
from belegung.facilities.models import Facility, Place
from belegung.persons.models import Person

T = TypeVar("T")


class StayStatus(StrEnum):
    # A place held by an outreach crew or staff for someone on the way; it expires.
    HELD = "held"
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    # Entered in error or left before the night; frees the place.
    CANCELLED = "cancelled"
    # A hold that ran out unused: a no-show.
    EXPIRED = "expired"


# Statuses that claim their place for their nights. The exclusion constraint and every
# availability query use this same set.
CLAIMING = (StayStatus.HELD, StayStatus.CHECKED_IN, StayStatus.CHECKED_OUT)
# Statuses in which a person really slept (or sleeps) on the place.
OCCUPYING = (StayStatus.CHECKED_IN, StayStatus.CHECKED_OUT)


# A stay of more than this many nights is a long one (SQLite's availability reads those
# through a partial index of their own; see Stay's indexes).
LONG_STAY = 31
LONG_STAY_SQL = f"end_night > date(first_night, '+{LONG_STAY} days')"


def _in(statuses: tuple[StayStatus, ...]) -> str:
    return "status IN ({})".format(", ".join(f"'{s.value}'" for s in statuses))


class Stay(Base):
    """One person (or, while held, nobody yet) on one place for the nights [first, end).

    A hold is a stay in status `held`: one table means one exclusion constraint covers
    stays and live holds alike, so the database itself refuses a second claim on a
    place for a night. `end_night` is NULL for an open-ended stay (housing programme).
    """

    __tablename__ = "stays"
    __table_args__ = (
        sa.CheckConstraint("end_night IS NULL OR end_night > first_night", name="nights_ordered"),
        sa.CheckConstraint(
            f"person_id IS NOT NULL OR NOT ({_in(OCCUPYING)})", name="occupant_has_person"
        ),
        sa.CheckConstraint("status <> 'held' OR hold_expires_at IS NOT NULL", name="hold_expires"),
        ExcludeConstraint(
            (sa.column("place_id"), "="),
            (sa.func.daterange(sa.column("first_night"), sa.column("end_night"), "[)"), "&&"),
            name="ex_stays_place_nights",
            using="gist",
            where=sa.text(_in(CLAIMING)),
        ).ddl_if(dialect="postgresql"),
        ExcludeConstraint(
            (sa.column("person_id"), "="),
            (sa.func.daterange(sa.column("first_night"), sa.column("end_night"), "[)"), "&&"),
            name="ex_stays_person_nights",
            using="gist",
            where=sa.text(_in(OCCUPYING)),
        ).ddl_if(dialect="postgresql"),
        # Availability reads the stays that reach past a night: an index led by
        # end_night touches only current and future stays, however long history grows.
        # Per place and per person, (…, end_night) does the same (see overlap_arms).
        sa.Index("ix_stays_end_night_first_night", "end_night", "first_night"),
        sa.Index("ix_stays_place_id_end_night", "place_id", "end_night", "first_night"),
        sa.Index("ix_stays_person_id_end_night", "person_id", "end_night", "first_night"),
        sa.Index("ix_stays_facility_id_first_night", "facility_id", "first_night"),
        # Availability on SQLite (PostgreSQL reads through ix_stays_facility_nights): a
        # night's claims are the stays begun in the LONG_STAY nights up to it, the long
        # stays (a partial index holds only those) and the open-ended ones, each read
        # bounded at both ends, a past night too; filtered to some facilities, per
        # facility.
        sa.Index("ix_stays_first_night_end_night", "first_night", "end_night").ddl_if(
            dialect="sqlite"
        ),
        sa.Index(
            "ix_stays_long_end_night",
            "end_night",
            "first_night",
            sqlite_where=sa.text(LONG_STAY_SQL),
        ).ddl_if(dialect="sqlite"),
        sa.Index(
            "ix_stays_facility_id_end_night", "facility_id", "end_night", "first_night"
        ).ddl_if(dialect="sqlite"),
        # Availability on PostgreSQL, facility by facility: a GiST index on the facility
        # and the nights' range bounds the facility and both ends of the range, so any
        # night, past or tonight, of any chosen facilities reads only their stays
        # covering it (the index on end_night reads every stay since that night).
        sa.Index(
            "ix_stays_facility_nights",
            sa.column("facility_id"),
            sa.func.daterange(sa.column("first_night"), sa.column("end_night"), "[)"),
            postgresql_using="gist",
        ).ddl_if(dialect="postgresql"),
        # Claims and housekeeping find live holds past their expiry (per facility, or
        # all). Partial, so that it holds only the few live holds and never tempts a
        # planner for other queries on status.
        sa.Index(
            "ix_stays_live_hold_expiry",
            "facility_id",
            "hold_expires_at",
            sqlite_where=sa.text("status = 'held'"),
            postgresql_where=sa.text("status = 'held'"),
        ),
    )

    id: Mapped[intpk]
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"))
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("places.id"))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"))
    first_night: Mapped[date]
    end_night: Mapped[date | None]
    status: Mapped[StayStatus] = mapped_column(enum_type(StayStatus, "status"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    checked_in_at: Mapped[datetime | None]
    checked_out_at: Mapped[datetime | None]
    # Set when the stay began as a hold.
    held_at: Mapped[datetime | None]
    hold_expires_at: Mapped[datetime | None]
    hold_note: Mapped[str | None] = mapped_column(sa.String(300))

    facility: Mapped[Facility] = relationship()
    place: Mapped[Place] = relationship()
    person: Mapped[Person | None] = relationship()

    @property
    def nights(self) -> int | None:
        return None if self.end_night is None else (self.end_night - self.first_night).days

    @property
    def last_night(self) -> date | None:
        """The last night of the stay (the one before its end), None if open-ended."""
        return None if self.end_night is None else self.end_night - timedelta(days=1)

    def status_at(self, now: datetime) -> StayStatus:
        """The status as it reads at `now`: a hold past its expiry is expired, even before
        housekeeping marks it."""
        if (
            self.status == StayStatus.HELD
            and self.hold_expires_at is not None
            and self.hold_expires_at <= now
        ):
            return StayStatus.EXPIRED
        return self.status

    def __repr__(self) -> str:
        return f"<Stay {self.id} {self.status} place={self.place_id} {self.first_night}>"


RELEASED = tuple(s for s in StayStatus if s not in CLAIMING)

# "A live hold", spelled with the status inline rather than as a bound parameter: only
# then can SQLite (and PostgreSQL's generic plans) use the partial index
# ix_stays_live_hold_expiry, whose predicate this is.
IS_HELD = sa.literal_column("stays.status") == sa.literal_column(f"'{StayStatus.HELD.value}'")


def live_claim(now: datetime | sa.ColumnElement[datetime]) -> sa.ColumnElement[bool]:
    """SQL: the stay claims its place at `now` (a hold only until it expires, even before
    housekeeping marks it expired).

    Phrased as "not released" rather than "status IN CLAIMING" (the same rows, given the
    CHECK on status): PostgreSQL would otherwise answer that condition from the partial
    GiST index of ex_stays_place_nights, whose predicate it is, and read every claim in
    history whenever its statistics are thin (seen after a bulk load).
    """
    return sa.and_(
        Stay.status.not_in(RELEASED),
        sa.or_(Stay.status != StayStatus.HELD, Stay.hold_expires_at > now),
    )


class TurnAwayReason(StrEnum):
    FULL = "full"
    BANNED = "banned"
    WRONG_TARGET_GROUP = "wrong_target_group"
    OTHER = "other"


class TurnAway(Base):
    """Someone a shelter could not take: unmet demand."""

    __tablename__ = "turn_aways"
    __table_args__ = (sa.Index("ix_turn_aways_facility_id_night", "facility_id", "night"),)

    id: Mapped[intpk]
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"))
    night: Mapped[date]
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[TurnAwayReason] = mapped_column(enum_type(TurnAwayReason, "reason"))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    # Indexed: staff read a person known at their shelter, e.g. turned away there.
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    facility: Mapped[Facility] = relationship()
    person: Mapped[Person | None] = relationship()


class BanKind(StrEnum):
    # Suspended while a winter emergency is active.
    CONDUCT = "conduct"
    # Holds even in a winter emergency.
    DANGER = "danger"


class HouseBan(Base):
    """A house ban of a person at a facility for the nights [first_night, end_night)."""

    __tablename__ = "house_bans"
    __table_args__ = (
        sa.CheckConstraint("end_night IS NULL OR end_night > first_night", name="nights_ordered"),
        sa.Index("ix_house_bans_person_id_facility_id", "person_id", "facility_id"),
    )

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"))
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"))
    first_night: Mapped[date]
    end_night: Mapped[date | None]
    kind: Mapped[BanKind] = mapped_column(enum_type(BanKind, "kind"))
    reason: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    lifted_at: Mapped[datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    lift_reason: Mapped[str | None] = mapped_column(sa.String(500))

    person: Mapped[Person] = relationship()
    facility: Mapped[Facility] = relationship()


class BanOverride(Base):
    """A manager lets a banned person in anyway for the nights [first_night, end_night),
    with a reason. Granted ahead (the manager on the phone, staff at the door) or in the
    check-in itself; `stay_id` is the stay it let in, once there is one."""

    __tablename__ = "ban_overrides"
    __table_args__ = (sa.CheckConstraint("end_night > first_night", name="nights_ordered"),)

    id: Mapped[intpk]
    ban_id: Mapped[int] = mapped_column(sa.ForeignKey("house_bans.id"), index=True)
    first_night: Mapped[date]
    end_night: Mapped[date]
    stay_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stays.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(500))
    overridden_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ban: Mapped[HouseBan] = relationship()


class FiguresVersion(Base):
    """One row: the version of everything availability is made of (stays.figures_cache bumps
    it in every unit of work that changed claims, places, facilities or the winter
    emergency; a worker's cache of the figures holds while it is unchanged)."""

    __tablename__ = "figures_version"

    id: Mapped[intpk]
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


# A value in the SQL helpers below: a Python value, or a bound parameter of a statement
# built once and run many times (see stays.claims, "Statements built once").
Value: TypeAlias = T | sa.ColumnElement[T]


def person_elsewhere_clause(
    person_id: Value[int],
    first: Value[date],
    end: Value[date] | None,
    *,
    besides: Value[int] | None = None,
) -> sa.ColumnElement[bool]:
    """SQL for "the person sleeps somewhere (other than stay `besides`) on one of the
    nights [first, end)"."""
    return exists_overlapping(
        Stay.first_night,
        Stay.end_night,
        first,
        end,
        Stay.person_id == person_id,
        Stay.status.in_(OCCUPYING),
        Stay.id != besides if besides is not None else sa.true(),
    )
