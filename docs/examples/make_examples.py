"""Writes the example apartment lists wohnungen.csv and wohnungen.xlsx (docs/housing-import.md).

Run from the repository root: `.venv/bin/python docs/examples/make_examples.py`. The
output is reproducible (fixed workbook dates), so a rerun changes no file unless the
rows below changed. The addresses and landlords are made up.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent

HEADERS = [
    "Wohnungsnummer",
    "Adresse",
    "Stadtbezirk",
    "Vermieter",
    "Etage",
    "Zimmer",
    "Wohnfläche (m²)",
    "Plätze",
    "barrierefrei",
    "teilbar",
    "Mietbeginn",
    "Mietende",
    "Status",
    "Sperrgrund",
]

# number, address, district, landlord, floor, rooms, area, places, step-free, shared,
# lease start, lease end, status, reason. One apartment a line, as in the sheet.
# fmt: off
ROWS: list[tuple[object, ...]] = [
    ("WVP-0001", "Lindenhofstraße 12, 44137 Dortmund", "Innenstadt-West", "Westfalen Wohnen GmbH",
     "EG", Decimal("2"), Decimal("48.5"), 2, True, False, date(2023, 4, 1), None, "frei", None),
    ("WVP-0002", "Am Hafenbecken 3, 44147 Dortmund", "Innenstadt-Nord", "Hafenbau eG",
     2, Decimal("3.5"), Decimal("71.2"), 5, False, False, date(2022, 10, 1), date(2027, 9, 30),
     "frei", None),
    ("WVP-0003", "Körnebachweg 8, 44143 Dortmund", "Innenstadt-Ost", "Westfalen Wohnen GmbH",
     1, Decimal("4"), Decimal("86"), 6, True, False, date(2024, 1, 1), None, "frei", None),
    ("WVP-0004", "Zechenring 40, 44339 Dortmund", "Eving", "Privat (Fr. Yilmaz)",
     3, Decimal("2"), Decimal("52"), 2, False, True, date(2021, 7, 15), date(2026, 7, 14),
     "frei", None),
    ("WVP-0005", "Gartenstadtallee 5, 44319 Dortmund", "Brackel", "Hafenbau eG",
     "UG", Decimal("1"), Decimal("31.75"), 1, False, False, date(2020, 3, 1), None,
     "gesperrt", "Wasserschaden, Trocknung bis Ende des Monats"),
    ("WVP-0006", "Rosenhügel 21, 44265 Dortmund", "Hörde", "Stadt Dortmund",
     4, Decimal("3"), Decimal("64.3"), 4, True, False, date(2019, 12, 1), date(2025, 11, 30),
     "zurückgegeben", None),
]
# fmt: on

CREATED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def write_csv(path: Path) -> None:
    """German Excel's own CSV: semicolons, decimal commas, DD.MM.YYYY, UTF-8 with a BOM
    (without the BOM Excel would read the umlauts as Windows-1252)."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADERS)
        for row in ROWS:
            writer.writerow([_csv_value(value) for value in row])


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    return str(value)


def write_xlsx(path: Path) -> None:
    """As a housing office's sheet: real date and number cells, ja/nein as text."""
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"created": CREATED, "author": "belegung"})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    day = workbook.add_format({"num_format": "dd.mm.yyyy"})
    decimal = workbook.add_format({"num_format": "0.0#"})
    sheet = workbook.add_worksheet("Wohnungen")
    sheet.write_row(0, 0, HEADERS, bold)
    for index, row in enumerate(ROWS, start=1):
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_string(index, column, "ja" if value else "nein")
            elif isinstance(value, date):
                sheet.write_datetime(index, column, value, day)
            elif isinstance(value, Decimal):
                sheet.write_number(index, column, float(value), decimal)
            elif isinstance(value, int):
                sheet.write_number(index, column, value)
            else:
                sheet.write_string(index, column, str(value))
    widths = [12, 36, 16, 24, 7, 8, 15, 7, 12, 8, 12, 12, 14, 40]
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(ROWS), len(HEADERS) - 1)
    workbook.close()


if __name__ == "__main__":
    write_csv(HERE / "wohnungen.csv")
    write_xlsx(HERE / "wohnungen.xlsx")
