"""The audit log page: managers and admins filter by user, action, record, person and
period, a page at a time; the page reads what GET /api/v1/audit reads."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.apiclient import ApiClient, check_in
from tests.conftest import FakeClock
from tests.pageclient import PageClient


def test_the_audit_log_filtered_by_user_action_record_and_period(
    pages: PageClient, api: ApiClient, clock: FakeClock
) -> None:
    stay = check_in(api, name="Zacharias Quellmann", birth_year=1937)
    assert stay.status_code == 201
    stay_id, person_id = stay.json["id"], stay.json["person"]["id"]

    page = pages.as_("manager").get("/protokoll")
    assert page.status_code == 200
    assert 'data-action="stay.check_in"' in page.text
    assert "Quellmann" not in page.text
    assert "1937" not in page.text

    by_action = pages.get("/protokoll?action=stay.check_in")
    assert by_action.text.count('data-action="') == 1
    assert f"Aufenthalt {stay_id}" in by_action.text

    by_prefix = pages.get("/protokoll?action=person.")
    assert 'data-action="person.create"' in by_prefix.text
    assert 'data-action="stay.check_in"' not in by_prefix.text

    by_record = pages.get(f"/protokoll?object_type=stay&object_id={stay_id}")
    assert by_record.text.count('data-action="') == 1

    by_person = pages.get(f"/protokoll?person={person_id}")
    assert 'data-action="stay.check_in"' in by_person.text
    assert 'data-action="person.create"' in by_person.text

    by_user = pages.get("/protokoll?user=staff")
    assert 'data-action="stay.check_in"' in by_user.text
    assert 'data-action="' not in pages.get("/protokoll?user=admin").text.split("<tbody>")[-1]

    today = clock().date().isoformat()
    assert 'data-action="stay.check_in"' in pages.get(f"/protokoll?since={today}").text
    assert "Keine Einträge." in pages.get("/protokoll?until=2020-01-01").text


def test_a_period_ending_before_it_starts_is_refused(pages: PageClient, api: ApiClient) -> None:
    page = pages.as_("admin").get("/protokoll?since=2026-02-01&until=2026-01-01")
    assert page.status_code == 422
    assert "Das Ende liegt vor dem Anfang." in page.text
    assert pages.get("/protokoll?since=1900-01-01").status_code == 422


def test_the_log_is_read_a_page_at_a_time(
    pages: PageClient, api: ApiClient, session: Session
) -> None:
    from belegung.audit.models import AuditEntry

    for n in range(60):
        session.add(AuditEntry(actor_label="cli", action="place.create", object_type="place",
                               object_id=n + 1, details={}))  # fmt: skip
    session.flush()
    first = pages.as_("manager").get("/protokoll?action=place.create")
    assert first.text.count('data-action="place.create"') == 50
    assert "Seite 1 von 2 (60 Einträge)" in first.text
    assert 'href="/protokoll?action=place.create&amp;seite=2"' in first.text
    second = pages.get("/protokoll?action=place.create&seite=2")
    assert second.text.count('data-action="place.create"') == 10


def test_staff_and_crews_do_not_read_the_log(pages: PageClient, api: ApiClient) -> None:
    for key in ("staff", "outreach"):
        assert pages.as_(key).get("/protokoll").status_code == 403
