"""Capacity rules: managing them, and evaluating them against tonight's figures.

A rule watches one facility, or the night shelters of one target group, with one of two
figures: the occupancy share (guests checked in per regular place in service, at or over
the threshold in per cent) or the free places (places a guest could be given now,
emergency places where offered; at or under the threshold). It fires once when crossed
and re-arms only after the figure fell back past the threshold by its margin.

Rules are evaluated in the transaction of every claim change (alerts.hooks, before the
commit) and by the scheduler every few minutes (which also catches what nobody's claim
moved: expiring holds, the new night at the day boundary). The state changes by a
conditional UPDATE (`… WHERE state = 'armed'`): of two transactions crossing the
threshold at once, only one fires; on PostgreSQL evaluations also take turns under an
advisory lock, so that the later one sees the earlier one's claims.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from belegung.alerts import messages
from belegung.alerts.models import AlertRule, RecipientRole, RuleMetric, RuleState
from belegung.alerts.outbox import queue_to, recipients_for
from belegung.audit.service import record
from belegung.context import ServiceContext
from belegung.errors import InvalidInput, NotFound
from belegung.facilities.models import Facility, FacilityKind, TargetGroup
from belegung.stays.availability import FacilityAvailability, availability

# Advisory-lock key under which capacity evaluations take turns ("bem": next to the
# claims' "bel", stays.claims).
EVALUATION_LOCK_CLASS = 0x62656D
EVALUATION_LOCK_KEY = 0

DEFAULT_MARGIN = {RuleMetric.OCCUPANCY: 5, RuleMetric.FREE: 2}
# Occupancy thresholds are per cent; a free-places threshold is a number of places.
THRESHOLD_MAX = {RuleMetric.OCCUPANCY: 200, RuleMetric.FREE: 10_000}


@dataclass(frozen=True)
class Figure:
    """Tonight's figures of a facility or target group."""

    capacity: int
    occupied: int
    held: int
    # Places a guest could be given now: free regular places, and free emergency places
    # where they are offered (winter emergency, or every regular place taken).
    free: int
    free_regular: int

    @property
    def percent(self) -> float:
        return self.occupied * 100 / self.capacity if self.capacity else 0.0

    @classmethod
    def of(cls, rows: Iterable[FacilityAvailability], winter_active: bool) -> Figure:
        capacity = occupied = held = free = free_regular = 0
        for row in rows:
            capacity += row.capacity
            occupied += row.occupied
            held += row.held
            free_regular += row.free
            offered = winter_active or row.free == 0
            free += row.free + (row.free_emergency if offered else 0)
        return cls(capacity, occupied, held, free, free_regular)


def value_of(rule: AlertRule, figure: Figure) -> float:
    return figure.percent if rule.metric == RuleMetric.OCCUPANCY else float(figure.free)


def crossed(rule: AlertRule, figure: Figure) -> bool:
    if rule.metric == RuleMetric.OCCUPANCY:
        # Whole numbers: 63 of 70 is exactly 90 %, whatever floating point thinks.
        return figure.capacity > 0 and figure.occupied * 100 >= rule.threshold * figure.capacity
    return figure.free <= rule.threshold


def fallen_back(rule: AlertRule, figure: Figure) -> bool:
    if rule.metric == RuleMetric.OCCUPANCY:
        if figure.capacity == 0:
            return figure.occupied == 0
        return figure.occupied * 100 < (rule.threshold - rule.margin) * figure.capacity
    return figure.free > rule.threshold + rule.margin


# --- managing rules ---------------------------------------------------------------------


def rules_query() -> sa.Select[tuple[AlertRule]]:
    return (
        sa.select(AlertRule)
        .options(selectinload(AlertRule.facility))
        .order_by(AlertRule.facility_id.is_(None), AlertRule.facility_id, AlertRule.target_group,
                  AlertRule.metric, AlertRule.threshold, AlertRule.id)
    )  # fmt: skip


def get_rule(session: Session, rule_id: int) -> AlertRule:
    rule = session.get(AlertRule, rule_id)
    if rule is None:
        raise NotFound(what="alert_rule")
    return rule


def _check(rule: AlertRule) -> None:
    if (rule.facility_id is None) == (rule.target_group is None):
        raise InvalidInput(field="facility", reason="facility_or_target_group")
    high = THRESHOLD_MAX[rule.metric]
    if not 0 <= rule.threshold <= high:
        raise InvalidInput(field="threshold", reason="between", low=0, high=high)
    if not 0 <= rule.margin <= high:
        raise InvalidInput(field="margin", reason="between", low=0, high=high)


def create_rule(
    ctx: ServiceContext,
    *,
    metric: RuleMetric,
    threshold: int,
    facility: Facility | None = None,
    target_group: TargetGroup | None = None,
    margin: int | None = None,
    enabled: bool = True,
) -> AlertRule:
    metric = RuleMetric(metric)
    rule = AlertRule(
        facility_id=facility.id if facility else None,
        facility=facility,
        target_group=TargetGroup(target_group) if target_group else None,
        metric=metric,
        threshold=threshold,
        margin=DEFAULT_MARGIN[metric] if margin is None else margin,
        enabled=enabled,
        state=RuleState.ARMED,
        fired_count=0,
        created_at=ctx.now(),
    )
    _check(rule)
    ctx.session.add(rule)
    ctx.session.flush()
    record(ctx, "alert_rule.create", "alert_rule", rule.id, facility_id=rule.facility_id)
    return rule


def update_rule(ctx: ServiceContext, rule: AlertRule, **fields: Any) -> AlertRule:
    """Change threshold, margin or whether the rule is enabled (its scope and figure stay:
    a rule about something else is a new rule). A changed rule starts armed again."""
    for name in ("threshold", "margin", "enabled"):
        if name in fields:
            setattr(rule, name, fields[name])
    _check(rule)
    if {"threshold", "margin", "enabled"} & set(fields):
        rule.state = RuleState.ARMED
    ctx.session.flush()
    record(ctx, "alert_rule.update", "alert_rule", rule.id, fields=sorted(fields))
    return rule


def delete_rule(ctx: ServiceContext, rule: AlertRule) -> None:
    record(ctx, "alert_rule.delete", "alert_rule", rule.id, facility_id=rule.facility_id)
    ctx.session.delete(rule)
    ctx.session.flush()


# --- evaluating -------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    fired: list[int]
    rearmed: list[int]


def _take_turns(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:cls, :key)"),
            {"cls": EVALUATION_LOCK_CLASS, "key": EVALUATION_LOCK_KEY},
        )


def affected_rules(session: Session, facility_ids: Iterable[int]) -> Sequence[AlertRule]:
    """Enabled rules whose figure the claims of these facilities move: their own, and
    their target groups'."""
    ids = list(facility_ids)
    if not ids:
        return []
    groups = sa.select(Facility.target_group).where(
        Facility.id.in_(ids), Facility.kind == FacilityKind.NIGHT_SHELTER
    )
    return session.scalars(
        sa.select(AlertRule)
        .where(
            AlertRule.enabled.is_(True),
            sa.or_(AlertRule.facility_id.in_(ids), AlertRule.target_group.in_(groups)),
        )
        .order_by(AlertRule.id)
        .execution_options(populate_existing=True)
    ).all()


def enabled_rules(session: Session) -> Sequence[AlertRule]:
    return session.scalars(
        sa.select(AlertRule)
        .where(AlertRule.enabled.is_(True))
        .order_by(AlertRule.id)
        .execution_options(populate_existing=True)
    ).all()


def evaluate(ctx: ServiceContext, rules: Sequence[AlertRule], *, note: bool = False) -> Evaluation:
    """Evaluate rules against tonight's figures as of now: fire the crossed armed ones
    (queuing an SMS to the managers concerned), re-arm the fired ones that fell back.

    `note` also writes each rule's figure (the scheduler's evaluation); in a check-in's
    transaction only the rules that change are written.
    """
    result = Evaluation([], [])
    if not rules:
        return result
    _take_turns(ctx.session)
    # Read again: the state as committed by whoever evaluated last (we waited for them).
    rules = ctx.session.scalars(
        sa.select(AlertRule)
        .where(AlertRule.id.in_([r.id for r in rules]))
        .order_by(AlertRule.id)
        .execution_options(populate_existing=True)
    ).all()
    now = ctx.now()
    figures = availability(ctx.session, ctx.tonight(), now.astimezone(ctx.calendar.timezone))
    by_slug = {row.slug: row for row in figures.facilities}
    ids = dict(ctx.session.execute(sa.select(Facility.id, Facility.slug)).tuples().all())
    for rule in rules:
        if rule.facility_id is not None:
            row = by_slug.get(ids.get(rule.facility_id, ""))
            rows = [row] if row is not None else []
        else:
            rows = [
                r
                for r in figures.facilities
                if r.kind == FacilityKind.NIGHT_SHELTER and r.target_group == rule.target_group
            ]
        if not rows:
            continue  # closed, or on standby outside a winter emergency: nothing to say
        figure = Figure.of(rows, figures.winter_emergency)
        value = value_of(rule, figure)
        if rule.state == RuleState.ARMED and crossed(rule, figure):
            count = _transition(ctx, rule, RuleState.ARMED, RuleState.FIRED, value)
            if count is not None:
                result.fired.append(rule.id)
                _alert(ctx, rule, figure, rows, count)
        elif rule.state == RuleState.FIRED and fallen_back(rule, figure):
            if _transition(ctx, rule, RuleState.FIRED, RuleState.ARMED, value) is not None:
                result.rearmed.append(rule.id)
        elif note:
            ctx.session.execute(
                sa.update(AlertRule)
                .where(AlertRule.id == rule.id)
                .values(last_value=value, evaluated_at=now),
                execution_options={"synchronize_session": False},
            )
    for rule in rules:
        ctx.session.expire(rule)
    return result


def _transition(
    ctx: ServiceContext, rule: AlertRule, old: RuleState, new: RuleState, value: float
) -> int | None:
    """Move a rule from `old` to `new` if it is still in `old`; returns its firing count
    if this transaction made the move, None if another one got there first."""
    now = ctx.now()
    values: dict[str, Any] = {"state": new, "last_value": value, "evaluated_at": now}
    if new == RuleState.FIRED:
        values.update(fired_count=AlertRule.fired_count + 1, fired_at=now)
    else:
        values.update(rearmed_at=now)
    count = ctx.session.execute(
        sa.update(AlertRule)
        .where(AlertRule.id == rule.id, AlertRule.state == old)
        .values(**values)
        .returning(AlertRule.fired_count),
        execution_options={"synchronize_session": False},
    ).scalar_one_or_none()
    return None if count is None else int(count)


def _alert(
    ctx: ServiceContext,
    rule: AlertRule,
    figure: Figure,
    rows: list[FacilityAvailability],
    count: int,
) -> None:
    if rule.target_group is None:
        scope = messages.shorten(messages.gsm7(rows[0].name), messages.SCOPE_MAX)
    else:
        scope = messages.group_scope(rule.target_group.value)
    facility_ids = list(
        ctx.session.scalars(sa.select(Facility.id).where(Facility.slug.in_([r.slug for r in rows])))
    )
    time = messages.clock_time(ctx.now(), ctx.calendar.timezone)
    if rule.metric == RuleMetric.OCCUPANCY:
        body = messages.capacity_occupancy(
            scope,
            percent=int(figure.percent),
            occupied=figure.occupied,
            capacity=figure.capacity,
            free=figure.free,
            time=time,
        )
    else:
        body = messages.capacity_free(
            scope, free=figure.free, occupied=figure.occupied, held=figure.held, time=time
        )
    managers = recipients_for(ctx.session, [RecipientRole.MANAGER], facility_ids)
    queue_to(ctx, managers, body, f"rule:{rule.id}:{count}")
