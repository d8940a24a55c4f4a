"""Jobs of the persons domain: anonymise persons past their retention."""

from __future__ import annotations

from flask import current_app

from belegung.config import settings_of
from belegung.jobs import job_context
from belegung.persons.operations import Anonymisation, anonymise_inactive


def anonymise_persons(*, dry_run: bool = False, label: str = "scheduler") -> Anonymisation:
    """Scheduler job (and `flask --app belegung persons anonymise`): anonymise every
    person without a stay, hold, house ban or turn-away for
    BELEGUNG_ANONYMISE_AFTER_MONTHS months, in one unit of work. Idempotent: a second run
    finds nobody new. A dry run only lists them."""
    months = settings_of(current_app).anonymise_after_months
    with job_context(label) as ctx:
        return anonymise_inactive(ctx, months=months, dry_run=dry_run)
