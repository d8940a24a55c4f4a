"""SMS recipients and the outbox through the API (managers and admins)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.alerts.models import OutboxStatus
from belegung.alerts.outbox import queue
from belegung.auth.models import Role, User
from belegung.context import ServiceContext
from tests.apiclient import ApiClient, assert_error, assert_invalid


def create(api: ApiClient, **body: object) -> dict[str, object]:
    body = {"name": "Leitung Nord", "phone": "0152 2881 7386", "role": "manager", **body}
    response = api.post("/recipients", as_="manager", json=body)
    assert response.status_code == 201, response.json
    result: dict[str, object] = response.json
    return result


def test_a_recipients_phone_is_stored_in_e164(api: ApiClient) -> None:
    recipient = create(api, facilities=["unionstrasse", "drogenhilfe"])
    assert {k: v for k, v in recipient.items() if k not in ("id", "created_at")} == {
        "name": "Leitung Nord",
        "phone": "+4915228817386",
        "role": "manager",
        "facilities": ["unionstrasse", "drogenhilfe"],
        "sms_queries": False,
        "opted_out": False,
        "opted_out_at": None,
        "user": None,
    }


def test_a_crew_phone_with_sms_queries_holds_as_a_device_user_of_its_own(
    api: ApiClient, session: Session
) -> None:
    recipient = create(api, name="Wärmebus 1", phone="+49 172 9980752", role="crew",
                       sms_queries=True)  # fmt: skip
    assert recipient["user"] == "sms-491729980752"
    user = session.scalar(sa.select(User).where(User.name == "sms-491729980752"))
    assert user is not None
    assert user.role == Role.OUTREACH


def test_a_crew_phone_may_hold_as_a_named_user(api: ApiClient) -> None:
    recipient = create(api, role="crew", sms_queries=True, user="outreach")
    assert recipient["user"] == "outreach"


def test_recipients_are_changed_and_removed(api: ApiClient) -> None:
    recipient = create(api)
    changed = api.patch(
        f"/recipients/{recipient['id']}",
        as_="manager",
        json={"name": "Leitung Süd", "facilities": ["nortkirchenstrasse"], "opted_out": True},
    )
    assert changed.status_code == 200, changed.json
    assert (changed.json["name"], changed.json["facilities"], changed.json["opted_out"]) == (
        "Leitung Süd",
        ["nortkirchenstrasse"],
        True,
    )
    assert changed.json["opted_out_at"] == "2026-01-15T20:00:00+00:00"
    assert [r["id"] for r in api.get("/recipients", as_="manager").json["items"]] == [
        recipient["id"]
    ]
    assert api.delete(f"/recipients/{recipient['id']}", as_="manager").status_code == 204
    assert_error(api.get(f"/recipients/{recipient['id']}"), 404, "not_found")


def test_bad_phone_numbers_are_refused_naming_the_field(api: ApiClient) -> None:
    for phone, reason in [
        ("Telefon", "keine Telefonnummer erkennbar"),
        ("0151 123", "diese Telefonnummer gibt es nicht"),
        ("0231 50 00000", "SMS gehen nur an Mobilnummern"),
    ]:
        response = api.post("/recipients", json={"name": "X", "phone": phone, "role": "manager"})
        errors = assert_invalid(response)
        assert reason in errors["phone"][0], (phone, errors)


def test_a_phone_number_is_registered_once(api: ApiClient) -> None:
    create(api)
    response = api.post(
        "/recipients", json={"name": "Doppelt", "phone": "+4915228817386", "role": "crew"}
    )
    assert "ist bereits vergeben" in assert_invalid(response)["phone"][0]


def test_unknown_facilities_users_and_roles_are_refused(api: ApiClient) -> None:
    assert_error(
        api.post(
            "/recipients",
            json={"name": "X", "phone": "+4915228817386", "role": "manager",
                  "facilities": ["gibtsnicht"]},
        ),
        404,
        "not_found",
    )  # fmt: skip
    response = api.post(
        "/recipients", json={"name": "X", "phone": "+4915228817386", "role": "boss"}
    )
    assert "role" in assert_invalid(response)


def test_the_outbox_lists_every_sms_newest_first_and_filters(
    api: ApiClient, ctx: ServiceContext, session: Session
) -> None:
    queue(
        ctx, "+4915228817386", "Freie Betten heute um 21:00 Uhr: Unionstr. 7.", "summary:2026-01-15"
    )
    queue(ctx, "+491729980752", "Winternothilfe AKTIV", "winter:1:start")

    listed = api.get("/outbox", as_="manager")
    assert listed.status_code == 200, listed.json
    items = listed.json["items"]
    assert [m["cause"] for m in items] == ["winter:1:start", "summary:2026-01-15"]
    assert set(items[0]) == {
        "id", "recipient", "phone", "body", "cause", "status", "attempts", "created_at",
        "sent_at", "next_attempt_at", "final_at", "provider_sid", "provider_status",
        "error_code", "error",
    }  # fmt: skip
    assert (items[0]["status"], items[0]["attempts"], items[0]["recipient"]) == (
        "queued",
        0,
        None,
    )
    winter = api.get("/outbox", as_="admin", query_string={"cause": "winter:"}).json
    assert [m["cause"] for m in winter["items"]] == ["winter:1:start"]
    none_sent = api.get("/outbox", query_string={"status": OutboxStatus.SENT.value}).json
    assert none_sent["total"] == 0


def test_the_routes_are_in_the_openapi_document(api: ApiClient) -> None:
    spec = api.get("/api/v1/openapi.json", as_=None).json
    routes = ("alert-rules", "recipients", "outbox", "winter-emergency/release",
              "winter-emergency/history")  # fmt: skip
    for route in routes:
        assert f"/api/v1/{route}" in spec["paths"], route
    assert "/sms/inbound" not in spec["paths"]
