"""The report pages: a month's figures with charts and downloads, the federal statistic's
summary and downloads — the same files the API gives, for managers and admins only."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.apiclient import ApiClient
from tests.pageclient import PageClient
from tests.reports.conftest import March

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def reports(march: March, pages: PageClient, api: ApiClient) -> PageClient:
    return pages.as_("manager")


def test_the_monthly_page_shows_last_month_with_charts_and_downloads(
    reports: PageClient,
) -> None:
    page = reports.get("/berichte")  # the clock reads 2 April 2026: March
    assert page.status_code == 200
    assert 'value="2026-03"' in page.text
    assert "Monatszahlen 03/2026" in page.text
    assert 'data-chart-table="occupancy-table"' in page.text
    assert 'data-chart-table="refusals-table"' in page.text
    assert "chart.umd.min.js" in page.text
    assert 'href="/berichte/monatszahlen.xlsx?monat=2026-03"' in page.text
    assert 'data-figure="occupancy_rate"' in page.text


def test_the_downloads_are_the_apis_files(reports: PageClient, api: ApiClient) -> None:
    xlsx = reports.get("/berichte/monatszahlen.xlsx?monat=2026-03")
    assert xlsx.status_code == 200
    assert xlsx.mimetype == XLSX
    assert 'filename="monatszahlen-2026-03.xlsx"' in xlsx.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    by_api = api.get(
        "/reports/monthly", as_="manager", query_string={"month": "2026-03", "format": "xlsx"}
    )
    api_book = openpyxl.load_workbook(io.BytesIO(by_api.data))
    assert book.sheetnames == api_book.sheetnames
    for name in book.sheetnames:
        cells = [[c.value for c in row] for row in book[name].iter_rows()]
        assert cells == [[c.value for c in row] for row in api_book[name].iter_rows()]

    page_csv = reports.get("/berichte/monatszahlen.csv?monat=2026-03")
    api_csv = api.get(
        "/reports/monthly", as_="manager", query_string={"month": "2026-03", "format": "csv"}
    )
    assert page_csv.mimetype == "text/csv"
    assert page_csv.get_data(as_text=True) == api_csv.get_data(as_text=True)


def test_a_bad_month_is_explained_next_to_its_field(reports: PageClient) -> None:
    page = reports.get("/berichte?monat=2026-13")
    assert page.status_code == 422
    assert "Ein Monat als JJJJ-MM" in page.text
    assert reports.get("/berichte/monatszahlen.csv?monat=März").status_code == 422


def test_the_federal_statistic_page_and_its_downloads(reports: PageClient) -> None:
    page = reports.get("/berichte/bundesstatistik?nacht=2026-03-28")
    assert page.status_code == 200
    assert 'data-records="1"' in page.text
    assert "Gemeindeschlüssel 05913000" in page.text
    assert 'data-characteristic="geschlecht"' in page.text

    records = reports.get("/berichte/bundesstatistik.csv?nacht=2026-03-28")
    assert records.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(records.get_data(as_text=True))))
    assert [(r["stichtag"], r["beginn_unterbringung"]) for r in rows] == [
        ("2026-03-28", "2026-03-27")
    ]
    summary = reports.get("/berichte/bundesstatistik-summen.csv?nacht=2026-03-28")
    assert "insgesamt,,,1" in summary.get_data(as_text=True)


def test_the_default_reference_night_is_the_last_31_january(reports: PageClient) -> None:
    page = reports.get("/berichte/bundesstatistik")
    assert page.status_code == 200
    assert 'value="2026-01-31"' in page.text


@pytest.mark.parametrize("role", ["staff", "outreach"])
def test_reports_are_for_managers_and_admins(reports: PageClient, role: str) -> None:
    reports.as_(role)
    for path in ("/berichte", "/berichte/monatszahlen.xlsx", "/berichte/bundesstatistik.csv"):
        assert reports.get(path).status_code == 403
