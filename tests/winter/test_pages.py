"""The winter emergency page: its state, the switch by hand with a reason, handing it back
to the forecast, its history and the standby facilities it opens."""

from __future__ import annotations

from sqlalchemy.orm import Session

from belegung.facilities.models import Facility, FacilityStatus
from tests.pageclient import PageClient


def test_a_manager_switches_the_winter_emergency_on_and_off(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    dortmund["drogenhilfe"].status = FacilityStatus.STANDBY
    session.flush()
    page = pages.as_("manager").get("/winternothilfe")
    assert page.status_code == 200
    assert "Nicht aktiv" in page.text
    assert "Noch nie geschaltet." in page.text
    assert 'data-facility="drogenhilfe"' in page.text
    assert "nicht geöffnet" in page.text

    refused = pages.submit(page, {"reason": ""}, action="/winternothilfe/schalten")
    assert refused.status_code == 422
    assert "Bitte ausfüllen." in refused.text

    on = pages.submit(page, {"reason": "Nachtfrost −6 °C"}, action="/winternothilfe/schalten")
    assert on.status_code == 303
    page = pages.get("/winternothilfe")
    assert 'data-active="true"' in page.text
    assert "Winternothilfe aktiv" in page.text  # the banner
    assert "Nachtfrost −6 °C" in page.text
    assert "bietet heute 20 freie Plätze an" in page.text  # the standby shelter opens
    assert "Von Hand gesetzt" in page.text

    released = pages.submit(page, {}, action="/winternothilfe/freigeben")
    assert released.status_code == 303
    page = pages.get("/winternothilfe")
    assert "an die Vorhersage übergeben" in page.text
    assert 'data-active="true"' in page.text  # the state stays until the next forecast

    off = pages.submit(page, {"reason": "Tauwetter"}, action="/winternothilfe/schalten")
    assert off.status_code == 303
    page = pages.get("/winternothilfe")
    assert 'data-active="false"' in page.text
    assert "beendet" in page.text
    assert "eingeschaltet" in page.text


def test_staff_do_not_reach_the_winter_page(
    pages: PageClient, dortmund: dict[str, Facility]
) -> None:
    assert pages.as_("staff").get("/winternothilfe").status_code == 403
    assert pages.as_("admin").get("/winternothilfe").status_code == 200
