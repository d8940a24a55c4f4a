"""The reports as files: the monthly figures as CSV and XLSX (XlsxWriter: a header row,
number formats, an overview sheet with the totals and a sheet per facility), the federal
statistic's records and its summary as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from belegung import texts
from belegung.reports.federal import COLUMNS, FederalStatistic
from belegung.reports.monthly import TURN_AWAY_REASONS, FacilityFigures, Figures, MonthlyReport

# The monthly figures' columns: (field, number format) in the order of the JSON; the
# turn-aways come apart, by reason and their total.
FIGURES: tuple[tuple[str, str], ...] = (
    ("capacity_nights", "#,##0"),
    ("occupied_nights", "#,##0"),
    ("occupancy_rate", "0.0%"),
    ("persons", "#,##0"),
    ("new_persons", "#,##0"),
    *((f"turn_aways_{reason}", "#,##0") for reason in (*TURN_AWAY_REASONS, "total")),
    ("holds", "#,##0"),
    ("no_shows", "#,##0"),
    ("average_run_nights", "0.0"),
    ("median_run_nights", "0.0"),
)


def figure_values(figures: Figures) -> list[Any]:
    """The figures in the order of FIGURES (None where there is none, e.g. no runs)."""
    values: list[Any] = []
    for name, _ in FIGURES:
        if name.startswith("turn_aways_"):
            values.append(figures.turn_aways[name.removeprefix("turn_aways_")])
        else:
            values.append(getattr(figures, name))
    return values


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def monthly_csv(report: MonthlyReport) -> str:
    """One row per facility and one for the totals (slug `total`); the header names the
    fields as the JSON does (turn-aways as turn_aways_<reason>). Comma-separated UTF-8,
    decimals with a point."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["month", "slug", "name", *(name for name, _ in FIGURES)])
    month = str(report.month)
    for row in report.facilities:
        writer.writerow([month, row.slug, row.name, *map(_cell, figure_values(row))])
    writer.writerow(
        [month, "total", texts.REPORTS["totals"], *map(_cell, figure_values(report.totals))]
    )
    return out.getvalue()


def sheet_name(slug: str, taken: set[str]) -> str:
    """A worksheet name from a slug: at most 31 characters, none of []:*?/\\, unique."""
    name = "".join("-" if c in "[]:*?/\\" else c for c in slug)[:31] or "Einrichtung"
    base, n = name, 2
    while name.lower() in taken:
        suffix = f"~{n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def monthly_xlsx(report: MonthlyReport) -> bytes:
    """The workbook: sheet `Gesamt` with a row per facility and the totals, then a sheet
    per facility (figure, value). Header rows are bold and frozen; counts, rates and
    averages carry their number formats."""
    labels = texts.REPORT_FIGURES
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties(
        {"title": texts.REPORTS["title"].format(month=str(report.month)), "author": "belegung"}
    )
    bold = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
    formats = {fmt: workbook.add_format({"num_format": fmt}) for _, fmt in FIGURES}
    total_formats = {
        fmt: workbook.add_format({"num_format": fmt, "bold": True, "top": 1}) for _, fmt in FIGURES
    }
    bold_text = workbook.add_format({"bold": True, "top": 1})

    overview = workbook.add_worksheet(texts.REPORTS["overview_sheet"])
    header = [texts.REPORTS["month"], texts.REPORTS["facility"], *(labels[n] for n, _ in FIGURES)]
    overview.write_row(0, 0, header, bold)
    overview.freeze_panes(1, 2)
    overview.set_column(0, 0, 9)
    overview.set_column(1, 1, 44)
    overview.set_column(2, len(header) - 1, 13)
    rows: Sequence[tuple[str, Figures, bool]] = [
        *((f.name, f, False) for f in report.facilities),
        (texts.REPORTS["totals"], report.totals, True),
    ]
    for r, (name, figures, is_total) in enumerate(rows, start=1):
        overview.write_string(r, 0, str(report.month), bold_text if is_total else None)
        overview.write_string(r, 1, name, bold_text if is_total else None)
        chosen = total_formats if is_total else formats
        for c, ((_, fmt), value) in enumerate(zip(FIGURES, figure_values(figures), strict=True)):
            if value is None:
                overview.write_blank(r, c + 2, None, chosen[fmt])
            else:
                overview.write_number(r, c + 2, value, chosen[fmt])

    taken = {texts.REPORTS["overview_sheet"].lower()}
    for facility in report.facilities:
        _facility_sheet(workbook, sheet_name(facility.slug, taken), facility, report, bold, formats)
    workbook.close()
    return buffer.getvalue()


def _facility_sheet(
    workbook: xlsxwriter.Workbook,
    name: str,
    facility: FacilityFigures,
    report: MonthlyReport,
    bold: Any,
    formats: dict[str, Any],
) -> None:
    labels = texts.REPORT_FIGURES
    sheet = workbook.add_worksheet(name)
    sheet.write_row(0, 0, [texts.REPORTS["figure"], texts.REPORTS["value"]], bold)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 14)
    sheet.write_string(1, 0, texts.REPORTS["facility"])
    sheet.write_string(1, 1, facility.name)
    sheet.write_string(2, 0, texts.REPORTS["month"])
    sheet.write_string(2, 1, str(report.month))
    for r, ((field, fmt), value) in enumerate(
        zip(FIGURES, figure_values(facility), strict=True), start=3
    ):
        sheet.write_string(r, 0, labels[field])
        if value is None:
            sheet.write_blank(r, 1, None, formats[fmt])
        else:
            sheet.write_number(r, 1, value, formats[fmt])
    r = 3 + len(FIGURES)
    for key, value in sorted((facility.housing or {}).items()):
        # The housing programme's own figures (reports.monthly.HOUSING_FIGURES).
        if isinstance(value, int | float):
            sheet.write_string(r, 0, labels.get(key, key))
            sheet.write_number(r, 1, value, formats["#,##0"])
            r += 1


def federal_csv(statistic: FederalStatistic) -> str:
    """One row per person accommodated on the reference night (docs/federal-statistic.md)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header for header, _ in COLUMNS])
    writer.writerows(record.row() for record in statistic.records)
    return out.getvalue()


def federal_summary_csv(statistic: FederalStatistic) -> str:
    """The summary: per characteristic, each code with its label and number of persons."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["merkmal", "code", "bezeichnung", "personen"])
    writer.writerow(["insgesamt", "", "", len(statistic.records)])
    for characteristic, rows in statistic.summary():
        for code, label, persons in rows:
            writer.writerow([characteristic, code, label, persons])
    return out.getvalue()
