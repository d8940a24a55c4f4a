"""The apartment-list import through the API and the CLI: a dry run writes nothing and
names every bad row; the real import is all or nothing; importing the same file again
changes nothing; a changed row updates its apartment; a missing one is reported, not
deleted; a huge file is refused clearly."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import xlsxwriter
from flask import Flask
from sqlalchemy.orm import Session

from belegung.facilities.models import Facility
from belegung.housing.models import Apartment
from belegung.limits import HOUSING_IMPORT_MAX_FILE_BYTES, HOUSING_IMPORT_MAX_REQUEST_BYTES
from tests.apiclient import ApiClient

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HEADER = "Wohnungsnummer;Adresse;Stadtbezirk;Etage;Zimmer;Wohnfläche (m²);Plätze;barrierefrei"


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def upload(
    api: ApiClient, content: bytes, name: str = "wohnungen.csv", *, dry_run: bool = False
) -> Any:
    return api.post(
        "/housing/apartments/import",
        as_="housing",
        query_string={"dry_run": "true"} if dry_run else {},
        data=multipart(content, name),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


BOUNDARY = "grenze"


def multipart(content: bytes, name: str) -> bytes:
    """A multipart body with the file (made here: the test client would spool a large
    one to a temporary file it leaves open)."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    return head.encode() + content + f"\r\n--{BOUNDARY}--\r\n".encode()


def numbers(api: ApiClient, q: str = "WVP") -> list[str]:
    response = api.get("/housing/apartments", as_="housing", query_string={"q": q})
    return [a["number"] for a in response.json["items"]]


GOOD = csv_file(
    "WVP-1;Lindenhofstraße 12;Innenstadt-West;EG;2;48,5;2;ja",
    "WVP-2;Am Hafen 3;Innenstadt-Nord;2;3,5;71,2;5;nein",
    "WVP-3;Körnebachweg 8;Hörde;1;4;86;6;ja",
)


def test_a_dry_run_reports_and_writes_nothing(api: ApiClient) -> None:
    response = upload(api, GOOD, dry_run=True)

    assert response.status_code == 200, response.json
    body = response.json
    assert (body["rows"], body["created"], body["updated"], body["unchanged"]) == (3, 3, 0, 0)
    assert (body["errors"], body["dry_run"], body["written"]) == ([], True, False)
    assert numbers(api) == []


def test_the_import_creates_then_changes_nothing_then_updates_a_changed_row(
    api: ApiClient,
) -> None:
    first = upload(api, GOOD).json
    again = upload(api, GOOD).json
    changed = upload(
        api,
        csv_file(
            "WVP-1;Lindenhofstraße 12;Innenstadt-West;EG;2;48,5;3;ja",
            "WVP-2;Am Hafen 3;Innenstadt-Nord;2;3,5;71,2;5;nein",
            "WVP-3;Körnebachweg 8;Hörde;1;4;86;6;ja",
        ),
    ).json

    assert (first["created"], first["written"]) == (3, True)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert (changed["updated"], changed["unchanged"]) == (1, 2)
    apartments = api.get("/housing/apartments", as_="housing", query_string={"q": "WVP-1"})
    (one,) = apartments.json["items"]
    assert (one["places"], one["floor"], one["area_m2"], one["step_free"]) == (3, 0, 48.5, True)
    assert one["district"] == "Innenstadt-West"


def test_an_apartment_missing_from_the_file_is_reported_not_deleted(api: ApiClient) -> None:
    upload(api, GOOD)

    result = upload(api, csv_file("WVP-1;Lindenhofstraße 12;Innenstadt-West;EG;2;48,5;2;ja"))

    assert result.json["missing"] == ["WVP-2", "WVP-3"]
    assert numbers(api) == ["WVP-1", "WVP-2", "WVP-3"]


def test_a_file_full_of_mistakes_names_every_bad_row_and_writes_nothing(api: ApiClient) -> None:
    broken = csv_file(
        "WVP-1;Lindenhofstraße 12;Innenstadt-West;EG;2;48,5;2;ja",
        "WVP-2;Am Hafen 3;Innenstadt-Nord;zwei;3,5;71,2;fünf;nein",  # bad floor and places
        ";;;;;;;",  # an empty row: skipped
        "WVP-1;Doppelt 1;Hörde;1;4;86;6;ja",  # the number again
        "WVP-4;;Eving;1;2,3;-5;2;vielleicht",  # no address, half rooms, area, boolean
        "",
        "WVP-5;Weg 5;Eving;1;2;50;2;ja",
    )

    for dry_run in (True, False):
        response = upload(api, broken, dry_run=dry_run)
        assert response.status_code == 200, response.json
        errors = [(e["line"], e["column"], e["code"]) for e in response.json["errors"]]
        assert errors == [
            (3, "Etage", "not_a_floor"),
            (3, "Plätze", "not_an_integer"),
            (5, "Wohnungsnummer", "duplicate_number"),
            (6, "Adresse", "required_value"),
            (6, "Zimmer", "not_half_step"),
            (6, "Wohnfläche (m²)", "out_of_range"),
            (6, "barrierefrei", "not_a_boolean"),
        ]
        assert all(e["message"] for e in response.json["errors"])
        assert response.json["written"] is False
    assert numbers(api) == []


def test_a_missing_required_column_is_named(api: ApiClient) -> None:
    response = upload(api, csv_file("W-1;Weg 1", header="Wohnungsnummer;Adresse"))

    assert [(e["code"], e["message"]) for e in response.json["errors"]] == [
        ("missing_column", "Die Pflichtspalte „Plätze“ fehlt.")
    ]


def test_a_formula_cell_in_an_xlsx_file_is_named_by_its_cell(api: ApiClient) -> None:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for row, values in enumerate(
        (["Wohnungsnummer", "Adresse", "Plätze"], ["W-1", "Weg 1", "=1+1"], ["W-2", "Weg 2", 3])
    ):
        for column, value in enumerate(values):
            sheet.write(row, column, value)
    workbook.close()

    response = upload(api, buffer.getvalue(), "wohnungen.xlsx")

    assert [(e["line"], e["column"], e["code"]) for e in response.json["errors"]] == [
        (2, "Plätze", "formula")
    ]
    assert "C2" in response.json["errors"][0]["message"]


def test_a_file_over_the_limit_is_refused_with_the_limit_named(api: ApiClient) -> None:
    big = GOOD + b"x" * HOUSING_IMPORT_MAX_FILE_BYTES

    response = upload(api, big)

    assert response.status_code == 200
    assert [e["code"] for e in response.json["errors"]] == ["file_too_large"]
    assert "5 MB" in response.json["errors"][0]["message"]


def test_a_huge_upload_is_refused_before_it_is_read(api: ApiClient) -> None:
    response = upload(api, b"x" * (HOUSING_IMPORT_MAX_REQUEST_BYTES + 1))

    assert (response.status_code, response.json["code"]) == (413, "too_large")


def test_only_the_import_takes_large_requests(api: ApiClient) -> None:
    response = api.post(
        "/housing/households",
        as_="housing",
        data=b'{"note": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        content_type="application/json",
    )

    assert response.status_code == 413


def test_the_example_file_imports_without_a_problem(api: ApiClient) -> None:
    response = upload(api, (EXAMPLES / "wohnungen.xlsx").read_bytes(), "wohnungen.xlsx")

    assert (response.json["errors"], response.json["warnings"]) == ([], [])
    assert response.json["created"] == response.json["rows"] > 0


def test_the_command_imports_with_a_dry_run_first(
    app: Flask, session: Session, wvp: Facility, tmp_path: Path
) -> None:
    path = tmp_path / "wohnungen.csv"
    rows = [f"WVP-{i};Weg {i};Eving;1;2;50;2;ja" for i in range(1, 251)]
    path.write_bytes(csv_file(*rows))
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["housing", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "250 neu" in dry.output
    assert "Probelauf" in dry.output
    assert session.query(Apartment).filter(Apartment.number.like("WVP-%")).count() == 0

    real = runner.invoke(args=["housing", "import", str(path)])
    again = runner.invoke(args=["housing", "import", str(path)])

    assert real.exit_code == 0, real.output
    assert "250 neu" in real.output
    assert "Gespeichert" in real.output
    assert "0 neu, 0 geändert, 250 unverändert" in again.output
    assert session.query(Apartment).filter(Apartment.number.like("WVP-%")).count() == 250


def test_the_command_names_each_bad_row_and_fails(
    app: Flask, wvp: Facility, tmp_path: Path
) -> None:
    path = tmp_path / "kaputt.csv"
    path.write_bytes(csv_file("W-1;Weg;Eving;1;2;50;null;ja", "W-2;Weg;Eving;x;2;50;2;ja"))

    result = app.test_cli_runner().invoke(args=["housing", "import", str(path)])

    assert result.exit_code == 1
    assert "Zeile 2, Spalte „Plätze“" in result.output
    assert "Zeile 3, Spalte „Etage“" in result.output
    assert "nichts wurde gespeichert" in result.output
