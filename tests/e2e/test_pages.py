"""The pages in a real browser, as the people at the door and in the street use them:
staff check a returning guest in with three taps and out again, a second tablet trying
the same bed gets a friendly conflict, a crew's hold from the phone shows on the board
without a reload (and a failed refresh says so), a manager sees the charts, and /frei
needs no login. Every page is checked with axe-core; screenshots at both sizes go to
docs/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import E2E_PASSWORD, RETURNING_GUEST
from tests.e2e.helpers import VIEWPORTS, assert_no_serious_axe_violations, screenshot

pytestmark = pytest.mark.e2e

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


def log_in(page: Page, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Benutzername").fill(name)
    page.get_by_label("Passwort").fill(E2E_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_text(name, exact=True)).to_be_visible()


@pytest.fixture
def context_for(browser: Browser, base_url: str) -> Iterator[object]:
    """`context_for(viewport)`: a fresh browser context (its own cookies: a second tablet)."""
    made: list[BrowserContext] = []

    def make(viewport: dict[str, int] = TABLET) -> BrowserContext:
        context = browser.new_context(base_url=base_url, viewport=viewport, locale="de-DE")
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def free_bed(page: Page) -> str:
    """The label of a free bed on the board."""
    label = page.locator(".bed-grid .bed--free").first.get_attribute("data-place")
    assert label
    return label


def test_login_page_is_accessible_and_sends_the_security_headers(page: Page) -> None:
    response = page.goto("/")
    assert response is not None
    expect(page).to_have_url(re.compile(r"/login$"))
    headers = response.all_headers()
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    expect(page.locator("html")).to_have_attribute("lang", "de")
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        assert_no_serious_axe_violations(page)
    screenshot(page, "login")


def test_staff_check_a_returning_guest_in_with_three_taps_and_out_again(page: Page) -> None:
    page.set_viewport_size(TABLET)
    log_in(page, "nachtdienst")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Männerübernachtungsstelle Unionstraße"
    )
    guest, born = RETURNING_GUEST

    page.get_by_label("Name und Geburtsjahr").fill(f"Wiederkehr {born}")
    page.get_by_role("button", name="Suchen").click()  # tap 1
    page.get_by_role("link", name=re.compile(guest)).click()  # tap 2
    expect(page.get_by_role("heading", name="Aufnahme bestätigen")).to_be_visible()
    page.get_by_role("button", name="Aufnehmen").click()  # tap 3

    notice = page.get_by_role("status").filter(has_text="ist aufgenommen")
    expect(notice).to_contain_text(guest)
    place = re.search(r"Platz (\S+)\.", notice.inner_text())
    assert place is not None
    bed = page.locator(f'.bed-grid [data-place="{place.group(1)}"]')
    expect(bed).to_have_attribute("data-state", "occupied")
    expect(bed).to_contain_text("Heinz W.")

    bed.click()
    page.get_by_role("button", name="Abmelden", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="ist abgemeldet")).to_be_visible()
    expect(bed).not_to_have_attribute("data-state", "occupied")


def test_a_second_tablet_taking_the_same_bed_gets_a_friendly_conflict(
    context_for: object,
) -> None:
    first = context_for().new_page()  # type: ignore[operator]
    second = context_for().new_page()  # type: ignore[operator]
    for tablet in (first, second):
        log_in(tablet, "nachtdienst")
    bed = free_bed(first)

    # Both tablets tap the same free bed and start a new guest's check-in on it.
    for tablet, name in ((first, "Anton Erster"), (second, "Bruno Zweiter")):
        tablet.goto("/nacht/unionstrasse")
        tablet.locator(f'.bed-grid [data-place="{bed}"]').click()
        tablet.get_by_role("link", name="Neuer Gast").click()
        tablet.get_by_label("Name", exact=True).fill(name)
        tablet.get_by_label("Geschlecht").select_option("m")
        expect(tablet.get_by_label("Platz")).to_have_value(bed)

    first.get_by_role("button", name="Aufnehmen").click()
    expect(first.get_by_role("status").filter(has_text=f"Platz {bed}.")).to_be_visible()

    second.get_by_role("button", name="Aufnehmen").click()
    # Not an error page: the same form, the API's message, the next free bed chosen.
    expect(second.get_by_role("heading", name="Neuer Gast")).to_be_visible()
    expect(second.get_by_role("alert")).to_contain_text(f"Platz {bed} ist für diese Nacht bereits")
    expect(second.get_by_role("status")).to_contain_text("Nächster freier Platz")
    expect(second.get_by_label("Name", exact=True)).to_have_value("Bruno Zweiter")
    offered = second.get_by_label("Platz").input_value()
    assert offered
    assert offered != bed
    second.get_by_role("button", name="Aufnehmen").click()
    expect(second.get_by_role("status").filter(has_text=f"Platz {offered}.")).to_be_visible()


def test_a_crews_hold_from_the_phone_shows_on_the_board_without_a_reload(
    context_for: object,
) -> None:
    board = context_for(TABLET).new_page()  # type: ignore[operator]
    log_in(board, "nachtdienst")
    board.evaluate("window.__sameDocument = true")

    phone = context_for(PHONE).new_page()  # type: ignore[operator]
    log_in(phone, "waermebus")
    expect(phone.get_by_role("heading", name="Freie Betten heute")).to_be_visible()
    phone.get_by_label("Einrichtung").select_option("unionstrasse")
    phone.get_by_label("Für wen, von wo").fill("Mann mit Rucksack, Westpark")
    phone.get_by_role("button", name="Reservieren").click()
    expect(phone.get_by_role("status")).to_contain_text("reserviert bis")
    expect(phone.locator(".hold-item").filter(has_text="Unionstraße")).not_to_have_count(0)

    incoming = board.locator(".incoming__list").filter(has_text="Mann mit Rucksack, Westpark")
    expect(incoming).to_be_visible(timeout=15_000)
    assert board.evaluate("window.__sameDocument") is True  # refreshed in place, no reload

    # The connection drops: the board says since when its figures are old.
    board.route("**/nacht/unionstrasse", lambda route: route.abort())
    board.evaluate("document.dispatchEvent(new Event('belegung:refresh'))")
    expect(board.locator("#stale")).to_contain_text("Keine Verbindung seit")
    board.unroute("**/nacht/unionstrasse")
    expect(board.locator("#stale")).to_be_hidden(timeout=15_000)


def test_the_night_board_and_the_phone_page_are_accessible_at_both_sizes(
    context_for: object,
) -> None:
    board = context_for(TABLET).new_page()  # type: ignore[operator]
    log_in(board, "nachtdienst")
    for width, height in VIEWPORTS:
        board.set_viewport_size({"width": width, "height": height})
        assert_no_serious_axe_violations(board)
    screenshot(board, "night-board")

    phone = context_for(PHONE).new_page()  # type: ignore[operator]
    log_in(phone, "waermebus")
    for width, height in VIEWPORTS:
        phone.set_viewport_size({"width": width, "height": height})
        assert_no_serious_axe_violations(phone)
    screenshot(phone, "phone")


def test_a_manager_sees_the_charts_with_their_tables(page: Page) -> None:
    page.set_viewport_size(TABLET)
    log_in(page, "leitung")
    expect(page.get_by_role("heading", name="Übersicht der Leitung")).to_be_visible()
    for chart in ("occupancy-30", "refusals-30", "occupancy-365"):
        expect(page.locator(f"#{chart}-chart")).to_have_attribute("data-drawn", "true")
        lines = page.evaluate(f"Chart.getChart('{chart}-chart').data.datasets.length")
        assert lines >= 4
        # The same figures as a table (folded away once the chart is drawn).
        expect(page.locator(f"#{chart}-table tbody tr")).not_to_have_count(0)
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        assert_no_serious_axe_violations(page)
    screenshot(page, "dashboard")


def test_frei_needs_no_login_and_shows_a_light_per_target_group(context_for: object) -> None:
    page = context_for(PHONE).new_page()  # type: ignore[operator]
    response = page.goto("/frei")
    assert response is not None
    assert response.headers["cache-control"] == "public, max-age=60"
    expect(page.get_by_role("heading", level=1)).to_have_text("Freie Schlafplätze heute Nacht")
    expect(page.locator(".traffic-light")).to_have_count(4)
    expect(page.get_by_text("Unionstraße 33, 44137 Dortmund")).to_be_visible()
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        assert_no_serious_axe_violations(page)
    screenshot(page, "frei")
