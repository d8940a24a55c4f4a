"""The administration of users and tokens through the pages (admins only)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.auth.models import ApiToken, User
from belegung.auth.service import check_password
from belegung.facilities.models import Facility
from tests.apiclient import Caller
from tests.pageclient import PageClient


def test_the_administration_lists_its_sections_from_the_registry(
    pages: PageClient, dortmund: dict[str, Facility]
) -> None:
    page = pages.as_("admin").get("/admin")

    assert page.status_code == 200
    for section in ("Einrichtungen", "Benutzer", "Tokens"):
        assert section in page.text


def test_an_admin_creates_a_staff_user_with_facilities_and_a_password(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    form = pages.as_("admin").get("/admin/benutzer/neu")

    done = pages.submit(
        form,
        {
            "name": "nacht-2",
            "role": "staff",
            "facilities": "junge-erwachsene",
            "password": "ein sicheres Passwort",
        },
        path="/admin/benutzer/neu",
    )

    assert done.status_code == 303
    user = session.scalar(sa.select(User).where(User.name == "nacht-2"))
    assert user is not None
    assert [f.slug for f in user.facilities] == ["junge-erwachsene"]
    assert user.password_hash is not None
    assert check_password(user, "ein sicheres Passwort")


def test_a_staff_user_without_a_facility_is_refused_next_to_the_field(
    pages: PageClient, dortmund: dict[str, Facility]
) -> None:
    form = pages.as_("admin").get("/admin/benutzer/neu")

    refused = pages.submit(form, {"name": "nacht-3", "role": "staff"}, path="/admin/benutzer/neu")

    assert refused.status_code == 422
    assert "Mitarbeitende brauchen eine Einrichtung." in refused.text


def test_an_admin_changes_a_role_and_deactivates_a_user(
    pages: PageClient, dortmund: dict[str, Facility], callers: dict[str, Caller], session: Session
) -> None:
    user_id = callers["outreach"].user_id
    path = f"/admin/benutzer/{user_id}"
    form = pages.as_("admin").get(path)
    fields = dict(pages.form(form)["fields"])
    fields.pop("active", None)

    done = pages.post(path, {**fields, "role": "manager"})

    assert done.status_code == 303
    session.expire_all()
    user = session.get(User, user_id)
    assert user is not None
    assert user.role.value == "manager"
    assert user.active is False


def test_a_token_is_shown_once_and_can_be_revoked(
    pages: PageClient, dortmund: dict[str, Facility], callers: dict[str, Caller], session: Session
) -> None:
    page = pages.as_("admin").get("/admin/tokens")

    created = pages.submit(
        page, {"user": str(callers["outreach"].user_id), "label": "Handy Wärmebus 2"}
    )

    assert created.status_code == 201
    raw = re.search(r"<code>(blg_[^<]+)</code>", created.text)
    assert raw is not None
    assert "nur jetzt angezeigt" in created.text
    assert created.headers["Cache-Control"] == "no-store"
    assert raw.group(1) not in pages.get("/admin/tokens").text
    token = session.scalar(sa.select(ApiToken).where(ApiToken.name == "Handy Wärmebus 2"))
    assert token is not None
    api = pages.client.get(
        "/api/v1/availability", headers={"Authorization": f"Bearer {raw.group(1)}"}
    )
    assert api.status_code == 200

    listing = pages.get("/admin/tokens")
    revoked = pages.submit(listing, action=f"/admin/tokens/{token.id}/widerrufen")

    assert revoked.status_code == 303
    api = pages.client.get(
        "/api/v1/availability", headers={"Authorization": f"Bearer {raw.group(1)}"}
    )
    assert api.status_code == 401
