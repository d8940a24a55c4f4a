"""The reports through the API and the CLI: JSON, CSV and the XLSX opened with openpyxl
and checked cell by cell; who may read them; anonymisation changes no figure."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import openpyxl
import pytest
from flask import Flask
from sqlalchemy.orm import Session

from belegung.persons.tasks import anonymise_persons
from belegung.reports.exports import FIGURES
from belegung.reports.monthly import Month
from belegung.texts import REPORT_FIGURES
from tests.apiclient import ApiClient, assert_error, assert_invalid, audited
from tests.conftest import FakeClock
from tests.reports.conftest import EXPECTED, March

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROW = [name for name, _ in FIGURES]


def expected_row(figures: dict[str, Any]) -> list[Any]:
    values = []
    for name in ROW:
        if name.startswith("turn_aways_"):
            values.append(figures["turn_aways"][name.removeprefix("turn_aways_")])
        else:
            values.append(figures[name])
    return values


@pytest.fixture
def reports(march: March, api: ApiClient) -> ApiClient:
    """The hand-counted March, seen through the API (the Dortmund facilities, without
    guests, are part of every report)."""
    return api


def monthly(api: ApiClient, as_: str = "manager", **query: str) -> Any:
    return api.get("/reports/monthly", as_=as_, query_string={"month": "2026-03", **query})


def test_monthly_json_has_each_facility_and_the_totals(reports: ApiClient) -> None:
    body = monthly(reports).json

    assert body["month"] == "2026-03"
    rows = {f["slug"]: f for f in body["facilities"]}
    assert {k: rows["erste"][k] for k in EXPECTED["first"]} == EXPECTED["first"]
    # The Dortmund facilities (no guests here) add their 2,160 regular places.
    totals = {**EXPECTED["totals"], "capacity_nights": 152 + 2160 * 31, "occupancy_rate": 0.0002}
    assert {k: body["totals"][k] for k in EXPECTED["totals"]} == totals
    assert rows["unionstrasse"]["capacity_nights"] == 70 * 31
    # The housing programme's own figures (tests/reports/test_housing.py): none here.
    assert rows["wvp"]["housing"]["moved_in"] == rows["wvp"]["housing"]["moved_out"] == 0
    assert rows["erste"]["housing"] is None


def test_monthly_for_one_facility(reports: ApiClient) -> None:
    body = monthly(reports, facility="erste").json

    assert [f["slug"] for f in body["facilities"]] == ["erste"]
    assert {k: body["totals"][k] for k in EXPECTED["first"]} == EXPECTED["first"]
    assert_error(monthly(reports, facility="nirgends"), 404, "not_found")


@pytest.mark.parametrize("month", ["2026-13", "März", "2026-3", "1999-12"])
def test_a_bad_month_is_refused(reports: ApiClient, month: str) -> None:
    assert set(assert_invalid(monthly(reports, month=month), "query")) == {"month"}


def test_monthly_csv_is_a_row_per_facility_and_the_totals(reports: ApiClient) -> None:
    response = monthly(reports, facility="erste", format="csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="monatszahlen-2026-03.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["slug"], r["capacity_nights"], r["occupancy_rate"]) for r in rows] == [
        ("erste", "90", "0.1222"),
        ("total", "90", "0.1222"),
    ]
    assert rows[0]["turn_aways_other"] == "2"


def test_monthly_xlsx_checked_cell_by_cell(reports: ApiClient) -> None:
    response = monthly(reports, format="xlsx")

    assert response.status_code == 200
    assert response.mimetype == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    slugs = ["unionstrasse", "nortkirchenstrasse", "junge-erwachsene", "drogenhilfe", "wvp"]
    # In the order the facilities were created: the test's two first.
    assert book.sheetnames == ["Gesamt", "erste", "zweite", *slugs, "Wohnraumvorhalteprogramm"]

    overview = book["Gesamt"]
    header = [c.value for c in overview[1]]
    assert header == ["Monat", "Einrichtung", *(REPORT_FIGURES[n] for n in ROW)]
    assert overview.freeze_panes == "C2"
    assert overview.max_row == 1 + 7 + 1
    erste = [c.value for c in overview[2]]
    assert erste == ["2026-03", "Testunterkunft 1", *expected_row(EXPECTED["first"])]
    totals = [c.value for c in overview[9]]
    all_places = {**EXPECTED["totals"], "capacity_nights": 67112, "occupancy_rate": 0.0002}
    assert totals == ["2026-03", "Insgesamt", *expected_row(all_places)]
    formats = {name: overview.cell(row=2, column=3 + i).number_format for i, name in enumerate(ROW)}
    assert formats["capacity_nights"] == "#,##0"
    assert formats["occupancy_rate"] == "0.0%"
    assert formats["average_run_nights"] == "0.0"
    assert overview["A9"].font.b

    sheet = book["erste"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0] == ["Kennzahl", "Wert"]
    assert cells[1:3] == [["Einrichtung", "Testunterkunft 1"], ["Monat", "2026-03"]]
    assert cells[3:] == [
        [REPORT_FIGURES[name], value]
        for name, value in zip(ROW, expected_row(EXPECTED["first"]), strict=True)
    ]
    assert sheet["B6"].number_format == "0.0%"
    # A shelter without guests: no runs, so no average (an empty cell, not 0).
    assert book["unionstrasse"].cell(row=3 + len(ROW), column=2).value is None


@pytest.mark.parametrize("role", ["staff", "outreach"])
def test_reports_are_for_managers_and_admins(reports: ApiClient, role: str) -> None:
    assert_error(monthly(reports, as_=role), 403, "forbidden")
    assert_error(reports.get("/reports/federal-statistic", as_=role), 403, "forbidden")


def test_the_default_month_is_last_month(reports: ApiClient) -> None:
    # The clock reads 2 April 2026.
    assert reports.get("/reports/monthly", as_="admin").json["month"] == "2026-03"


def test_the_federal_statistic_as_csv_json_and_summary(
    reports: ApiClient, session: Session
) -> None:
    query = {"night": "2026-03-28"}
    records = reports.get("/reports/federal-statistic", as_="manager", query_string=query)
    summary = reports.get(
        "/reports/federal-statistic", as_="manager", query_string={**query, "format": "json"}
    )
    summary_csv = reports.get(
        "/reports/federal-statistic", as_="manager", query_string={**query, "format": "summary_csv"}
    )

    assert records.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(records.get_data(as_text=True))))
    # The night of 28 March (the clocks go forward): A alone, since 27 March.
    assert [(r["stichtag"], r["beginn_unterbringung"]) for r in rows] == [
        ("2026-03-28", "2026-03-27")
    ]
    assert (summary.json["persons"], summary.json["municipality_key"]) == (1, "05913000")
    assert "insgesamt,,,1" in summary_csv.get_data(as_text=True)
    entries = audited(session, "report.federal_statistic")
    assert len(entries) == 3  # each answer is audited
    assert entries[0].details == {
        "night": "2026-03-28",
        "records": 1,
    }


def test_the_reports_commands_write_what_the_api_answers(
    app: Flask, reports: ApiClient, tmp_path: Any
) -> None:
    runner = app.test_cli_runner()
    out = tmp_path / "m.xlsx"

    as_json = runner.invoke(args=["reports", "monthly", "--month", "2026-03"])
    as_xlsx = runner.invoke(
        args=["reports", "monthly", "--month", "2026-03", "--format", "xlsx", "--output", str(out)]
    )
    federal = runner.invoke(args=["reports", "federal", "--night", "2026-03-28"])
    bad = runner.invoke(args=["reports", "monthly", "--month", "März"])

    assert json.loads(as_json.output)["totals"] == monthly(reports).json["totals"]
    assert as_xlsx.exit_code == 0, as_xlsx.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "Gesamt"
    assert federal.output.splitlines()[0].startswith("lfd_nr,gemeindeschluessel")
    assert bad.exit_code == 2


# --- anonymisation changes no figure ------------------------------------------------------


def test_anonymisation_changes_no_monthly_figure_and_no_federal_count(
    app: Flask, march: March, api: ApiClient, clock: FakeClock, app_context: Any
) -> None:
    march.persons["A"].citizenship = "PL"
    march.ctx.session.flush()

    def figures() -> tuple[Any, Any, Any]:
        report = api.get("/reports/monthly", query_string={"month": "2026-03"}).json
        summary = api.get(
            "/reports/federal-statistic", query_string={"night": "2026-03-28", "format": "json"}
        ).json
        rows = api.get("/reports/federal-statistic", query_string={"night": "2026-03-28"})
        return report, summary, list(csv.DictReader(io.StringIO(rows.get_data(as_text=True))))

    report, summary, rows = figures()
    clock.set_local(2028, 4, 3, 21, 0)  # over two years after their last night
    anonymised = anonymise_persons().person_ids
    after_report, after_summary, after_rows = figures()

    assert set(anonymised) >= {p.id for p in march.persons.values()}
    for body in (report, after_report):
        body.pop("generated_at")
    assert after_report == report
    assert after_summary["persons"] == summary["persons"] == len(after_rows) == len(rows) == 1
    unchanged = ("geschlecht", "haushaltstyp", "haushaltsgroesse", "art_der_unterbringung")
    before = {c["characteristic"]: c["values"] for c in summary["characteristics"]}
    after = {c["characteristic"]: c["values"] for c in after_summary["characteristics"]}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    assert {k: after_rows[0][k] for k in ("traeger", "beginn_unterbringung", "geschlecht")} == {
        k: rows[0][k] for k in ("traeger", "beginn_unterbringung", "geschlecht")
    }
    # What anonymisation removes is reported as unknown, never guessed: the year of birth
    # (so the age) and the country (so only the group is left).
    assert (rows[0]["alter"], after_rows[0]["alter"]) == ("45", "unbekannt")
    assert (rows[0]["staatsangehoerigkeit"], after_rows[0]["staatsangehoerigkeit"]) == ("PL", "EU")


def test_month_of_the_report_is_its_own(march: March) -> None:
    assert Month.of(date(2026, 3, 31)) == Month.parse("2026-03")
