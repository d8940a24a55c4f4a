"""The audit log: every write and look-up of a person recorded, readable and filterable by
managers and admins (GET /api/v1/audit); failed look-ups recorded in a transaction of
their own, which the request's rollback does not erase; entries past their retention
deleted by a job."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from belegung.audit.models import AuditEntry
from belegung.audit.tasks import purge_audit_log
from tests.apiclient import ApiClient, assert_error, assert_invalid, check_in, new_person
from tests.conftest import FakeClock


def entries(api: ApiClient, as_: str = "manager", **query: Any) -> list[dict[str, Any]]:
    response = api.get("/audit", as_=as_, query_string={"page_size": 200, **query})
    assert response.status_code == 200, response.json
    items: list[dict[str, Any]] = response.json["items"]
    return items


def test_a_check_in_leaves_its_trail_readable_by_person(api: ApiClient) -> None:
    stay = check_in(api, name="Zacharias Quellmann", birth_year=1937)
    assert stay.status_code == 201, stay.json
    person_id = stay.json["person"]["id"]

    trail = entries(api, person=person_id)

    assert [(e["action"], e["actor"], e["object_type"]) for e in trail] == [
        ("stay.check_in", "staff", "stay"),
        ("person.create", "staff", "person"),
    ]
    assert trail[0]["object_id"] == stay.json["id"]
    assert trail[0]["facility"] is not None
    assert "Quellmann" not in str(trail)
    assert "1937" not in str(trail)


def test_a_look_up_refused_as_hidden_is_kept_though_the_request_rolled_back(
    api: ApiClient, session: Session
) -> None:
    person_id = new_person(api, name="Anna")  # known to staff of unionstrasse only

    refused = api.get(f"/persons/{person_id}", as_="staff_women")

    assert_error(refused, 404, "not_found")
    (entry,) = entries(api, action="person.lookup_refused")
    assert (entry["actor"], entry["object_id"], entry["details"]) == (
        "staff-women",
        person_id,
        {"hidden": True},
    )
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "person.lookup_refused"
    )) == 1  # fmt: skip


def test_a_check_in_naming_a_hidden_person_is_audited_as_a_refused_look_up(
    api: ApiClient,
) -> None:
    person_id = new_person(api)

    response = api.post(
        "/stays",
        as_="staff_women",
        json={"facility": "nortkirchenstrasse", "person": {"id": person_id}},
    )

    assert response.status_code == 404
    assert [e["object_id"] for e in entries(api, action="person.lookup_refused")] == [person_id]
    assert entries(api, action="stay.check_in") == []


def test_a_look_up_of_an_id_that_does_not_exist_is_audited_as_not_hidden(api: ApiClient) -> None:
    assert api.get("/persons/999999", as_="staff").status_code == 404

    (entry,) = entries(api, action="person.lookup_refused")
    assert (entry["object_id"], entry["details"]) == (999999, {"hidden": False})


@pytest.mark.parametrize(("q", "reason"), [("a", "search_too_short")])
def test_a_refused_search_is_audited_with_its_reason_not_the_query(
    api: ApiClient, q: str, reason: str
) -> None:
    assert_invalid(api.get("/persons", as_="staff", query_string={"q": q}), "query")

    (entry,) = entries(api, action="person.search_refused")
    assert (entry["actor"], entry["object_id"], entry["details"]) == (
        "staff",
        None,
        {"reason": reason},
    )


def test_a_search_matching_too_many_is_audited_as_refused(api: ApiClient) -> None:
    for year in range(1960, 1981):
        new_person(api, name="Anna Schmidt", birth_year=year)

    assert_invalid(api.get("/persons", as_="staff", query_string={"q": "Schmidt"}), "query")

    assert [e["details"] for e in entries(api, action="person.search_refused")] == [
        {"reason": "search_too_many"}
    ]


def test_the_log_filters_by_user_action_prefix_and_days(api: ApiClient, clock: FakeClock) -> None:
    new_person(api, name="Erster")  # 15 January, by staff
    clock.advance(days=2)
    api.post("/persons", as_="admin", json={"name": "Zweiter"})  # 17 January, by admin
    api.get("/persons", as_="manager", query_string={"q": "Zweiter"})

    assert {e["actor"] for e in entries(api, user="staff")} == {"staff"}
    assert {e["action"] for e in entries(api, action="person.")} == {
        "person.create",
        "person.search",
    }
    assert [e["actor"] for e in entries(api, action="person.create", to="2026-01-16")] == ["staff"]
    assert [e["actor"] for e in entries(api, action="person.create", **{"from": "2026-01-17"})] == [
        "admin"
    ]
    assert entries(api, user="nobody") == []


def test_from_after_to_is_refused(api: ApiClient) -> None:
    response = api.get(
        "/audit", as_="manager", query_string={"from": "2026-02-01", "to": "2026-01-01"}
    )

    assert set(assert_invalid(response, "query")) == {"to"}


@pytest.mark.parametrize("role", ["staff", "outreach"])
def test_only_managers_and_admins_read_the_log(api: ApiClient, role: str) -> None:
    assert_error(api.get("/audit", as_=role), 403, "forbidden")


# --- retention ------------------------------------------------------------------------------


def test_entries_older_than_the_retention_are_deleted_by_the_job(
    app_context: Any, api: ApiClient, session: Session, clock: FakeClock
) -> None:
    session.add_all(
        AuditEntry(
            at=datetime(*when, tzinfo=UTC), actor_label="cli", action="x.old", object_type="x"
        )
        for when in ((2023, 12, 1), (2024, 1, 14, 22, 0), (2024, 1, 15, 12, 0))
    )
    session.flush()
    before = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))

    counted = purge_audit_log(dry_run=True)
    purged = purge_audit_log()

    # 24 months before 15 January 2026 is local midnight on 15 January 2024.
    assert counted.cutoff == datetime(2024, 1, 14, 23, 0, tzinfo=UTC)
    assert (counted.entries, purged.entries) == (2, 2)
    left = session.scalars(sa.select(AuditEntry.at).where(AuditEntry.action == "x.old")).all()
    assert left == [datetime(2024, 1, 15, 12, 0, tzinfo=UTC)]
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before - 2


def test_audit_purge_command_reports_what_it_deleted(app: Flask, api: ApiClient) -> None:
    result = app.test_cli_runner().invoke(args=["audit", "purge", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "Probelauf: 0 Protokolleinträge vor dem 15.01.2024" in result.output
