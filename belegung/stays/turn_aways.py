"""Turn-aways: someone a shelter could not take tonight, and why (unmet demand)."""

from __future__ import annotations

from belegung.audit.service import record
from belegung.context import ServiceContext
from belegung.facilities.models import Facility
from belegung.limits import TURN_AWAY_NOTE_MAX
from belegung.persons.models import Person
from belegung.stays.models import TurnAway, TurnAwayReason

# The topic under which a unit of work collects the facilities that turned someone away.
TURN_AWAYS = "turn_aways"


def record_turn_away(
    ctx: ServiceContext,
    facility: Facility,
    reason: TurnAwayReason,
    *,
    note: str | None = None,
    person: Person | None = None,
) -> TurnAway:
    turn_away = TurnAway(
        facility_id=facility.id,
        night=ctx.tonight(),
        occurred_at=ctx.now(),
        reason=TurnAwayReason(reason),
        note=" ".join(note.split())[:TURN_AWAY_NOTE_MAX] if note else None,
        person_id=person.id if person else None,
        created_by_id=ctx.actor.user_id,
    )
    ctx.session.add(turn_away)
    ctx.session.flush()
    ctx.uow.changed(TURN_AWAYS, facility.id)
    record(
        ctx,
        "turn_away.create",
        "turn_away",
        turn_away.id,
        facility_id=facility.id,
        reason=turn_away.reason.value,
    )
    return turn_away
