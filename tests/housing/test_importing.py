"""Reading the apartment list: good CSV and XLSX files become typed rows, and a broken file
names every bad cell with the line and column a person sees in their spreadsheet."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from belegung import texts
from belegung.housing.importing import (
    HEADER_ALIASES,
    MAX_COLUMNS,
    MAX_EMPTY_RUN,
    MAX_FILE_BYTES,
    MAX_LINES,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    ApartmentRow,
    ImportIssue,
    ParsedFile,
    field_for_header,
    parse_apartment_file,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"

GERMAN_HEADER = (
    "Wohnungsnummer;Adresse;Stadtbezirk;Vermieter;Etage;Zimmer;Wohnfläche (m²);Plätze;"
    "barrierefrei;teilbar;Mietbeginn;Mietende;Status;Sperrgrund"
)


def where(issues: list[ImportIssue]) -> list[tuple[int | None, str | None, str]]:
    return [(issue.line, issue.column, issue.code) for issue in issues]


def assert_messages_resolve(result: ParsedFile) -> None:
    """Every issue has its own German message (no placeholder left, no generic fallback)."""
    for issue in result.errors + result.warnings:
        assert issue.code in texts.HOUSING_IMPORT
        assert issue.message != texts.ERRORS["error"], issue
        assert "{" not in issue.message, issue


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list[object]], *, extra_sheets: int = 0) -> bytes:
    """A workbook as Excel writes it: dates as date cells, numbers as number cells, a text
    starting with "=" as a formula (XlsxWriter's `write` does that, like typing it)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    day = workbook.add_format({"num_format": "dd.mm.yyyy"})
    sheet = workbook.add_worksheet("Wohnungen")
    for row_index, row in enumerate(rows):
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, date):
                sheet.write_datetime(row_index, column, value, day)
            else:
                sheet.write(row_index, column, value)
    for number in range(extra_sheets):
        workbook.add_worksheet(f"Notizen {number + 1}")
    workbook.close()
    return buffer.getvalue()


def replace_in_zip(content: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, data if entry.filename == name else source.read(entry))
    return buffer.getvalue()


# --- Good files ---------------------------------------------------------------------------


def test_german_excel_csv_gives_typed_rows() -> None:
    data = csv_bytes(
        GERMAN_HEADER,
        "W-1;Hafenstraße 1, 44147 Dortmund;Innenstadt-Nord;Hafenbau eG;EG;2,5;54,5;3;ja;nein;"
        "01.03.2024;28.02.2026;frei;",
        "W-2;Zechenring 4;Eving;;UG;1;31;1;x;;2024-01-15;;gesperrt;Wasserschaden",
    )

    result = parse_apartment_file(data, "wohnungen.csv")

    assert result.ok
    assert result.warnings == []
    assert result.format == "csv"
    assert result.rows == [
        ApartmentRow(
            line=2,
            number="W-1",
            address="Hafenstraße 1, 44147 Dortmund",
            places=3,
            district="Innenstadt-Nord",
            landlord="Hafenbau eG",
            floor=0,
            rooms=Decimal("2.5"),
            area_m2=Decimal("54.50"),
            step_free=True,
            shared=False,
            lease_start=date(2024, 3, 1),
            lease_end=date(2026, 2, 28),
            status="available",
            blocked_reason=None,
        ),
        ApartmentRow(
            line=3,
            number="W-2",
            address="Zechenring 4",
            places=1,
            district="Eving",
            landlord=None,
            floor=-1,
            rooms=Decimal("1.0"),
            area_m2=Decimal("31.00"),
            step_free=True,
            shared=False,
            lease_start=date(2024, 1, 15),
            lease_end=None,
            status="blocked",
            blocked_reason="Wasserschaden",
        ),
    ]
    assert result.columns == frozenset(HEADER_ALIASES)


def test_comma_separated_csv_with_english_headers_and_quoted_commas() -> None:
    data = csv_bytes(
        "number,address,places,area_m2,step_free,shared,lease_start,status",
        'A-7,"Rosenhügel 21, 44265 Dortmund",4,64.3,true,1,2023-05-01,handed_back',
    )

    result = parse_apartment_file(data, "apartments.csv")

    assert result.ok
    (row,) = result.rows
    assert (row.number, row.address, row.places, row.area_m2) == (
        "A-7",
        "Rosenhügel 21, 44265 Dortmund",
        4,
        Decimal("64.30"),
    )
    assert (row.step_free, row.shared, row.lease_start, row.status) == (
        True,
        True,
        date(2023, 5, 1),
        "handed_back",
    )
    # Columns the file doesn't have are reported as absent, so an update leaves them alone.
    assert result.columns == {
        "number",
        "address",
        "places",
        "area_m2",
        "step_free",
        "shared",
        "lease_start",
        "status",
    }
    assert (row.district, row.floor, row.rooms, row.lease_end) == (None, None, None, None)


def test_byte_order_mark_does_not_hide_the_first_header() -> None:
    data = csv_bytes("Wohnungsnummer;Adresse;Plätze", "W-1;Weg 1;2", encoding="utf-8-sig")

    result = parse_apartment_file(data, "wohnungen.csv")

    assert result.ok
    assert result.warnings == []
    assert [row.number for row in result.rows] == ["W-1"]


def test_windows_1252_file_keeps_its_umlauts_and_says_how_it_was_read() -> None:
    data = csv_bytes(
        "Wohnungsnummer;Adresse;Stadtbezirk;Plätze;Status",
        "W-1;Körnebachweg 8;Hörde;2;zurückgegeben",
        encoding="cp1252",
    )

    result = parse_apartment_file(data, "wohnungen.csv")

    assert result.ok
    (row,) = result.rows
    assert (row.address, row.district, row.status) == ("Körnebachweg 8", "Hörde", "handed_back")
    assert where(result.warnings) == [(None, None, "read_as_cp1252")]
    assert_messages_resolve(result)


def test_excel_unicode_text_export_utf16_with_tabs() -> None:
    data = csv_bytes("Wohnungsnummer\tAdresse\tPlätze", "W-1\tGrüner Weg 2\t3", encoding="utf-16")

    result = parse_apartment_file(data, "wohnungen.txt")

    assert result.ok
    assert [(row.number, row.address, row.places) for row in result.rows] == [
        ("W-1", "Grüner Weg 2", 3)
    ]


def test_xlsx_with_date_and_number_cells() -> None:
    data = xlsx_bytes(
        [
            [
                *("Wohnungsnummer", "Adresse", "Etage", "Zimmer", "Wohnfläche m²", "Plätze"),
                *("barrierefrei", "Mietbeginn", "Mietende", "Status"),
            ],
            [1024, "Weg 1", 3, 2.5, 54.5, 4, True, date(2024, 3, 1), date(2029, 2, 28), "frei"],
            ["W-2", "Weg 2", "EG", 3, 70, 5.0, "nein", "15.01.2024", None, None],
        ]
    )

    result = parse_apartment_file(data, "wohnungen.xlsx")

    assert result.ok
    assert result.warnings == []
    assert result.format == "xlsx"
    first, second = result.rows
    assert first == ApartmentRow(
        line=2,
        number="1024",
        address="Weg 1",
        places=4,
        district=None,
        landlord=None,
        floor=3,
        rooms=Decimal("2.5"),
        area_m2=Decimal("54.50"),
        step_free=True,
        shared=False,
        lease_start=date(2024, 3, 1),
        lease_end=date(2029, 2, 28),
        status="available",
        blocked_reason=None,
    )
    assert (second.line, second.floor, second.places, second.step_free) == (3, 0, 5, False)
    assert (second.lease_start, second.status) == (date(2024, 1, 15), "available")


def test_a_binary_file_object_is_read_like_bytes() -> None:
    data = csv_bytes("Wohnungsnummer;Adresse;Plätze", "W-1;Weg 1;2")

    assert parse_apartment_file(io.BytesIO(data), "w.csv") == parse_apartment_file(data, "w.csv")


@pytest.mark.parametrize("name", ["wohnungen.csv", "wohnungen.xlsx"])
def test_the_documented_example_files_read_without_a_problem(name: str) -> None:
    result = parse_apartment_file((EXAMPLES / name).read_bytes(), name)

    assert result.ok
    assert result.warnings == []
    assert [row.number for row in result.rows] == [f"WVP-000{n}" for n in range(1, 7)]
    assert [row.status for row in result.rows] == ["available"] * 4 + ["blocked", "handed_back"]


def test_both_example_files_hold_the_same_apartments() -> None:
    rows = [
        parse_apartment_file((EXAMPLES / name).read_bytes(), name).rows
        for name in ("wohnungen.csv", "wohnungen.xlsx")
    ]

    assert rows[0] == rows[1]


# --- Headers and values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Wohnungsnummer", "number"),
        ("  WOHNUNGSNUMMER ", "number"),
        ("Whg.-Nr.", "number"),
        ("Wohnfläche (m²)", "area_m2"),
        ("Wohnfläche [qm]", "area_m2"),
        ("Wohnfläche m²", "area_m2"),
        ("Wohnflaeche in m2", "area_m2"),
        ("area_m2", "area_m2"),
        ("Plätze", "places"),
        ("Plaetze", "places"),
        ("Anzahl\nPlätze", "places"),
        ("Etage", "floor"),
        ("Geschoss", "floor"),
        ("WG-geeignet", "shared"),
        ("teilbar", "shared"),
        ("Barrierefrei", "step_free"),
        ("Mietbeginn", "lease_start"),
        ("Lease End", "lease_end"),
        ("Sperrgrund", "blocked_reason"),
        ("Stadtbezirk", "district"),
        ("Bemerkung", None),
        ("Fläche Balkon", None),
    ],
)
def test_headers_are_recognised_whatever_their_case_spacing_and_units(
    header: str, field: str | None
) -> None:
    assert field_for_header(header) == field


def test_every_documented_header_names_its_own_field() -> None:
    for field, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            assert field_for_header(alias) == field, alias


def one_value(header: str, value: str) -> ParsedFile:
    return parse_apartment_file(
        csv_bytes(f"Wohnungsnummer;Adresse;Plätze;{header}", f"W-1;Weg 1;2;{value}"), "w.csv"
    )


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("barrierefrei", "ja", True),
        ("barrierefrei", "Nein", False),
        ("barrierefrei", "X", True),
        ("barrierefrei", "", False),
        ("barrierefrei", "WAHR", True),
        ("barrierefrei", "falsch", False),
        ("barrierefrei", "1", True),
        ("barrierefrei", "0", False),
        ("teilbar", "true", True),
        ("Mietbeginn", "2025-03-01", date(2025, 3, 1)),
        ("Mietbeginn", "01.03.2025", date(2025, 3, 1)),
        ("Mietbeginn", "1.3.2025", date(2025, 3, 1)),
        ("Mietbeginn", "01.03.25", date(2025, 3, 1)),
        ("Mietbeginn", "", None),
        ("Etage", "EG", 0),
        ("Etage", "ug", -1),
        ("Etage", "3", 3),
        ("Etage", "2. OG", 2),
        ("Etage", "-2", -2),
        ("Zimmer", "2,5", Decimal("2.5")),
        ("Zimmer", "3", Decimal("3.0")),
        ("Wohnfläche", "54,5", Decimal("54.50")),
        ("Wohnfläche", "54.25", Decimal("54.25")),
        ("Wohnfläche", "61 m²", Decimal("61.00")),
        ("Status", "verfügbar", "available"),
        ("Status", "Frei", "available"),
        ("Status", "Zurückgegeben", "handed_back"),
        ("Status", "", "available"),
    ],
)
def test_values_as_housing_offices_write_them(header: str, value: str, expected: object) -> None:
    result = one_value(header, value)

    assert result.ok, where(result.errors)
    field = field_for_header(header)
    assert field is not None
    assert getattr(result.rows[0], field) == expected


@pytest.mark.parametrize(
    ("header", "value", "code"),
    [
        ("barrierefrei", "vielleicht", "not_a_boolean"),
        ("Mietbeginn", "2025-02-30", "not_a_date"),
        ("Mietbeginn", "03/01/2025", "not_a_date"),
        ("Mietbeginn", "01.03.1980", "out_of_range"),
        ("Etage", "Dach", "not_a_floor"),
        ("Etage", "1,5", "not_a_floor"),
        ("Etage", "99", "out_of_range"),
        ("Zimmer", "2,3", "not_half_step"),
        ("Zimmer", "0", "out_of_range"),
        ("Zimmer", "drei", "not_a_number"),
        ("Wohnfläche", "54,555", "too_many_decimals"),
        ("Wohnfläche", "1e3", "not_a_number"),
        ("Wohnfläche", "NaN", "not_a_number"),
        ("Wohnfläche", "2", "out_of_range"),
        ("Status", "reserviert", "unknown_status"),
        ("Vermieter", "x" * 201, "too_long"),
        ("Vermieter", "Hafen\x1bbau", "forbidden_character"),
        ("Vermieter", "Hafen\u202ebau", "forbidden_character"),
    ],
)
def test_a_bad_value_is_named_by_its_cell(header: str, value: str, code: str) -> None:
    result = one_value(header, value)

    assert where(result.errors) == [(2, header, code)]
    assert result.rows == []
    assert_messages_resolve(result)


def test_places_must_be_a_whole_number_from_1_to_12() -> None:
    data = csv_bytes(
        "Wohnungsnummer;Adresse;Plätze",
        "W-1;Weg;1",
        "W-2;Weg;12",
        "W-3;Weg;0",
        "W-4;Weg;13",
        "W-5;Weg;2,5",
        "W-6;Weg;zwei",
        "W-7;Weg;",
    )

    result = parse_apartment_file(data, "w.csv")

    assert [row.places for row in result.rows] == [1, 12]
    assert where(result.errors) == [
        (4, "Plätze", "out_of_range"),
        (5, "Plätze", "out_of_range"),
        (6, "Plätze", "not_an_integer"),
        (7, "Plätze", "not_an_integer"),
        (8, "Plätze", "required_value"),
    ]
    assert result.errors[1].message == "13 liegt nicht zwischen 1 und 12."
    assert result.errors[3].message == "„zwei“ ist keine ganze Zahl."


def test_line_breaks_and_runs_of_spaces_in_a_text_cell_become_one_space() -> None:
    data = csv_bytes("Wohnungsnummer;Adresse;Plätze", 'W-1;"Weg 1\n44137   Dortmund";2', "W-2;x;1")

    result = parse_apartment_file(data, "w.csv")

    assert result.rows[0].address == "Weg 1 44137 Dortmund"
    # The quoted line break stays inside its cell: the next record is row 3, as in Excel.
    assert result.rows[1].line == 3


# --- A file full of mistakes --------------------------------------------------------------


def test_a_csv_full_of_mistakes_names_every_bad_cell() -> None:
    data = csv_bytes(
        GERMAN_HEADER + ";Notiz",
        "W-1;Hafenstraße 1;Innenstadt-Nord;;2;2,5;54,5;3;ja;nein;01.03.2024;28.02.2026;frei;;ok",
        "W-2;;Eving;;zweite;2,3;viel;0;vielleicht;;2024-13-01;;gesperrt;;",
        ";;;;;;;;;;;;;;",
        "   ;  ;\t; ",
        "",
        "W-1;Kopie;;;;;;2",
        "W-3;Weg 3;;;;;;2,5;;;01.06.2025;31.05.2025",
        ";Weg 4;;;;;;2;;;;;kaputt",
        "W-4;Weg 5;;;;;;4;;;;;;Rest vom letzten Jahr",
        "w-3;Weg 6;;;;;;2",
        "W-5;Weg 7;;;1;;;2;;;;;;;;Nachtrag",
    )

    result = parse_apartment_file(data, "wohnungen.csv")

    assert where(result.errors) == [
        (3, "Adresse", "required_value"),
        (3, "Etage", "not_a_floor"),
        (3, "Zimmer", "not_half_step"),
        (3, "Wohnfläche (m²)", "not_a_number"),
        (3, "Plätze", "out_of_range"),
        (3, "barrierefrei", "not_a_boolean"),
        (3, "Mietbeginn", "not_a_date"),
        (3, "Sperrgrund", "blocked_needs_reason"),
        # lines 4 to 6 are empty (separators only, whitespace, nothing) and skipped
        (7, "Wohnungsnummer", "duplicate_number"),
        (8, "Plätze", "not_an_integer"),
        (8, "Mietende", "lease_end_before_start"),
        (9, "Wohnungsnummer", "required_value"),
        (9, "Status", "unknown_status"),
        (11, "Wohnungsnummer", "duplicate_number"),
    ]
    assert where(result.warnings) == [
        (1, "Notiz", "unknown_column"),
        (10, "Sperrgrund", "reason_ignored"),
        (12, None, "unlabelled_column"),
    ]
    assert [row.line for row in result.rows] == [2, 10, 12]
    assert result.rows[1].blocked_reason is None
    assert not result.ok
    assert_messages_resolve(result)
    messages = {(issue.line, issue.code): issue.message for issue in result.errors}
    assert messages[7, "duplicate_number"] == "Die Wohnungsnummer W-1 steht schon in Zeile 2."
    assert messages[11, "duplicate_number"] == "Die Wohnungsnummer w-3 steht schon in Zeile 8."
    assert messages[8, "lease_end_before_start"] == (
        "Das Mietende liegt vor dem Mietbeginn (01.06.2025)."
    )
    assert result.warnings[2].message.startswith("Spalte P hat keine Überschrift")


def test_an_xlsx_full_of_mistakes_names_every_bad_cell_by_its_sheet_row() -> None:
    data = xlsx_bytes(
        [
            [],  # the table starts in row 3, below two empty rows
            [],
            [
                *("number", "address", "places", "floor", "area_m2", "lease_start"),
                *("lease_end", None, "status"),
            ],
            ["A-1", "Weg 1", 2, 1, 54.5, date(2024, 1, 1), date(2026, 1, 1), None, "frei"],
            ["A-2", "Weg 2", "=1+2", 1.5, 40, 45658, None, None, "frei"],
            [],
            [1024, "Weg 3", 3, None, None, None, None, "Notiz", None],
            [1024.0, "Weg 4", 3, None, None, date(2025, 6, 1), date(2025, 5, 31), None, None],
            ["A-5", '=A4&" "&B4', 2, None, "=E4*2", None, None, None, None],
        ],
        extra_sheets=1,
    )

    result = parse_apartment_file(data, "wohnungen.xlsx")

    assert where(result.errors) == [
        (5, "places", "formula"),
        (5, "floor", "not_a_floor"),
        (5, "lease_start", "not_a_date"),
        (8, "number", "duplicate_number"),
        (8, "lease_end", "lease_end_before_start"),
        (9, "address", "formula"),
        (9, "area_m2", "formula"),
    ]
    assert where(result.warnings) == [
        (None, None, "extra_sheets"),
        (7, None, "unlabelled_column"),
    ]
    assert [row.line for row in result.rows] == [4, 7]
    assert result.errors[0].message.startswith("Zelle C5 enthält eine Formel")
    assert result.errors[0].params == {"cell": "C5"}
    assert result.errors[6].params == {"cell": "E9"}
    assert result.errors[2].message == "„45658“ ist kein Datum (TT.MM.JJJJ oder JJJJ-MM-TT)."
    assert result.errors[3].message == "Die Wohnungsnummer 1024 steht schon in Zeile 7."
    assert result.warnings[0].message == (
        "Gelesen wurde nur das erste Tabellenblatt „Wohnungen“; die Datei hat 2 Blätter."
    )
    assert result.warnings[1].params == {"letter": "H"}
    assert_messages_resolve(result)


def test_an_error_value_in_a_cell_is_named() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Wohnungsnummer", "Adresse", "Plätze", "Wohnfläche"])
    sheet.append(["W-1", "Weg 1", 2, "#N/A"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = parse_apartment_file(buffer.getvalue(), "w.xlsx")

    assert where(result.errors) == [(2, "Wohnfläche", "cell_error")]
    assert result.errors[0].message == "Zelle D2 enthält den Fehlerwert #N/A."


def test_a_formula_in_the_header_row_is_named() -> None:
    data = xlsx_bytes([["Wohnungsnummer", "Adresse", "Plätze", '="Zimmer"'], ["W-1", "Weg", 2]])

    result = parse_apartment_file(data, "w.xlsx")

    assert where(result.errors) == [(1, None, "formula")]
    assert result.errors[0].params == {"cell": "D1"}


def test_missing_required_columns_are_named_and_the_other_cells_still_checked() -> None:
    data = csv_bytes("Adresse;Etage;Status", "Weg 1;EG;frei", "Weg 2;oben;frei")

    result = parse_apartment_file(data, "w.csv")

    assert where(result.errors) == [
        (1, None, "missing_column"),
        (1, None, "missing_column"),
        (3, "Etage", "not_a_floor"),
    ]
    assert [issue.params for issue in result.errors[:2]] == [
        {"field": "number"},
        {"field": "places"},
    ]
    assert result.errors[0].message == "Die Pflichtspalte „Wohnungsnummer“ fehlt."
    assert result.rows == []


def test_a_field_named_by_two_columns_is_an_error() -> None:
    data = csv_bytes("Wohnungsnummer;Adresse;Plätze;Etage;Geschoss", "W-1;Weg;2;1;1")

    result = parse_apartment_file(data, "w.csv")

    assert where(result.errors) == [(1, "Geschoss", "duplicate_column")]
    assert result.errors[0].message == "Die Spalte „Etage“ gibt es doppelt (schon als „Etage“)."


def test_a_blocked_apartment_without_a_reason_column_is_named_at_its_status() -> None:
    data = csv_bytes("Wohnungsnummer;Adresse;Plätze;Status", "W-1;Weg;2;gesperrt")

    result = parse_apartment_file(data, "w.csv")

    assert where(result.errors) == [(2, "Status", "blocked_needs_reason")]


def test_a_title_row_instead_of_headers_is_one_clear_error() -> None:
    data = csv_bytes("Wohnungsliste WVP, Stand März 2026", "Wohnungsnummer;Adresse;Plätze")

    result = parse_apartment_file(data, "w.csv")

    assert where(result.errors) == [(1, None, "no_header")]
    assert result.warnings == []


def test_headers_without_apartments_are_an_error() -> None:
    result = parse_apartment_file(csv_bytes("Wohnungsnummer;Adresse;Plätze", ";;"), "w.csv")

    assert where(result.errors) == [(None, None, "no_rows")]


# --- Whole files refused ------------------------------------------------------------------


def assert_refused(result: ParsedFile, code: str, line: int | None = None) -> None:
    assert where(result.errors) == [(line, None, code)]
    assert result.rows == []
    assert result.warnings == []
    assert_messages_resolve(result)


@pytest.mark.parametrize("data", [b"", b";;;\r\n  \r\n\r\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    assert_refused(parse_apartment_file(data, "leer.csv"), "file_empty")


def test_a_file_over_the_size_limit_is_refused_without_reading_it_all() -> None:
    line = "W-1;" + "x" * 98 + ";2\r\n"
    stream = io.BytesIO(("Wohnungsnummer;Adresse;Plätze\r\n" + line * 60_000).encode())

    result = parse_apartment_file(stream, "riesig.csv")

    assert_refused(result, "file_too_large")
    assert stream.tell() == MAX_FILE_BYTES + 1
    assert result.errors[0].message == "Die Datei ist zu groß: erlaubt sind höchstens 5 MB."


def test_a_file_with_too_many_apartments_is_refused_with_one_error() -> None:
    lines = [f"W-{n};Weg {n};2" for n in range(MAX_ROWS + 1)]
    within = csv_bytes("Wohnungsnummer;Adresse;Plätze", *lines[:MAX_ROWS], ";;", ";;")

    over = csv_bytes("Wohnungsnummer;Adresse;Plätze;Etage", *[f"{line};falsch" for line in lines])

    assert len(parse_apartment_file(within, "w.csv").rows) == MAX_ROWS
    result = parse_apartment_file(over, "w.csv")
    assert_refused(result, "too_many_rows")
    assert result.errors[0].message.startswith("Die Datei hat mehr als 5.000 Wohnungen")


def test_an_xlsx_with_too_many_apartments_is_refused_with_one_error() -> None:
    rows: list[list[object]] = [["Wohnungsnummer", "Adresse", "Plätze"]]
    rows += [[f"W-{n}", "Weg", 2] for n in range(MAX_ROWS + 1)]

    assert_refused(parse_apartment_file(xlsx_bytes(rows), "w.xlsx"), "too_many_rows")


def test_reading_stops_after_a_long_run_of_empty_rows_and_says_so() -> None:
    # A sheet formatted down to its last row holds a million empty rows.
    blank = [";;"] * (MAX_EMPTY_RUN + 1)
    data = csv_bytes("Wohnungsnummer;Adresse;Plätze", "W-1;Weg;2", *blank, "W-2;Weg;2")

    result = parse_apartment_file(data, "w.csv")

    assert [row.number for row in result.rows] == ["W-1"]
    assert result.errors == []
    assert where(result.warnings) == [(3, None, "stopped_at_empty_rows")]
    assert_messages_resolve(result)


def test_a_file_that_goes_on_past_the_line_limit_is_refused() -> None:
    gaps = [";;"] * (MAX_EMPTY_RUN - 1)
    lines: list[str] = []
    for n in range(MAX_LINES // MAX_EMPTY_RUN + 1):
        lines += [f"W-{n};Weg;2", *gaps]

    result = parse_apartment_file(csv_bytes("Wohnungsnummer;Adresse;Plätze", *lines), "w.csv")

    assert_refused(result, "too_many_lines")


def test_a_row_wider_than_the_column_limit_is_refused() -> None:
    header = ";".join(["Wohnungsnummer", "Adresse", "Plätze"] + ["x"] * (MAX_COLUMNS - 3))
    data = csv_bytes(header, "W-1;Weg;2", "W-2;Weg;2" + ";" * (MAX_COLUMNS - 3) + ";zu breit")

    assert_refused(parse_apartment_file(data, "w.csv"), "too_many_columns", line=3)


def test_binary_garbage_is_refused() -> None:
    garbage = random.Random(11).randbytes(4096)

    assert_refused(parse_apartment_file(garbage, "wohnungen.csv"), "unknown_format")


def test_a_picture_is_refused() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"

    assert_refused(parse_apartment_file(png, "foto.png"), "unknown_format")


def test_an_old_excel_file_is_refused_with_advice() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)

    assert_refused(parse_apartment_file(ole, "wohnungen.xls"), "xls_not_supported")


def test_an_opendocument_sheet_is_refused_with_advice() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")

    assert_refused(parse_apartment_file(buffer.getvalue(), "w.ods"), "ods_not_supported")


def test_a_zip_that_is_no_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("wohnungen.csv", "Wohnungsnummer;Adresse;Plätze\r\nW-1;Weg;2\r\n")

    assert_refused(parse_apartment_file(buffer.getvalue(), "w.zip"), "unknown_format")


def test_a_truncated_xlsx_is_refused() -> None:
    data = xlsx_bytes([["Wohnungsnummer", "Adresse", "Plätze"], ["W-1", "Weg", 2]])

    assert_refused(parse_apartment_file(data[: len(data) // 2], "w.xlsx"), "xlsx_unreadable")


def test_an_xlsx_whose_sheet_breaks_off_is_refused() -> None:
    data = xlsx_bytes([["Wohnungsnummer", "Adresse", "Plätze"], ["W-1", "Weg", 2]])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    broken = replace_in_zip(data, "xl/worksheets/sheet1.xml", sheet[: len(sheet) - 40])

    assert_refused(parse_apartment_file(broken, "w.xlsx"), "xlsx_unreadable")


def test_an_xlsx_with_xml_entities_is_refused_not_expanded() -> None:
    data = xlsx_bytes([["Wohnungsnummer", "Adresse", "Plätze"], ["W-1", "Weg", 2]])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    declaration, body = sheet.split("\n", 1)
    bomb = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    poisoned = replace_in_zip(
        data, "xl/worksheets/sheet1.xml", f"{declaration}\n{bomb}{body}".encode()
    )

    assert_refused(parse_apartment_file(poisoned, "w.xlsx"), "xlsx_unreadable")


def test_an_xlsx_that_unpacks_too_large_is_refused_before_it_is_read() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as entry:
            chunk = b" " * (1024 * 1024)
            for _ in range(MAX_UNPACKED_BYTES // len(chunk) + 1):
                entry.write(chunk)

    assert len(buffer.getvalue()) < MAX_FILE_BYTES
    assert_refused(parse_apartment_file(buffer.getvalue(), "w.xlsx"), "xlsx_too_large_unpacked")


def test_a_text_file_named_xlsx_is_refused_as_a_broken_workbook() -> None:
    data = csv_bytes("Wohnungsnummer;Adresse;Plätze", "W-1;Weg;2")

    assert_refused(parse_apartment_file(data, "Wohnungen.XLSX"), "xlsx_unreadable")


def test_a_csv_named_xls_is_read_as_csv() -> None:
    # Some administration software exports CSV under an .xls name; the content decides.
    data = csv_bytes("Wohnungsnummer;Adresse;Plätze", "W-1;Weg;2")

    assert parse_apartment_file(data, "export.xls").ok


def test_every_reason_code_has_a_german_message_for_its_parameters() -> None:
    params = {
        "limit": "5 MB",
        "sheet": "Wohnungen",
        "count": 2,
        "field": "number",
        "first": "Etage",
        "letter": "H",
        "cell": "C5",
        "value": "x",
        "char": "U+001B",
        "places": 2,
        "min": 1,
        "max": 12,
        "first_line": 2,
        "start": "01.03.2025",
        "message": "Wohnung W-1 ist gesperrt.",
    }
    for code in texts.HOUSING_IMPORT:
        message = texts.housing_import_message(code, **params)
        assert message != texts.ERRORS["error"], code
        assert "{" not in message, code
    with pytest.raises(KeyError):
        texts.housing_import_message("no_such_code")
