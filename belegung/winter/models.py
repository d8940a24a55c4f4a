"""Winter emergency periods (Winternothilfe / Kältealarm)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from belegung.db import Base, enum_type, intpk


class WinterSource(StrEnum):
    MANUAL = "manual"
    FORECAST = "forecast"


class WinterEmergency(Base):
    """One period of winter emergency; the open one (ended_at NULL) is the current state."""

    __tablename__ = "winter_emergencies"
    __table_args__ = (
        # `is_open` is TRUE on the open period and NULL on closed ones; NULLs don't
        # collide in a unique constraint, so at most one period is open at a time.
        sa.UniqueConstraint("is_open"),
        sa.CheckConstraint("is_open IS NULL OR ended_at IS NULL", name="open_has_no_end"),
    )

    id: Mapped[intpk]
    is_open: Mapped[bool | None] = mapped_column(default=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    source: Mapped[WinterSource] = mapped_column(enum_type(WinterSource, "source"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    started_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    end_reason: Mapped[str | None] = mapped_column(sa.String(500))


class WinterAction(StrEnum):
    ON = "on"
    OFF = "off"
    # A manager hands the switch back to the forecast.
    RELEASE = "release"


class WinterSwitch(Base):
    """The history of the winter emergency: who or what switched it, when, why, and on
    which forecast figure.

    A manual switch (on or off, even one that changes nothing) takes the switch from the
    forecast until a manager releases it: the newest manual row decides whether the
    forecast may switch (see winter.service.manual_control).
    """

    __tablename__ = "winter_switches"
    __table_args__ = (sa.Index("ix_winter_switches_source_at", "source", "at"),)

    id: Mapped[intpk]
    at: Mapped[datetime]
    action: Mapped[WinterAction] = mapped_column(enum_type(WinterAction, "action"))
    source: Mapped[WinterSource] = mapped_column(enum_type(WinterSource, "source"))
    # Whether this switch changed the state (a repeated manual switch only takes control).
    changed: Mapped[bool]
    period_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("winter_emergencies.id", ondelete="SET NULL")
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(sa.String(80))
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    # The forecast behind a switch by the forecast: the night, the figure that counted
    # (°C: air temperature or wind chill), and its source.
    night: Mapped[date | None]
    forecast_value: Mapped[float | None]
    forecast_source: Mapped[str | None] = mapped_column(sa.String(60))
