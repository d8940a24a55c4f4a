"""Writing the audit log."""

from __future__ import annotations

from typing import Any

from belegung.audit.models import AuditEntry
from belegung.context import ServiceContext


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
    entry = AuditEntry(
        at=ctx.now(),
        actor_id=ctx.actor.user_id,
        actor_label=ctx.actor.label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        facility_id=facility_id,
        details=details,
    )
    ctx.session.add(entry)
    return entry
