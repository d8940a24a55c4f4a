"""What callers ask of the audit log: read it by filter (managers and admins), and which
entries concern a person (their own record, and the stays, bans and turn-aways about
them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from belegung.audit.models import AuditEntry
from belegung.auth.models import User
from belegung.auth.permissions import Action, authorize
from belegung.context import ServiceContext
from belegung.db import Page, paginate
from belegung.stays.models import HouseBan, Stay, TurnAway


@dataclass(frozen=True)
class AuditFilter:
    """Which entries: about a person, by a user (name), of an action (exact, or a prefix
        ending in "." such as "person."), from and to a day (local dates, both included), about
    one record (its type, and its id)."""

    page: int = 1
    page_size: int = 50
    person: int | None = None
    user: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None
    # One record: its type ("stay", "person", …) and, optionally, its id.
    object_type: str | None = None
    object_id: int | None = None


def about_person(person_id: int) -> sa.ColumnElement[bool]:
    """SQL: the entry concerns the person: their own record, or a stay (a converted hold
    included), house ban or turn-away of theirs."""

    def of(object_type: str, ids: sa.Select[tuple[int]]) -> sa.ColumnElement[bool]:
        return sa.and_(AuditEntry.object_type == object_type, AuditEntry.object_id.in_(ids))

    return sa.or_(
        sa.and_(AuditEntry.object_type == "person", AuditEntry.object_id == person_id),
        of("stay", sa.select(Stay.id).where(Stay.person_id == person_id)),
        of("hold", sa.select(Stay.id).where(Stay.person_id == person_id)),
        of("house_ban", sa.select(HouseBan.id).where(HouseBan.person_id == person_id)),
        of("turn_away", sa.select(TurnAway.id).where(TurnAway.person_id == person_id)),
    )


def _local_midnight(ctx: ServiceContext, day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=ctx.calendar.timezone)


def read_audit_log(ctx: ServiceContext, which: AuditFilter) -> Page[AuditEntry]:
    """Entries, newest first."""
    authorize(ctx.actor, Action.READ_AUDIT)
    stmt = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if which.person is not None:
        stmt = stmt.where(about_person(which.person))
    if which.user is not None:
        user_ids = sa.select(User.id).where(User.name == which.user)
        stmt = stmt.where(AuditEntry.actor_id.in_(user_ids))
    if which.action is not None:
        if which.action.endswith("."):
            escaped = which.action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = stmt.where(AuditEntry.action.like(escaped + "%", escape="\\"))
        else:
            stmt = stmt.where(AuditEntry.action == which.action)
    if which.object_type is not None:
        stmt = stmt.where(AuditEntry.object_type == which.object_type)
    if which.object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == which.object_id)
    if which.since is not None:
        stmt = stmt.where(AuditEntry.at >= _local_midnight(ctx, which.since))
    if which.until is not None:
        stmt = stmt.where(AuditEntry.at < _local_midnight(ctx, which.until + timedelta(days=1)))
    return paginate(ctx.session, stmt, which.page, which.page_size)
