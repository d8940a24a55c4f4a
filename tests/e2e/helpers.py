"""Helpers for browser tests: screenshots at the two sizes pages must work at, and the
axe-core accessibility check."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_URL = "/__e2e/axe.min.js"
# The sizes every page must work at: a crew's phone and a shelter's tablet.
VIEWPORTS = ((390, 844), (1024, 768))
_TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def screenshot(page: Page, name: str) -> list[Path]:
    """Full-page PNGs of the current page at the phone and the tablet size, into the
    directory named by BELEGUNG_E2E_ARTIFACTS (CI sets it) and, with
    BELEGUNG_UPDATE_SCREENSHOTS=1, into the committed docs/screenshots/ (so that a test
    run does not rewrite the documentation's pictures by the minute)."""
    targets = []
    if os.environ.get("BELEGUNG_UPDATE_SCREENSHOTS") == "1":
        targets.append(SCREENSHOTS)
    if artifacts := os.environ.get("BELEGUNG_E2E_ARTIFACTS"):
        targets.append(Path(artifacts))
    original = page.viewport_size
    saved: list[Path] = []
    try:
        for width, height in VIEWPORTS:
            page.set_viewport_size({"width": width, "height": height})
            # Let the page lay out and paint at the new size (charts resize on a frame).
            page.evaluate(_TWO_FRAMES)
            png = page.screenshot(full_page=True, animations="disabled", caret="hide")
            for target in targets:
                target.mkdir(parents=True, exist_ok=True)
                path = target / f"{name}-{width}x{height}.png"
                path.write_bytes(png)
                saved.append(path)
    finally:
        if original is not None:
            page.set_viewport_size(original)
    return saved


def assert_no_serious_axe_violations(page: Page) -> None:
    """Run axe-core on the page as it is now; fail on any serious or critical violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # From the page's own origin, as a file: a strict Content-Security-Policy refuses
        # the inline script that add_script_tag(path=…) would insert.
        page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=AXE))
        page.add_script_tag(url=AXE_URL)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {node['target']}: {node['failureSummary']}" for node in v["nodes"][:5])
        for v in serious
    )
    assert not serious, f"axe-core found serious or critical violations:\n{report}"
