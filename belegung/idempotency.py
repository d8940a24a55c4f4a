"""Idempotency keys: the first outcome of a request, kept for a day, so that the same
request sent again (a double tap on a tablet, a POST retried after the Wi-Fi dropped, an
API client's retry with its `Idempotency-Key`) replays that outcome instead of doing the
work twice.

A key is unique per user. The row is written in the same transaction as the work, so
both commit or neither does; the unique constraint is the guarantee when two requests
with one key arrive at once: on PostgreSQL the second insert waits for the first
transaction and then fails, on SQLite transactions take turns (belegung.db). Either way
the second request then reads the first one's outcome and replays it. A key sent with a
different request (another fingerprint) is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from belegung.db import Base, intpk

# How long an outcome is replayed; older keys may be purged (purge_expired).
KEEP_FOR = timedelta(hours=24)
KEY_MAX = 100
BODY_MAX = 64 * 1024


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "key"),
        sa.Index("ix_idempotency_keys_expires_at", "expires_at"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(KEY_MAX))
    # SHA-256 of the request (method, path, fields): the same key with other content is
    # not the same request.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    # The outcome: NULL only while the first request runs (never committed so).
    status: Mapped[int | None]
    location: Mapped[str | None] = mapped_column(sa.String(500))
    body: Mapped[str | None] = mapped_column(sa.Text)
    content_type: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


@dataclass(frozen=True)
class Outcome:
    """What the first request answered: a status with a redirect's location, or a body."""

    status: int
    location: str | None = None
    body: str | None = None
    content_type: str | None = None


class KeyReused(Exception):
    """The key came before with a different request."""


class KeyInvalid(Exception):
    """Empty, or longer than KEY_MAX."""


def fingerprint(method: str, path: str, fields: Iterable[tuple[str, str]]) -> str:
    """The request as the key vouches for it: method, path and its fields (order of
    the fields does not matter, repeated fields do)."""
    canonical = json.dumps([method.upper(), path, sorted(fields)], ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _find(session: Session, user_id: int, key: str) -> IdempotencyKey | None:
    return session.scalar(
        sa.select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
        )
    )


def _outcome(row: IdempotencyKey, print_: str) -> Outcome | None:
    if row.fingerprint != print_:
        raise KeyReused()
    if row.status is None:
        return None
    return Outcome(row.status, row.location, row.body, row.content_type)


def begin(
    session: Session, user_id: int, key: str, print_: str, now: datetime
) -> Outcome | IdempotencyKey:
    """The stored outcome of this key (replay it), or the new key's row, written in the
    caller's transaction (do the work, then `finish` it).

    Raises KeyReused when the key came with another request, KeyInvalid for a key that is
    empty or too long.
    """
    if not key or len(key) > KEY_MAX:
        raise KeyInvalid()
    existing = _find(session, user_id, key)
    if existing is not None and existing.expires_at <= now:
        session.delete(existing)
        session.flush()
        existing = None
    if existing is not None:
        done = _outcome(existing, print_)
        if done is not None:
            return done
        return existing  # begun earlier in this same transaction
    row = IdempotencyKey(
        user_id=user_id,
        key=key,
        fingerprint=print_,
        created_at=now,
        expires_at=now + KEEP_FOR,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # The same key in a request that committed meanwhile: its outcome is ours.
        won = _find(session, user_id, key)
        if won is None:
            raise
        done = _outcome(won, print_)
        if done is None:  # pragma: no cover - an outcome is always stored before commit
            raise
        return done
    return row


def finish(session: Session, row: IdempotencyKey, outcome: Outcome) -> None:
    """Keep the outcome with the key, in the same transaction as the work."""
    row.status = outcome.status
    row.location = outcome.location
    body = outcome.body
    row.body = body if body is None or len(body) <= BODY_MAX else None
    row.content_type = outcome.content_type
    session.flush()


def purge_expired(session: Session, now: datetime) -> int:
    """Delete keys past their day (a housekeeping job's work)."""
    result = session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)
