"""The outbox: every SMS is a row first, written in the same transaction as its cause.

`queue` inserts at most one message per phone and cause (the unique constraint decides,
so two paths queuing the same alert — a check-in and the scheduler's evaluation, a job
run twice — give one SMS). The dispatcher (alerts.dispatch) sends them after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from belegung.alerts.models import (
    BODY_MAX,
    CAUSE_MAX,
    OutboxMessage,
    OutboxStatus,
    Recipient,
    RecipientRole,
    recipient_facilities,
)
from belegung.context import ServiceContext

# The topic under which a unit of work notes that it queued messages.
OUTBOX = "outbox"


def queue(
    ctx: ServiceContext, phone: str, body: str, cause: str, recipient: Recipient | None = None
) -> bool:
    """Queue one SMS unless this phone already has one for this cause; True if queued."""
    values = {
        "recipient_id": recipient.id if recipient is not None else None,
        "phone": phone,
        "body": body[:BODY_MAX],
        "cause": cause[:CAUSE_MAX],
        "status": OutboxStatus.QUEUED,
        "attempts": 0,
        "in_doubt": False,
        "created_at": ctx.now(),
        "next_attempt_at": ctx.now(),
    }
    dialect = ctx.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["phone", "cause"])
        .returning(OutboxMessage.id)
    )
    # RETURNING says whether the row went in (an ORM-run INSERT has no reliable rowcount).
    queued = ctx.session.execute(stmt).scalar_one_or_none() is not None
    if queued:
        ctx.uow.changed(OUTBOX, cause)
    return queued


def queue_to(ctx: ServiceContext, recipients: Iterable[Recipient], body: str, cause: str) -> int:
    """Queue the same SMS to each recipient (opted-out ones are skipped); how many queued."""
    return sum(queue(ctx, r.phone, body, cause, recipient=r) for r in recipients if not r.opted_out)


def recipients_for(
    session: Session,
    roles: Iterable[RecipientRole],
    facility_ids: Iterable[int] | None = None,
) -> Sequence[Recipient]:
    """Recipients of the given roles who have not opted out; with `facility_ids`, those
    responsible for one of them (a recipient without facilities is responsible for all)."""
    stmt = (
        sa.select(Recipient)
        .where(Recipient.role.in_(list(roles)), Recipient.opted_out.is_(False))
        .order_by(Recipient.id)
    )
    if facility_ids is not None:
        ids = list(facility_ids)
        linked = sa.select(recipient_facilities.c.recipient_id)
        stmt = stmt.where(
            sa.or_(
                Recipient.id.not_in(linked),
                Recipient.id.in_(linked.where(recipient_facilities.c.facility_id.in_(ids))),
            )
        )
    return session.scalars(stmt).all()
