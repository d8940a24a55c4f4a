"""The housing programme's own figures in the monthly report (moves in and out, outcomes)
against a hand-counted December, through the API (JSON, CSV, the XLSX opened with
openpyxl) and the page; they are the figures of the programme's own page."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import openpyxl
import pytest
from sqlalchemy import event

from belegung.context import ServiceContext
from belegung.housing.models import Apartment, Household, Outcome
from belegung.housing.service import move, move_in, move_out
from belegung.reports import operations
from belegung.reports.monthly import Month
from belegung.texts import OUTCOMES, REPORT_HOUSING
from tests.apiclient import ApiClient
from tests.housing.conftest import make_apartment, make_household, wvp  # noqa: F401
from tests.pageclient import PageClient

NO_OUTCOMES = {o.value: 0 for o in Outcome}
# December 2025, counted by hand (see the fixture): in H1, H3, H4, H6; out H2 (own
# tenancy), H3 (shelter, after a move between apartments), H4 (own tenancy).
DECEMBER = {
    "moved_in": 4,
    "moved_out": 3,
    "outcomes": {**NO_OUTCOMES, "own_tenancy": 2, "shelter": 1},
}
# January 2026 up to tonight, the 15th: in H8 (H9's move-in on the 20th is still to
# come); out H5 on 1 January (its last night 31 December) to an institution.
JANUARY = {"moved_in": 1, "moved_out": 1, "outcomes": {**NO_OUTCOMES, "institution": 1}}


@pytest.fixture
def programme(
    api: ApiClient,
    ctx: ServiceContext,
    make_apartment: Callable[..., Apartment],  # noqa: F811
    make_household: Callable[..., Household],  # noqa: F811
) -> ApiClient:
    """Households moving in and out around December 2025 (today: 15 January 2026)."""
    flats = [make_apartment(f"M-{n}", 3) for n in range(1, 11)]

    def household() -> Household:
        return make_household(1)

    # H1: in on 1 December (the month's first night), still there.
    move_in(ctx, household(), flats[0], date(2025, 12, 1))
    # H2: in since November, out on 31 December (its last night the 30th): own tenancy.
    h2 = move_in(ctx, household(), flats[1], date(2025, 11, 20))
    move_out(ctx, h2, date(2025, 12, 31), Outcome.OWN_TENANCY)
    # H3: in on 10 December, moves to another apartment on the 20th (no new household),
    # out on the 28th to a shelter.
    h3 = move_in(ctx, household(), flats[2], date(2025, 12, 10))
    h3 = move(ctx, h3, flats[3], date(2025, 12, 20))
    move_out(ctx, h3, date(2025, 12, 28), Outcome.SHELTER)
    # H4: in on 5 December, out on the 15th: own tenancy.
    h4 = move_in(ctx, household(), flats[4], date(2025, 12, 5))
    move_out(ctx, h4, date(2025, 12, 15), Outcome.OWN_TENANCY)
    # H5: in since November, out on 1 January (last night 31 December): January's.
    h5 = move_in(ctx, household(), flats[5], date(2025, 11, 1))
    move_out(ctx, h5, date(2026, 1, 1), Outcome.INSTITUTION)
    # H6: in on 31 December, the month's last night.
    move_in(ctx, household(), flats[6], date(2025, 12, 31))
    # H7: in on 30 November: November's.
    move_in(ctx, household(), flats[7], date(2025, 11, 30))
    # H8: in on 10 January; H9: on 20 January, after tonight.
    move_in(ctx, household(), flats[8], date(2026, 1, 10))
    move_in(ctx, household(), flats[9], date(2026, 1, 20))
    return api


def monthly(api: ApiClient, month: str, **query: str) -> Any:
    return api.get("/reports/monthly", as_="manager", query_string={"month": month, **query})


def test_the_report_counts_the_programmes_moves_and_outcomes(programme: ApiClient) -> None:
    for month, expected in (("2025-12", DECEMBER), ("2026-01", JANUARY)):
        response = monthly(programme, month)
        assert response.status_code == 200, response.json
        rows = {f["slug"]: f for f in response.json["facilities"]}
        assert rows["wvp"]["housing"] == expected, month
        # The shelters have none.
        assert rows["unionstrasse"]["housing"] is None
    # November: H2, H5, H7 in; none out.
    november = {f["slug"]: f for f in monthly(programme, "2025-11").json["facilities"]}
    assert november["wvp"]["housing"] == {"moved_in": 3, "moved_out": 0, "outcomes": NO_OUTCOMES}


def test_they_are_the_programmes_own_figures(programme: ApiClient) -> None:
    own = programme.get("/housing/figures", as_="housing", query_string={"months": 2}).json
    report = {f["slug"]: f for f in monthly(programme, "2025-12").json["facilities"]}
    december = next(m for m in own["moves"] if m["month"] == "2025-12")
    housing = report["wvp"]["housing"]
    assert (housing["moved_in"], housing["moved_out"]) == (
        december["moved_in"],
        december["moved_out"],
    )
    by_outcome = {o["outcome"]: o["households"] for o in own["outcomes"] if o["month"] == "2025-12"}
    assert {k: v for k, v in housing["outcomes"].items() if v} == by_outcome


def test_a_month_to_come_has_no_moves_yet(programme: ApiClient) -> None:
    rows = {f["slug"]: f for f in monthly(programme, "2026-02").json["facilities"]}
    assert rows["wvp"]["housing"] == {"moved_in": 0, "moved_out": 0, "outcomes": NO_OUTCOMES}


def test_the_csv_has_the_housing_columns(programme: ApiClient) -> None:
    response = monthly(programme, "2025-12", format="csv")

    assert response.status_code == 200
    rows = {r["slug"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    row = rows["wvp"]
    assert (row["housing_moved_in"], row["housing_moved_out"]) == ("4", "3")
    assert {o.value: row[f"housing_outcome_{o.value}"] for o in Outcome} == {
        o: str(n) for o, n in DECEMBER["outcomes"].items()
    }
    # Empty for a shelter and for the totals.
    for slug in ("unionstrasse", "total"):
        assert rows[slug]["housing_moved_in"] == rows[slug]["housing_outcome_shelter"] == ""


def test_the_xlsx_has_a_sheet_of_its_own_checked_cell_by_cell(programme: ApiClient) -> None:
    response = monthly(programme, "2025-12", format="xlsx")

    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[-1] == "Wohnraumvorhalteprogramm"
    assert "wvp" in book.sheetnames  # the programme's sheet of nightly figures stays
    sheet = book["Wohnraumvorhalteprogramm"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    outcomes = [o.value for o in Outcome]
    assert cells == [
        [
            "Monat",
            "Einrichtung",
            REPORT_HOUSING["moved_in"],
            REPORT_HOUSING["moved_out"],
            *(f"Verbleib: {OUTCOMES[o]}" for o in outcomes),
        ],
        [
            "2025-12",
            "Wohnraumvorhalteprogramm",
            4,
            3,
            *(DECEMBER["outcomes"][o] for o in outcomes),  # type: ignore[index]
        ],
    ]
    assert sheet["A1"].font.b
    assert sheet["K1"].font.b
    assert sheet.freeze_panes == "C2"
    assert {sheet.cell(row=2, column=c).number_format for c in range(3, 12)} == {"#,##0"}


def test_a_report_without_the_programme_has_no_housing_sheet(programme: ApiClient) -> None:
    response = monthly(programme, "2025-12", format="xlsx", facility="unionstrasse")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Gesamt", "unionstrasse"]


def test_the_page_shows_them(programme: ApiClient, pages: PageClient) -> None:
    page = pages.as_("manager").get("/berichte?monat=2025-12")

    assert page.status_code == 200
    assert 'id="housing-figures"' in page.text
    assert 'data-figure="housing_moved_in"' in page.text
    assert "Verbleib: eigene Wohnung (Mietvertrag)" in page.text


def test_the_programmes_figures_take_a_fixed_number_of_queries(
    programme: ApiClient, ctx: ServiceContext
) -> None:
    """Whatever the month holds (October: nothing; November: 3 households in; December:
    4 in, 3 out), the report through the operation takes the same number of statements."""
    statements: list[str] = []
    engine = ctx.session.get_bind()

    def count(*args: Any) -> None:
        statements.append(args[2])

    operations.monthly_report(ctx, Month.parse("2025-09"))  # what a first call loads once
    counts = []
    event.listen(engine, "before_cursor_execute", count)
    try:
        for month in ("2025-11", "2025-12", "2025-10"):
            ctx.session.expire_all()
            statements.clear()
            report = operations.monthly_report(ctx, Month.parse(month))
            assert any(f.housing is not None for f in report.facilities)
            counts.append(len(statements))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert counts[0] == counts[1] == counts[2], counts
