"""The programme's figures as an XLSX workbook: the day's figures, and per month the
households in and out and where they went (XlsxWriter)."""

from __future__ import annotations

import io

import xlsxwriter

from belegung import texts
from belegung.housing.figures import Figures
from belegung.housing.models import Outcome


def figures_workbook(figures: Figures) -> bytes:
    t = texts.HOUSING_FIGURES
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet(t["sheet_day"])
    rows: list[tuple[str, object]] = [(t["date"], figures.day.strftime("%d.%m.%Y"))]
    rows += [(t[f"apartments_{k}"], v) for k, v in figures.apartments.items()]
    rows += [(t[f"places_{k}"], v) for k, v in figures.places.items()]
    rows += [
        (t["persons_housed"], figures.persons_housed),
        (t["households_housed"], figures.households_housed),
    ]
    rows += [(texts.HOUSEHOLD_TYPES[k], v) for k, v in figures.households_by_type.items()]
    rows += [
        (t["average_stay_days"], figures.average_stay_days or ""),
        (t["median_stay_days"], figures.median_stay_days or ""),
    ]
    for index, (label, value) in enumerate(rows):
        sheet.write(index, 0, label)
        sheet.write(index, 1, value)
    sheet.set_column(0, 0, 40)

    months = workbook.add_worksheet(t["sheet_months"])
    outcomes = list(Outcome)
    header = [t["month"], t["moved_in"], t["moved_out"]] + [
        texts.OUTCOMES[o.value] for o in outcomes
    ]
    for column, label in enumerate(header):
        months.write(0, column, label, bold)
    by_month = {(o.month, o.outcome): o.households for o in figures.outcomes}
    for row, moves in enumerate(figures.moves, start=1):
        months.write(row, 0, moves.month)
        months.write(row, 1, moves.moved_in)
        months.write(row, 2, moves.moved_out)
        for column, outcome in enumerate(outcomes, start=3):
            months.write(row, column, by_month.get((moves.month, outcome), 0))
    months.set_column(0, len(header), 18)
    workbook.close()
    return buffer.getvalue()
