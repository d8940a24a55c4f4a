"""The crews' phone page (free beds, a hold with a note, own live holds, cancelling one)
and the public /frei page (lights per target group, no personal data, cacheable)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.context import Role
from belegung.facilities.models import Facility
from belegung.stays.models import Stay, StayStatus
from tests.pageclient import PageClient


def test_the_phone_page_shows_free_beds_with_the_time(
    pages: PageClient, dortmund: dict[str, Facility]
) -> None:
    page = pages.as_("outreach").get("/unterwegs")

    assert page.status_code == 200
    assert "Stand 21:00 Uhr" in page.text
    assert "Männerübernachtungsstelle Unionstraße" in page.text
    assert "70 frei" in page.text
    assert "Wohnraumvorhalteprogramm" not in page.text


def test_a_crew_holds_a_bed_with_a_note_and_cancels_it(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    page = pages.as_("outreach").get("/unterwegs")

    done = pages.submit(
        page,
        {"facility": "unionstrasse", "note": "Mann, Westpark", "minutes": "45"},
        action="/reservieren",
    )

    assert done.status_code == 303
    hold = session.scalar(sa.select(Stay).where(Stay.status == StayStatus.HELD))
    assert hold is not None
    assert hold.hold_note == "Mann, Westpark"
    listing = pages.get("/unterwegs")
    assert "ist reserviert bis 21:45 Uhr" in listing.text
    assert "Platz 1, bis 21:45 Uhr" in listing.text

    cancelled = pages.submit(listing, action=f"/reservierung/{hold.id}/freigeben")
    assert cancelled.status_code == 303
    session.expire_all()
    assert session.get(Stay, hold.id).status == StayStatus.CANCELLED  # type: ignore[union-attr]
    assert "Keine aktiven Reservierungen." in pages.get("/unterwegs").text


def test_a_double_tapped_hold_holds_one_bed(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    page = pages.as_("outreach").get("/unterwegs")
    values = {"facility": "unionstrasse", "note": "Frau, Bahnhof"}

    pages.submit(page, values, action="/reservieren")
    pages.submit(page, values, action="/reservieren")

    assert session.scalar(sa.select(sa.func.count()).select_from(Stay)) == 1


def test_a_crew_sees_only_its_own_holds(
    pages: PageClient, dortmund: dict[str, Facility], make_hold
) -> None:
    make_hold(dortmund["unionstrasse"], note="von der Leitstelle")

    page = pages.as_("outreach").get("/unterwegs")

    assert "von der Leitstelle" not in page.text


def test_frei_needs_no_login_and_holds_no_personal_data(
    pages: PageClient, dortmund: dict[str, Facility], make_stay, make_person
) -> None:
    make_stay(dortmund["unionstrasse"], make_person("Sebastian Geheim"))

    page = pages.as_(None).get("/frei")

    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "public, max-age=60"
    assert "Set-Cookie" not in page.headers
    assert "Geheim" not in page.text
    assert "Stand 21:00 Uhr" in page.text
    assert "Unionstraße 33, 44137 Dortmund" in page.text
    assert page.text.count('class="traffic-light traffic-light--') == 4
    assert "Wohnraumvorhalteprogramm" not in page.text


def test_frei_lights_go_from_free_to_few_to_none(
    pages: PageClient, make_facility, make_stay
) -> None:
    shelter = make_facility(places=6)
    pages.as_(None)
    assert "traffic-light--free" in pages.get("/frei").text
    make_stay(shelter)
    assert "traffic-light--few" in pages.get("/frei").text
    for _ in range(5):
        make_stay(shelter)
    assert "traffic-light--none" in pages.get("/frei").text


def test_the_phone_page_is_for_crews(pages: PageClient, dortmund: dict[str, Facility]) -> None:
    assert pages.as_("staff").get("/unterwegs").status_code == 403
    assert pages.as_("admin").get("/unterwegs").status_code == 200
    assert Role.OUTREACH  # the role the page is for
