"""The occupancy domain's scheduler jobs: housekeeping of holds and past stays."""

from __future__ import annotations

import logging

from belegung.jobs import job_context
from belegung.stays.claims import expire_stale_holds
from belegung.stays.service import end_past_shelter_stays

log = logging.getLogger(__name__)


def expire_holds() -> None:
    """Holds past their expiry become no-shows (they stopped counting when they ran out)."""
    with job_context() as ctx:
        expired = expire_stale_holds(ctx)
    if expired:
        log.info("%d hold(s) expired", expired)


def end_past_stays() -> None:
    """Shelter stays whose last night is over are checked out."""
    with job_context() as ctx:
        ended = end_past_shelter_stays(ctx)
    if ended:
        log.info("%d past shelter stay(s) checked out", ended)
