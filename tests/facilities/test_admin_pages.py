"""Administration of facilities, places and out-of-service periods through the pages."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.facilities.models import Facility, FacilityStatus, OutOfService, Place
from tests.pageclient import PageClient


def test_an_admin_puts_a_facility_on_standby(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    path = "/admin/einrichtungen/drogenhilfe"
    page = pages.as_("admin").get(path)
    assert page.status_code == 200
    assert 'value="Notschlafstelle für drogenabhängige Menschen"' in page.text

    done = pages.submit(page, {"status": "standby"}, path=path)

    assert done.status_code == 303
    status = session.scalar(sa.select(Facility.status).where(Facility.slug == "drogenhilfe"))
    assert status == FacilityStatus.STANDBY


def test_a_new_facility_and_a_bad_slug_next_to_its_field(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    page = pages.as_("admin").get("/admin/einrichtungen/neu")
    values = {"name": "Kälteschutz Hafen", "target_group": "any"}

    refused = pages.submit(page, {**values, "slug": "Hafen!"}, path="/admin/einrichtungen/neu")
    assert refused.status_code == 422
    assert "nur Kleinbuchstaben, Ziffern und Bindestriche" in refused.text

    done = pages.submit(page, {**values, "slug": "hafen"}, path="/admin/einrichtungen/neu")
    assert done.status_code == 303
    assert session.scalar(sa.select(Facility.name).where(Facility.slug == "hafen")) == (
        "Kälteschutz Hafen"
    )


def test_places_and_out_of_service_periods(
    pages: PageClient, dortmund: dict[str, Facility], make_stay, session: Session
) -> None:
    path = "/admin/einrichtungen/unionstrasse/plaetze"
    page = pages.as_("admin").get(path)
    assert page.status_code == 200

    added = pages.submit(page, {"label": "71", "unit": "Zimmer 23"}, action="/plaetze")
    assert added.status_code == 303
    assert session.scalar(
        sa.select(Place.id).where(
            Place.facility_id == dortmund["unionstrasse"].id, Place.label == "71"
        )
    )

    out = pages.submit(
        pages.get(path), {"place": "2", "reason": "Wasserschaden"}, action="/ausser-betrieb"
    )
    assert out.status_code == 303
    listing = pages.get(path)
    assert "Platz 2: Wasserschaden" in listing.text
    period_id = session.scalar(sa.select(OutOfService.id))
    back = pages.submit(listing, action=f"/ausser-betrieb/{period_id}/ende")
    assert back.status_code == 303

    make_stay(dortmund["unionstrasse"], place_label="5")
    refused = pages.submit(
        pages.get(path), {"place": "5", "reason": "Reinigung"}, action="/ausser-betrieb"
    )
    assert refused.status_code == 409
    assert "Platz 5 ist in diesem Zeitraum belegt oder reserviert." in refused.text


def test_the_administration_is_for_admins(pages: PageClient, dortmund: dict[str, Facility]) -> None:
    assert pages.as_("manager").get("/admin/einrichtungen").status_code == 403
    assert pages.as_("staff").get("/admin/einrichtungen/unionstrasse").status_code == 403
