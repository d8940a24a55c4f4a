"""Recipients, capacity rules, the SMS outbox with its delivery events, crews' inbound
queries, and the weather checks behind the winter emergency."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from belegung.auth.models import User
from belegung.db import Base, enum_type, intpk, utcnow
from belegung.facilities.models import Facility, TargetGroup

# Longest E.164 number: "+" and 15 digits.
PHONE_MAX = 16
RECIPIENT_NAME_MAX = 120
CAUSE_MAX = 120
# An SMS of ten segments; ours are one or two.
BODY_MAX = 1600


class RecipientRole(StrEnum):
    """Who gets which alerts: managers capacity alerts, the evening summary and the
    winter emergency; crews the winter emergency (and they ask by SMS); admins the
    notices about the service itself (a weather source down)."""

    MANAGER = "manager"
    CREW = "crew"
    ADMIN = "admin"


recipient_facilities = sa.Table(
    "recipient_facilities",
    Base.metadata,
    sa.Column("recipient_id", sa.ForeignKey("recipients.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("facility_id", sa.ForeignKey("facilities.id", ondelete="CASCADE"), primary_key=True),
)


class Recipient(Base):
    """A phone that receives alerts, and (with `sms_queries`) may ask for free beds and
    hold one by SMS, acting as `user` (a crew's device user: its hold limit applies)."""

    __tablename__ = "recipients"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(RECIPIENT_NAME_MAX))
    phone: Mapped[str] = mapped_column(sa.String(PHONE_MAX), unique=True)
    role: Mapped[RecipientRole] = mapped_column(enum_type(RecipientRole, "role"))
    sms_queries: Mapped[bool] = mapped_column(default=False)
    # Texted STOP (Twilio then refuses to send: error 21610); nothing more goes out.
    opted_out: Mapped[bool] = mapped_column(default=False)
    opted_out_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Empty: every facility.
    facilities: Mapped[list[Facility]] = relationship(
        secondary=recipient_facilities, order_by="Facility.id"
    )
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Recipient {self.id} {self.role}>"


class RuleMetric(StrEnum):
    # Guests checked in, in per cent of the regular places in service: at or over.
    OCCUPANCY = "occupancy"
    # Places a guest could be given now (emergency ones where offered): at or under.
    FREE = "free"


class RuleState(StrEnum):
    ARMED = "armed"
    FIRED = "fired"


class AlertRule(Base):
    """A capacity rule for one facility or one target group's night shelters.

    It fires once when its figure crosses the threshold and re-arms only when the
    figure has fallen back past the threshold by `margin` (percentage points or places).
    The state changes by a conditional UPDATE (see alerts.capacity), so that two
    transactions crossing the threshold at once give one alert; `fired_count` numbers
    the firings, and with it the alert's cause key.
    """

    __tablename__ = "alert_rules"
    __table_args__ = (
        sa.CheckConstraint(
            "(facility_id IS NULL) <> (target_group IS NULL)", name="facility_or_target_group"
        ),
        sa.CheckConstraint("threshold >= 0 AND margin >= 0", name="threshold_margin_positive"),
    )

    id: Mapped[intpk]
    facility_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("facilities.id", ondelete="CASCADE"), index=True
    )
    target_group: Mapped[TargetGroup | None] = mapped_column(enum_type(TargetGroup, "target_group"))
    metric: Mapped[RuleMetric] = mapped_column(enum_type(RuleMetric, "metric"))
    threshold: Mapped[int]
    margin: Mapped[int]
    enabled: Mapped[bool] = mapped_column(default=True)
    state: Mapped[RuleState] = mapped_column(enum_type(RuleState, "state"), default=RuleState.ARMED)
    fired_count: Mapped[int] = mapped_column(default=0)
    fired_at: Mapped[datetime | None]
    rearmed_at: Mapped[datetime | None]
    # The figure as last evaluated (per cent or places) and when.
    last_value: Mapped[float | None]
    evaluated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    facility: Mapped[Facility | None] = relationship()

    def __repr__(self) -> str:
        scope = self.facility_id if self.facility_id is not None else self.target_group
        return f"<AlertRule {self.id} {scope} {self.metric} {self.threshold} {self.state}>"


class OutboxStatus(StrEnum):
    # Waiting for the dispatcher (again, after a transient error: at next_attempt_at).
    QUEUED = "queued"
    # Claimed by a dispatcher that is handing it to the provider.
    SENDING = "sending"
    # The provider took it (Twilio: queued, sending, sent), or the log backend wrote it.
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    # Not sent: the recipient opted out or was removed before it left.
    CANCELLED = "cancelled"


# A message in one of these never changes its status again.
FINAL = (
    OutboxStatus.DELIVERED,
    OutboxStatus.UNDELIVERED,
    OutboxStatus.FAILED,
    OutboxStatus.CANCELLED,
)


class OutboxMessage(Base):
    """One SMS, written in the same transaction as its cause, sent after the commit by
    the dispatcher. At most one per phone and cause: the unique constraint is what keeps
    a second path (a retry, a second job run) from sending it twice."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.UniqueConstraint("phone", "cause"),
        sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        sa.Index("ix_outbox_created_at", "created_at"),
    )

    id: Mapped[intpk]
    recipient_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("recipients.id", ondelete="SET NULL"), index=True
    )
    phone: Mapped[str] = mapped_column(sa.String(PHONE_MAX))
    body: Mapped[str] = mapped_column(sa.String(BODY_MAX))
    # What the message is about, e.g. `rule:3:2` (rule 3's second firing), `winter:5:start`,
    # `summary:2026-01-15`, `weather-outage:17`, `test:…`.
    cause: Mapped[str] = mapped_column(sa.String(CAUSE_MAX))
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus, "status"), default=OutboxStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # While `sending`: until when the dispatcher that claimed it may still be at work.
    claimed_until: Mapped[datetime | None]
    # The last attempt may have reached the provider (a read timeout, a dropped
    # connection, a dispatcher killed mid-send): ask the provider before sending again.
    in_doubt: Mapped[bool] = mapped_column(default=False)
    provider_sid: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    provider_status: Mapped[str | None] = mapped_column(sa.String(20))
    error_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    final_at: Mapped[datetime | None]

    recipient: Mapped[Recipient | None] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.cause} {self.status}>"


class SmsEvent(Base):
    """A delivery status callback as it arrived, once per message and status (Twilio
    repeats and reorders them)."""

    __tablename__ = "sms_events"
    __table_args__ = (sa.UniqueConstraint("message_sid", "status"),)

    id: Mapped[intpk]
    message_sid: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(20))
    error_code: Mapped[int | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    outbox_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox.id", ondelete="SET NULL"), index=True
    )


class InboundSms(Base):
    """A crew's SMS query, once per provider message id: a webhook Twilio repeats gets
    the same answer and holds no second bed. Only the command is kept, not the text."""

    __tablename__ = "inbound_sms"

    id: Mapped[intpk]
    message_sid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    recipient_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("recipients.id", ondelete="SET NULL"), index=True
    )
    command: Mapped[str] = mapped_column(sa.String(20))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    reply: Mapped[str | None] = mapped_column(sa.String(BODY_MAX))


class WeatherCheck(Base):
    """One look at the forecast for a night: the figures, or why there were none. An
    outage is the run of failed checks since the last good one."""

    __tablename__ = "weather_checks"
    __table_args__ = (sa.Index("ix_weather_checks_checked_at", "checked_at"),)

    id: Mapped[intpk]
    checked_at: Mapped[datetime]
    night: Mapped[date]
    source: Mapped[str] = mapped_column(sa.String(60))
    ok: Mapped[bool]
    min_temperature: Mapped[float | None]
    min_wind_chill: Mapped[float | None]
    # The DWD's frost warning that counted, if any (its event, e.g. "STRENGER FROST").
    frost_warning: Mapped[str | None] = mapped_column(sa.String(60))
    # Whether the night counted as cold by the configured rule.
    cold: Mapped[bool | None]
    problem: Mapped[str | None] = mapped_column(sa.String(20))
    detail: Mapped[str | None] = mapped_column(sa.String(300))
