"""Retention and the data subject's rights: persons without a stay, hold, house ban or
turn-away for BELEGUNG_ANONYMISE_AFTER_MONTHS are anonymised by a job; a manager erases
a person at once, with a reason; an access request exports everything stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from belegung.audit.models import AuditEntry
from belegung.context import ServiceContext
from belegung.facilities.models import Facility
from belegung.persons.models import Nationality, Person
from belegung.persons.tasks import anonymise_persons
from belegung.stays.models import BanKind, HouseBan, TurnAway, TurnAwayReason
from belegung.stays.turn_aways import record_turn_away
from tests.apiclient import ApiClient, assert_error, audited, check_in_body, new_person
from tests.conftest import FakeClock

MakePerson = Callable[..., Person]


def anonymise(**options: Any) -> list[int]:
    """The job, in the test's app context (see the `app_context` fixture)."""
    return list(anonymise_persons(**options).person_ids)


@pytest.fixture
def old_and_new(
    ctx: ServiceContext,
    clock: FakeClock,
    dortmund: dict[str, Facility],
    make_person: MakePerson,
    make_stay: Callable[..., Any],
    make_ban: Callable[..., HouseBan],
) -> dict[str, Person]:
    """Persons whose last record is of January 2024 (two years before the clock's
    15 January 2026) or later."""
    union = dortmund["unionstrasse"]
    clock.set_local(2023, 12, 20, 21, 0)
    people = {
        key: make_person(f"Gast {key}", birth_year=1970, citizenship="PL")
        for key in ("old", "recent", "banned_for_good", "ban_ended", "turned_away", "fresh")
    }
    make_stay(union, people["old"], nights=3)  # until the night of 22 December 2023
    make_ban(people["banned_for_good"], union, BanKind.DANGER, reason="Gast schlug zu")
    make_ban(people["ban_ended"], union, end_night=clock.moment.date().replace(day=27))
    clock.set_local(2024, 1, 20, 21, 0)
    make_stay(union, people["recent"])  # the night of 20 January 2024: within 24 months
    record_turn_away(ctx, union, TurnAwayReason.FULL, person=people["turned_away"])
    clock.set_local(2026, 1, 15, 21, 0)
    people["fresh"].created_at = clock.moment  # registered tonight, no stay yet
    ctx.session.flush()
    return people


def test_persons_without_any_record_for_24_months_are_anonymised(
    app_context: Any, api: ApiClient, session: Session, old_and_new: dict[str, Person]
) -> None:
    anonymised = anonymise()

    session.expire_all()
    old = old_and_new["old"]
    assert set(anonymised) == {old.id, old_and_new["ban_ended"].id}
    assert (old.name, old.name_key, old.birth_year, old.citizenship) == (None, None, None, None)
    assert old.anonymised_at is not None
    # What the figures count stays.
    assert (old.gender.value, old.nationality, old.household_size) == ("m", Nationality.EU, 1)
    kept = [old_and_new[k] for k in ("recent", "banned_for_good", "turned_away", "fresh")]
    assert all(p.name is not None and p.anonymised_at is None for p in kept)
    ended = session.scalars(
        sa.select(HouseBan).where(HouseBan.person_id == old_and_new["ban_ended"].id)
    ).one()
    assert ended.reason == "–"
    assert [e.details for e in audited(session, "person.anonymise")] == [{"cause": "retention"}] * 2


def test_a_second_run_finds_nobody_new_and_a_dry_run_changes_nothing(
    app_context: Any, api: ApiClient, session: Session, old_and_new: dict[str, Person]
) -> None:
    listed = anonymise(dry_run=True)
    session.expire_all()
    assert old_and_new["old"].name == "Gast old"

    assert anonymise() == listed
    assert anonymise() == []


def test_the_anonymise_command_reports_and_does_the_same(
    app: Flask, api: ApiClient, session: Session, old_and_new: dict[str, Person]
) -> None:
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["persons", "anonymise", "--dry-run"])
    done = runner.invoke(args=["persons", "anonymise"])

    assert "Probelauf: 2 Personen würden anonymisiert (ohne Aufenthalt seit dem 15.01.2024)" in (
        dry.output
    )
    assert "2 Personen anonymisiert" in done.output
    assert {e.actor_label for e in audited(session, "person.anonymise")} == {"cli"}


def test_an_anonymised_person_is_found_by_nobody(
    app_context: Any, api: ApiClient, old_and_new: dict[str, Person]
) -> None:
    anonymise()

    found = api.get("/persons", as_="manager", query_string={"q": "Gast"}).json["items"]
    assert old_and_new["old"].id not in [p["id"] for p in found]
    assert api.get(f"/persons/{old_and_new['old'].id}", as_="admin").status_code == 404


# --- erasure (Art. 17) --------------------------------------------------------------------


def test_a_manager_erases_a_person_at_once_with_a_reason(api: ApiClient, session: Session) -> None:
    person_id = new_person(api, name="Zacharias Quellmann", birth_year=1937, citizenship="DE")
    api.post(
        "/turnaways",
        as_="staff",
        json={
            "facility": "unionstrasse",
            "reason": "other",
            "person": person_id,
            "note": "Z. Q. kam betrunken",
        },
    )

    response = api.post(
        f"/persons/{person_id}/erase", as_="manager", json={"reason": "Antrag vom 2.2.2026"}
    )

    assert response.status_code == 200, response.json
    assert {k: response.json[k] for k in ("name", "birth_year", "citizenship", "nationality")} == {
        "name": None,
        "birth_year": None,
        "citizenship": None,
        "nationality": "german",
    }
    (erased,) = audited(session, "person.erase")
    assert (erased.actor_label, erased.details) == ("manager", {"reason": "Antrag vom 2.2.2026"})
    note = session.scalar(sa.select(TurnAway.note).where(TurnAway.person_id == person_id))
    assert note is None
    again = api.post(f"/persons/{person_id}/erase", as_="manager", json={"reason": "noch mal"})
    assert_error(again, 409, "invalid_state")


def test_a_guest_checked_in_is_not_erased_until_checked_out(api: ApiClient) -> None:
    stay = check_in_body(api, person={"name": "Gast", "gender": "m"})
    person_id = stay.json["person"]["id"]

    refused = api.post(f"/persons/{person_id}/erase", as_="manager", json={"reason": "Antrag"})

    assert_error(refused, 409, "invalid_state")
    assert "abmelden" in refused.json["message"]


@pytest.mark.parametrize("role", ["staff", "outreach"])
def test_only_managers_and_admins_erase(api: ApiClient, role: str) -> None:
    person_id = new_person(api)

    response = api.post(f"/persons/{person_id}/erase", as_=role, json={"reason": "Antrag"})

    assert_error(response, 403, "forbidden")


def test_an_erasure_needs_a_reason(api: ApiClient) -> None:
    person_id = new_person(api)

    response = api.post(f"/persons/{person_id}/erase", as_="manager", json={"reason": " "})

    assert response.status_code == 422


# --- access (Art. 15) ------------------------------------------------------------------------


def test_an_access_export_shows_a_person_everything_stored_about_them(
    api: ApiClient, session: Session, clock: FakeClock
) -> None:
    person_id = new_person(api, name="Karl Becker", birth_year=1975, citizenship="AT")
    hold = api.post("/holds", as_="outreach", json={"facility": "unionstrasse", "note": "Karl"})
    api.post(f"/holds/{hold.json['id']}/convert", as_="staff", json={"person": {"id": person_id}})
    api.post(
        "/turnaways",
        as_="staff",
        json={"facility": "unionstrasse", "reason": "full", "person": person_id},
    )
    clock.advance(days=1)
    ban = api.post(
        "/bans",
        as_="staff",
        json={"facility": "unionstrasse", "person": person_id, "kind": "conduct", "reason": "x"},
    )
    assert ban.status_code == 201, ban.json
    api.get(f"/persons/{person_id}", as_="manager")

    export = api.get(f"/persons/{person_id}/export", as_="manager")

    assert export.status_code == 200, export.json
    body = export.json
    assert (body["person"]["name"], body["person"]["citizenship"]) == ("Karl Becker", "AT")
    assert [s["id"] for s in body["stays"]] == [hold.json["id"]]
    assert [(h["id"], h["note"]) for h in body["holds"]] == [(hold.json["id"], "Karl")]
    assert [b["id"] for b in body["bans"]] == [ban.json["id"]]
    assert [t["reason"] for t in body["turn_aways"]] == ["full"]
    assert [(a["actor"], a["action"]) for a in body["audit"]] == [
        ("staff", "person.create"),
        ("outreach", "hold.create"),
        ("staff", "hold.convert"),
        ("staff", "turn_away.create"),
        ("staff", "ban.create"),
        ("manager", "person.read"),
        ("manager", "person.export"),
    ]


@pytest.mark.parametrize("role", ["staff", "outreach"])
def test_only_managers_and_admins_export_a_person(api: ApiClient, role: str) -> None:
    person_id = new_person(api)

    assert_error(api.get(f"/persons/{person_id}/export", as_=role), 403, "forbidden")


def test_the_export_is_audited(api: ApiClient, session: Session) -> None:
    person_id = new_person(api)

    api.get(f"/persons/{person_id}/export", as_="admin")

    assert [e.object_id for e in audited(session, "person.export")] == [person_id]
    assert (
        session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "x")
        )
        == 0
    )
