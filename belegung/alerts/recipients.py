"""SMS recipients: managers, crews and admins with their phone numbers (E.164), the
facilities they answer for, whether they may ask by SMS, and whether they opted out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from belegung.alerts.models import (
    RECIPIENT_NAME_MAX,
    OutboxMessage,
    OutboxStatus,
    Recipient,
    RecipientRole,
)
from belegung.alerts.phones import normalise_phone
from belegung.audit.service import record
from belegung.auth.models import Role, User
from belegung.auth.service import create_user
from belegung.context import ServiceContext
from belegung.errors import InvalidInput, NotFound
from belegung.facilities.models import Facility


def recipients_query() -> sa.Select[tuple[Recipient]]:
    return (
        sa.select(Recipient)
        .options(selectinload(Recipient.facilities), selectinload(Recipient.user))
        .order_by(Recipient.role, Recipient.name, Recipient.id)
    )


def get_recipient(session: Session, recipient_id: int) -> Recipient:
    recipient = session.get(Recipient, recipient_id)
    if recipient is None:
        raise NotFound(what="recipient")
    return recipient


def recipient_by_phone(session: Session, phone: str) -> Recipient | None:
    return session.scalar(sa.select(Recipient).where(Recipient.phone == phone))


def _name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(field="name", reason="name_missing")
    if len(name) > RECIPIENT_NAME_MAX:
        raise InvalidInput(field="name", reason="at_most_chars", max=RECIPIENT_NAME_MAX)
    return name


def _phone(session: Session, raw: str, besides: int | None = None) -> str:
    phone = normalise_phone(raw, mobile_only=True)
    other = recipient_by_phone(session, phone)
    if other is not None and other.id != besides:
        raise InvalidInput(field="phone", reason="taken")
    return phone


def _device_user(ctx: ServiceContext, phone: str) -> User:
    """The user a crew phone holds beds as (its hold limit, its holds): an outreach device
    user named after the number, made on first need."""
    name = "sms-" + phone.lstrip("+")
    user = ctx.session.scalar(sa.select(User).where(User.name == name))
    if user is None:
        user = create_user(ctx, name, Role.OUTREACH)
    return user


def _apply(ctx: ServiceContext, recipient: Recipient, fields: dict[str, Any]) -> None:
    if "name" in fields:
        recipient.name = _name(fields["name"])
    if "phone" in fields:
        recipient.phone = _phone(ctx.session, fields["phone"], besides=recipient.id)
    if "role" in fields:
        recipient.role = RecipientRole(fields["role"])
    if "facilities" in fields:
        recipient.facilities = list(fields["facilities"])
    if "sms_queries" in fields:
        recipient.sms_queries = bool(fields["sms_queries"])
    if "opted_out" in fields and bool(fields["opted_out"]) != recipient.opted_out:
        recipient.opted_out = bool(fields["opted_out"])
        recipient.opted_out_at = ctx.now() if recipient.opted_out else None
    if "user" in fields:
        recipient.user = fields["user"]
    if recipient.sms_queries and recipient.user is None:
        recipient.user = _device_user(ctx, recipient.phone)


def create_recipient(
    ctx: ServiceContext,
    *,
    name: str,
    phone: str,
    role: RecipientRole,
    facilities: Sequence[Facility] = (),
    sms_queries: bool = False,
    user: User | None = None,
) -> Recipient:
    recipient = Recipient(
        name=_name(name),
        phone=_phone(ctx.session, phone),
        role=RecipientRole(role),
        facilities=list(facilities),
        sms_queries=sms_queries,
        opted_out=False,
        user=user,
        created_at=ctx.now(),
    )
    _apply(ctx, recipient, {})
    ctx.session.add(recipient)
    ctx.session.flush()
    record(ctx, "recipient.create", "recipient", recipient.id, role=recipient.role.value)
    return recipient


def update_recipient(ctx: ServiceContext, recipient: Recipient, **fields: Any) -> Recipient:
    """Change the given fields (a partial update)."""
    _apply(ctx, recipient, fields)
    ctx.session.flush()
    record(ctx, "recipient.update", "recipient", recipient.id, fields=sorted(fields))
    return recipient


def delete_recipient(ctx: ServiceContext, recipient: Recipient) -> None:
    """Remove a recipient; messages queued for them are not sent (see alerts.dispatch)."""
    record(ctx, "recipient.delete", "recipient", recipient.id)
    ctx.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.recipient_id == recipient.id,
            OutboxMessage.status == OutboxStatus.QUEUED,
        )
        .values(status=OutboxStatus.CANCELLED, final_at=ctx.now(), error="recipient removed"),
        execution_options={"synchronize_session": False},
    )
    ctx.session.delete(recipient)
    ctx.session.flush()


def mark_opted_out(ctx: ServiceContext, phone: str, opted_out: bool = True) -> Recipient | None:
    """The number texted STOP (or START), or the provider refused it as unsubscribed."""
    recipient = recipient_by_phone(ctx.session, phone)
    if recipient is not None and recipient.opted_out != opted_out:
        recipient.opted_out = opted_out
        recipient.opted_out_at = ctx.now() if opted_out else None
        ctx.session.flush()
        record(ctx, "recipient.opt_out" if opted_out else "recipient.opt_in", "recipient",
               recipient.id)  # fmt: skip
    return recipient
