"""The status page `/status` in a real browser: rendered through base.html with the shared
stylesheet, accessible, at the phone and the tablet size."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from belegung.facilities.presets import DORTMUND
from tests.e2e.helpers import VIEWPORTS, assert_no_serious_axe_violations, screenshot

pytestmark = pytest.mark.e2e

STATIC = Path(__file__).resolve().parents[2] / "belegung" / "static"


def test_status_page_shows_tonights_figures_in_the_shared_layout(page: Page) -> None:
    page.goto("/status")

    expect(page).to_have_title("belegung")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("belegung läuft")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(len(DORTMUND))
    expect(rows.first.get_by_role("rowheader")).to_have_text(DORTMUND[0].name)
    # The stylesheet came from /static: the page wears the dark theme, not the default.
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(16, 20, 24)"

    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        assert_no_serious_axe_violations(page)
    screenshot(page, "status")


@pytest.mark.parametrize(
    "path",
    [
        "vendor/htmx/htmx.min.js",
        "vendor/chartjs/chart.umd.min.js",
        "css/belegung.css",
    ],
)
def test_vendored_assets_are_served_from_the_package(page: Page, path: str) -> None:
    response = page.request.get(f"/static/{path}")

    assert response.ok
    content_type = response.headers["content-type"]
    assert content_type.startswith("text/css" if path.endswith(".css") else "text/javascript")
    served = hashlib.sha256(response.body()).hexdigest()
    assert served == hashlib.sha256((STATIC / path).read_bytes()).hexdigest()
