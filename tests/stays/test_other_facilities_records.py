"""A record outside a staff member's facilities (or another crew's hold) answers exactly
as one that does not exist: 404 with the same body, whatever is asked of it."""

from __future__ import annotations

from typing import Any

from tests.apiclient import ApiClient, ban, check_in, convert, held, new_person

MISSING = 999_999


def _answer(response: Any) -> tuple[int, dict[str, Any]]:
    return response.status_code, response.json


def test_a_stay_of_another_shelter_is_404_like_a_missing_one(api: ApiClient) -> None:
    women = check_in(api, "nortkirchenstrasse", as_="staff_women", gender="f").json["id"]

    for method, suffix, body in (
        ("GET", "", None),
        ("POST", "/extend", {"nights": 1}),
        ("POST", "/checkout", None),
    ):
        other = api.request(method, f"/stays/{women}{suffix}", as_="staff", json=body)
        missing = api.request(method, f"/stays/{MISSING}{suffix}", as_="staff", json=body)
        assert _answer(other) == _answer(missing)
        assert other.status_code == 404
    # Nothing was changed on the way.
    assert api.get(f"/stays/{women}", as_="staff_women").json["status"] == "checked_in"


def test_a_hold_of_another_shelter_or_crew_is_404_like_a_missing_one(api: ApiClient) -> None:
    women = held(api, as_="outreach", facility="nortkirchenstrasse")["id"]
    staffs = held(api, as_="staff")["id"]

    for caller, hold_id in (("staff", women), ("outreach", staffs)):
        for method, suffix in (("GET", ""), ("DELETE", "")):
            other = api.request(method, f"/holds/{hold_id}{suffix}", as_=caller)
            missing = api.request(method, f"/holds/{MISSING}{suffix}", as_=caller)
            assert _answer(other) == _answer(missing)
            assert other.status_code == 404
    assert _answer(convert(api, women, as_="staff")) == _answer(convert(api, MISSING, as_="staff"))


def test_a_ban_of_another_shelter_is_404_like_a_missing_one(api: ApiClient) -> None:
    person_id = new_person(api)
    ban_id = ban(api, person_id, as_="staff").json["id"]

    body = {"reason": "Aussprache"}
    other = api.post(f"/bans/{ban_id}/lift", as_="staff_women", json=body)
    missing = api.post(f"/bans/{MISSING}/lift", as_="staff_women", json=body)

    assert _answer(other) == _answer(missing)
    assert other.status_code == 404


def test_a_role_without_the_right_is_still_403(api: ApiClient) -> None:
    """Outreach crews may not convert holds anywhere: that is no secret about a record."""
    own = held(api, as_="outreach")["id"]
    assert convert(api, own, as_="outreach").status_code == 403
