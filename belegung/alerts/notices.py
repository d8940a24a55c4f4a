"""The alerts that are not about a rule: the winter emergency's start and end (managers
and crews), the evening summary (managers), and a weather source's outage (admins).
Each is queued once per recipient under its cause key."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import sqlalchemy as sa

from belegung.alerts import messages
from belegung.alerts.models import RecipientRole
from belegung.alerts.outbox import queue_to, recipients_for
from belegung.context import ServiceContext
from belegung.facilities.models import FacilityKind
from belegung.stays.availability import Availability, availability
from belegung.stays.models import TurnAway
from belegung.winter.models import WinterEmergency
from belegung.winter.service import START

WINTER_ROLES = (RecipientRole.MANAGER, RecipientRole.CREW)


def queue_winter_alerts(ctx: ServiceContext, changes: Iterable[tuple[int, str]]) -> int:
    """Queue the SMS for winter emergency starts and ends noted in this unit of work."""
    queued = 0
    recipients = recipients_for(ctx.session, WINTER_ROLES)
    for period_id, what in sorted(changes):
        period = ctx.session.get(WinterEmergency, period_id)
        if period is None:
            continue
        if what == START:
            body = messages.winter_start(
                period.reason, messages.clock_time(period.started_at, ctx.calendar.timezone)
            )
        else:
            ended = period.ended_at or ctx.now()
            body = messages.winter_end(
                period.end_reason, messages.clock_time(ended, ctx.calendar.timezone)
            )
        queued += queue_to(ctx, recipients, body, f"winter:{period_id}:{what}")
    return queued


def shelter_beds(figures: Availability) -> Sequence[messages.FreeBeds]:
    """Free beds per night shelter, as an SMS lists them."""
    beds = []
    for row in figures.facilities:
        if row.kind != FacilityKind.NIGHT_SHELTER:
            continue
        offered = figures.winter_emergency or row.free == 0
        beds.append(
            messages.FreeBeds(
                name=messages.facility_short_name(row.slug, row.name),
                free=row.free,
                emergency=row.free_emergency if offered else 0,
            )
        )
    return beds


def queue_evening_summary(ctx: ServiceContext, night: date | None = None) -> int:
    """Tonight's free places per shelter to the managers, once per night."""
    night = night or ctx.tonight()
    now = ctx.now()
    figures = availability(ctx.session, night, now.astimezone(ctx.calendar.timezone))
    turn_aways = ctx.session.scalar(
        sa.select(sa.func.count()).select_from(TurnAway).where(TurnAway.night == night)
    )
    body = messages.summary(
        shelter_beds(figures),
        turn_aways=int(turn_aways or 0),
        time=messages.clock_time(now, ctx.calendar.timezone),
    )
    managers = recipients_for(ctx.session, [RecipientRole.MANAGER])
    return queue_to(ctx, managers, body, f"summary:{night.isoformat()}")


def queue_weather_outage(
    ctx: ServiceContext, outage_id: int, problem: str, *, winter_active: bool
) -> int:
    """Tell the admins that the weather source fails, once per outage (its first failed
    check names it)."""
    body = messages.weather_outage(problem, active=winter_active)
    admins = recipients_for(ctx.session, [RecipientRole.ADMIN])
    return queue_to(ctx, admins, body, f"weather-outage:{outage_id}")
