"""Jobs of the audit log: delete entries past their retention (BELEGUNG_AUDIT_RETENTION_MONTHS)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from flask import current_app

from belegung.audit.service import purge_before
from belegung.config import settings_of
from belegung.jobs import job_context
from belegung.nights import months_before


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime
    entries: int
    dry_run: bool


def purge_audit_log(*, dry_run: bool = False, label: str = "scheduler") -> PurgeResult:
    """Scheduler job (and `flask --app belegung audit purge`): delete the audit entries
    older than the retention period (from local midnight that many months ago), in one
    unit of work; a dry run only counts them."""
    months = settings_of(current_app).audit_retention_months
    with job_context(label) as ctx:
        tz = ctx.calendar.timezone
        day = months_before(ctx.now().astimezone(tz).date(), months)
        cutoff = datetime.combine(day, time(0, 0), tzinfo=tz)
        entries = purge_before(ctx.session, cutoff, dry_run=dry_run)
    return PurgeResult(cutoff=cutoff, entries=entries, dry_run=dry_run)
