"""Jobs of the auth domain: forget the idempotency keys of users' requests after their day."""

from __future__ import annotations

from belegung.idempotency import purge_expired
from belegung.jobs import job_context


def purge_idempotency_keys() -> int:
    """Scheduler job: delete idempotency keys past their expiry (24 h); returns how many."""
    with job_context() as ctx:
        return purge_expired(ctx.session, ctx.now())
