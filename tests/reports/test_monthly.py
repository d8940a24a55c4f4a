"""The monthly figures against a hand-counted month (tests/reports/conftest.py), and the
number of queries a report takes."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from belegung.reports.monthly import Figures, Month, median_of, monthly_figures
from tests.reports.conftest import EXPECTED, March

FIELDS = tuple(EXPECTED["totals"])


def as_dict(figures: Figures) -> dict[str, Any]:
    return {name: getattr(figures, name) for name in FIELDS}


def report(march: March, month: str = "2026-03", **options: Any) -> Any:
    return monthly_figures(
        march.ctx.session,
        Month.parse(month),
        tonight=march.ctx.tonight(),
        now=march.ctx.now(),
        **options,
    )


def test_the_monthly_figures_match_the_hand_count(march: March) -> None:
    figures = report(march, facility_ids=[march.first.id, march.second.id])

    first, second = figures.facilities
    assert (first.slug, second.slug) == ("erste", "zweite")
    assert as_dict(first) == EXPECTED["first"]
    assert as_dict(second) == EXPECTED["second"]
    assert as_dict(figures.totals) == EXPECTED["totals"]


def test_one_facility_alone_has_its_own_figures_as_totals(march: March) -> None:
    figures = report(march, facility_ids=[march.first.id])

    assert [f.slug for f in figures.facilities] == ["erste"]
    assert as_dict(figures.totals) == EXPECTED["first"]


def test_the_running_month_counts_the_nights_up_to_tonight(march: March) -> None:
    april = report(march, "2026-04", facility_ids=[march.first.id])

    # Tonight is 2 April: two nights of 3 places; C and G sleep the first.
    assert (april.totals.capacity_nights, april.totals.occupied_nights) == (6, 2)
    assert (april.first_night.isoformat(), april.end_night.isoformat()) == (
        "2026-04-01",
        "2026-04-03",
    )


def test_a_month_to_come_has_no_figures(march: March) -> None:
    may = report(march, "2026-05", facility_ids=[march.first.id])

    assert (may.totals.capacity_nights, may.totals.occupied_nights) == (0, 0)
    assert may.totals.occupancy_rate is None


def test_a_report_takes_a_fixed_number_of_queries(march: March) -> None:
    statements: list[str] = []
    engine = march.ctx.session.get_bind()

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        report(march)
        once = len(statements)
        for n in range(30):
            march.ctx.session.execute(sa.text("SELECT 1"))  # a busier month changes nothing
            del n
        statements.clear()
        report(march, "2026-02")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == once <= 11


@pytest.mark.parametrize(
    ("histogram", "median"),
    [({}, None), ({3: 1}, 3), ({1: 2, 3: 2}, 2), ({1: 3, 3: 2}, 1), ({2: 1, 5: 1, 9: 1}, 5)],
)
def test_median_of_a_histogram(histogram: dict[int, int], median: float | None) -> None:
    assert median_of(histogram) == median


def test_month_parsing() -> None:
    assert str(Month.parse("2026-03").previous()) == "2026-02"
    assert Month.parse("2026-12").end.isoformat() == "2027-01-01"
    for bad in ("2026-13", "2026-3", "26-03", "2026-00"):
        with pytest.raises(ValueError, match="not a month"):
            Month.parse(bad)
