"""JSON routes (and downloads) for the reports: managers and admins.

Each route parses its input, calls one function of reports.operations and serialises
the answer as JSON or as the file asked for.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from belegung.config import settings_of
from belegung.http.api import ApiBlueprint, responds
from belegung.http.context import service_ctx
from belegung.reports import exports, operations
from belegung.reports.federal import FederalStatistic
from belegung.reports.monthly import MonthlyReport
from belegung.reports.schemas import (
    CSV,
    XLSX,
    FederalQuerySchema,
    FederalSummarySchema,
    MonthlyQuerySchema,
    MonthlyReportSchema,
)

blp = ApiBlueprint("reports", __name__, url_prefix="/api/v1", description="Berichte")

FILE = {"schema": {"type": "string", "format": "binary"}}


def as_json(component: str) -> dict[str, Any]:
    """The JSON answer's content, spelled out: the downloads' content types documented
    beside it replace what flask-smorest would write."""
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}


def ok(content: dict[str, Any]) -> dict[str, Any]:
    return {"responses": {"200": {"description": "OK", "content": content}}}


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blp.get("/reports/monthly")
@blp.arguments(MonthlyQuerySchema, location="query")
@blp.response(200, MonthlyReportSchema)
@blp.doc(**ok({**as_json("MonthlyReport"), CSV: FILE, XLSX: FILE}))
@responds(blp, 403, 404, 422)
def monthly(args: dict[str, Any]) -> MonthlyReport | Response:
    """A month's figures (default: last month) per facility and in total; `format=csv`
    or `format=xlsx` for the downloads (the XLSX: an overview sheet with the totals, and
    a sheet per facility). Managers and admins."""
    report = operations.monthly_report(
        service_ctx(), args.get("month"), facility=args.get("facility")
    )
    name = f"monatszahlen-{report.month}"
    if args["format"] == "csv":
        return _download(exports.monthly_csv(report), CSV, f"{name}.csv")
    if args["format"] == "xlsx":
        return _download(exports.monthly_xlsx(report), XLSX, f"{name}.xlsx")
    return report


@blp.get("/reports/federal-statistic")
@blp.arguments(FederalQuerySchema, location="query")
@blp.response(200, FederalSummarySchema)
@blp.doc(**ok({**as_json("FederalSummary"), CSV: FILE}))
@responds(blp, 403, 422)
def federal(args: dict[str, Any]) -> FederalStatistic | Response:
    """The federal statistic of housed homeless persons (§ 4 WoBerichtsG) for a reference
    night (default: the last 31 January that is over): as CSV a row per person
    accommodated that night (columns and codes: docs/federal-statistic.md);
    `format=json` the summary per characteristic, `format=summary_csv` the same as CSV.
    Managers and admins; audited."""
    statistic = operations.federal_report(
        service_ctx(), settings_of(current_app), args.get("night")
    )
    name = f"wohnungslosenstatistik-{statistic.night.isoformat()}"
    if args["format"] == "csv":
        return _download(exports.federal_csv(statistic), CSV, f"{name}.csv")
    if args["format"] == "summary_csv":
        return _download(exports.federal_summary_csv(statistic), CSV, f"{name}-summen.csv")
    return statistic
