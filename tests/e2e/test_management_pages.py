"""The management pages in a real browser: a manager downloads last month's figures as
XLSX and the federal statistic as CSV through the pages, and both agree with the data;
an admin creates a capacity rule and an SMS recipient through the forms. Every new page
is checked at a phone's and a tablet's size (no sideways scrolling, axe-core), and the
crews' phone page too with a hold and the winter emergency on (issue 9's overflow)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect

from belegung.alerts.models import AlertRule, Recipient, RuleMetric
from belegung.config import settings_of
from belegung.context import Actor, Role, service_context
from belegung.extensions import db, session
from belegung.facilities.models import TargetGroup
from belegung.reports import operations as reports
from belegung.reports.monthly import Month
from tests.e2e.conftest import E2E_PASSWORD
from tests.e2e.helpers import (
    _TWO_FRAMES,
    VIEWPORTS,
    assert_no_serious_axe_violations,
    screenshot,
)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}
# document width beyond the window: what a phone user would have to scroll sideways.
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def overflow(page: Page) -> int:
    """How far the page scrolls sideways, once it has laid out at its size (charts
    resize a frame after the window)."""
    page.evaluate(_TWO_FRAMES)
    page.wait_for_timeout(50)
    page.evaluate(_TWO_FRAMES)
    return int(page.evaluate(OVERFLOW))


@pytest.fixture
def browser_for(browser: Browser, base_url: str) -> Iterator[object]:
    """`browser_for(user)`: a fresh browser context (its own cookies), signed in."""
    made: list[BrowserContext] = []

    def make(user: str, viewport: dict[str, int] = TABLET) -> Page:
        context = browser.new_context(
            base_url=base_url, viewport=viewport, locale="de-DE", accept_downloads=True
        )
        made.append(context)
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Benutzername").fill(user)
        page.get_by_label("Passwort").fill(E2E_PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        expect(page.get_by_text(user, exact=True)).to_be_visible()
        return page

    yield make
    for context in made:
        context.close()


def in_app(app: Flask, work):  # type: ignore[no-untyped-def]
    """Run `work(ctx)` in the live app as a manager would (one rolled-back unit)."""
    with app.app_context():
        ctx = service_context(session(), Actor(None, "e2e", Role.MANAGER), settings_of(app))
        try:
            return work(ctx)
        finally:
            db.session.rollback()
            db.session.remove()


def test_a_manager_downloads_last_months_xlsx_and_the_federal_statistic(
    browser_for: object, live_app: Flask
) -> None:
    page = browser_for("leitung")  # type: ignore[operator]
    page.get_by_role("link", name="Berichte").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Monatszahlen")
    expect(page.locator("canvas#occupancy-chart")).to_have_attribute("data-drawn", "true")

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Monatszahlen als Excel (XLSX)").click()
    xlsx = xlsx_download.value
    match = re.fullmatch(r"monatszahlen-(\d{4}-\d{2})\.xlsx", xlsx.suggested_filename)
    assert match is not None
    month = Month.parse(match.group(1))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.path().read_bytes()))

    report = in_app(live_app, lambda ctx: reports.monthly_report(ctx))
    assert report.month == month  # last month, the page's default
    assert report.totals.occupied_nights > 0
    overview = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    header = overview[0]
    totals = next(row for row in overview if "total" in row or "Insgesamt" in row)
    column = next(i for i, h in enumerate(header) if h == "belegte Nächte")
    assert totals[column] == report.totals.occupied_nights
    # The overview, a sheet per facility, and the housing programme's moves and outcomes.
    assert len(book.sheetnames) == 1 + len(report.facilities) + 1
    assert book.sheetnames[-1] == "Wohnraumvorhalteprogramm"

    page.get_by_role("link", name="Bundesstatistik (Stichtag)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bundesstatistik")
    with page.expect_download() as csv_download:
        page.get_by_role("link", name=re.compile("Datensätze als CSV")).click()
    records = csv_download.value
    night = re.fullmatch(r"wohnungslosenstatistik-(.+)\.csv", records.suggested_filename)
    assert night is not None
    rows = list(csv.DictReader(io.StringIO(records.path().read_text(encoding="utf-8"))))

    statistic = in_app(
        live_app,
        lambda ctx: reports.federal_report(ctx, settings_of(live_app), date.fromisoformat(
            night.group(1))),
    )  # fmt: skip
    assert (statistic.night.month, statistic.night.day) == (1, 31)
    assert len(rows) == len(statistic.records) > 0
    assert {r["stichtag"] for r in rows} == {statistic.night.isoformat()}
    shown = page.locator("[data-records]").get_attribute("data-records")
    assert shown == str(len(rows))


def test_an_admin_creates_a_capacity_rule_and_a_recipient(
    browser_for: object, live_app: Flask
) -> None:
    page = browser_for("admin")  # type: ignore[operator]
    page.goto("/admin")
    page.get_by_role("link", name=re.compile("Alarmregeln")).click()
    page.get_by_role("link", name="Neue Alarmregel").click()
    page.get_by_label("Gilt für").select_option(label="Zielgruppe: Junge Erwachsene")
    page.get_by_label("Auslöser").select_option("free")
    page.get_by_label("Schwelle").fill("2")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Angelegt.")
    expect(page.get_by_text("höchstens 2 Plätze frei")).to_be_visible()

    page.goto("/alarme/empfaenger/neu")
    page.get_by_label("Name").fill("Wärmebus 2")
    page.get_by_label("Handynummer").fill("0151 2345678")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator("#phone-error")).to_be_visible()  # the number is checked
    page.get_by_label("Handynummer").fill("0151 23456780")
    page.get_by_label("Rolle").select_option("crew")
    page.get_by_label(re.compile("Wärmebus-Handy")).check()
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Angelegt.")

    def stored(ctx):  # type: ignore[no-untyped-def]
        rule = ctx.session.scalars(
            sa.select(AlertRule).where(AlertRule.target_group == TargetGroup.YOUNG_ADULTS,
                                       AlertRule.metric == RuleMetric.FREE)
        ).one()  # fmt: skip
        recipient = ctx.session.scalars(
            sa.select(Recipient).where(Recipient.phone == "+4915123456780")
        ).one()
        return rule.threshold, rule.margin, recipient.name, recipient.sms_queries

    assert in_app(live_app, stored) == (2, 2, "Wärmebus 2", True)


NEW_PAGES = {
    "leitung": [
        ("/alarme", "alarme"),
        ("/alarme/regeln", "alarmregeln"),
        ("/alarme/regeln/neu", "alarmregel-neu"),
        ("/alarme/empfaenger", "empfaenger"),
        ("/alarme/empfaenger/neu", "empfaenger-neu"),
        ("/alarme/ausgang", "sms-ausgang"),
        ("/winternothilfe", "winternothilfe"),
        ("/berichte", "berichte"),
        ("/berichte/bundesstatistik", "bundesstatistik"),
        ("/protokoll", "protokoll"),
        ("/personen?q=Wiederkehr", "personen"),
    ],
    "nachtdienst": [("/nacht/unionstrasse/neu", "neuer-gast")],
}


@pytest.mark.parametrize("user", list(NEW_PAGES))
def test_the_new_pages_fit_a_phone_and_a_tablet(browser_for: object, user: str) -> None:
    page = browser_for(user)  # type: ignore[operator]
    for path, name in NEW_PAGES[user]:
        page.goto(path)
        for width, height in VIEWPORTS:
            page.set_viewport_size({"width": width, "height": height})
            assert overflow(page) == 0, f"{path} scrolls sideways at {width} px"
            assert_no_serious_axe_violations(page)
        screenshot(page, name)


def test_a_persons_page_export_and_erasure_form_fit_a_phone(browser_for: object) -> None:
    page = browser_for("leitung", PHONE)  # type: ignore[operator]
    page.goto("/personen?q=Wiederkehr")
    page.get_by_role("link", name=re.compile("Heinz Wiederkehr")).click()
    expect(page.get_by_label("Staatsangehörigkeit (Land)")).to_be_visible()
    pages = [("person", page.url)]
    page.get_by_role("link", name="Auskunft (Art. 15 DSGVO)").click()
    expect(page.get_by_role("button", name="Drucken")).to_be_visible()  # print.js ran
    pages.append(("auskunft", page.url))
    page.go_back()
    page.get_by_role("link", name="Löschen (Art. 17 DSGVO)").click()
    expect(page.get_by_label(re.compile("jetzt endgültig löschen"))).to_be_visible()
    pages.append(("loeschen", page.url))
    for name, url in pages:
        page.goto(url)
        for width, height in VIEWPORTS:
            page.set_viewport_size({"width": width, "height": height})
            assert overflow(page) == 0, f"{url} scrolls sideways at {width} px"
            assert_no_serious_axe_violations(page)
        screenshot(page, f"personen-{name}")


def test_the_crews_phone_page_fits_390_px_with_a_hold_and_the_winter_emergency(
    browser_for: object,
) -> None:
    manager = browser_for("leitung")  # type: ignore[operator]
    manager.goto("/winternothilfe")
    switched_on = False
    if manager.locator('[data-active="false"]').count():
        manager.get_by_label("Begründung", exact=True).fill("Frost, Test des Telefons")
        manager.get_by_role("button", name="Winternothilfe einschalten").click()
        switched_on = True
    try:
        crew = browser_for("waermebus", PHONE)  # type: ignore[operator]
        crew.goto("/unterwegs")
        crew.get_by_label(re.compile("Für wen")).fill("Mann, ca. 50, Hauptbahnhof Nordausgang")
        crew.get_by_role("button", name="Reservieren").click()
        expect(crew.get_by_role("status").filter(has_text="ist reserviert")).to_be_visible()
        expect(crew.locator(".hold-item").first).to_be_visible()
        assert overflow(crew) == 0
        crew.get_by_role("button", name=re.compile("^Freigeben")).first.click()
        screenshot(crew, "phone-winter")
    finally:
        if switched_on:
            manager.goto("/winternothilfe")
            manager.get_by_label("Begründung", exact=True).fill("Test vorbei")
            manager.get_by_role("button", name="Winternothilfe beenden").click()
