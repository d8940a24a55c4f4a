"""What callers ask of the alerts: rules, recipients and the outbox (managers and admins),
a test SMS (the CLI), and the answers to crews' SMS (the Twilio webhook)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from belegung import texts
from belegung.alerts import capacity, commands, messages, recipients
from belegung.alerts.commands import Command, Kind
from belegung.alerts.models import (
    AlertRule,
    InboundSms,
    OutboxMessage,
    OutboxStatus,
    Recipient,
    RecipientRole,
    RuleMetric,
)
from belegung.alerts.notices import shelter_beds
from belegung.alerts.outbox import queue
from belegung.alerts.phones import normalise_phone
from belegung.auth.models import User
from belegung.auth.permissions import Action, authorize
from belegung.auth.service import actor_for, get_user
from belegung.context import ServiceContext
from belegung.db import Page, paginate
from belegung.errors import DomainError, Forbidden, HoldLimitReached, InvalidInput, NoFreePlace
from belegung.facilities.models import Facility, FacilityKind, FacilityStatus, TargetGroup
from belegung.facilities.service import get_facility
from belegung.stays import operations as stays
from belegung.stays.operations import HoldRequest

# --- requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRequest:
    metric: RuleMetric
    threshold: int
    facility: str | None = None
    target_group: TargetGroup | None = None
    margin: int | None = None
    enabled: bool = True


@dataclass(frozen=True)
class RecipientRequest:
    name: str
    phone: str
    role: RecipientRole
    facilities: list[str] = field(default_factory=list)
    sms_queries: bool = False
    user: str | None = None


@dataclass(frozen=True)
class OutboxFilter:
    page: int = 1
    page_size: int = 50
    status: OutboxStatus | None = None
    cause: str | None = None
    recipient: int | None = None


# --- rules ------------------------------------------------------------------------------


def list_rules(ctx: ServiceContext, *, page: int, page_size: int) -> Page[AlertRule]:
    authorize(ctx.actor, Action.READ_ALERTS)
    return paginate(ctx.session, capacity.rules_query(), page, page_size)


def read_rule(ctx: ServiceContext, rule_id: int) -> AlertRule:
    authorize(ctx.actor, Action.READ_ALERTS)
    return capacity.get_rule(ctx.session, rule_id)


def create_rule(ctx: ServiceContext, request: RuleRequest) -> AlertRule:
    authorize(ctx.actor, Action.MANAGE_ALERTS)
    if (request.facility is None) == (request.target_group is None):
        raise InvalidInput(field="facility", reason="facility_or_target_group")
    facility = get_facility(ctx.session, request.facility) if request.facility else None
    return capacity.create_rule(
        ctx,
        metric=request.metric,
        threshold=request.threshold,
        facility=facility,
        target_group=request.target_group,
        margin=request.margin,
        enabled=request.enabled,
    )


def update_rule(ctx: ServiceContext, rule_id: int, fields: dict[str, Any]) -> AlertRule:
    authorize(ctx.actor, Action.MANAGE_ALERTS)
    return capacity.update_rule(ctx, capacity.get_rule(ctx.session, rule_id), **fields)


def delete_rule(ctx: ServiceContext, rule_id: int) -> None:
    authorize(ctx.actor, Action.MANAGE_ALERTS)
    capacity.delete_rule(ctx, capacity.get_rule(ctx.session, rule_id))


# --- recipients -------------------------------------------------------------------------


def _facilities(ctx: ServiceContext, slugs: Sequence[str]) -> list[Facility]:
    return [get_facility(ctx.session, slug) for slug in dict.fromkeys(slugs)]


def _user(ctx: ServiceContext, name: str | None) -> User | None:
    return get_user(ctx.session, name) if name else None


def list_recipients(ctx: ServiceContext, *, page: int, page_size: int) -> Page[Recipient]:
    authorize(ctx.actor, Action.READ_ALERTS)
    return paginate(ctx.session, recipients.recipients_query(), page, page_size)


def read_recipient(ctx: ServiceContext, recipient_id: int) -> Recipient:
    authorize(ctx.actor, Action.READ_ALERTS)
    return recipients.get_recipient(ctx.session, recipient_id)


def create_recipient(ctx: ServiceContext, request: RecipientRequest) -> Recipient:
    authorize(ctx.actor, Action.MANAGE_ALERTS)
    return recipients.create_recipient(
        ctx,
        name=request.name,
        phone=request.phone,
        role=request.role,
        facilities=_facilities(ctx, request.facilities),
        sms_queries=request.sms_queries,
        user=_user(ctx, request.user),
    )


def update_recipient(ctx: ServiceContext, recipient_id: int, fields: dict[str, Any]) -> Recipient:
    authorize(ctx.actor, Action.MANAGE_ALERTS)
    recipient = recipients.get_recipient(ctx.session, recipient_id)
    if "facilities" in fields:
        fields["facilities"] = _facilities(ctx, fields["facilities"])
    if "user" in fields:
        fields["user"] = _user(ctx, fields["user"])
    return recipients.update_recipient(ctx, recipient, **fields)


def delete_recipient(ctx: ServiceContext, recipient_id: int) -> None:
    authorize(ctx.actor, Action.MANAGE_ALERTS)
    recipients.delete_recipient(ctx, recipients.get_recipient(ctx.session, recipient_id))


# --- the outbox -------------------------------------------------------------------------


def list_outbox(ctx: ServiceContext, which: OutboxFilter) -> Page[OutboxMessage]:
    """The SMS outbox, newest first."""
    authorize(ctx.actor, Action.READ_ALERTS)
    stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if which.status is not None:
        stmt = stmt.where(OutboxMessage.status == which.status)
    if which.cause is not None:
        stmt = stmt.where(OutboxMessage.cause.startswith(which.cause, autoescape=True))
    if which.recipient is not None:
        stmt = stmt.where(OutboxMessage.recipient_id == which.recipient)
    return paginate(ctx.session, stmt, which.page, which.page_size)


def queue_test(ctx: ServiceContext, phone: str) -> OutboxMessage:
    """Queue one test SMS to `phone` (a recipient's or any mobile number)."""
    authorize(ctx.actor, Action.MANAGE_ALERTS)
    number = normalise_phone(phone, mobile_only=True)
    body = messages.test_message(ctx.now(), ctx.calendar.timezone)
    cause = f"test:{ctx.now().strftime('%Y%m%dT%H%M%S')}:{secrets.token_hex(4)}"
    queue(ctx, number, body, cause, recipient=recipients.recipient_by_phone(ctx.session, number))
    message = ctx.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.phone == number, OutboxMessage.cause == cause)
    )
    if message is None:  # pragma: no cover  (the cause is new)
        raise InvalidInput(field="phone", reason="taken")
    return message


# --- crews' SMS -------------------------------------------------------------------------


def answer_sms(ctx: ServiceContext, sender: str, body: str, message_sid: str) -> str | None:
    """The answer to an SMS from `sender`, or None for no answer (an unknown or opted-out
    number learns nothing; STOP and START are Twilio's to answer). A message the provider
    delivers twice is answered the same and holds no second bed."""
    earlier = ctx.session.scalar(sa.select(InboundSms).where(InboundSms.message_sid == message_sid))
    if earlier is not None:
        return earlier.reply
    command = commands.parse(body)
    try:
        phone = normalise_phone(sender)
    except InvalidInput:
        phone = None
    recipient = recipients.recipient_by_phone(ctx.session, phone) if phone else None
    reply = _answer(ctx, recipient, command)
    ctx.session.add(
        InboundSms(
            message_sid=message_sid[:64],
            recipient_id=recipient.id if recipient else None,
            command=command.kind.value,
            received_at=ctx.now(),
            reply=reply,
        )
    )
    ctx.session.flush()
    return reply


def _answer(ctx: ServiceContext, recipient: Recipient | None, command: Command) -> str | None:
    if recipient is None:
        return None
    if command.kind == Kind.STOP:
        recipients.mark_opted_out(ctx, recipient.phone, True)
        return None
    if command.kind == Kind.START:
        recipients.mark_opted_out(ctx, recipient.phone, False)
        return None
    if recipient.opted_out or not recipient.sms_queries:
        return None
    user = recipient.user
    if user is None or not user.active:
        return texts.SMS["hold_not_allowed"] if command.kind == Kind.HOLD else None
    as_crew = replace(ctx, actor=actor_for(user))
    if command.kind == Kind.FREE:
        return _free_beds(as_crew, command.group)
    if command.kind == Kind.HOLD:
        return _hold(as_crew, command)
    if command.kind == Kind.HELP:
        return texts.SMS["help"].format(minutes=ctx.hold_minutes_default)
    return texts.SMS["unknown"]


def _time(ctx: ServiceContext) -> str:
    return messages.clock_time(ctx.now(), ctx.calendar.timezone)


def _free_beds(ctx: ServiceContext, group: TargetGroup | None) -> str:
    figures = stays.read_availability(ctx, target_group=group, kind=FacilityKind.NIGHT_SHELTER)
    beds = shelter_beds(figures)
    time = _time(ctx)
    if group is None:
        if not any(b.any for b in beds):
            return texts.SMS["free_none_all"].format(time=time)
        return texts.SMS["free_all"].format(time=time, list=messages.free_list(beds))
    name = messages.group_name(group.value)
    if not any(b.any for b in beds):
        return texts.SMS["free_none"].format(group=name, time=time)
    return texts.SMS["free_group"].format(group=name, time=time, list=messages.free_list(beds))


def _shelters(ctx: ServiceContext) -> list[Facility]:
    return list(
        ctx.session.scalars(
            sa.select(Facility)
            .where(
                Facility.kind == FacilityKind.NIGHT_SHELTER,
                Facility.status != FacilityStatus.CLOSED,
            )
            .order_by(Facility.id)
        )
    )


def _facility_keys(facility: Facility) -> set[str]:
    keys = {commands.fold(facility.slug).replace("-", "")}
    keys.update(commands.fold(part) for part in facility.slug.split("-"))
    for word in commands.fold(facility.name).replace(".", " ").split():
        keys.add(word)
        keys.add(word.replace("strasse", "str"))
    return {k for k in keys if len(k) >= 4}


def match_facility(shelters: Sequence[Facility], target: str) -> Facility | None:
    """The one shelter a crew's word names: a start of its name, slug or a word of its
    name ("union", "Nortkirchenstr."), or one of these with a slip of the thumb."""
    word = commands.fold(target).strip(".,;:!?").replace("-", "")
    if len(word) < 3:
        return None
    found = {
        f.id: f
        for f in shelters
        if any(
            k.startswith(word) or (len(word) >= 4 and word.startswith(k)) for k in _facility_keys(f)
        )
    }
    if not found and len(word) >= 4:
        # A slip of the thumb: the word against the same length of each name.
        choices = {k[: len(word)]: f.id for f in shelters for k in _facility_keys(f)}
        close = commands.closest(word, choices)  # type: ignore[arg-type]
        found = {f.id: f for f in shelters if f.id == close}
    return next(iter(found.values())) if len(found) == 1 else None


def _hold_candidates(ctx: ServiceContext, command: Command) -> tuple[list[Facility], str] | None:
    """The shelters to try, most free first for a group, and how to name the target."""
    shelters = _shelters(ctx)
    if command.group is not None:
        figures = stays.read_availability(
            ctx, target_group=command.group, kind=FacilityKind.NIGHT_SHELTER
        )
        free = {row.slug: row.free + row.free_emergency for row in figures.facilities}
        candidates = [f for f in shelters if f.slug in free]
        candidates.sort(key=lambda f: -free[f.slug])
        return candidates, messages.group_name(command.group.value)
    facility = match_facility(shelters, command.target or "")
    if facility is None:
        return None
    return [facility], messages.facility_short_name(facility.slug, facility.name)


def _hold(ctx: ServiceContext, command: Command) -> str:
    example = texts.SMS["hold_example"]
    if not command.target:
        return texts.SMS["hold_missing_target"].format(example=example)
    found = _hold_candidates(ctx, command)
    if found is None:
        return texts.SMS["hold_unknown_target"].format(
            target=messages.shorten(command.target, 20), example=example
        )
    candidates, target = found
    for facility in candidates:
        try:
            with ctx.session.begin_nested():
                view = stays.create_hold(
                    ctx, HoldRequest(facility=facility.slug, note=command.note)
                )
        except NoFreePlace:
            continue
        except HoldLimitReached:
            return texts.SMS["hold_limit"].format(limit=ctx.holds_per_user)
        except Forbidden:
            return texts.SMS["hold_not_allowed"]
        except DomainError as exc:
            message = messages.shorten(messages.gsm7(exc.message), 120)
            return texts.SMS["hold_refused"].format(message=message)
        hold = view.hold
        expires = hold.hold_expires_at or ctx.now()
        return texts.SMS["held"].format(
            facility=messages.facility_short_name(facility.slug, facility.name),
            place=hold.place.label,
            until=messages.clock_time(expires, ctx.calendar.timezone),
            hold=hold.id,
        )
    return texts.SMS["hold_no_place"].format(target=target)
