"""The shared front end under the Content-Security-Policy the pages will send: every
component of belegung.css (through the real base.html), htmx and Chart.js from the
vendored files, no inline script or style needed; accessible at both sizes."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, render_template_string
from playwright.sync_api import ConsoleMessage, Page, Route, expect

from belegung import texts
from tests.e2e.helpers import VIEWPORTS, assert_no_serious_axe_violations, screenshot

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent / "styleguide"
# What the pages are to send: nothing inline, no eval, nothing from another origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@pytest.fixture
def styleguide(page: Page, live_app: Flask, live_server: str) -> list[str]:
    """Serve the style guide (not part of the app) on the live server's origin with the
    CSP header; returns the console errors the page logs."""
    with live_app.test_request_context():
        html = render_template_string((HERE / "styleguide.html").read_text(), texts=texts)

    def document(route: Route) -> None:
        route.fulfill(
            body=html,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": CSP},
        )

    page.route(f"{live_server}/__styleguide", document)
    page.route(
        f"{live_server}/__styleguide.js",
        lambda route: route.fulfill(
            path=HERE / "styleguide.js", content_type="text/javascript; charset=utf-8"
        ),
    )
    page.route(
        f"{live_server}/__styleguide/fragment",
        lambda route: route.fulfill(
            body='<p class="notice notice--success">Nachgeladen.</p>',
            content_type="text/html; charset=utf-8",
        ),
    )
    errors: list[str] = []

    def collect(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", collect)
    return errors


def test_htmx_and_chartjs_work_under_a_csp_without_inline_script_or_eval(
    page: Page, styleguide: list[str]
) -> None:
    page.goto("/__styleguide")
    body = page.locator("body")

    # The policy is enforced: the page's deliberate inline script was refused ...
    expect(body).to_have_attribute("data-chart", "drawn")
    assert page.evaluate("document.body.dataset.inlineScript") is None
    # ... and nothing else was: htmx swaps, Chart.js draws.
    page.get_by_role("button", name="Nachladen").click()
    expect(page.locator("#htmx-target")).to_have_text("Nachgeladen.")
    drawn = page.evaluate("Chart.getChart('probe-chart').getDatasetMeta(0).data.length")
    assert drawn == 3
    refused = [e for e in styleguide if "Content Security Policy" in e]
    assert len(refused) == 1, styleguide
    assert "inline script" in refused[0]
    assert styleguide == refused


def test_shared_components_are_accessible_and_screenshotted(
    page: Page, styleguide: list[str]
) -> None:
    page.goto("/__styleguide")
    expect(page.locator("body")).to_have_attribute("data-chart", "drawn")

    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        assert_no_serious_axe_violations(page)
        # Every control is a big enough target for a thumb in a glove (a checkbox counts
        # with its label row).
        small = page.evaluate(
            """() => [...document.querySelectorAll(
                  '.site-nav a, main a.button, main button, main select, main a.bed, '
                  + 'main input:not([type=checkbox]), main .field--check')]
                .filter(e => e.getBoundingClientRect().height < 44)
                .map(e => e.outerHTML.slice(0, 80))"""
        )
        assert small == [], small
    screenshot(page, "styleguide")
    page.emulate_media(media="print")
    screenshot(page, "styleguide-print")


def test_the_axe_check_fails_on_a_page_with_serious_violations(page: Page) -> None:
    page.route(
        "**/__axe-probe",
        lambda route: route.fulfill(
            body='<!doctype html><html lang="de"><title>x</title>'
            '<main><img src="data:,"><input name="unlabelled"></main></html>',
            content_type="text/html; charset=utf-8",
        ),
    )
    page.goto("/__axe-probe")

    with pytest.raises(AssertionError, match=r"image-alt \(critical\)[\s\S]*label \(critical\)"):
        assert_no_serious_axe_violations(page)
