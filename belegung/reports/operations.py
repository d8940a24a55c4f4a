"""What callers ask of the reports: the monthly figures and the federal statistic, for
managers and admins. Pages, API routes and commands call these."""

from __future__ import annotations

from datetime import date, timedelta

from belegung.audit.service import record
from belegung.auth.permissions import Action, authorize
from belegung.config import Settings
from belegung.context import ServiceContext
from belegung.facilities.models import FacilityKind
from belegung.facilities.service import get_facility
from belegung.housing.figures import housing_figures
from belegung.housing.models import Outcome
from belegung.reports.federal import (
    CODES_FILE,
    FederalStatistic,
    federal_statistic,
    load_codes,
    reference_night,
)
from belegung.reports.monthly import HousingMonth, Month, MonthlyReport, monthly_figures


def monthly_report(
    ctx: ServiceContext, month: Month | None = None, *, facility: str | None = None
) -> MonthlyReport:
    """A month's figures (default: last month) per facility and in total, or one
    facility's (by slug)."""
    authorize(ctx.actor, Action.READ_REPORTS)
    month = month or Month.of(ctx.tonight()).previous()
    facility_ids = None if facility is None else [get_facility(ctx.session, facility).id]
    report = monthly_figures(
        ctx.session, month, tonight=ctx.tonight(), now=ctx.now(), facility_ids=facility_ids
    )
    for row in report.facilities:
        if row.kind == FacilityKind.HOUSING_PROGRAMME:
            row.housing = _housing_month(ctx, row.slug, report)
    return report


def _housing_month(ctx: ServiceContext, slug: str, report: MonthlyReport) -> HousingMonth:
    """The programme's moves and outcomes in the report's month, counted by the housing
    domain's figures (those of /wohnungen/zahlen) read at the last night the report
    counts: the month's last, or tonight in the running month."""
    outcomes = {outcome.value: 0 for outcome in Outcome}
    if report.end_night <= report.first_night:  # a month still to come: no night yet
        return HousingMonth(moved_in=0, moved_out=0, outcomes=outcomes)
    figures = housing_figures(
        ctx.session,
        get_facility(ctx.session, slug),
        report.end_night - timedelta(days=1),
        months=1,
    )
    (moves,) = figures.moves
    for count in figures.outcomes:
        outcomes[count.outcome.value] += count.households
    return HousingMonth(moved_in=moves.moved_in, moved_out=moves.moved_out, outcomes=outcomes)


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
