"""The housing officers' pages: the start page is the apartment list; search, place a
family, move them out, block, import with its dry-run report, the board — through the
pages as a browser would send them (CSRF, idempotency keys)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date

import openpyxl
import pytest

from belegung.context import ServiceContext
from belegung.housing.models import Apartment, Household, Outcome
from belegung.housing.service import move_in, move_out
from tests.pageclient import PageClient

CSV = (
    "Wohnungsnummer;Adresse;Stadtbezirk;Zimmer;Plätze;barrierefrei\r\n"
    "P-1;Weg 1;Hörde;4;5;ja\r\n"
    "P-2;Weg 2;Hörde;x;2;nein\r\n"
).encode()


def test_the_housing_officer_starts_on_the_apartment_list(
    pages: PageClient, make_apartment: Callable[..., Apartment]
) -> None:
    make_apartment("S-1", 3, district="Eving")

    start = pages.as_("housing").get("/", follow_redirects=True)

    assert start.status_code == 200
    assert "Wohnungen des Wohnraumvorhalteprogramms" in start.text
    assert "S-1" in start.text
    filtered = pages.get("/wohnungen?bezirk=Hörde")
    assert "S-1" not in filtered.text


@pytest.mark.parametrize("role", ["staff", "outreach"])
def test_other_roles_may_not_see_the_housing_pages(pages: PageClient, role: str) -> None:
    assert pages.as_(role).get("/wohnungen").status_code == 403


def test_search_place_and_move_out_a_family_of_five(
    pages: PageClient, make_apartment: Callable[..., Apartment]
) -> None:
    make_apartment("V-1", 5, step_free=True, rooms="4")
    make_apartment("V-2", 5, step_free=False)
    pages.as_("housing")

    found = pages.get("/wohnungen/suche?groesse=5&barrierefrei=ja&gruende=ja")
    assert found.status_code == 200
    link = re.search(r'href="(/wohnungen/haushalt/neu\?[^"]+)"', found.text)
    assert link is not None
    assert "apartment=" in link.group(1)
    assert "nicht barrierefrei" in found.text
    form = pages.get(link.group(1).replace("&amp;", "&"))
    assert "V-1" in form.text
    # The household types of DESIGN.md, with their German labels.
    assert '<option value="other_multi">sonstiger Mehrpersonenhaushalt</option>' in form.text
    assert '<option value="unknown">keine Angabe</option>' in form.text
    assert "multi_person" not in form.text

    values = {"type": "couple_with_children"}
    for i in range(5):
        values |= {f"name-{i}": f"Person {i}", f"gender-{i}": "f"}
    placed = pages.submit(form, values, follow_redirects=True)

    assert placed.status_code == 200, placed.text
    assert "Der Haushalt ist eingezogen." in placed.text
    moved_out = pages.submit(
        placed,
        {"outcome": "own_tenancy", "date": "2026-01-16"},
        action="/auszug",
        follow_redirects=True,
    )
    assert "Der Auszug ist eingetragen." in moved_out.text
    assert "eigene Wohnung (Mietvertrag)" in moved_out.text


def test_a_household_form_without_members_is_refused_on_the_page(pages: PageClient) -> None:
    form = pages.as_("housing").get("/wohnungen/haushalt/neu")

    refused = pages.submit(form, {"type": "single"})

    assert refused.status_code == 422
    assert "mindestens ein Mitglied" in refused.text


def test_block_and_unblock_an_apartment(
    pages: PageClient, make_apartment: Callable[..., Apartment]
) -> None:
    apartment = make_apartment("B-1", 2)
    page = pages.as_("housing").get(f"/wohnungen/{apartment.id}")

    blocked = pages.submit(
        page, {"reason": "Wasserschaden"}, action="/sperren", follow_redirects=True
    )
    assert "Gesperrt seit" in blocked.text
    unblocked = pages.submit(blocked, action="/entsperren", follow_redirects=True)
    assert "Die Sperre ist aufgehoben." in unblocked.text


def test_the_import_page_shows_the_dry_run_report(pages: PageClient, wvp: object) -> None:
    page = pages.as_("housing").get("/wohnungen/import")
    fields = pages.form(page, "/import")["fields"]

    report = pages.post(
        "/wohnungen/import",
        {**fields, "dry_run": "ja", "file": (io.BytesIO(CSV), "wohnungen.csv")},
        content_type="multipart/form-data",
    )

    assert report.status_code == 422
    assert "Die Datei hat 1 Fehler" in report.text
    assert "„x“ ist keine Zahl." in report.text
    fixed = CSV.replace(b";x;", b";1;")
    fields = pages.form(report, "/import")["fields"]
    fields.pop("dry_run")  # the box unticked: the real import
    written = pages.post(
        "/wohnungen/import",
        {**fields, "file": (io.BytesIO(fixed), "w.csv")},
        content_type="multipart/form-data",
    )
    assert written.status_code == 200
    assert "Gespeichert." in written.text


def test_the_board_shows_the_coming_weeks(
    pages: PageClient, make_apartment: Callable[..., Apartment]
) -> None:
    make_apartment("W-1", 2)

    board = pages.as_("housing").get("/wohnungen/plan?wochen=4&q=W-1")

    assert board.status_code == 200
    assert board.text.count("week--free") >= 4


def test_the_figures_page_and_its_workbook(
    pages: PageClient,
    ctx: ServiceContext,
    make_apartment: Callable[..., Apartment],
    make_household: Callable[..., Household],
) -> None:
    placement = move_in(ctx, make_household(2), make_apartment("Z-1", 2), date(2026, 1, 2))
    move_out(ctx, placement, date(2026, 1, 10), Outcome.OWN_TENANCY)

    page = pages.as_("housing").get("/wohnungen/zahlen")
    workbook = pages.get("/wohnungen/zahlen.xlsx")

    assert page.status_code == 200
    assert "Zahlen des Wohnraumvorhalteprogramms" in page.text
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.data), read_only=True).worksheets[1]
    rows = {row[0]: row[1:4] for row in sheet.iter_rows(values_only=True)}
    assert rows["2026-01"] == (1, 1, 1)  # in, out, of them into their own tenancy
