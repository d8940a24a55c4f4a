"""The housing programme in a real browser, as a housing officer uses it: import the
apartment list (dry run first), find an apartment for a family of five that needs
step-free access, place them, and later record their move into their own tenancy.
Pages checked with axe-core; screenshots at both sizes."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import E2E_PASSWORD
from tests.e2e.helpers import assert_no_serious_axe_violations, screenshot

pytestmark = pytest.mark.e2e

APARTMENTS = (
    "Wohnungsnummer;Adresse;Stadtbezirk;Vermieter;Etage;Zimmer;Wohnfläche (m²);Plätze;"
    "barrierefrei;teilbar;Mietbeginn;Mietende;Status;Sperrgrund\n"
    "E2E-1;Testweg 5, 44137 Dortmund;Testbezirk;DOGEWO21;EG;4;92,5;5;ja;nein;01.01.2024;;frei;\n"
    "E2E-2;Testweg 7, 44137 Dortmund;Testbezirk;DOGEWO21;3;4;90;5;nein;nein;01.01.2024;;frei;\n"
    "E2E-3;Testweg 9, 44137 Dortmund;Testbezirk;DOGEWO21;EG;2;50;2;ja;nein;01.01.2024;;frei;\n"
)


def log_in(page: Page, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Benutzername").fill(name)
    page.get_by_label("Passwort").fill(E2E_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_text(name, exact=True)).to_be_visible()


def test_import_find_place_and_move_out_a_family_of_five(page: Page, tmp_path: Path) -> None:
    log_in(page, "wohnraum")
    # The housing officer starts on the apartment list.
    expect(
        page.get_by_role("heading", name="Wohnungen des Wohnraumvorhalteprogramms")
    ).to_be_visible()
    assert_no_serious_axe_violations(page)
    screenshot(page, "housing-apartments")

    csv = tmp_path / "wohnungen.csv"
    csv.write_text(APARTMENTS, encoding="utf-8")
    page.get_by_role("link", name="Wohnungsliste einlesen").click()
    page.get_by_label("Datei").set_input_files(str(csv))
    page.get_by_role("button", name="Einlesen").click()
    expect(page.get_by_role("heading", name="Probelauf: nichts wurde gespeichert.")).to_be_visible()
    assert_no_serious_axe_violations(page)
    screenshot(page, "housing-import")
    page.get_by_label("Datei").set_input_files(str(csv))
    page.get_by_label("nur prüfen").uncheck()
    page.get_by_role("button", name="Einlesen").click()
    expect(page.get_by_role("heading", name="Gespeichert.")).to_be_visible()

    page.goto("/wohnungen/suche")
    page.get_by_label("Personen im Haushalt").fill("5")
    page.get_by_label("Stadtbezirk").select_option("Testbezirk")
    page.get_by_label("barrierefrei nötig").check()
    page.get_by_label("ausgeschlossene Wohnungen mit Grund zeigen").check()
    page.get_by_role("button", name="Suchen").click()
    found = page.locator("tbody tr")
    expect(found).to_have_count(1)
    expect(found.first).to_contain_text("E2E-1")
    page.locator("summary", has_text="Ausgeschlossen").click()
    step = page.locator("p.excluded", has_text="nicht barrierefrei")
    expect(step.get_by_role("link", name="E2E-2", exact=True)).to_be_visible()
    small = page.locator("p.excluded", has_text="zu klein")
    expect(small.get_by_role("link", name="E2E-3", exact=True)).to_be_visible()
    assert_no_serious_axe_violations(page)
    screenshot(page, "housing-vacancies")

    page.get_by_role("link", name="Haushalt hier einziehen lassen E2E-1").click()
    moved_in_on = date.fromisoformat(page.get_by_label("Einzug ab").input_value())
    page.get_by_label("Haushaltstyp").select_option("couple_with_children")
    page.get_by_label("Kontakt / Notiz").fill("Tel. über Beratungsstelle")
    for i, (name, year) in enumerate(
        (
            ("Sabine K.", "1988"),
            ("Marek K.", "1985"),
            ("Lea K.", "2015"),
            ("Tim K.", "2018"),
            ("Mia K.", "2022"),
        )
    ):
        member = page.get_by_role("group", name=f"Mitglied {i + 1}", exact=True)
        member.get_by_label("Name").fill(name)
        member.get_by_label("Geburtsjahr").fill(year)
    assert_no_serious_axe_violations(page)
    screenshot(page, "housing-household-form")
    page.get_by_role("button", name="Haushalt anlegen und einziehen lassen").click()

    expect(page.get_by_text("Der Haushalt ist eingezogen.")).to_be_visible()
    expect(page.get_by_role("heading", name="Wohnung E2E-1")).to_be_visible()
    expect(page.get_by_text("Sabine K. (1988)")).to_be_visible()
    assert_no_serious_axe_violations(page)
    screenshot(page, "housing-apartment")

    page.get_by_label("Auszugsdatum").fill((moved_in_on + timedelta(days=1)).isoformat())
    page.get_by_label("Verbleib").select_option("own_tenancy")
    page.get_by_role("button", name="Auszug eintragen").click()
    expect(page.get_by_text("Der Auszug ist eingetragen.")).to_be_visible()
    expect(page.get_by_role("cell", name="eigene Wohnung (Mietvertrag)")).to_be_visible()
    expect(page.get_by_text("Zurzeit wohnt hier niemand.")).to_be_visible()


def test_the_board_shows_apartments_against_the_coming_weeks(page: Page) -> None:
    log_in(page, "wohnraum")
    page.goto("/wohnungen/plan?wochen=6&bezirk=Hörde")

    expect(page.get_by_role("heading", name="Belegungsplan")).to_be_visible()
    expect(page.locator("td.week--occupied").first).to_be_visible()
    assert_no_serious_axe_violations(page)
    screenshot(page, "housing-board")
