"""The persons domain's scheduler jobs."""

from __future__ import annotations

import logging

from flask import current_app

from belegung.config import settings_of

log = logging.getLogger(__name__)


def anonymise_old_persons() -> None:
    """Anonymise persons without a stay for BELEGUNG_ANONYMISE_AFTER_MONTHS (DESIGN.md).

    HOOK: the rule itself (what is kept for the statistics, what is erased, how the
    audit log records it) comes with the reports and data-protection issue (#12), with
    `flask --app belegung persons anonymise`. This job is already scheduled so that it
    runs once the rule exists; until then it only says so in the log.
    """
    months = settings_of(current_app).anonymise_after_months
    log.info("anonymising persons without a stay for %d months: not built yet (issue 12)", months)
