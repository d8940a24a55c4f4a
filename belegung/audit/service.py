"""Writing the audit log, reading it by filter, and deleting what is past its retention."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.audit.models import AuditEntry
from belegung.context import ServiceContext
from belegung.transaction import unit_of_work


def _values(
    ctx: ServiceContext,
    action: str,
    object_type: str,
    object_id: int | None,
    facility_id: int | None,
    details: dict[str, Any],
) -> dict[str, Any]:
    return {
        "at": ctx.now(),
        "actor_id": ctx.actor.user_id,
        "actor_label": ctx.actor.label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "facility_id": facility_id,
        "details": details,
    }


def record(
    ctx: ServiceContext,
    action: str,
    object_type: str,
    object_id: int | None = None,
    *,
    facility_id: int | None = None,
    **details: Any,
) -> AuditEntry:
    """Log an action. Pass ids and codes in `details`, never names or free text."""
    entry = AuditEntry(**_values(ctx, action, object_type, object_id, facility_id, details))
    ctx.session.add(entry)
    return entry


def record_apart(
    ctx: ServiceContext,
    action: str,
    object_type: str,
    object_id: int | None = None,
    *,
    facility_id: int | None = None,
    **details: Any,
) -> None:
    """Log an action in a transaction of its own, which the caller's rollback does not
    erase: a refused look-up of a person answers with an error, and an error rolls the
    caller's work back.

    The entry is written in a short unit of work on a session of its own once the
    caller's unit of work has ended (on SQLite the caller's transaction holds the only
    write lock until then), or at once when none is running.
    """
    values = _values(ctx, action, object_type, object_id, facility_id, details)
    # The caller's engine, or in tests the connection whose transaction they roll back.
    bind = ctx.session.get_bind()

    def write() -> None:
        with (
            Session(bind=bind, join_transaction_mode="create_savepoint") as apart,
            unit_of_work(apart),
        ):
            apart.add(AuditEntry(**values))

    if ctx.uow.active:
        ctx.uow.after_end(write)
    else:
        write()


def purge_before(session: Session, cutoff: datetime, *, dry_run: bool = False) -> int:
    """Delete the entries older than `cutoff` (or only count them); their number."""
    old = AuditEntry.at < cutoff
    if dry_run:
        return session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(old)) or 0
    result = session.execute(sa.delete(AuditEntry).where(old))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
