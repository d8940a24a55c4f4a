"""Winter emergency periods (Winternothilfe / Kältealarm)."""

from __future__ import annotations

from datetime import datetime
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
