"""The reports as files: the monthly figures as CSV and XLSX (XlsxWriter: a header row,
number formats, an overview sheet with the totals, a sheet per facility and one of the
housing programme's moves and outcomes), the federal statistic's records and its summary
as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from belegung import texts
from belegung.housing.models import Outcome
from belegung.reports.federal import COLUMNS, FederalStatistic
from belegung.reports.monthly import (
    TURN_AWAY_REASONS,
    FacilityFigures,
    Figures,
    HousingMonth,
    MonthlyReport,
)

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


# The housing programme's own figures (FacilityFigures.housing): households moved in and
# out, and those moved out by outcome (outcome_<outcome>). All counts.
HOUSING: tuple[str, ...] = ("moved_in", "moved_out", *(f"outcome_{o.value}" for o in Outcome))


def housing_values(housing: HousingMonth | None) -> list[int | None]:
    """The housing figures in the order of HOUSING (all None for a shelter)."""
    if housing is None:
        return [None] * len(HOUSING)
    return [
        housing.moved_in,
        housing.moved_out,
        *(housing.outcomes[o.value] for o in Outcome),
    ]


def housing_label(name: str) -> str:
    """The German label of a column of HOUSING."""
    if name.startswith("outcome_"):
        outcome = texts.OUTCOMES[name.removeprefix("outcome_")]
        return texts.REPORT_HOUSING["outcome"].format(outcome=outcome)
    return texts.REPORT_HOUSING[name]


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def monthly_csv(report: MonthlyReport) -> str:
    """One row per facility and one for the totals (slug `total`); the header names the
    fields as the JSON does (turn-aways as turn_aways_<reason>), then the housing
    programme's own figures as housing_<name> (empty for the shelters and the totals).
    Comma-separated UTF-8, decimals with a point."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "month",
            "slug",
            "name",
            *(name for name, _ in FIGURES),
            *(f"housing_{name}" for name in HOUSING),
        ]
    )
    month = str(report.month)
    for row in report.facilities:
        writer.writerow(
            [
                month,
                row.slug,
                row.name,
                *map(_cell, figure_values(row)),
                *map(_cell, housing_values(row.housing)),
            ]
        )
    writer.writerow(
        [
            month,
            "total",
            texts.REPORTS["totals"],
            *map(_cell, figure_values(report.totals)),
            *map(_cell, housing_values(None)),
        ]
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
    per facility (figure, value), then — when the report holds the housing programme —
    sheet `Wohnraumvorhalteprogramm` with its moves and outcomes. Header rows are bold
    and frozen; counts, rates and averages carry their number formats."""
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

    taken = {texts.REPORTS["overview_sheet"].lower(), texts.REPORTS["housing_sheet"].lower()}
    for facility in report.facilities:
        _facility_sheet(workbook, sheet_name(facility.slug, taken), facility, report, bold, formats)
    programme = [f for f in report.facilities if f.housing is not None]
    if programme:
        _housing_sheet(workbook, programme, report, bold, formats["#,##0"])
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


def _housing_sheet(
    workbook: xlsxwriter.Workbook,
    programme: Sequence[FacilityFigures],
    report: MonthlyReport,
    bold: Any,
    count: Any,
) -> None:
    """A row per housing-programme facility: month, facility, then HOUSING."""
    sheet = workbook.add_worksheet(texts.REPORTS["housing_sheet"])
    header = [
        texts.REPORTS["month"],
        texts.REPORTS["facility"],
        *(housing_label(name) for name in HOUSING),
    ]
    sheet.write_row(0, 0, header, bold)
    sheet.freeze_panes(1, 2)
    sheet.set_column(0, 0, 9)
    sheet.set_column(1, 1, 44)
    sheet.set_column(2, len(header) - 1, 16)
    for r, facility in enumerate(programme, start=1):
        sheet.write_string(r, 0, str(report.month))
        sheet.write_string(r, 1, facility.name)
        for c, value in enumerate(housing_values(facility.housing), start=2):
            sheet.write_number(r, c, value or 0, count)


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
