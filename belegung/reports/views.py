"""The report pages (managers and admins): a month's figures per facility and in total
with charts and downloads (CSV, XLSX), and the federal statistic for a reference night
with its summary per characteristic and downloads. Each view calls one operation of
reports.operations; the files are the API's (reports.exports)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request

from belegung import texts
from belegung.alerts.messages import facility_short_name
from belegung.config import settings_of
from belegung.context import Role
from belegung.http.context import service_ctx
from belegung.http.pages import NavItem, page, register_nav
from belegung.reports import exports, operations
from belegung.reports.federal import FederalStatistic
from belegung.reports.forms import MonthForm, NightForm
from belegung.reports.monthly import TURN_AWAY_REASONS, Month, MonthlyReport
from belegung.reports.schemas import CSV, XLSX

bp = Blueprint("report_pages", __name__, url_prefix="/berichte")
MANAGERS = (Role.MANAGER, Role.ADMIN)


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _month(form: MonthForm) -> Month | None:
    """The month asked for (None: the operation's default, last month); 422 if unreadable."""
    if not form.validate():
        return None
    return Month.parse(form.monat.data) if form.monat.data else None


def _report() -> tuple[MonthForm, MonthlyReport | None]:
    form = MonthForm(request.args)
    month = _month(form)
    if form.errors:
        return form, None
    report = operations.monthly_report(service_ctx(), month)
    if not form.monat.data:
        form.monat.data = str(report.month)
    return form, report


@bp.get("")
@page(*MANAGERS)
def monthly() -> tuple[str, int]:
    form, report = _report()
    if report is None:
        return render_template("reports/monthly.html", form=form, report=None), 422
    return (
        render_template(
            "reports/monthly.html",
            form=form,
            report=report,
            figures=exports.FIGURES,
            reasons=TURN_AWAY_REASONS,
            values=exports.figure_values,
            housing=exports.HOUSING,
            housing_values=exports.housing_values,
            housing_label=exports.housing_label,
            last_night=report.end_night - timedelta(days=1),
            short_name=short_name,
        ),
        200,
    )


@bp.get("/monatszahlen.<any(csv, xlsx):kind>")
@page(*MANAGERS)
def monthly_download(kind: str) -> Response:
    _form, report = _report()
    if report is None:
        abort(422)
    name = f"monatszahlen-{report.month}"
    if kind == "csv":
        return _download(exports.monthly_csv(report), CSV, f"{name}.csv")
    return _download(exports.monthly_xlsx(report), XLSX, f"{name}.xlsx")


def _statistic() -> tuple[NightForm, FederalStatistic | None]:
    form = NightForm(request.args)
    if not form.validate():
        return form, None
    statistic = operations.federal_report(service_ctx(), settings_of(current_app), form.nacht.data)
    form.nacht.data = statistic.night
    return form, statistic


@bp.get("/bundesstatistik")
@page(*MANAGERS)
def federal() -> tuple[str, int]:
    form, statistic = _statistic()
    return (
        render_template("reports/federal.html", form=form, statistic=statistic),
        200 if statistic is not None else 422,
    )


@bp.get("/bundesstatistik.csv", defaults={"kind": "records"})
@bp.get("/bundesstatistik-summen.csv", defaults={"kind": "summary"})
@page(*MANAGERS)
def federal_download(kind: str) -> Response:
    _form, statistic = _statistic()
    if statistic is None:
        abort(422)
    name = f"wohnungslosenstatistik-{statistic.night.isoformat()}"
    if kind == "records":
        return _download(exports.federal_csv(statistic), CSV, f"{name}.csv")
    return _download(exports.federal_summary_csv(statistic), CSV, f"{name}-summen.csv")


def short_name(slug: str, name: str) -> str:
    """A facility's name where space is short (chart labels, column heads)."""
    return texts.REPORT_SHORT_NAMES.get(slug) or facility_short_name(slug, name)


def number(value: float | None, digits: int = 0, percent: bool = False) -> str:
    """A figure as German readers write it: 1.234 and 87,5 (a share as per cent)."""
    if value is None:
        return "–"
    if percent:
        value *= 100
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def init_report_pages(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(number, "number")
    register_nav(
        app, NavItem("report_pages.monthly", texts.NAV["reports"], frozenset(MANAGERS), order=55)
    )
