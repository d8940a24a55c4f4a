"""What callers ask of the reports: the monthly figures and the federal statistic, for
managers and admins. Pages, API routes and commands call these."""

from __future__ import annotations

from datetime import date

from belegung.audit.service import record
from belegung.auth.permissions import Action, authorize
from belegung.config import Settings
from belegung.context import ServiceContext
from belegung.facilities.service import get_facility
from belegung.reports.federal import (
    CODES_FILE,
    FederalStatistic,
    federal_statistic,
    load_codes,
    reference_night,
)
from belegung.reports.monthly import Month, MonthlyReport, monthly_figures


def monthly_report(
    ctx: ServiceContext, month: Month | None = None, *, facility: str | None = None
) -> MonthlyReport:
    """A month's figures (default: last month) per facility and in total, or one
    facility's (by slug)."""
    authorize(ctx.actor, Action.READ_REPORTS)
    month = month or Month.of(ctx.tonight()).previous()
    facility_ids = None if facility is None else [get_facility(ctx.session, facility).id]
    return monthly_figures(
        ctx.session, month, tonight=ctx.tonight(), now=ctx.now(), facility_ids=facility_ids
    )


def federal_report(
    ctx: ServiceContext, settings: Settings, night: date | None = None
) -> FederalStatistic:
    """The federal statistic for a reference night (default: the last 31 January that is
    over), with the municipality key, the gap rule and the table of codes of the
    settings. Audited: its records describe persons, though without names."""
    authorize(ctx.actor, Action.READ_REPORTS)
    night = night or reference_night(ctx.tonight())
    statistic = federal_statistic(
        ctx.session,
        night,
        municipality_key=settings.municipality_key,
        run_gap_nights=settings.run_gap_nights,
        codes=load_codes(settings.federal_codes_file or CODES_FILE),
    )
    record(
        ctx, "report.federal_statistic", "report", None, night=night.isoformat(),
        records=len(statistic.records),
    )  # fmt: skip
    return statistic
