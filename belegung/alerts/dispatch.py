"""The dispatcher: claims due messages from the outbox, hands each to the SMS backend,
and records what happened — with retries and exponential back-off on transient errors,
and a stop on permanent ones (21610: the recipient opted out).

Each message goes through three short transactions: claimed (status `sending`, on
PostgreSQL with FOR UPDATE SKIP LOCKED, so that two dispatchers never take the same
row), sent (no transaction open while the provider is asked), recorded. A dispatcher
that dies between the first and the last leaves its messages `sending` until their
claim runs out; the next dispatcher then asks the provider whether the message arrived
before it sends it again (`in_doubt`), and does the same after a timeout. So nothing is
lost, and nothing is sent twice as far as the provider can tell.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from belegung.alerts.models import FINAL, OutboxMessage, OutboxStatus, Recipient, SmsEvent
from belegung.alerts.sms import (
    OPTED_OUT,
    PermanentSmsError,
    SentMessage,
    SmsBackend,
    SmsError,
    TransientSmsError,
    mask_phone,
)
from belegung.nights import Clock
from belegung.transaction import unit_of_work

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_FIRST = timedelta(seconds=10)
BACKOFF_MAX = timedelta(minutes=30)
# Messages one dispatch run sends at most (the next run, seconds later, goes on).
BATCH = 100

# Twilio's message statuses, by how far along they are. A message never moves back
# from a final one, and within the others only forward.
PROVIDER_RANK = {
    "accepted": 1,
    "scheduled": 1,
    "queued": 2,
    "sending": 3,
    "sent": 4,
    "receiving": 4,
    "received": 4,
    "delivered": 5,
    "read": 5,
    "undelivered": 5,
    "failed": 5,
    "canceled": 5,
}
FINAL_STATUS = {
    "delivered": OutboxStatus.DELIVERED,
    "read": OutboxStatus.DELIVERED,
    "undelivered": OutboxStatus.UNDELIVERED,
    "failed": OutboxStatus.FAILED,
    "canceled": OutboxStatus.FAILED,
}


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 10 s, 20 s, 40 s, … at most 30 minutes."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def lease(timeout: float) -> timedelta:
    """How long a claimed message is left to its dispatcher: asking the provider and
    sending each take at most a connect and a read timeout."""
    return timedelta(seconds=4 * timeout + 2)


@dataclass(frozen=True)
class Claimed:
    id: int
    phone: str
    body: str
    in_doubt: bool
    since: datetime


@dataclass
class DispatchResult:
    sent: int = 0
    found: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    ids: list[int] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.found + self.retried + self.failed + self.cancelled


# --- claiming -------------------------------------------------------------------------


def claim(
    session: Session,
    now: datetime,
    hold_for: timedelta,
    limit: int = BATCH,
    result: DispatchResult | None = None,
    only: Sequence[int] | None = None,
) -> list[Claimed]:
    """Take up to `limit` due messages: queued ones whose next attempt is due, and ones
    left `sending` by a dispatcher whose claim ran out (those are in doubt). Messages to
    recipients who opted out are cancelled instead. Call inside a unit of work."""
    due = sa.or_(
        sa.and_(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now),
        sa.and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_until < now),
    )
    stmt = sa.select(OutboxMessage).where(due).order_by(OutboxMessage.id).limit(limit)
    if only is not None:
        stmt = stmt.where(OutboxMessage.id.in_(list(only)))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=OutboxMessage)
    claimed = []
    for message in session.scalars(stmt.execution_options(populate_existing=True)):
        recipient = session.get(Recipient, message.recipient_id) if message.recipient_id else None
        if recipient is not None and recipient.opted_out:
            message.status = OutboxStatus.CANCELLED
            message.final_at = now
            message.error = "recipient opted out"
            if result is not None:
                result.cancelled += 1
            continue
        in_doubt = message.in_doubt or message.status == OutboxStatus.SENDING
        message.status = OutboxStatus.SENDING
        message.attempts += 1
        message.claimed_until = now + hold_for
        message.in_doubt = in_doubt
        if message.first_attempt_at is None:
            message.first_attempt_at = now
        claimed.append(
            Claimed(message.id, message.phone, message.body, in_doubt, message.first_attempt_at)
        )
    session.flush()
    return claimed


# --- sending --------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    sent: SentMessage | None = None
    found: bool = False
    error: SmsError | None = None


def attempt(backend: SmsBackend, message: Claimed, status_callback: str | None) -> Outcome:
    """Hand one message to the backend (asking first whether it arrived already, if an
    earlier attempt may have reached the provider). No transaction is open meanwhile."""
    try:
        if message.in_doubt:
            found = backend.find(message.phone, message.body, message.since)
            if found is not None:
                return Outcome(sent=found, found=True)
        return Outcome(
            sent=backend.send(message.phone, message.body, status_callback=status_callback)
        )
    except SmsError as exc:
        return Outcome(error=exc)


# --- recording ------------------------------------------------------------------------


def record_outcome(
    session: Session, message_id: int, outcome: Outcome, now: datetime, result: DispatchResult
) -> None:
    """Write what happened to a claimed message. Call inside a unit of work."""
    message = session.get(OutboxMessage, message_id, with_for_update=True, populate_existing=True)
    if message is None:
        return
    result.ids.append(message_id)
    message.claimed_until = None
    if outcome.sent is not None:
        if message.status == OutboxStatus.SENDING:
            message.status = OutboxStatus.SENT
        message.provider_sid = outcome.sent.sid
        message.provider_status = outcome.sent.status
        message.sent_at = message.sent_at or now
        message.in_doubt = False
        message.error = None
        if outcome.found:
            result.found += 1
        else:
            result.sent += 1
        # Callbacks that arrived before we knew the message's sid.
        for event in session.scalars(
            sa.select(SmsEvent)
            .where(SmsEvent.message_sid == outcome.sent.sid)
            .order_by(SmsEvent.id)
        ):
            event.outbox_id = message.id
            apply_status(session, message, event.status, event.error_code, event.received_at)
        return
    error = outcome.error
    if error is None:
        return
    message.error_code = error.code
    message.error = str(error)[:200]
    if isinstance(error, TransientSmsError) and message.attempts < MAX_ATTEMPTS:
        message.status = OutboxStatus.QUEUED
        message.next_attempt_at = now + backoff(message.attempts)
        message.in_doubt = message.in_doubt or error.in_doubt
        result.retried += 1
        log.warning(
            "SMS %d to %s: attempt %d failed (%s); next at %s",
            message.id, mask_phone(message.phone), message.attempts, error,
            message.next_attempt_at.isoformat(timespec="seconds"),
        )  # fmt: skip
        return
    message.status = OutboxStatus.FAILED
    message.final_at = now
    result.failed += 1
    log.error(
        "SMS %d to %s failed for good after %d attempt(s): %s",
        message.id, mask_phone(message.phone), message.attempts, error,
    )  # fmt: skip
    if isinstance(error, PermanentSmsError) and error.code == OPTED_OUT:
        opt_out(session, message.phone, now)


def opt_out(session: Session, phone: str, now: datetime) -> None:
    """The provider refuses the number as unsubscribed (it texted STOP): send it nothing
    more, and cancel what waits for it."""
    recipient = session.scalar(sa.select(Recipient).where(Recipient.phone == phone))
    if recipient is not None and not recipient.opted_out:
        recipient.opted_out = True
        recipient.opted_out_at = now
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.phone == phone, OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.CANCELLED, final_at=now, error="recipient opted out"),
        execution_options={"synchronize_session": False},
    )


def apply_status(
    session: Session,
    message: OutboxMessage,
    status: str,
    error_code: int | None,
    at: datetime,
) -> None:
    """Apply a provider status to a message: forward only, never back from a final one;
    an error code once known is kept."""
    status = status.lower()
    if message.status in FINAL:
        if (
            message.error_code is None
            and error_code is not None
            and FINAL_STATUS.get(status) == message.status
        ):
            message.error_code = error_code
        return
    if PROVIDER_RANK.get(status, 0) >= PROVIDER_RANK.get(message.provider_status or "", 0):
        message.provider_status = status
    final = FINAL_STATUS.get(status)
    if final is not None:
        message.status = final
        message.final_at = at
        if error_code is not None:
            message.error_code = error_code
        if error_code == OPTED_OUT:
            opt_out(session, message.phone, at)


# --- the loop -------------------------------------------------------------------------


def dispatch(
    session: Session,
    backend: SmsBackend,
    clock: Clock,
    *,
    timeout: float,
    status_callback: str | None = None,
    limit: int = BATCH,
    only: Sequence[int] | None = None,
) -> DispatchResult:
    """Send what is due, up to `limit` messages. Runs its own short units of work on
    `session`.

    Messages are claimed one at a time: a dispatcher that dies leaves at most the one it
    was sending in doubt, not a whole batch.
    """
    result = DispatchResult()
    for _ in range(limit):
        cancelled = result.cancelled
        with unit_of_work(session):
            claimed = claim(session, clock(), lease(timeout), 1, result, only)
        if not claimed:
            if result.cancelled > cancelled:
                continue  # it was for someone who opted out; look for the next
            break
        (message,) = claimed
        outcome = attempt(backend, message, status_callback)
        with unit_of_work(session):
            record_outcome(session, message.id, outcome, clock(), result)
    return result


# --- status callbacks -------------------------------------------------------------------


def record_callback(
    session: Session, message_sid: str, status: str, error_code: int | None, now: datetime
) -> bool:
    """Keep a delivery status callback as an event (once per message and status) and
    apply it to its message, if we know the message yet (else `record_outcome` applies it
    when the sid arrives). Returns False for a repeated callback. Call inside a unit of
    work."""
    status = status.lower()[:20]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    message = session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.provider_sid == message_sid).with_for_update()
    )
    inserted = session.execute(
        insert(SmsEvent)
        .values(
            message_sid=message_sid,
            status=status,
            error_code=error_code,
            received_at=now,
            outbox_id=message.id if message is not None else None,
        )
        .on_conflict_do_nothing(index_elements=["message_sid", "status"])
        .returning(SmsEvent.id)
    ).scalar_one_or_none()
    if inserted is None:
        return False
    if message is not None:
        apply_status(session, message, status, error_code, now)
    session.flush()
    return True
