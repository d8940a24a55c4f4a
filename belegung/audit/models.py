"""The audit log: who created, changed, overrode or looked up what, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from belegung.db import Base, intpk, utcnow


class AuditEntry(Base):
    """One audited action. `details` holds ids and codes, never names or free text."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_object", "object_type", "object_id"),
        sa.Index("ix_audit_log_at", "at"),
    )

    id: Mapped[intpk]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Who acted when no user did: "cli", "scheduler", "seed".
    actor_label: Mapped[str] = mapped_column(sa.String(80))
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    facility_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("facilities.id", ondelete="SET NULL")
    )
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
