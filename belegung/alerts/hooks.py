"""The alerts' part of every commit: before a unit of work commits, the capacity rules its
claims moved are evaluated and the winter emergency's starts and ends are alerted, in
the same transaction (connected to transaction.committing in create_app).

The occupancy and winter domains only note what they changed (`uow.changed("claims",
facility_id)`, `"turn_aways"`, `"winter"`); they know nothing of alerts. An error here
never costs the check-in: the evaluation runs in a savepoint, is logged and left to the
scheduler's next evaluation.
"""

from __future__ import annotations

import logging
from typing import cast

from flask import has_app_context

from belegung.alerts import capacity
from belegung.alerts.notices import queue_winter_alerts
from belegung.jobs import context_for
from belegung.stays.claims import CLAIMS
from belegung.stays.turn_aways import TURN_AWAYS
from belegung.transaction import UnitOfWork, committing
from belegung.winter.service import WINTER

log = logging.getLogger(__name__)


def on_committing(uow: UnitOfWork) -> None:
    facility_ids = cast(frozenset[int], uow.changes(CLAIMS) | uow.changes(TURN_AWAYS))
    winter = cast(frozenset[tuple[int, str]], uow.changes(WINTER))
    if not (facility_ids or winter):
        return
    if not has_app_context():
        # Every entry point (request, command, job) runs in the app context; only bare
        # sessions in tests don't, and they have no settings to evaluate with.
        log.debug("no app context: capacity rules not evaluated for %s", sorted(facility_ids))
        return
    ctx = context_for(uow, "alerts")
    try:
        with uow.session.begin_nested():
            if winter:
                queue_winter_alerts(ctx, winter)
                # Standby shelters and emergency places come and go: every figure moved.
                rules = capacity.enabled_rules(uow.session)
            else:
                rules = capacity.affected_rules(uow.session, facility_ids)
            capacity.evaluate(ctx, rules)
    except Exception:
        log.exception("alerts not evaluated in this commit; the scheduler will")


def init_alerts() -> None:
    committing.connect(on_committing)
